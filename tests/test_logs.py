"""Logging: the token never appears, network hiccups take one line."""

import logging

import pytest
from telegram.error import NetworkError

from bot.logs import setup_logging

TOKEN = "123456:ABCdefSECRET"


@pytest.fixture(autouse=True)
def restore_logging():
    """setup_logging replaces the root handler; give the other tests theirs back."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def emit(capsys, *records) -> str:
    setup_logging("DEBUG", [TOKEN])
    for logger, level, message, kwargs in records:
        logging.getLogger(logger).log(level, message, **kwargs)
    return capsys.readouterr().err


def test_token_is_redacted_from_messages_and_tracebacks(capsys):
    try:
        raise RuntimeError(f"POST https://api.telegram.org/bot{TOKEN}/getMe failed")
    except RuntimeError:
        err = emit(
            capsys,
            ("telegram.Bot", logging.DEBUG, f"Set Bot API URL: https://x/bot{TOKEN}", {}),
            ("bot", logging.ERROR, "boom", {"exc_info": True}),
        )
    assert TOKEN not in err
    assert err.count("[REDACTED]") == 2


def test_httpx_request_lines_are_silenced_even_at_debug(capsys):
    err = emit(
        capsys, ("httpx", logging.INFO, f"HTTP Request: POST https://x/bot{TOKEN}/getMe", {})
    )
    assert err == ""


def test_network_errors_are_one_line(capsys):
    try:
        raise NetworkError("httpx.ConnectError: All connection attempts failed")
    except NetworkError:
        err = emit(capsys, ("telegram.ext", logging.ERROR, "Polling failed", {"exc_info": True}))
    assert "Traceback" not in err
    assert "Polling failed (NetworkError: httpx.ConnectError" in err
