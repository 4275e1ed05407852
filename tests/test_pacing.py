"""The Telegram pacer: per-chat and global buckets, and 429s that stay local."""

from __future__ import annotations

import asyncio
import time

from telegram.error import RetryAfter

from bot.pacing import Gcra, TelegramPacer


def test_gcra_allows_the_burst_then_spaces_requests():
    now = [100.0]
    bucket = Gcra(rate=1.0, burst=2, clock=lambda: now[0])
    assert [bucket.reserve() for _ in range(4)] == [0.0, 0.0, 1.0, 2.0]
    now[0] += 10
    assert bucket.idle() and bucket.reserve() == 0.0


async def _call(pacer, chat_id, log, fail_first=0):
    failures = [fail_first]

    async def request():
        log.append((chat_id, time.monotonic()))
        if failures[0]:
            failures[0] -= 1
            raise RetryAfter(1)
        return True

    return await pacer.process_request(request, (), {}, "sendMessage", {"chat_id": chat_id}, None)


async def test_one_chat_is_paced_while_others_flow():
    pacer = TelegramPacer(private_rate=5.0)  # fast, to keep the test short
    log: list[tuple[int, float]] = []
    started = time.monotonic()
    await asyncio.gather(*(_call(pacer, 1, log) for _ in range(4)), _call(pacer, 2, log))
    times_1 = [t - started for chat, t in log if chat == 1]
    (time_2,) = [t - started for chat, t in log if chat == 2]
    assert times_1[2] >= 0.19 and times_1[3] >= 0.39  # burst of 2, then 5 per second
    assert time_2 < 0.1  # the other chat did not wait behind chat 1


async def test_a_429_delays_only_the_request_that_drew_it():
    pacer = TelegramPacer()
    log: list[tuple[int, float]] = []
    started = time.monotonic()
    results = await asyncio.gather(_call(pacer, 1, log, fail_first=1), _call(pacer, 2, log))
    assert results == [True, True]
    retried = [t - started for chat, t in log if chat == 1]
    other = [t - started for chat, t in log if chat == 2]
    assert len(retried) == 2 and retried[1] >= 0.95
    assert other[0] < 0.5


async def test_retries_can_be_turned_off_per_request():
    pacer = TelegramPacer()

    async def refused():
        raise RetryAfter(3)

    try:
        await pacer.process_request(refused, (), {}, "sendMessage", {"chat_id": 5}, 0)
    except RetryAfter as exc:
        assert exc.message.startswith("Flood control")
    else:
        raise AssertionError("RetryAfter was swallowed")


async def test_other_methods_are_not_paced():
    pacer = TelegramPacer(global_rate=1.0)
    calls = []

    async def request():
        calls.append(time.monotonic())
        return True

    started = time.monotonic()
    for _ in range(10):
        await pacer.process_request(request, (), {}, "answerCallbackQuery", {}, None)
    assert calls[-1] - started < 0.5


def test_pushes_keep_the_steady_rate_and_leave_the_burst_to_replies():
    now = [100.0]
    bucket = Gcra(rate=1.0, burst=2, clock=lambda: now[0])
    assert bucket.steady_wait() == 0.0
    assert bucket.reserve() == 0.0  # a push
    assert bucket.steady_wait() == 1.0  # the next push waits a second ...
    assert bucket.reserve() == 0.0  # ... while a reply may still use the burst
    now[0] += 0.5
    assert bucket.steady_wait() == 1.5


async def test_the_sender_asks_the_pacer_when_a_chat_is_ready():
    pacer = TelegramPacer()
    assert pacer.chat_wait(7) == 0.0  # a chat never written to is ready
    await _call(pacer, 7, [])
    assert 0.9 < pacer.chat_wait(7) <= 1.0  # private: one a second
    await _call(pacer, -100, [])
    assert 2.9 < pacer.chat_wait(-100) <= 3.0  # group: twenty a minute
