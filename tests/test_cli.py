"""`newsbot run` as an operator starts it: a real process talking to the fake Bot API."""

from __future__ import annotations

import asyncio
import contextlib
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

    async def wait_for_lines(self, text: str, count: int = 1) -> None:
        """Read stderr until `count` lines containing `text` were logged (30 s at most)."""
        assert self.proc is not None and self.proc.stderr is not None

        async def read() -> None:
            while self.stderr.count(text) < count:
                line = await self.proc.stderr.readline()
                if not line:
                    raise AssertionError(f"the bot exited; it logged:\n{self.stderr}")
                self.stderr += line.decode("utf-8", "replace")

        await asyncio.wait_for(read(), 30)

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


def free_port() -> int:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def forward(port: int, to_port: int) -> asyncio.Server:
    """The Bot API coming up on `port`: a TCP forwarder to the fake's own port."""

    async def pipe(reader, writer) -> None:
        with contextlib.suppress(ConnectionError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        writer.close()

    async def handle(reader, writer) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", to_port)
        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

    return await asyncio.start_server(handle, "127.0.0.1", port)


async def test_run_waits_for_a_bot_api_that_is_down_and_starts_when_it_comes_up(
    telegram, bot_env, tmp_path
):
    port = free_port()
    env = bot_env | {"TELEGRAM_API_URL": f"http://127.0.0.1:{port}/bot",
                     "NEWSBOT_LOG_LEVEL": "INFO"}  # fmt: skip
    process = BotProcess(env, tmp_path)
    await process.start()
    await process.wait_for_lines("is not reachable", count=2)  # retried, said each time
    server = await forward(port, telegram.port)
    try:
        await wait_until_polling(telegram)
        assert await process.stop() == 0
    finally:
        server.close()
    assert "WARNING" in process.stderr and "Traceback" not in process.stderr
    assert TOKEN not in process.stderr


async def test_sigterm_ends_the_wait_for_the_bot_api_at_once(bot_env, tmp_path):
    env = bot_env | {"TELEGRAM_API_URL": f"http://127.0.0.1:{free_port()}/bot"}
    process = BotProcess(env, tmp_path)
    await process.start()
    await process.wait_for_lines("is not reachable")
    assert await process.stop() == 0
    assert "Traceback" not in process.stderr


async def test_a_token_the_bot_api_refuses_is_one_line_and_exit_2(telegram, tmp_path):
    env = clean_env(TELEGRAM_BOT_TOKEN="999999:" + "x" * 35, TELEGRAM_API_URL=telegram.api_url,
                    NEWSBOT_DATABASE=str(tmp_path / "db.sqlite3"))  # fmt: skip
    result = await asyncio.to_thread(run_cli, ["run"], env, tmp_path)  # the fake answers
    assert result.returncode == 2
    lines = [line for line in result.stderr.strip().splitlines() if " INFO " not in line]
    assert len(lines) == 1 and "TELEGRAM_BOT_TOKEN was refused" in lines[0], result.stderr
    assert "Traceback" not in result.stderr
    assert "x" * 35 not in result.stderr


@pytest.mark.parametrize("token", ["abc", "123456", ":secretsecretsecretsecretsecret", "12:short"])
async def test_a_token_that_is_not_a_token_is_refused_before_any_network(telegram, tmp_path, token):
    env = clean_env(TELEGRAM_BOT_TOKEN=token, TELEGRAM_API_URL=telegram.api_url,
                    NEWSBOT_DATABASE=str(tmp_path / "db.sqlite3"))  # fmt: skip
    result = await asyncio.to_thread(run_cli, ["run"], env, tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "TELEGRAM_BOT_TOKEN does not look like a bot token" in lines[0]
    assert telegram.calls_to("getMe") == [] and not (tmp_path / "db.sqlite3").exists()


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
