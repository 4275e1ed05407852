"""usecases/health.py's rules through the running bot, and the operators' /sources header."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from tests.clock import Clock
from tests.fakes.feed_server import rss
from tests.harness import poll_now, running_bot, with_desks
from usecases import health

ADMIN = 4001


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2025, 11, 25, 12, 0, tzinfo=UTC))


@pytest.fixture
async def bot(settings, telegram, feeds, tmp_path, clock):
    url = feeds.feed("/d.xml", rss("Desk", [{"title": "Old", "link": "https://x.test/0"}]))
    desks = dataclasses.replace(with_desks(settings, tmp_path, [url]), admins=frozenset({ADMIN}))
    async with running_bot(desks, telegram, clock=clock) as bot:
        await poll_now(bot)
        await bot.runtime.heartbeat.beat()
        yield bot
    assert bot.errors == []


async def test_a_running_bot_that_polls_and_sends_is_healthy(bot):
    found = await health.check(bot.runtime.storage)
    assert found.healthy, found.problems
    assert found.as_json()["heartbeat_age_s"] == 0 and found.sources == 1
    header = (await bot.send("/sources", chat_id=ADMIN))[0]
    assert header.plain_text.startswith("🩺 Healthy · outbox: 0 waiting")


async def test_rule_1_no_heartbeat_for_three_minutes_is_unhealthy(bot, clock):
    clock.advance(timedelta(seconds=health.STALE + 1))
    found = await health.check(bot.runtime.storage)
    assert not found.healthy
    assert any("no heartbeat for" in p for p in found.problems)


async def test_rule_2_inside_the_bot_a_write_problem_shows_at_once(bot):
    await bot.runtime.storage.conn.execute("PRAGMA query_only = ON")
    await bot.runtime.heartbeat.beat()  # the write fails: storage notices, says it once
    await bot.runtime.storage.conn.execute("PRAGMA query_only = OFF")
    found = await health.check(bot.runtime.storage, inside_the_bot=True)
    assert "the database cannot be written (read-only)" in found.problems


async def test_rule_3_no_successful_poll_for_an_hour_is_unhealthy(bot, clock):
    clock.advance(timedelta(hours=1, seconds=1))
    await bot.runtime.heartbeat.beat()
    found = await health.check(bot.runtime.storage)
    assert found.problems == ["no source was polled successfully in the last hour"]


async def test_rule_4_a_message_waiting_over_an_hour_is_unhealthy(bot, clock):
    storage = bot.runtime.storage
    await bot.ask("/subscribe xiaomi", chat_id=1001)
    async with storage.transaction() as db:
        await db.execute(
            "INSERT INTO deliveries (chat_id, kind, body, digest_at, part, next_attempt_at,"
            " created_at) VALUES (1001, 'digest', 'x', 1, 0, ?, ?)",
            (2**40, storage.now() - 2 * 3600),  # not due: the sender leaves it alone
        )
    found = await health.check(storage)
    assert found.pending == 1
    assert any("oldest message has waited 7200 s" in p for p in found.problems)


async def test_rule_6_the_heartbeat_counts_the_last_hours_sends(bot, telegram, feeds, clock):
    await bot.ask("/subscribe xiaomi", chat_id=1001)
    feeds.feed("/d.xml", rss("Desk", [{"title": "Xiaomi opens a lab in Paris",
                                       "link": "https://x.test/1", "pubDate": clock.datetime}]))  # fmt: skip
    await poll_now(bot)
    await bot.runtime.heartbeat.beat()
    assert (await health.check(bot.runtime.storage)).sent_last_hour == 1
