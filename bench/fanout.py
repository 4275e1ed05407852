"""Fan-out benchmark: `python bench/fanout.py` prints a Markdown table for BENCHMARKS.md.

1. One new Xiaomi story and 100,000 chats following Xiaomi: time to store, tag and enqueue
   all deliveries in one transaction (goal < 2 s).
2. Sending them through the real sender and python-telegram-bot to the tests' fake Bot API
   (in another process, so its CPU is not ours) with rate limits lifted: sustained sends per
   second (goal >= 500/s), CPU per message, peak memory.
3. With the real limits on (the fake enforcing Telegram's documented limits): a 3,000-chat
   fan-out, the rate achieved against 30 msg/s (goal >= 95%) and the 429s drawn (goal 0).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import multiprocessing
import os
import platform
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from telegram.ext import ExtBot  # noqa: E402
from telegram.request import HTTPXRequest  # noqa: E402

from bot.pacing import TelegramPacer  # noqa: E402
from bot.sender import WORKERS, Sender  # noqa: E402
from news.models import StoryDraft  # noqa: E402
from storage import Storage  # noqa: E402
from usecases.ingest import store_entries  # noqa: E402

TOKEN = "123456:BENCH-token-aaaaaaaaaaaaaaaaaaaaaaa"


class XiaomiTags:
    about = frozenset({"xiaomi"})
    mentions = frozenset()
    keywords = frozenset()


def _fake_process(enforce: bool, port_out, stop) -> None:
    from tests.fakes.telegram_api import FakeTelegram

    async def main() -> None:
        fake = FakeTelegram(token=TOKEN, enforce_rate_limits=enforce)
        await fake.start()
        port_out.put(fake.api_url)
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, stop.wait)
        await fake.stop()

    asyncio.run(main())


async def populate(storage: Storage, chats: int, first_id: int = 10_000_000) -> None:
    now = storage.now()
    async with storage.transaction() as db:
        await db.executemany(
            "INSERT INTO chats (id, type, timezone, created_at, updated_at)"
            " VALUES (?, 'private', 'UTC', ?, ?)",
            [(first_id + i, now, now) for i in range(chats)],
        )
        await db.executemany(
            "INSERT INTO subscriptions (chat_id, kind, value, label, created_at)"
            " VALUES (?, 'brand', 'xiaomi', 'Xiaomi', ?)",
            [(first_id + i, now) for i in range(chats)],
        )
        await db.execute(
            "INSERT INTO sources (url, title, origin, added_at) VALUES ('https://x.test/f', 'Desk', 'cli', 0)"
        )


def draft(now: int) -> StoryDraft:
    return StoryDraft(
        identity="guid:bench-1",
        link="https://news.example.test/xiaomi-dubai",
        title="Xiaomi opens a research centre in Dubai",
        title_key="xiaomi opens a research centre in dubai",
        text="Xiaomi opened a research centre in Dubai on Monday. It will employ 300 engineers.",
        author=None,
        image_url=None,
        language="en",
        published_at=now,
        content_hash="h",
    )


async def run(chats: int, enforce: bool, profile: str | None = None, **sender_options) -> dict:
    ctx = multiprocessing.get_context("spawn")
    port_out, stop = ctx.Queue(), ctx.Event()
    fake = ctx.Process(target=_fake_process, args=(enforce, port_out, stop), daemon=True)
    fake.start()
    api_url = port_out.get(timeout=30)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            storage = await Storage.open(Path(tmp) / "bench.sqlite3")
            await populate(storage, chats)
            started = time.perf_counter()
            result = await store_entries(
                storage, 1, [draft(storage.now())], tag=lambda _d: XiaomiTags(), backlog=False,
                push_since=0,
            )  # fmt: skip
            enqueue = time.perf_counter() - started
            assert result.queued == chats, result

            # As in the running bot: the same pacer, unless the limits are lifted.
            bot = ExtBot(
                TOKEN,
                base_url=api_url,
                request=HTTPXRequest(connection_pool_size=128),
                rate_limiter=TelegramPacer() if enforce else None,
            )
            await bot.initialize()
            sender = Sender(storage, bot, **sender_options)
            profiler = cProfile.Profile() if profile else None
            wall, cpu = time.perf_counter(), time.process_time()
            if profiler:
                profiler.enable()
            sender.start()
            await sender.drained()
            await sender.stop()
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            if profiler:
                profiler.disable()
                profiler.dump_stats(profile)
            counts = await storage.deliveries.counts()
            await bot.shutdown()
            await storage.close()
    finally:
        stop.set()
        fake.join(10)
    return {
        "chats": chats,
        "enqueue": enqueue,
        "wall": wall,
        "rate": sender.stats["sent"] / wall,
        "cpu_ms": cpu / max(1, sender.stats["sent"]) * 1000,
        "sent": counts.get("sent", 0),
        "rate_limited": sender.stats["rate_limited"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=100_000)
    parser.add_argument("--limited-chats", type=int, default=3_000)
    parser.add_argument("--workers", type=int, default=WORKERS)
    parser.add_argument("--profile", help="write a cProfile of the unlimited send phase here")
    args = parser.parse_args()

    print(
        f"Machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    print(f"Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n")
    print("| measure | result | goal |\n|---|---|---|")
    fast = asyncio.run(
        run(
            args.chats,
            False,
            args.profile,
            workers=args.workers,
        )
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"| enqueue one story to {fast['chats']:,} chats (store + tag + outbox, one transaction) | **{fast['enqueue']:.2f} s** | < 2 s |"
    )
    print(
        f"| send {fast['sent']:,} messages, limits lifted ({args.workers} workers) | {fast['wall']:.1f} s: **{fast['rate']:.0f} msg/s** | >= 500/s |"
    )
    print(
        f"| CPU per message (sender + python-telegram-bot + SQLite) | {fast['cpu_ms']:.2f} ms | |"
    )
    print(f"| peak memory (RSS) of the bot process | {peak:.0f} MB | |")
    real = asyncio.run(run(args.limited_chats, True))
    share = real["rate"] / 30 * 100
    print(
        f"| {real['chats']:,}-chat fan-out, real limits (fake enforces 30/s, 1/s per chat) |"
        f" {real['wall']:.1f} s: {real['rate']:.1f} msg/s = **{share:.0f}%** of 30/s,"
        f" **{real['rate_limited']} x 429** | >= 95%, 0 x 429 |"
    )


if __name__ == "__main__":
    main()
