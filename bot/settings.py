"""Settings: read once into a frozen object; environment over `.env` over defaults.

Every problem is a `SettingsError` that names the setting and what is expected, so the CLI can
print one line and exit 2 instead of a traceback. The bot token is wrapped in `Secret`, whose
repr never shows it, so a settings object can be logged or printed safely.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values

from news.errors import NewsbotError

DEFAULT_API_URL = "https://api.telegram.org/bot"
DEFAULT_DATABASE = "newsbot.sqlite3"
DEFAULT_POLL_INTERVAL = 300
MIN_POLL_INTERVAL = 5
DEFAULT_PUSH_MAX_AGE = 48
MAX_PARSE_WORKERS = 16  # a sanity bound on NEWSBOT_PARSE_WORKERS
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class SettingsError(NewsbotError, ValueError):
    """A setting is missing or malformed; the message names it and says what is expected."""


class Secret:
    """A string that does not show itself in repr/str, so it cannot leak into logs by accident."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get(self) -> str:
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __repr__(self) -> str:
        return "Secret('**********')" if self._value else "Secret('')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True)
class Settings:
    token: Secret = field(default_factory=lambda: Secret(""))
    api_url: str = DEFAULT_API_URL
    database: Path = Path(DEFAULT_DATABASE)
    sources: Path | None = None  # None: the list shipped in the package
    poll_interval: int = DEFAULT_POLL_INTERVAL
    push_max_age_hours: int = DEFAULT_PUSH_MAX_AGE
    brands: Path | None = None  # None: the catalogue shipped in the package
    admins: frozenset[int] = frozenset()
    timezone: str = "UTC"
    log_level: str = "INFO"
    link_previews: bool = False
    paid_broadcast: bool = False  # pushes as paid broadcasts: up to 1,000/s, for Telegram Stars
    parse_workers: int | None = None  # NEWSBOT_PARSE_WORKERS; None: one less than the CPUs
    metrics_listen: tuple[str, int] | None = None  # NEWSBOT_METRICS_LISTEN host:port
    webhook_url: str | None = None  # NEWSBOT_WEBHOOK_URL: webhook mode instead of polling
    webhook_listen: tuple[str, int] = ("127.0.0.1", 8443)  # NEWSBOT_WEBHOOK_LISTEN
    webhook_secret: Secret = field(default_factory=lambda: Secret(""))  # generated if empty

    def require_token(self) -> str:
        """The token, or a SettingsError for commands that must talk to Telegram: when it is
        not set, or does not have a bot token's shape (checked here, before any network)."""
        if not self.token:
            raise SettingsError(
                "TELEGRAM_BOT_TOKEN is not set: put the token from @BotFather in the environment"
                " or in .env"
            )
        if not TOKEN_SHAPE.fullmatch(self.token.get()):
            raise SettingsError(
                "TELEGRAM_BOT_TOKEN does not look like a bot token (digits, a colon and the"
                " secret, as @BotFather gives it, e.g. 123456789:AAE...)"
            )
        return self.token.get()


TOKEN_SHAPE = re.compile(r"\d{1,20}:[A-Za-z0-9_-]{20,100}")  # the bot id and its secret


def _int(raw: Mapping[str, str], name: str, default: int, *, minimum: int) -> int:
    value = raw.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise SettingsError(
            f"{name}={value!r} is not a whole number: expected an integer >= {minimum}"
        ) from None
    if number < minimum:
        raise SettingsError(f"{name}={number} is too small: expected an integer >= {minimum}")
    return number


def _workers(raw: Mapping[str, str]) -> int | None:
    """NEWSBOT_PARSE_WORKERS: processes reading feeds (usecases.parsing); empty or auto: one
    less than the CPUs; 0: a thread of the bot's own process."""
    if raw.get("NEWSBOT_PARSE_WORKERS", "").strip().lower() in ("", "auto"):
        return None
    number = _int(raw, "NEWSBOT_PARSE_WORKERS", 0, minimum=0)
    if number > MAX_PARSE_WORKERS:
        raise SettingsError(
            f"NEWSBOT_PARSE_WORKERS={number} is too large: expected auto or 0 to"
            f" {MAX_PARSE_WORKERS} (more processes than that wait on the bot's own work)"
        )
    return number


def _path(raw: Mapping[str, str], name: str) -> Path | None:
    value = raw.get(name, "").strip()
    return Path(value).expanduser() if value else None


def _existing_file(raw: Mapping[str, str], name: str) -> Path | None:
    path = _path(raw, name)
    if path is not None and not path.is_file():
        raise SettingsError(f"{name}={str(path)!r} does not exist: expected a path to a file")
    return path


def _admins(raw: Mapping[str, str]) -> frozenset[int]:
    value = raw.get("NEWSBOT_ADMINS", "")
    ids: set[int] = set()
    for part in value.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            ids.add(int(part))
        except ValueError:
            raise SettingsError(
                f"NEWSBOT_ADMINS contains {part!r}: expected comma-separated numeric Telegram"
                " user ids"
            ) from None
    return frozenset(ids)


def _timezone(raw: Mapping[str, str]) -> str:
    value = raw.get("NEWSBOT_TIMEZONE", "").strip() or "UTC"
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(
            f"NEWSBOT_TIMEZONE={value!r} is not a known time zone: expected an IANA name such as"
            " Europe/Berlin or UTC"
        ) from None
    return value


def _api_url(raw: Mapping[str, str]) -> str:
    value = raw.get("TELEGRAM_API_URL", "").strip() or DEFAULT_API_URL
    if not value.startswith(("http://", "https://")):
        raise SettingsError(
            f"TELEGRAM_API_URL={value!r} is not an http(s) URL: expected e.g. {DEFAULT_API_URL}"
        )
    return value


def _listen(raw: Mapping[str, str], name: str) -> tuple[str, int] | None:
    """ "127.0.0.1:9464" -> ("127.0.0.1", 9464); empty -> None (off)."""
    value = raw.get(name, "").strip()
    if not value:
        return None
    host, _, port = value.rpartition(":")
    host = host.strip("[]")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise SettingsError(
            f"{name}={value!r} is not a listen address: expected host:port, e.g. 127.0.0.1:9464"
        )
    return host, int(port)


def _webhook_url(raw: Mapping[str, str]) -> str | None:
    """NEWSBOT_WEBHOOK_URL: the public https URL Telegram posts updates to."""
    value = raw.get("NEWSBOT_WEBHOOK_URL", "").strip()
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.hostname:
        raise SettingsError(
            f"NEWSBOT_WEBHOOK_URL={value!r} is not an https URL: Telegram posts only to https,"
            " e.g. https://bot.example.com/telegram (a TLS proxy in front of"
            " NEWSBOT_WEBHOOK_LISTEN)"
        )
    return value


def _webhook_secret(raw: Mapping[str, str]) -> Secret:
    """NEWSBOT_WEBHOOK_SECRET: 1-256 of A-Z a-z 0-9 _ - (Telegram's rule); empty: generated."""
    value = raw.get("NEWSBOT_WEBHOOK_SECRET", "").strip()
    if value and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", value):
        raise SettingsError(
            "NEWSBOT_WEBHOOK_SECRET may hold only letters, digits, _ and - (1 to 256 of them)"
        )
    return Secret(value)


def _log_level(raw: Mapping[str, str]) -> str:
    value = raw.get("NEWSBOT_LOG_LEVEL", "").strip().upper() or "INFO"
    if value not in LOG_LEVELS:
        raise SettingsError(
            f"NEWSBOT_LOG_LEVEL={value!r} is not a log level: expected one of "
            + ", ".join(LOG_LEVELS)
        )
    return value


def _bool(raw: Mapping[str, str], name: str, default: bool) -> bool:
    value = raw.get(name, "").strip().lower()
    if not value:
        return default
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name}={value!r} is not a yes/no value: expected on or off")


def merged_environment(
    environ: Mapping[str, str] | None = None, dotenv_path: Path | None = None
) -> dict[str, str]:
    """`.env` values overlaid by the real environment (the environment wins)."""
    environ = os.environ if environ is None else environ
    dotenv_path = Path(".env") if dotenv_path is None else dotenv_path
    merged: dict[str, str] = {}
    if dotenv_path.is_file():
        merged.update({k: v for k, v in dotenv_values(dotenv_path).items() if v is not None})
    merged.update(environ)
    return merged


def load_settings(
    environ: Mapping[str, str] | None = None, dotenv_path: Path | None = None
) -> Settings:
    """Read and validate every setting once. Raises SettingsError on the first bad one."""
    raw = merged_environment(environ, dotenv_path)
    return Settings(
        token=Secret(raw.get("TELEGRAM_BOT_TOKEN", "").strip()),
        api_url=_api_url(raw),
        database=_path(raw, "NEWSBOT_DATABASE") or Path(DEFAULT_DATABASE),
        sources=_existing_file(raw, "NEWSBOT_SOURCES"),
        poll_interval=_int(
            raw, "NEWSBOT_POLL_INTERVAL", DEFAULT_POLL_INTERVAL, minimum=MIN_POLL_INTERVAL
        ),
        push_max_age_hours=_int(raw, "NEWSBOT_PUSH_MAX_AGE", DEFAULT_PUSH_MAX_AGE, minimum=0),
        brands=_existing_file(raw, "NEWSBOT_BRANDS"),
        admins=_admins(raw),
        timezone=_timezone(raw),
        log_level=_log_level(raw),
        link_previews=_bool(raw, "NEWSBOT_LINK_PREVIEWS", False),
        paid_broadcast=_bool(raw, "NEWSBOT_PAID_BROADCAST", False),
        parse_workers=_workers(raw),
        metrics_listen=_listen(raw, "NEWSBOT_METRICS_LISTEN"),
        webhook_url=_webhook_url(raw),
        webhook_listen=_listen(raw, "NEWSBOT_WEBHOOK_LISTEN") or ("127.0.0.1", 8443),
        webhook_secret=_webhook_secret(raw),
    )
