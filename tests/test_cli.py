"""`newsbot run` as an operator starts it: a real process talking to the fake Bot API."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fakes.telegram_api import TOKEN

NEWSBOT = Path(sys.executable).with_name("newsbot")


def clean_env(**overrides: str) -> dict[str, str]:
    """The machine's environment without any bot settings, plus the given ones."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "NEWSBOT_"))}
    env.update(overrides)
    return env


def run_cli(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(NEWSBOT), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=60
    )


class BotProcess:
    def __init__(self, env: dict[str, str], cwd: Path) -> None:
        self.env, self.cwd = env, cwd
        self.proc: asyncio.subprocess.Process | None = None
        self.stderr = ""

    async def start(self) -> None:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run",
            env=self.env, cwd=self.cwd,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip

    async def stop(self, sig: int = signal.SIGTERM) -> int:
        assert self.proc is not None
        self.proc.send_signal(sig)
        _, err = await asyncio.wait_for(self.proc.communicate(), timeout=15)
        self.stderr += err.decode("utf-8", "replace")
        return self.proc.returncode


@pytest.fixture
def bot_env(telegram, tmp_path):
    return clean_env(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL=telegram.api_url,
        NEWSBOT_DATABASE=str(tmp_path / "data" / "newsbot.sqlite3"),
        NEWSBOT_LOG_LEVEL="DEBUG",
    )


async def wait_until_polling(telegram, count: int = 1) -> None:
    await telegram.wait_for_call("getUpdates", count=count, timeout=30)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
async def test_run_answers_and_stops_cleanly_without_leaking_the_token(
    telegram, bot_env, tmp_path, sig
):
    process = BotProcess(bot_env, tmp_path)
    await process.start()
    await wait_until_polling(telegram)
    assert telegram.calls_to("setMyCommands"), "the command menu is registered on start"
    telegram.user_sends("/subscribe xiaomi")
    (reply,) = await telegram.wait_for_sent(1, chat_id=1001, timeout=30)
    assert "Subscribed: Xiaomi" in reply.plain_text
    assert await process.stop(sig) == 0
    assert TOKEN not in process.stderr
    assert TOKEN.split(":")[1] not in process.stderr
    assert "DEBUG" in process.stderr  # the check means something: debug logging was on
    assert (tmp_path / "data" / "newsbot.sqlite3").is_file()


async def test_subscriptions_survive_a_process_restart(telegram, bot_env, tmp_path):
    first = BotProcess(bot_env, tmp_path)
    await first.start()
    await wait_until_polling(telegram)
    telegram.user_sends('/subscribe xiaomi "foldable phone"')
    await telegram.wait_for_sent(1, chat_id=1001, timeout=30)
    assert await first.stop() == 0

    polls = len(telegram.calls_to("getUpdates"))
    second = BotProcess(bot_env, tmp_path)
    await second.start()
    await wait_until_polling(telegram, count=polls + 1)
    telegram.user_sends("/subscriptions")
    replies = await telegram.wait_for_sent(2, chat_id=1001, timeout=30)
    assert "Xiaomi" in replies[-1].plain_text and "foldable phone" in replies[-1].plain_text
    assert await second.stop() == 0


async def test_dotenv_in_the_working_directory_is_read(telegram, tmp_path):
    (tmp_path / ".env").write_text(
        f"TELEGRAM_BOT_TOKEN={TOKEN}\nTELEGRAM_API_URL={telegram.api_url}\n", encoding="utf-8"
    )
    process = BotProcess(clean_env(), tmp_path)
    await process.start()
    await wait_until_polling(telegram)
    assert await process.stop() == 0
    assert (tmp_path / "newsbot.sqlite3").is_file()  # the default database, in the working dir


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({}, "TELEGRAM_BOT_TOKEN"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "NEWSBOT_POLL_INTERVAL": "often"}, "NEWSBOT_POLL_INTERVAL"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "NEWSBOT_TIMEZONE": "Mars/Phobos"}, "NEWSBOT_TIMEZONE"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "NEWSBOT_ADMINS": "me"}, "NEWSBOT_ADMINS"),
    ],
)
def test_bad_settings_end_run_with_exit_2_and_one_line(settings, named, tmp_path):
    result = run_cli(["run"], clean_env(**settings), tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and named in lines[0]
    assert "Traceback" not in result.stderr and TOKEN not in result.stderr


def test_a_broken_brand_file_ends_run_with_exit_2(tmp_path):
    brands = tmp_path / "brands.toml"
    brands.write_text("[categories]\nx = 'X'\n[[brand]]\nkey = 'Bad Key'\n", encoding="utf-8")
    result = run_cli(
        ["run"], clean_env(TELEGRAM_BOT_TOKEN=TOKEN, NEWSBOT_BRANDS=str(brands)), tmp_path
    )
    assert result.returncode == 2
    assert "brands.toml" in result.stderr and "Traceback" not in result.stderr


def test_an_unreachable_bot_api_is_one_line_not_a_traceback(tmp_path):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = clean_env(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=f"http://127.0.0.1:{port}/bot")
    result = run_cli(["run"], env, tmp_path)
    assert result.returncode == 1
    assert "cannot talk to the Bot API" in result.stderr
    assert "Traceback" not in result.stderr and TOKEN not in result.stderr


def test_version_and_help(tmp_path):
    assert run_cli(["--version"], clean_env(), tmp_path).stdout.startswith("newsbot ")
    assert "run" in run_cli(["--help"], clean_env(), tmp_path).stdout


def test_every_deliberate_error_is_one_newsbot_error():
    """The CLI catches one type (news.errors): each error newsbot raises on purpose is one."""
    from bot.settings import SettingsError
    from news.addresses import UnsafeUrl
    from news.catalogue import CatalogueError
    from news.digest_command import DigestArgumentError
    from news.errors import NewsbotError
    from news.opml import OpmlError
    from storage import StorageError

    for error in (SettingsError, CatalogueError, OpmlError, StorageError, UnsafeUrl):
        assert issubclass(error, NewsbotError), error
    assert issubclass(DigestArgumentError, NewsbotError)
