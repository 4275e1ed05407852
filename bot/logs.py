"""Logging set-up. The bot token must never reach a log line.

Bot API URLs carry the token (…/bot<TOKEN>/sendMessage), and httpx logs every request URL at
INFO, python-telegram-bot logs its base URL at DEBUG, and network errors may quote URLs. So the
noisy loggers are turned down AND every formatted line, tracebacks included, is redacted.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable

from telegram.error import NetworkError

REDACTED = "[REDACTED]"


class NetworkErrorsOnOneLine(logging.Filter):
    """Network trouble (timeouts, refused connections) is an everyday event for a long-polling
    bot: python-telegram-bot logs each one with a full traceback. Keep the message, drop the
    traceback, so real bugs stand out in the log."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], NetworkError):
            error = record.exc_info[1]
            record.msg = f"{record.getMessage()} ({type(error).__name__}: {error.message})"
            record.args = ()
            record.exc_info = None
            record.exc_text = None
        return True


class RedactingFormatter(logging.Formatter):
    def __init__(self, secrets: Iterable[str], fmt: str | None = None) -> None:
        super().__init__(fmt)
        self._secrets = [s for s in secrets if s]

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text


def setup_logging(level: str | int, secrets: Iterable[str] = ()) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        RedactingFormatter(secrets, "%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    handler.addFilter(NetworkErrorsOnOneLine())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Request-per-line loggers: too chatty at INFO, and they print URLs with the token.
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)
    # APScheduler logs every job run at INFO; keep its warnings (missed runs) and errors.
    logging.getLogger("apscheduler").setLevel(max(logging.WARNING, root.level))
