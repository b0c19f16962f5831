"""SQLite storage: the connection, numbered migrations and repositories (the only SQL)."""
