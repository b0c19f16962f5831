"""Scans for personal values left in a database: every table and column, and the files' bytes."""

from __future__ import annotations

from pathlib import Path

from storage.db import Database


async def found_in_tables(db: Database, values: list[str]) -> list[str]:
    """Return table.column = value for every stored cell that holds one of the values."""
    found = []
    tables = await db.fetch_all("SELECT name FROM sqlite_master WHERE type = 'table'")
    for (table,) in tables:
        columns = await db.fetch_all(f"SELECT name FROM pragma_table_info('{table}')")
        for (column,) in columns:
            rows = await db.fetch_all(f'SELECT "{column}" FROM "{table}"')
            for (cell,) in rows:
                text = "" if cell is None else str(cell)
                found += [f"{table}.{column} = {text!r}" for value in values if value in text]
    return found


def found_in_files(path: Path, values: list[str]) -> list[str]:
    """Return file: value for each value whose UTF-8 bytes are in the database's files."""
    found = []
    for suffix in ("", "-wal", "-shm"):
        file = Path(f"{path}{suffix}")
        if file.exists():
            data = file.read_bytes()
            found += [f"{file.name}: {v}" for v in values if v.encode() in data]
    return found
