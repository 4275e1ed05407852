"""One chat sending faster than it can be answered (bot.fairness): everyone else is answered
at once, the sender gets its first answers and one notice, and nothing else piles up."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from bot.fairness import PER_CHAT_BACKLOG
from bot.sender import WORKERS
from news import replies
from tests.fakes.feed_server import rss
from tests.harness import poll_now, running_bot, with_desks

SPAMMER, OTHER = 4001, 4002
HELP_LINE = "/latest"  # a line /help always has


@pytest.fixture
def enforce_rate_limits() -> bool:
    return True  # the fake answers 429 as Telegram would; the bot must never draw one


def help_replies(telegram, chat_id):
    return [m for m in telegram.sent_to(chat_id) if HELP_LINE in m.plain_text]


async def test_a_chat_sending_thirty_commands_does_not_hold_up_another_chats_reply(bot, telegram):
    spam = [telegram.user_sends("/help", chat_id=SPAMMER) for _ in range(30)]
    await asyncio.sleep(0)  # the spam is queued first
    other = telegram.user_sends("/help", chat_id=OTHER)
    await bot.handled(other)
    (answer,) = help_replies(telegram, OTHER)
    # The spammer's answers go out one a second; the other chat did not wait for them.
    assert len(help_replies(telegram, SPAMMER)) < PER_CHAT_BACKLOG + 1
    for update in spam[: PER_CHAT_BACKLOG + 1]:
        await bot.handled(update)
    notice = await telegram.wait_for_sent(PER_CHAT_BACKLOG + 2, chat_id=SPAMMER, timeout=15)
    assert len(help_replies(telegram, SPAMMER)) == PER_CHAT_BACKLOG + 1
    assert [m.text for m in notice].count(replies.SLOW_DOWN) == 1
    assert telegram.sent.index(answer) < telegram.sent.index(help_replies(telegram, SPAMMER)[-1])


async def test_after_the_burst_the_chat_is_answered_as_usual(bot, telegram):
    spam = [telegram.user_sends("/help", chat_id=SPAMMER) for _ in range(PER_CHAT_BACKLOG + 4)]
    for update in spam[: PER_CHAT_BACKLOG + 1]:
        await bot.handled(update)
    await telegram.wait_for_sent(PER_CHAT_BACKLOG + 2, chat_id=SPAMMER, timeout=15)
    later = await bot.ask("/help", chat_id=SPAMMER)
    assert HELP_LINE in later.plain_text


async def test_a_removal_in_a_burst_is_still_recorded_and_a_busy_group_is_not_told_off(
    bot, telegram
):
    group = -100900
    await bot.ask("/subscribe xiaomi", chat_id=group)
    for n in range(30):  # a lively conversation the bot reads but does not answer
        telegram.user_sends(f"message {n}", chat_id=group)
    removal = telegram.bot_removed(group)
    await bot.handled(removal)  # never dropped, whatever waits before it
    assert (await bot.runtime.storage.chats.get(group)).active is False
    assert all(replies.SLOW_DOWN not in m.text for m in telegram.sent_to(group))


FOLLOWERS = range(7000, 7150)  # five seconds of pushes at 30 a second


@pytest.fixture
def desk(settings, feeds, tmp_path):
    url = feeds.feed("/d.xml", rss("Desk", [{"title": "Old news", "link": "https://x.test/0"}]))
    return with_desks(settings, tmp_path, [url])


async def test_a_reply_during_a_fan_out_does_not_wait_behind_the_pushes(desk, telegram, feeds):
    async with running_bot(desk, telegram) as bot:
        await poll_now(bot)  # the backlog
        async with bot.runtime.storage.transaction() as db:
            await db.executemany(
                "INSERT INTO chats (id, type, timezone, created_at, updated_at)"
                " VALUES (?, 'private', 'UTC', 0, 0)", [(c,) for c in FOLLOWERS])  # fmt: skip
            await db.executemany(
                "INSERT INTO subscriptions (chat_id, kind, value, label, created_at)"
                " VALUES (?, 'brand', 'xiaomi', 'Xiaomi', 0)", [(c,) for c in FOLLOWERS])  # fmt: skip
        story = {"title": "Xiaomi opens a research centre in Dubai", "link": "https://x.test/1",
                 "pubDate": datetime.now(UTC)}  # fmt: skip
        feeds.feed("/d.xml", rss("Desk", [story]))
        await poll_now(bot, deliver=False)
        await telegram.wait_for_sent(40, timeout=30)  # the fan-out is under way
        update = telegram.user_sends("/help", chat_id=OTHER)
        asked = len(telegram.sent)
        await bot.handled(update)
        (answer,) = help_replies(telegram, OTHER)
        # Pushes take a global slot only when the bucket is at its steady rate: the reply
        # takes the next one instead of queueing behind every worker's reservation (it
        # came after WORKERS pushes before; the margin is getUpdates' own latency).
        assert telegram.sent.index(answer) - asked <= WORKERS // 2
        await bot.runtime.sender.drained()
        assert all(len(telegram.sent_to(c)) == 1 for c in FOLLOWERS)
        assert bot.errors == []
