"""Logging set-up. The bot token must never reach a log line.

Bot API URLs carry the token (…/bot<TOKEN>/sendMessage), and httpx logs every request URL at
INFO, python-telegram-bot logs its base URL at DEBUG, and network errors may quote URLs. So the
noisy loggers are turned down AND every formatted line, tracebacks included, is redacted.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable

REDACTED = "[REDACTED]"


class RedactingFormatter(logging.Formatter):
    def __init__(self, secrets: Iterable[str], fmt: str | None = None) -> None:
        super().__init__(fmt)
        self._secrets = [s for s in secrets if s]

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text


def setup_logging(level: str, secrets: Iterable[str] = ()) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        RedactingFormatter(secrets, "%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Request-per-line loggers: too chatty at INFO, and they print URLs with the token.
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)
    # APScheduler logs every job run at INFO; keep its warnings (missed runs) and errors.
    logging.getLogger("apscheduler").setLevel(max(logging.WARNING, root.level))
