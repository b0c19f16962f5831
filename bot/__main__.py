"""The command line: feedback-bot run | check-config | migrate | backup | restore | health | …"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot import __version__
from bot.core.users import Language
from config.settings import Settings, SettingsError, load_settings

EXIT_SETTINGS = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="feedback-bot",
        description="Customs Feedback Bot: a Telegram channel between Customs and traders.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--env-file", default=".env", help="settings file read after the environment"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser(
        "run", help="run the bot (long polling, or a webhook when WEBHOOK_URL is set)"
    )
    commands.add_parser(
        "check-config", help="check settings, offices.toml and topics.toml without starting"
    )
    commands.add_parser("migrate", help="create or upgrade the database, then exit")
    backup = commands.add_parser("backup", help="copy the live database consistently to PATH")
    backup.add_argument("path", type=Path, help="where to write the copy")
    restore = commands.add_parser(
        "restore", help="put a backup in place of the database (the bot must be stopped)"
    )
    restore.add_argument("backup_file", type=Path, help="a copy written by backup or BACKUP_DIR")
    commands.add_parser("check-db", help="run a read-only quick_check of the database; exit 0/1")
    commands.add_parser(
        "health",
        help="exit 0 if healthy, 1 if not: the running bot's /healthz when HEALTH_PORT is set,"
        " else the database itself (the container's HEALTHCHECK)",
    )
    classify = commands.add_parser(
        "classify", help="sort JSON lines ({id, text, lang?}) by kind, topic, urgency, sentiment"
    )
    classify.add_argument("file", nargs="?", type=Path, help="input file (default: stdin)")
    digest = commands.add_parser("digest", help="write a digest of a date range without Telegram")
    digest.add_argument("--from", dest="date_from", required=True, help="first day, YYYY-MM-DD")
    digest.add_argument("--to", dest="date_to", required=True, help="last day, YYYY-MM-DD")
    digest.add_argument("--format", dest="fmt", default="text", help="text, html, csv, xlsx or png")
    digest.add_argument("--out", type=Path, help="output file (default: standard output)")
    digest.add_argument("--language", choices=tuple(Language), help="language of the summary")
    publish = commands.add_parser(
        "publish", help="write the published bulletins as static HTML pages, one per language"
    )
    publish.add_argument("--out", type=Path, required=True, help="folder to write the pages to")
    demo = commands.add_parser("demo-data", help="fill a database with synthetic reports")
    demo.add_argument("--reports", type=int, required=True, help="how many reports")
    demo.add_argument("--seed", type=int, default=1, help="random seed (same seed, same data)")
    demo.add_argument("--db", type=Path, help="database file (default: DATABASE_PATH)")
    sandbox = commands.add_parser(
        "sandbox", help="run the bot and a web chat against a built-in Telegram emulator (no token)"
    )
    from bot.sandbox.options import add_arguments

    add_arguments(sandbox)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command given on the command line; return the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    from storage.backups import sqlite_version_problem

    if too_old := sqlite_version_problem():
        print(too_old, file=sys.stderr)
        return EXIT_SETTINGS
    if args.command == "classify":
        return classify(args.file)
    if args.command == "sandbox":  # needs no token and ignores .env: it sets up its own bot
        from bot.sandbox.runner import run_from_args

        return run_from_args(args)
    try:
        settings = load_settings(args.env_file)
        if args.command == "run" and settings.bot_token is None:
            missing = "missing; create a bot with @BotFather and set its token"
            raise SettingsError([f"Invalid setting BOT_TOKEN: {missing}"])
    except SettingsError as problem:
        for line in problem.lines:
            print(line, file=sys.stderr)
        return EXIT_SETTINGS
    from bot.core.logs import configure_logging

    secrets = [s.get_secret_value() for s in (settings.bot_token, settings.webhook_secret) if s]
    configure_logging(settings.log_level, settings.log_format, secrets)
    if args.command == "run":
        return run(settings)
    if args.command == "check-config":
        from bot.cli.check_config import check_config

        return check_config(settings, sys.stdout, sys.stderr)
    if args.command == "migrate":
        return asyncio.run(migrate(settings))
    if args.command == "backup":
        return backup(settings, args.path)
    if args.command == "health":
        from bot.cli.health import health

        return health(settings)
    if args.command in ("restore", "check-db"):
        from bot.cli import ops

        if args.command == "restore":
            return ops.restore(args.backup_file, settings.database_path)
        return ops.check_db(settings.database_path)
    if args.command == "publish":
        from bot.cli.publish import publish_command

        return asyncio.run(publish_command(settings.database_path, args.out, settings))
    if args.command in ("digest", "demo-data"):
        from bot.cli import digest as digest_cli

        if args.command == "digest":
            return asyncio.run(
                digest_cli.digest_command(
                    settings.database_path,
                    args.date_from,
                    args.date_to,
                    args.fmt,
                    args.out,
                    settings,
                    language=args.language,
                )
            )
        return asyncio.run(
            digest_cli.demo_data_command(args.db or settings.database_path, args.reports, args.seed)
        )
    parser.error(f"unknown command {args.command}")
    return EXIT_SETTINGS


def run(settings: Settings) -> int:
    """Run the bot until SIGINT or SIGTERM, holding the database's lock all the while."""
    from storage.backups import DatabaseInUse, exclusive_lock

    try:
        with exclusive_lock(settings.database_path):
            return _serve(settings)
    except DatabaseInUse as problem:
        print(f"Not started: {problem} (another bot or a restore)", file=sys.stderr)
        return 1


def _serve(settings: Settings) -> int:
    """Serve updates by webhook or long polling until stopped."""
    from bot.app import build_application, serve

    # Our own polling and webhook server: each update is stored before Telegram may forget it.
    serve(build_application(settings))
    return 0


async def migrate(settings: Settings) -> int:
    """Apply pending migrations and report them."""
    from storage.db import Database

    db = await Database.open(settings.database_path, migrate=False)
    try:
        applied = await db.migrate()
    finally:
        await db.close()
    names = ", ".join(f"{m.number:04d}_{m.name}" for m in applied) or "none pending"
    print(f"{settings.database_path}: migrations applied: {names}")
    return 0


def backup(settings: Settings, target: Path) -> int:
    """Copy the database with SQLite's online backup and check the copy."""
    from storage.db import backup_database, integrity_check

    if not settings.database_path.exists():
        print(f"No database at {settings.database_path}", file=sys.stderr)
        return 1
    backup_database(settings.database_path, target)
    verdict = integrity_check(target)
    print(f"Backup written to {target} (integrity: {verdict})")
    return 0 if verdict == "ok" else 1


def classify(path: Path | None) -> int:
    """Classify JSON lines from a file or stdin to stdout; exit 1 if any line was skipped."""
    from bot.cli.classify import classify_stream
    from bot.sorting import Classifier

    classifier = Classifier()
    if path is None:
        return classify_stream(sys.stdin, sys.stdout, sys.stderr, classifier)
    try:
        with path.open(encoding="utf-8") as handle:
            return classify_stream(handle, sys.stdout, sys.stderr, classifier)
    except OSError as problem:
        print(f"Cannot read {path}: {problem.strerror}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
