"""Killing `newsbot run` in the middle of a fan-out: the outbox carries on after a restart."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
from datetime import UTC, datetime

import pytest

from bot.sender import WORKERS
from news.opml import OpmlSource, write_opml
from tests.fakes.feed_server import rss
from tests.fakes.telegram_api import TOKEN
from tests.test_cli import BotProcess, clean_env, wait_until_polling

FOLLOWERS = range(7000, 7120)  # about four seconds of sending at 30 msg/s


def follow_xiaomi(database) -> None:
    """Chats that followed Xiaomi before the bot started (written as the bot would)."""
    with sqlite3.connect(database) as db:
        db.executemany(
            "INSERT INTO chats (id, type, timezone, created_at, updated_at) VALUES (?, 'private', 'UTC', 0, 0)",
            [(c,) for c in FOLLOWERS],
        )
        db.executemany(
            "INSERT INTO subscriptions (chat_id, kind, value, label, created_at) VALUES (?, 'brand', 'xiaomi', 'Xiaomi', 0)",
            [(c,) for c in FOLLOWERS],
        )


def received(telegram) -> list[int]:
    return [len([m for m in telegram.sent_to(c) if "Dubai" in m.text]) for c in FOLLOWERS]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
async def test_a_fan_out_resumes_after_the_process_is_killed(telegram, feeds, tmp_path, sig):
    url = feeds.feed("/f.xml", rss("Desk", [{"title": "Old news", "link": "https://x.test/0"}]))
    opml = tmp_path / "feeds.opml"
    opml.write_text(write_opml([OpmlSource(url, "Desk")]), encoding="utf-8")
    database = tmp_path / "db.sqlite3"
    env = clean_env(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL=telegram.api_url,
        NEWSBOT_DATABASE=str(database),
        NEWSBOT_SOURCES=str(opml),
        NEWSBOT_POLL_INTERVAL="5",
    )
    first = BotProcess(env, tmp_path)
    await first.start()
    await wait_until_polling(telegram)
    await asyncio.wait_for(feeds.wait_for_hits("/f.xml", 1), 30)  # the backlog poll
    follow_xiaomi(database)
    new_item = {
        "title": "Xiaomi opens a research centre in Dubai",
        "link": "https://x.test/dubai",
        "pubDate": datetime.now(UTC),
    }
    feeds.feed("/f.xml", rss("Desk", [new_item, {"title": "Old news", "link": "https://x.test/0"}]))
    await telegram.wait_for_sent(30, timeout=60)  # the fan-out is under way
    await first.stop(sig)
    before = received(telegram)
    assert 0 < sum(before) < len(FOLLOWERS)

    polls = len(telegram.calls_to("getUpdates"))
    second = BotProcess(env, tmp_path)
    await second.start()
    await wait_until_polling(telegram, count=polls + 1)
    await telegram.wait_for_sent(len(FOLLOWERS), timeout=60)
    assert await second.stop() == 0
    after = received(telegram)
    assert min(after) == 1  # nobody lost the story
    duplicates = sum(n - 1 for n in after)
    if sig == signal.SIGTERM:
        assert duplicates == 0  # a clean stop finishes in-flight sends and commits them
    else:
        assert duplicates <= WORKERS  # only requests in flight at the kill can repeat
