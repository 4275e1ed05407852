"""One chat sending faster than it can be answered (bot.fairness): everyone else is answered
at once, the sender gets its first answers and one notice, and nothing else piles up."""

from __future__ import annotations

import asyncio

import pytest

from bot.fairness import PER_CHAT_BACKLOG
from news import replies

SPAMMER, OTHER = 4001, 4002
HELP_LINE = "/latest"  # a line /help always has


@pytest.fixture
def enforce_rate_limits() -> bool:
    return True  # the fake answers 429 as Telegram would; the bot must never draw one


def help_replies(telegram, chat_id):
    return [m for m in telegram.sent_to(chat_id) if HELP_LINE in m.plain_text]


async def test_a_chat_sending_thirty_commands_does_not_hold_up_another_chats_reply(
    bot, telegram
):
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
