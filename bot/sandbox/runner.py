"""Run the sandbox: the emulator, the real bot pointed at it, and the web chat in front of them.

``python -m bot.sandbox.runner --port 8080`` (or ``feedback-bot sandbox``), then open
http://127.0.0.1:8080 and talk to the bot as one of the personas.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from bot.sandbox.emulator import BotApiEmulator
from bot.sandbox.options import add_arguments
from bot.sandbox.personas import ADMIN_PERSONA, PersonaBook
from bot.sandbox.web import SandboxWeb
from config.settings import Settings, SettingsError, load_settings

TOKEN = "123456:SANDBOX-token"  # noqa: S105  (the emulator accepts only this one)
EXIT_SETTINGS = 2


async def run_sandbox(
    port: int,
    db: Path | None,
    demo_data: int,
    *,
    stop: asyncio.Event | None = None,
    ready: Callable[[str], None] | None = None,
    env_file: Path | None = Path(".env"),
) -> None:
    """Run the sandbox on 127.0.0.1:port until ``stop`` is set or SIGINT/SIGTERM arrives.

    Settings come from the environment and ``env_file`` (TIMEZONE, LANGUAGES, schedules…),
    except what ties the bot to the emulator: token, API address, database, admin, polling.
    """
    from bot.app import build_application, running
    from bot.sandbox.demo import add_demo_history, add_demo_reports

    stop = stop or asyncio.Event()
    with _stop_on_signals(stop), tempfile.TemporaryDirectory(prefix="feedback-sandbox-") as tmp:
        database = db if db is not None else Path(tmp) / "sandbox.db"
        async with BotApiEmulator(tokens=[TOKEN]) as emulator:
            personas = PersonaBook(emulator, _persona_file(db))
            web = SandboxWeb(personas, bot_name=emulator.bot_first_name)
            await web.start("127.0.0.1", port)
            try:
                settings = sandbox_settings(emulator, database, env_file)
                if demo_data > 0:
                    history = await add_demo_history(database, emulator, demo_data)
                    if history is not None:
                        print(f"Demo data: {history.describe()}", flush=True)
                async with running(build_application(settings)) as app:
                    if demo_data > 0:
                        created = await add_demo_reports(app, emulator, demo_data)
                        print(f"Demo data: {created} new report(s) by demo traders.", flush=True)
                    _announce(web.url, emulator.url, personas, database, kept=db is not None)
                    if ready is not None:
                        ready(web.url)
                    await stop.wait()
                    print("Stopping the sandbox…", flush=True)
                    await web.stop()
            finally:
                await web.stop()


def sandbox_settings(emulator: BotApiEmulator, database: Path, env_file: Path | None) -> Settings:
    """Return the environment's and env_file's settings, tied to the emulator and database."""
    return load_settings(
        env_file,
        bot_token=TOKEN,
        bot_api_url=emulator.base_url,
        bot_api_file_url=emulator.file_base_url,
        database_path=database,
        admin_ids=str(ADMIN_PERSONA.id),
        api_rate_limit=0,
        log_format="text",
        webhook_url=None,
        metrics_port=None,
    )


def _persona_file(db: Path | None) -> Path | None:
    """Return where trainer-made personas are kept next to a kept database."""
    return None if db is None else db.with_name(db.name + ".personas.json")


@contextlib.contextmanager
def _stop_on_signals(stop: asyncio.Event) -> Iterator[None]:
    """Set ``stop`` on SIGINT and SIGTERM while inside (main thread only)."""
    loop = asyncio.get_running_loop()
    installed: list[signal.Signals] = []
    for number in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(number, stop.set)
        except (NotImplementedError, RuntimeError, ValueError):
            continue  # not the main thread, or no signals on this platform
        installed.append(number)
    try:
        yield
    finally:
        for number in installed:
            loop.remove_signal_handler(number)


def _announce(
    url: str, emulator_url: str, personas: PersonaBook, database: Path, *, kept: bool
) -> None:
    """Print where the sandbox is and what it runs on."""
    names = ", ".join(persona.label for persona in personas.all())
    keeps = "kept" if kept else "temporary: gone when the sandbox stops; --db PATH keeps it"
    lines = [
        f"Customs Feedback Bot sandbox: {url}",
        f"  personas: {names} (Sam is in ADMIN_IDS)",
        f"  database: {database} ({keeps})",
        f"  Bot API emulator: {emulator_url}",
        "Press Ctrl-C to stop.",
    ]
    print("\n".join(lines), flush=True)


def run_from_args(args: argparse.Namespace) -> int:
    """Run the sandbox with parsed options; return the exit code."""
    from bot.core.logs import configure_logging

    if args.demo_data < 0:
        print("--demo-data must be 0 or more", file=sys.stderr)
        return EXIT_SETTINGS
    configure_logging("INFO", "text", [TOKEN])
    try:
        asyncio.run(run_sandbox(args.port, args.db, args.demo_data))
    except SettingsError as problem:
        for line in problem.lines:
            print(line, file=sys.stderr)
        return EXIT_SETTINGS
    except OSError as problem:
        hint = "; choose another port with --port" if args.port else ""
        print(f"Cannot start the sandbox on port {args.port}: {problem}{hint}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the sandbox until Ctrl-C."""
    parser = argparse.ArgumentParser(
        prog="feedback-bot sandbox",
        description="Run the bot against a built-in Telegram emulator with a web chat.",
    )
    add_arguments(parser)
    return run_from_args(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
