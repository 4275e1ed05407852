"""The `newsbot` command line (also `python -m bot`).

Configuration problems end the process with exit code 2 and one line naming the setting:
operators should not have to read a traceback to learn that a variable is missing.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from telegram.error import InvalidToken, TelegramError

from bot import __version__
from bot.logs import setup_logging
from bot.settings import Settings, SettingsError, load_settings
from news.catalogue import CatalogueError
from storage import StorageError

log = logging.getLogger("newsbot")

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_CONFIG = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsbot", description="Tech news by brand, in Telegram.")
    parser.add_argument("--version", action="version", version=f"newsbot {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("run", help="run the bot (long polling) until SIGINT/SIGTERM")
    return parser


def _fail(message: str, code: int) -> int:
    print(f"newsbot: error: {message}", file=sys.stderr)
    return code


def run(settings: Settings) -> int:
    from bot.app import ALLOWED_UPDATES, build_application

    application = build_application(settings)
    application.run_polling(allowed_updates=ALLOWED_UPDATES, close_loop=False)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_CONFIG
    try:
        settings = load_settings()
    except SettingsError as exc:
        return _fail(str(exc), EXIT_CONFIG)
    setup_logging(settings.log_level, [settings.token.get()])
    try:
        return run(settings)
    except (SettingsError, CatalogueError, StorageError) as exc:
        return _fail(str(exc), EXIT_CONFIG)
    except InvalidToken:
        return _fail("TELEGRAM_BOT_TOKEN was refused by the Bot API: check the token", EXIT_CONFIG)
    except TelegramError as exc:
        # The message may quote a URL; never print the token.
        text = str(exc).replace(settings.token.get(), "[REDACTED]") if settings.token else str(exc)
        return _fail(f"cannot talk to the Bot API at {settings.api_url}: {text}", EXIT_FAILURE)
