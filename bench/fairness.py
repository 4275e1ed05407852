"""Fairness benchmark (issue 12): how long other chats wait for a reply while one chat spams
and while a 3,000-chat fan-out is under way.

    python bench/fairness.py [--chats 100] [--spam 200] [--fanout 3000]

The real Application (tests/harness.py) against the tests' fake Bot API, which enforces
Telegram's limits (a 429 would show in the last column). Each of `--chats` chats sends /help,
50 ms apart; a reply's latency is from the update being queued at the fake to the bot having
handled it (its reply sent). Rows: idle; while one chat has sent `--spam` /help at once; while
a story is being pushed to `--fanout` followers.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.settings import Secret, Settings  # noqa: E402
from tests.fakes.telegram_api import TOKEN, FakeTelegram  # noqa: E402
from tests.harness import RunningBot, running_bot, with_desks  # noqa: E402

SPAMMER = 9_000_000
FIRST_CHAT = 5_000_000
FIRST_FOLLOWER = 20_000_000


async def latencies(bot: RunningBot, telegram: FakeTelegram, chats: int) -> list[float]:
    async def one(n: int) -> float:
        await asyncio.sleep(n * 0.05)
        update = telegram.user_sends("/help", chat_id=FIRST_CHAT + n)
        started = time.perf_counter()
        await bot.handled(update)
        return time.perf_counter() - started

    return list(await asyncio.gather(*(one(n) for n in range(chats))))


async def fan_out(bot: RunningBot, followers: int) -> None:
    """`followers` chats follow Xiaomi; one new Xiaomi story is stored and queued for them."""
    from bench.fanout import XiaomiTags, draft, populate
    from usecases.ingest import store_entries

    storage = bot.runtime.storage
    await populate(storage, followers, first_id=FIRST_FOLLOWER)
    await store_entries(storage, 1, [draft(int(storage.now()))], tag=lambda _d: XiaomiTags(),
                        backlog=False, push_since=0)  # fmt: skip
    bot.runtime.sender.notify()


async def scenario(name: str, args, folder: Path) -> str:
    telegram = FakeTelegram(enforce_rate_limits=True)
    await telegram.start()
    try:
        settings = Settings(token=Secret(TOKEN), api_url=telegram.api_url,
                            database=folder / f"{name}.sqlite3", timezone="UTC")  # fmt: skip
        # No sources: a poll of the shipped feeds (unreachable here) measures nothing and
        # logs a warning per feed.
        settings = with_desks(settings, folder, [])
        async with running_bot(settings, telegram) as bot:
            await bot.ask("/help", chat_id=FIRST_CHAT - 1)  # warm
            if name == "spam":
                for _ in range(args.spam):
                    telegram.user_sends("/help", chat_id=SPAMMER)
                await asyncio.sleep(0.1)
            elif name == "fan-out":
                await fan_out(bot, args.fanout)
                await telegram.wait_for_sent(100, timeout=60)  # under way
            times = sorted(await latencies(bot, telegram, args.chats))
            sent_to_spammer = len(telegram.sent_to(SPAMMER))
    finally:
        await telegram.stop()
    p95 = times[int(len(times) * 0.95) - 1]
    extra = f"{sent_to_spammer} messages to the spammer" if name == "spam" else ""
    return (f"| {name} | {statistics.median(times) * 1000:.0f} | {p95 * 1000:.0f} |"
            f" {times[-1] * 1000:.0f} | {telegram.rate_limited} | {extra} |")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chats", type=int, default=100)
    parser.add_argument("--spam", type=int, default=200)
    parser.add_argument("--fanout", type=int, default=3_000)
    args = parser.parse_args()
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC · {platform.machine()} · {os.cpu_count()}"
          f" cores · load {os.getloadavg()[0]:.2f} · Python {platform.python_version()}\n")  # fmt: skip
    print(f"{args.chats} chats send /help 50 ms apart; reply latency in ms:\n")
    print("| while | p50 | p95 | max | 429s | |\n| --- | ---: | ---: | ---: | ---: | --- |")
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("idle", "spam", "fan-out"):
            print(asyncio.run(scenario(name, args, Path(tmp))), flush=True)


if __name__ == "__main__":
    main()
