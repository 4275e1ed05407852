"""A command's reply is not lost to a 5xx window or a 429 storm at Telegram (bot.pacing):
it is retried until it can go, for up to REPLY_DEADLINE, then dropped with one warning."""

from __future__ import annotations

import logging

import pytest
from telegram.error import NetworkError

from bot import pacing

ALICE = 1001


@pytest.fixture(autouse=True)
def short_backoff(monkeypatch):
    monkeypatch.setattr(pacing, "REPLY_RETRY_BASE", 0.05)  # keep the test fast


async def test_a_reply_waits_out_a_window_of_bad_gateway_answers(bot, telegram):
    telegram.fail_next("sendMessage", status=502, description="Bad Gateway", times=6)
    reply = await bot.ask("/help", chat_id=ALICE)
    assert "/latest" in reply.plain_text
    refused = [c for c in telegram.calls_to("sendMessage") if c.status == 502]
    assert len(refused) == 6


async def test_a_reply_waits_out_a_storm_of_429s(bot, telegram):
    for _ in range(4):  # one more than the three retries a reply used to get
        telegram.rate_limit_next("sendMessage", retry_after=1)
    reply = await bot.ask("/start", chat_id=ALICE)
    assert reply.plain_text
    assert len([c for c in telegram.calls_to("sendMessage") if c.status == 429]) == 4


async def test_a_reply_that_cannot_go_within_the_deadline_is_dropped_with_a_warning(
    bot, telegram, monkeypatch, caplog
):
    monkeypatch.setattr(pacing, "REPLY_DEADLINE", 0.5)
    telegram.fail_method("sendMessage", status=502, description="Bad Gateway")
    with caplog.at_level(logging.WARNING):
        assert await bot.send("/help", chat_id=ALICE) == []
    assert any("Dropped a reply (sendMessage)" in r.getMessage() for r in caplog.records)
    assert not any(r.exc_info for r in caplog.records)  # lines, not tracebacks
    assert [type(e) for e in bot.errors] == [NetworkError]  # the one reply given up
    bot.errors.clear()
    telegram.clear_failures()
    assert "/latest" in (await bot.ask("/help", chat_id=ALICE)).plain_text
