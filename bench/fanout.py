"""Fan-out benchmark: `python bench/fanout.py` prints a Markdown table for BENCHMARKS.md.

1. One new Xiaomi story and 100,000 chats following Xiaomi: time to store, tag and enqueue
   all deliveries in one transaction (goal < 2 s).
2. Sending them through the real sender and python-telegram-bot to the tests' fake Bot API
   (in another process, so its CPU is not ours) with rate limits lifted: sustained sends per
   second (goal >= 500/s), CPU per message, peak memory.
3. With the real limits on (the fake enforcing Telegram's documented limits): a 3,000-chat
   fan-out, the rate achieved against 30 msg/s (goal >= 95%) and the 429s drawn (goal 0).
4. Edits (issue 11): the same 3,000 chats get one event's push, then four more outlets report
   it within ten minutes; the pushes are edited to name them. Edits per chat (goal at most
   one), the 429s drawn (goal 0), the time the edits took.
5. Paid broadcasts (issue 17, NEWSBOT_PAID_BROADCAST): a 10,000-chat fan-out sent with
   allow_paid_broadcast, the fake enforcing 1,000/s for those and 1/s per chat: the rate
   achieved and the 429s drawn.
6. The floor of row 2 (issue 17): bare python-telegram-bot `send_message` of the text the
   sender sent, with the same options, as many at once as the sender's workers, to a fresh
   fake; CPU per message, and row 2's as a multiple of it, measured in the same run
   (`--unlimited-only` runs rows 1, 2 and 6 alone).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import multiprocessing
import os
import platform
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from telegram import LinkPreviewOptions  # noqa: E402
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
    from collections import Counter

    from tests.fakes.telegram_api import FakeTelegram

    async def main() -> None:
        fake = FakeTelegram(token=TOKEN, enforce_rate_limits=enforce)
        await fake.start()
        port_out.put(fake.api_url)
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, stop.wait)
        edits = Counter(c.params.get("chat_id") for c in fake.edits)
        sent = fake.calls_to("sendMessage")
        port_out.put({"edits": sum(edits.values()), "edited_chats": len(edits),
                      "most_edits": max(edits.values(), default=0),
                      "rate_limited": fake.rate_limited, "violations": len(fake.violations),
                      "text": sent[0].params.get("text") if sent else None})  # fmt: skip
        await fake.stop()

    asyncio.run(main())


@contextlib.contextmanager
def fake_api(enforce: bool) -> Iterator[tuple[str, dict]]:
    """The fake Bot API in its own process: (its URL, its counts, filled in when it stops)."""
    ctx = multiprocessing.get_context("spawn")
    port_out, stop = ctx.Queue(), ctx.Event()
    fake = ctx.Process(target=_fake_process, args=(enforce, port_out, stop), daemon=True)
    fake.start()
    counts: dict = {}
    try:
        yield port_out.get(timeout=30), counts
    finally:
        stop.set()
        counts.update(port_out.get(timeout=30))  # read before join: a full pipe blocks exit
        fake.join(10)


async def populate(
    storage: Storage, chats: int, first_id: int = 10_000_000, sources: int = 1
) -> None:
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
        await db.executemany(
            "INSERT INTO sources (url, title, origin, added_at) VALUES (?, ?, 'cli', 0)",
            [(f"https://x{n}.test/f", f"Desk {n}") for n in range(1, sources + 1)],
        )


OUTLETS = (
    "Xiaomi opens a research centre in Dubai",
    "Xiaomi's new Dubai research centre opens with 300 engineers",
    "Xiaomi opens Dubai research centre, will employ 300 engineers",
    "Xiaomi research centre in Dubai opens its doors",
    "Xiaomi opens research centre in Dubai with 300 engineers",
)


def draft(now: int, outlet: int = 0) -> StoryDraft:
    return StoryDraft(
        identity=f"guid:bench-{outlet}",
        link=f"https://news{outlet}.example.test/xiaomi-dubai",
        title=OUTLETS[outlet],
        title_key=OUTLETS[outlet].casefold(),
        text="Xiaomi opened a research centre in Dubai on Monday. It will employ 300 engineers.",
        author=None,
        image_url=None,
        language="en",
        published_at=now,
        content_hash="h",
    )


async def bare(messages: int, workers: int, text: str) -> dict:
    """Row 6: python-telegram-bot alone sending what the sender sent, as in Sender._deliver."""
    with fake_api(False) as (api_url, _):
        bot = ExtBot(TOKEN, base_url=api_url, request=HTTPXRequest(connection_pool_size=128))
        await bot.initialize()
        chats = iter(range(10_000_000, 10_000_000 + messages))
        preview = LinkPreviewOptions(is_disabled=True)

        async def worker() -> None:
            for chat_id in chats:
                await bot.send_message(chat_id, text, parse_mode="HTML",
                                       link_preview_options=preview, disable_notification=False)  # fmt: skip

        wall, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(worker() for _ in range(workers)))
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        await bot.shutdown()
    return {"rate": messages / wall, "cpu_ms": cpu / messages * 1000}


async def run(chats: int, enforce: bool, profile: str | None = None, **sender_options) -> dict:
    with fake_api(enforce) as (api_url, fake_counts), tempfile.TemporaryDirectory() as tmp:
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
        paid = sender_options.get("paid_broadcast", False)
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
    return {
        "text": fake_counts.get("text"),
        "chats": chats,
        "enqueue": enqueue,
        "wall": wall,
        "rate": sender.stats["sent"] / wall,
        "cpu_ms": cpu / max(1, sender.stats["sent"]) * 1000,
        "sent": counts.get("sent", 0),
        "rate_limited": sender.stats["rate_limited"],
        "paid": paid,
    }


class BenchClock:
    def __init__(self) -> None:
        self.now = time.time() - 3600  # behind the real clock: see tests/clock.py

    def __call__(self) -> float:
        return self.now


async def run_edits(chats: int) -> dict:
    """Scenario 4, real limits on."""
    clock = BenchClock()
    with fake_api(True) as (api_url, counts), tempfile.TemporaryDirectory() as tmp:
        storage = await Storage.open(Path(tmp) / "bench.sqlite3", clock=clock)
        await populate(storage, chats, sources=len(OUTLETS))
        await storage.stories.load_events()
        tag = lambda _d: XiaomiTags()  # noqa: E731
        bot = ExtBot(TOKEN, base_url=api_url, request=HTTPXRequest(connection_pool_size=128),
                     rate_limiter=TelegramPacer())  # fmt: skip
        await bot.initialize()
        sender = Sender(storage, bot)
        await store_entries(storage, 1, [draft(int(clock.now))], tag=tag, backlog=False,
                            push_since=0)  # fmt: skip
        sender.start()
        await sender.drained()
        queued = 0
        for outlet in range(1, len(OUTLETS)):  # four more outlets, two minutes apart
            clock.now += 120
            result = await store_entries(
                storage, outlet + 1, [draft(int(clock.now), outlet)], tag=tag,
                backlog=False, push_since=0,
            )  # fmt: skip
            assert result.joined, f"outlet {outlet} did not join the event"
            queued += result.edits
        clock.now += 600  # the edit delay has passed
        wall = time.perf_counter()
        while await storage.deliveries.pending_edits():  # noqa: ASYNC110 (a row count)
            await asyncio.sleep(0.2)
        wall = time.perf_counter() - wall
        await sender.stop()
        await bot.shutdown()
        await storage.close()
    return {"chats": chats, "queued": queued, "wall": wall, "edited": sender.stats["edited"],
            **counts}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=100_000)
    parser.add_argument("--limited-chats", type=int, default=3_000)
    parser.add_argument("--paid-chats", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=WORKERS)
    parser.add_argument("--profile", help="write a cProfile of the unlimited send phase here")
    parser.add_argument("--unlimited-only", action="store_true", help="rows 1, 2 and 6 alone")
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
    floor = asyncio.run(bare(min(args.chats, 20_000), args.workers, fast["text"]))
    print(
        f"| floor: bare python-telegram-bot send_message, same text and options,"
        f" {args.workers} at once | {floor['rate']:.0f} msg/s, {floor['cpu_ms']:.2f} ms CPU per"
        f" message; the sender: **{fast['cpu_ms'] / floor['cpu_ms']:.2f}x** | <= 1.15x |"
    )
    if args.unlimited_only:
        return
    real = asyncio.run(run(args.limited_chats, True))
    share = real["rate"] / 30 * 100
    print(
        f"| {real['chats']:,}-chat fan-out, real limits (fake enforces 30/s, 1/s per chat) |"
        f" {real['wall']:.1f} s: {real['rate']:.1f} msg/s = **{share:.0f}%** of 30/s,"
        f" **{real['rate_limited']} x 429** | >= 95%, 0 x 429 |"
    )
    paid = asyncio.run(run(args.paid_chats, True, paid_broadcast=True))
    print(
        f"| {paid['chats']:,}-chat fan-out as paid broadcasts (fake enforces 1,000/s paid, 1/s"
        f" per chat) | {paid['wall']:.1f} s: **{paid['rate']:.0f} msg/s**,"
        f" **{paid['rate_limited']} x 429** | up to 1,000/s, 0 x 429 |"
    )
    edits = asyncio.run(run_edits(args.limited_chats))
    print(
        f"| {edits['chats']:,}-chat push of one event, then 4 more outlets in 10 min: edits |"
        f" {edits['edits']:,} edits to {edits['edited_chats']:,} chats in {edits['wall']:.1f} s,"
        f" **at most {edits['most_edits']} per chat**, **{edits['rate_limited']} x 429**,"
        f" {edits['violations']} violations | <= 1 per chat, 0 x 429 |"
    )


if __name__ == "__main__":
    main()
