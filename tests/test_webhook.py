"""Webhook mode (NEWSBOT_WEBHOOK_URL): `newsbot run` as a real process behind which Telegram
would post updates; here the test posts them, with and without the secret."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from bot.settings import SettingsError, load_settings
from tests.fakes.telegram_api import TOKEN
from tests.test_cli import BotProcess, clean_env, free_port

URL = "https://bot.example.test/telegram"


@pytest.fixture
def webhook_env(telegram, tmp_path):
    port = free_port()
    env = clean_env(
        TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=telegram.api_url,
        NEWSBOT_DATABASE=str(tmp_path / "db.sqlite3"), NEWSBOT_WEBHOOK_URL=URL,
        NEWSBOT_WEBHOOK_LISTEN=f"127.0.0.1:{port}", NEWSBOT_SOURCES=str(tmp_path / "none.opml"),
    )  # fmt: skip
    (tmp_path / "none.opml").write_text('<opml version="2.0"><body/></opml>', encoding="utf-8")
    return env, port


async def post(port: int, update: dict, secret: str | None) -> int:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    async with httpx.AsyncClient() as client:
        for _ in range(100):  # the listener comes up just after setWebhook
            try:
                response = await client.post(f"http://127.0.0.1:{port}/telegram",
                                             content=json.dumps(update), headers=headers)  # fmt: skip
                return response.status_code
            except httpx.ConnectError:
                await asyncio.sleep(0.1)
    raise AssertionError("the webhook listener never came up")


async def test_webhook_mode_sets_the_webhook_and_answers_only_updates_with_the_secret(
    telegram, webhook_env, tmp_path
):
    env, port = webhook_env
    process = BotProcess(env, tmp_path)
    await process.start()
    await telegram.wait_for_call("setWebhook", timeout=30)
    hook = telegram.webhook
    assert hook["url"] == URL and len(hook["secret_token"]) >= 32
    assert "message" in hook["allowed_updates"] and "callback_query" in hook["allowed_updates"]
    assert telegram.calls_to("getUpdates") == []  # no polling in webhook mode
    secret = hook["secret_token"]

    refused = telegram.user_sends("/help", chat_id=3001)
    assert await post(port, refused, None) == 403
    assert await post(port, refused, "wrong" + secret) == 403
    answered = telegram.user_sends("/help", chat_id=3002)
    assert await post(port, answered, secret) == 200
    (reply,) = await telegram.wait_for_sent(1, chat_id=3002, timeout=30)
    assert "/subscribe" in reply.plain_text
    await asyncio.sleep(0.3)
    assert telegram.sent_to(3001) == []  # the refused ones never reached a handler
    assert await process.stop() == 0
    assert secret not in process.stderr and TOKEN not in process.stderr

    # Restarted in webhook mode: the same secret (kept in the database), so Telegram's
    # copy stays valid; restarted without it: polling again, the webhook deleted.
    again = BotProcess(env, tmp_path)
    await again.start()
    await telegram.wait_for_call("setWebhook", count=2, timeout=30)
    assert telegram.webhook["secret_token"] == secret
    assert await post(port, telegram.user_sends("/help", chat_id=3003), None) == 403  # it is up
    assert await again.stop() == 0
    polling = BotProcess({k: v for k, v in env.items() if k != "NEWSBOT_WEBHOOK_URL"}, tmp_path)
    await polling.start()
    await telegram.wait_for_call("getUpdates", timeout=30)
    assert telegram.webhook is None and telegram.calls_to("deleteWebhook")
    assert await polling.stop() == 0


@pytest.mark.parametrize(
    ("method", "webhook"),
    [("setWebhook", True), ("setMyCommands", True), ("deleteWebhook", False)],
)
async def test_sigterm_while_the_bot_is_still_starting_stops_it_cleanly(
    telegram, webhook_env, tmp_path, method, webhook
):
    """A stop signal while python-telegram-bot starts its updater (inside setWebhook, or
    deleteWebhook when it polls) left its shutdown half done: a traceback, and a process
    that never exited (the database's thread still open)."""
    env, _port = webhook_env
    if not webhook:
        env = {k: v for k, v in env.items() if k != "NEWSBOT_WEBHOOK_URL"}
    telegram.delay_next(method, 2.0)
    process = BotProcess(env | {"NEWSBOT_LOG_LEVEL": "DEBUG"}, tmp_path)
    await process.start()
    await telegram.wait_for_call(method, timeout=30)  # the bot is inside that call now
    assert await process.stop() == 0
    assert "Traceback" not in process.stderr and "newsbot stopped" in process.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [("NEWSBOT_WEBHOOK_URL", "http://bot.example.com/telegram"),
     ("NEWSBOT_WEBHOOK_URL", "bot.example.com"), ("NEWSBOT_WEBHOOK_LISTEN", "8443"),
     ("NEWSBOT_WEBHOOK_SECRET", "has spaces"), ("NEWSBOT_WEBHOOK_SECRET", "x" * 257)],
)  # fmt: skip
def test_webhook_settings_that_cannot_work_are_one_line_naming_them(name, value, tmp_path):
    with pytest.raises(SettingsError, match=name):
        load_settings({name: value}, tmp_path / "none.env")
