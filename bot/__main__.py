"""Command line: `python -m bot [run|console|devserver] ...` (run is the default)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys
from collections.abc import Callable, Sequence

from bot.config import Settings, SettingsError, load_settings


def _setup_logging(level: str) -> None:
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    """Poll Telegram with a token; without one, start the local console."""
    if not settings.is_live:
        print(
            "No BOT_TOKEN set: starting the local console. "
            "To go live, put BOT_TOKEN=<token from @BotFather> in .env and run again.",
            flush=True,
        )
        return cmd_console(args, settings)
    from bot.runner import run_live

    _setup_logging(settings.log_level)
    asyncio.run(run_live(settings))
    return 0


def cmd_console(args: argparse.Namespace, settings: Settings) -> int:
    from bot.console import run_console

    _setup_logging("ERROR" if settings.log_level != "DEBUG" else "DEBUG")
    lang = getattr(args, "lang", None)
    return asyncio.run(run_console(settings, language_code=lang))


def cmd_devserver(args: argparse.Namespace, settings: Settings) -> int:
    from bot.devserver import serve_forever

    _setup_logging(settings.log_level)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve_forever(args.host, args.port))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Dostyq, a Telegram bot about the shared heritage of Russia and Kazakhstan.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = sub.add_parser(
        "run", help="poll Telegram (BOT_TOKEN set) or start the console (no token)"
    )
    run.set_defaults(func=cmd_run)

    console = sub.add_parser(
        "console", help="chat with the bot in the terminal through an in-process devserver"
    )
    console.add_argument(
        "--lang", choices=["ru", "kk", "en"], help="Telegram app language of the console user"
    )
    console.set_defaults(func=cmd_console)

    dev = sub.add_parser("devserver", help="serve a local fake Telegram Bot API")
    dev.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    dev.add_argument("--port", type=int, default=8081, help="port (default 8081)")
    dev.set_defaults(func=cmd_devserver)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace, Settings], int] = getattr(args, "func", cmd_run)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    return func(args, settings)


if __name__ == "__main__":
    sys.exit(main())
