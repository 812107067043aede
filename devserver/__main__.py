"""``python -m devserver [--host H] [--port N]``: serve until Ctrl-C."""

from __future__ import annotations

import argparse

from .server import run


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m devserver", description="Local fake Telegram Bot API"
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    args = parser.parse_args(argv)
    run(args.host, args.port)


if __name__ == "__main__":
    main()
