"""Daily digest benchmark: `python bench/digest.py` prints a Markdown table for BENCHMARKS.md.

The 09:00 rush: --chats chats (default 10,000; private, mode 'both', time zones spread over
ten real IANA zones) whose digests all fall due in the same UTC minute, each following 5
brands (Zipf-popular over the real catalogue's keys, so headings are real display names) and,
for --keyword-share of them (default 10%), one keyword too, so keyword matching runs. The
archive holds one day of --stories stories (default 2,000) first seen over the 24 hours before
that minute, from 20 sources, some carried by 2-5 sources (one cluster: the same cluster_id,
a story row and a story_sources row per carrier), each about 1-2 brands (story_brands,
about = 1; some also mention one), with 1-3 sentence summaries; and --archive older stories
(default 50,000) so the window query runs against a non-trivial table. Headlines, text and
summaries come from the real corpus (../shared/corpus/feeds, parsed with news.feeds.parse_feed)
when it is there, else from built-in templates; the output says which. Rows go straight into
the tables with executemany, in a child process (generation does not count and the measuring
process's peak memory is the tick's); older stories keep only their summary as text, to keep
the FTS index (which the digest never reads) cheap to build.

Measured, with the storage clock a few seconds after that minute:
1. `DigestService(storage).tick()`: wall and CPU time to read the
   due chats, load the day's stories once (with keyword matching), compose every digest and
   record them all in the outbox (kind 'digest') with the schedules' move. Goal: < 10 s on
   2 cores. The storage calls inside that tick are timed by wrapping them on the instance
   (due, for_chats, window, record); composing is the rest.
2. Separately, after the tick: the window query without keyword matching, and composing all
   the digests from a DigestDay with no I/O at all.
3. What the tick produced (outbox rows): digests, messages, messages per chat, digests split
   over more than one message; every message checked against Telegram's limits (4096 visible
   characters, 100 entities, 32 KB) and every first part for the "Daily digest" header.
4. A second tick in the same minute: nothing due, and how long it takes to find that out.
5. Peak memory (ru_maxrss) of the measuring process.

--profile FILE writes a cProfile of the tick. --db PATH keeps the database (PATH.json: its
parameters) and reuses it next time, after undoing what the last tick did.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import cProfile
import hashlib
import itertools
import os
import platform
import pstats
import random
import re
import resource
import sqlite3
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from statistics import mean
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kept_db import generated_database  # noqa: E402

from bot.digests import DigestService  # noqa: E402
from news.catalogue import load_catalogue, normalize_name  # noqa: E402
from news.digest import DigestDay, section_for  # noqa: E402
from news.digest_schedule import WINDOW, next_digest_at  # noqa: E402
from news.feeds import parse_feed, title_key  # noqa: E402
from news.i18n import ENGLISH  # noqa: E402
from news.matching import Matcher  # noqa: E402
from news.models import SubscriptionKind  # noqa: E402
from news.sentences import sentences  # noqa: E402
from news.telegram_html import MAX_MESSAGE, visible_length  # noqa: E402
from storage import Storage  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "feeds"
SEED = 20_261_125
DAY = 86_400
ARCHIVE_DAYS = 30  # the older stories spread over the 30 days before the window
SOURCES = 20
FIRST_CHAT = 100_000_000
BRAND_ZIPF = 1.0
KEYWORD_ZIPF = 1.0
BRANDS_PER_CHAT = 5
HEADER = "<b>Daily digest</b>"
MAX_ENTITIES = 100
MAX_RAW_BYTES = 32_768
_ENTITY_TAG = re.compile(r"<(?:a|b|i)[\s>]")
# How many sources carry a story: most stories one, some 2-5 (one cluster).
CARRIERS = ((1, 2, 3, 4, 5), (80, 10, 5, 3, 2))
# The brands people follow and write about most come first; then the catalogue's order.
POPULAR = (
    "apple", "google", "samsung", "openai", "nvidia", "microsoft", "xiaomi", "meta", "amazon",
    "tesla", "huawei", "sony", "intel", "amd", "qualcomm", "anthropic", "spacex", "oneplus",
)  # fmt: skip
# Ten zones, by weight: whole-hour, half-hour and 45-minute offsets, both hemispheres.
ZONES = (
    ("Europe/Berlin", 20), ("Europe/London", 12), ("America/New_York", 14),
    ("America/Los_Angeles", 8), ("Europe/Moscow", 10), ("Asia/Kolkata", 10),
    ("Asia/Tokyo", 8), ("America/Sao_Paulo", 8), ("Australia/Sydney", 6),
    ("Asia/Kathmandu", 4),
)  # fmt: skip

# Used when ../shared/corpus is absent ({B}: a brand, {W}: a topic word).
FALLBACK_TITLES = [
    "{B} unveils its fastest phone yet",
    "{B} cuts prices of its laptops in Europe",
    "Regulators open probe into {B} {W} deal",
    "{B} confirms layoffs as {W} sales slow",
    "Hands-on with the new {B} {W}",
    "{B} update fixes {W} bug",
]
FALLBACK_SENTENCES = [
    "{B} announced a new {W} with a larger battery and a faster processor.",
    "The company said the {W} will ship in Europe next month, starting at $799.",
    "Analysts expect {B} to sell more than ten million units in the first quarter.",
    "According to a filing, the new {W} is built on a three-nanometre process.",
    "Regulators in Brussels opened an investigation into the {W} deal on Tuesday.",
    "{B} declined to comment on the report about its {W} plans.",
    "Shares of {B} rose 4% in early trading after the {W} announcement.",
    "Developers can download the beta today, with a public release planned for autumn.",
]
FALLBACK_WORDS = (
    "battery", "foldable", "chip", "privacy", "satellite", "headset", "tablet", "robotaxi",
    "smartwatch", "antitrust", "subscription", "chatbot", "camera", "laptop", "modem", "drone",
)  # fmt: skip


# --- 1. the synthetic day, archive and chats ---------------------------------------------------


def corpus_entries() -> tuple[list[tuple[str, str, list[str], str | None, int]], list[str], str]:
    """(entries: title, text, summary sentences, language, feed index; feed titles; origin)."""
    rng = random.Random(SEED)
    entries: list[tuple[str, str, list[str], str | None, int]] = []
    if CORPUS.is_dir():
        titles = []
        for feed, path in enumerate(sorted(CORPUS.glob("*.xml"))[:SOURCES]):
            parsed = parse_feed(path.read_bytes(), url=f"https://feeds.test/{path.stem}")
            titles.append(parsed.title or path.stem)
            for story in parsed.stories:
                lead = sentences(story.summary, story.language)
                rest = [s for s in sentences(story.text, story.language) if s not in lead]
                pool = [s for s in lead + rest if len(s) >= 20][:3]
                if story.title.strip() and pool:
                    entries.append((story.title, story.text, pool, story.language, feed))
        origin = (
            f"headlines, text and summaries of the {len(entries)} usable entries of"
            f" {len(titles)} corpus feeds (../shared/corpus), reused"
        )
        return entries, titles, origin
    names = [b.name for b in load_catalogue()]
    for i in range(600):

        def fill(template: str) -> str:
            return template.replace("{B}", rng.choice(names)).replace(
                "{W}", rng.choice(FALLBACK_WORDS)
            )

        body = [fill(rng.choice(FALLBACK_SENTENCES)) for _ in range(rng.randint(3, 8))]
        entries.append(
            (fill(rng.choice(FALLBACK_TITLES)), " ".join(body), body[:3], "en", i % SOURCES)
        )
    titles = [f"Site {i + 1:02d} News" for i in range(SOURCES)]
    return entries, titles, "../shared/corpus not found: built-in sentence templates"


def keyword_candidates(entries: list[tuple]) -> list[str]:
    """Words a user might follow: in 0.5-8% of the entries, most frequent first."""
    df: Counter[str] = Counter()
    for title, text, *_ in entries:
        words = re.findall(r"(?<!\w)[A-Za-z]{5,14}(?!\w)", title + text)
        df.update(list(dict.fromkeys(w.casefold() for w in words)))  # ties keep text order
    low, high = max(2, len(entries) // 200), max(3, len(entries) * 8 // 100)
    found = [w for w, n in df.most_common() if low <= n <= high]
    return found[:150] or list(FALLBACK_WORDS)


def zipf_cumulative(n: int, s: float) -> list[float]:
    return list(itertools.accumulate(1 / (rank + 1) ** s for rank in range(n)))


def zipf_distinct(rng: random.Random, items: list, cum: list[float], k: int) -> list:
    out: list = []
    while len(out) < k:
        item = items[min(len(items) - 1, bisect.bisect(cum, rng.random() * cum[-1]))]
        if item not in out:
            out.append(item)
    return out


def brand_order() -> list[tuple[str, str]]:
    """(key, display name) of every catalogue brand, most popular first."""
    catalogue = load_catalogue()
    keys = [k for k in POPULAR if catalogue.get(k)]
    keys += [b.key for b in catalogue if b.key not in keys]
    return [(k, catalogue.get(k).name) for k in keys]


class Stories:
    """Story rows in id order over [start, end): heads, and later carriers of recent heads."""

    def __init__(self, rng, entries, brands, brand_cum) -> None:
        self.rng, self.entries, self.brands, self.brand_cum = rng, entries, brands, brand_cum
        self.clusters: Counter[int] = Counter()

    def rows(self, first_id: int, count: int, start: int, end: int, full_text: bool):
        rng = self.rng
        stories, sources, brand_rows = [], [], []
        pending: list[tuple[int, int, tuple]] = []  # (due row, head id, head) carriers to come
        for n in range(count):
            story_id = first_id + n
            seen = start + n * (end - start) // count
            if pending and pending[0][0] <= n:
                _, cluster, head = pending.pop(0)
                title, text, summary, language, published, about, used = head
                source = rng.choice([s for s in range(1, SOURCES + 1) if s not in used])
                used.add(source)
                mentions = []
            else:
                cluster = story_id
                title, text, pool, language, feed = rng.choice(self.entries)
                summary = " ".join(pool[: rng.randint(1, 3)])
                published = seen - rng.randint(0, 1800)
                about = zipf_distinct(rng, self.brands, self.brand_cum, rng.choice((1, 1, 2)))
                mentions = [] if rng.random() < 0.7 else [rng.choice(self.brands)]
                mentions = [b for b in mentions if b not in about]
                source = feed + 1
                used = {source}
                head = (title, text, summary, language, published, about, used)
                extra = rng.choices(*CARRIERS)[0] - 1
                for _ in range(extra):
                    pending.append((n + rng.randint(1, 40), story_id, head))
                pending.sort(key=lambda p: p[0])
            self.clusters[cluster] += 1
            link = f"https://site{source:02d}.test/news/{story_id}.html"
            body = text if full_text else summary
            stories.append(
                (story_id, cluster, link, title, title_key(title), body, language, published,
                 seen, seen, summary)
            )  # fmt: skip
            sources.append(
                (source, f"link:{link}", story_id, hashlib.md5(link.encode()).hexdigest(), seen)
            )
            if rng.random() < 0.02:  # the same canonical link from a second source
                other = rng.choice([s for s in range(1, SOURCES + 1) if s != source])
                sources.append((other, f"guid:{story_id}", story_id, "h", seen + 300))
            brand_rows += [(story_id, b, 1, published) for b in about]
            brand_rows += [(story_id, b, 0, published) for b in mentions]
        return stories, sources, brand_rows


def generate(path: str, params: dict) -> dict:
    """Runs in a child process: the schema with Storage.open, then rows with executemany."""
    started = time.perf_counter()
    now = params["now"]

    async def schema() -> None:
        storage = await Storage.open(path, clock=lambda: now)
        await storage.close()

    asyncio.run(schema())
    rng = random.Random(SEED)
    entries, feed_titles, origin = corpus_entries()
    brands = [k for k, _ in brand_order()]
    names = dict(brand_order())
    gen = Stories(rng, entries, brands, zipf_cumulative(len(brands), BRAND_ZIPF))
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA synchronous = OFF")
    db.execute("BEGIN")
    db.executemany(
        "INSERT INTO sources (id, url, title, origin, added_at, status, backlog_done)"
        " VALUES (?, ?, ?, 'file', 0, 'ok', 1)",
        [(i + 1, f"https://site{i + 1:02d}.test/feed", t) for i, t in enumerate(feed_titles)],
    )
    window_start = now - WINDOW
    parts = [  # (first id, count, first seen from, to, full text)
        (1, params["archive"], window_start - ARCHIVE_DAYS * DAY, window_start - 60, False),
        (params["archive"] + 1, params["stories"], window_start + 30, now - 30, True),
    ]
    day_stories: list[tuple] = []  # (id, title, text, published_at): keyword hits, below
    for first, count, start, end, full_text in parts:
        for i in range(0, count, 10_000):
            stories, sources, brand_rows = gen.rows(
                first + i,
                min(10_000, count - i),
                start + i * (end - start) // max(1, count),
                start + min(count, i + 10_000) * (end - start) // max(1, count),
                full_text,
            )
            db.executemany(
                "INSERT INTO stories (id, cluster_id, link, title, title_key, text, language,"
                " published_at, first_seen_at, updated_at, summary, backlog)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)",
                stories,
            )
            db.executemany(
                "INSERT INTO story_sources (source_id, identity, story_id, content_hash,"
                " first_seen_at) VALUES (?, ?, ?, ?, ?)",
                sources,
            )
            db.executemany(
                "INSERT INTO story_brands (story_id, brand, about, published_at)"
                " VALUES (?, ?, ?, ?)",
                brand_rows,
            )
            if full_text:
                day_stories += [(r[0], r[3], r[5], r[7]) for r in stories]
    day_ids = range(params["archive"] + 1, params["archive"] + params["stories"] + 1)
    clusters = Counter(n for c, n in gen.clusters.items() if c in day_ids)

    # Chats: the digest time is each zone's local time of `now`, so all are due together.
    zones, weights = zip(*ZONES, strict=True)
    keywords = keyword_candidates(entries)
    keyword_cum = zipf_cumulative(len(keywords), KEYWORD_ZIPF)
    brand_cum = zipf_cumulative(len(brands), BRAND_ZIPF)
    chats, subscriptions, keyword_chats = [], [], 0
    local = {z: datetime.fromtimestamp(now, ZoneInfo(z)).strftime("%H:%M") for z in zones}
    for i in range(params["chats"]):
        chat_id = FIRST_CHAT + i
        zone = rng.choices(zones, weights)[0]
        chats.append(
            (chat_id, zone, now - DAY, now - DAY, local[zone], now, now - DAY, params["archive"])
        )
        for key in zipf_distinct(rng, brands, brand_cum, BRANDS_PER_CHAT):
            subscriptions.append((chat_id, "brand", key, names[key], now - DAY))
        if rng.random() < params["keyword_share"]:
            keyword_chats += 1
            word = zipf_distinct(rng, keywords, keyword_cum, 1)[0]
            label = word.capitalize() if rng.random() < 0.3 else word
            subscriptions.append((chat_id, "keyword", normalize_name(label), label, now - DAY))
    db.executemany(
        "INSERT INTO chats (id, type, timezone, mode, created_at, updated_at, digest_time,"
        " digest_quiet, next_digest_at, last_digest_at, digest_story_id)"
        " VALUES (?, 'private', ?, 'both', ?, ?, ?, 1, ?, ?, ?)",
        chats,
    )
    db.executemany(
        "INSERT INTO subscriptions (chat_id, kind, value, label, created_at) VALUES (?, ?, ?, ?, ?)",
        subscriptions,
    )
    # The keyword hits the ingest would have stored for the day's stories (the same rule).
    matcher = Matcher.for_keywords({s[2] for s in subscriptions if s[1] == "keyword"})
    db.executemany(
        "INSERT OR IGNORE INTO story_keywords (keyword, story_id, published_at) VALUES (?, ?, ?)",
        [
            (keyword, story_id, published)
            for story_id, title, text, published in day_stories
            for keyword in matcher.match(title, text).keywords
        ],
    )
    db.execute("COMMIT")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return {
        **params,
        "origin": origin,
        "clusters": sum(clusters.values()),
        "clustered": sum(v for k, v in clusters.items() if k > 1),
        "keyword_chats": keyword_chats,
        "keywords": len({s[2] for s in subscriptions if s[1] == "keyword"}),
        "zones": len(zones),
        "seconds": time.perf_counter() - started,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def reset(path: str, meta: dict) -> None:
    """Undo the last run's tick on a kept database: every chat due again, no digest queued."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("BEGIN")
    db.execute("DELETE FROM deliveries WHERE kind = 'digest'")
    db.execute(
        "UPDATE chats SET next_digest_at = ?, last_digest_at = ?, digest_story_id = ?",
        (meta["now"], meta["now"] - DAY, meta["archive"]),
    )
    db.execute("COMMIT")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


# --- 2. measuring ------------------------------------------------------------------------------


class Timed:
    """Wraps an async method on the instance: its time per call, and its last result."""

    def __init__(self, owner: object, name: str) -> None:
        self.inner = getattr(owner, name)
        self.seconds = 0.0
        self.calls = 0
        self.result = None
        setattr(owner, name, self)

    async def __call__(self, *args, **kwargs):
        started = time.perf_counter()
        try:
            self.result = await self.inner(*args, **kwargs)
            return self.result
        finally:
            self.seconds += time.perf_counter() - started
            self.calls += 1


def rss_mb() -> float:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return float("nan")


async def measure(path: str, meta: dict, profile: str | None) -> dict:
    now = meta["now"] + 5  # the tick starts a few seconds into the minute
    out: dict = {}
    storage = await Storage.open(path, clock=lambda: now)
    service = DigestService(storage)
    timers = {
        "due": Timed(storage.digests, "due"),
        "for_chats": Timed(storage.subscriptions, "for_chats"),
        "window": Timed(storage.digests, "window"),
        "record": Timed(storage.digests, "record"),
    }
    out["rss_before"] = rss_mb()
    profiler = cProfile.Profile() if profile else None
    wall, cpu = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    report = await service.tick()
    if profiler:
        profiler.disable()
    out["tick"] = time.perf_counter() - wall, time.process_time() - cpu
    out["peak_after_tick"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if profiler:
        profiler.dump_stats(profile)
        stats = pstats.Stats(profiler).sort_stats("tottime")
        out["top"] = [
            (f"{Path(f).name}:{line}({name})", st[2], st[3])
            for (f, line, name), st in sorted(
                stats.stats.items(), key=lambda kv: kv[1][2], reverse=True
            )[:12]
        ]
    out["report"] = report
    out["parts"] = {k: t.seconds for k, t in timers.items()}
    out["stories"] = len(timers["window"].result or [])
    due, follows = timers["due"].result or [], timers["for_chats"].result or {}

    wall = time.perf_counter()
    again = await service.tick()
    out["second"] = again, time.perf_counter() - wall

    # Apart from the tick: the window query alone (it reads the keyword hits stored at
    # ingest), and composing with no I/O.
    started = time.perf_counter()
    stories = await timers["window"].inner(now - WINDOW)
    out["window_sql"] = time.perf_counter() - started
    out["keyword_hits"] = sum(1 for s in stories if s.keywords)
    out["keywords"] = len(
        {s.value for subs in follows.values() for s in subs if s.kind is SubscriptionKind.KEYWORD}
    )
    wall, cpu = time.perf_counter(), time.process_time()
    day = DigestDay(stories)
    count = 0
    for chat in due:
        subs = follows.get(chat.id, [])
        if subs:
            count += len(
                day.compose(ENGLISH,
                    [section_for(ENGLISH, s) for s in subs], after_id=chat.digest_story_id,
                    timezone=chat.timezone, now=now, quiet=chat.digest_quiet,
                )
            )  # fmt: skip
    out["compose"] = time.perf_counter() - wall, time.process_time() - cpu, count

    # What the tick queued.
    async with storage.conn.execute(
        "SELECT chat_id, part, body FROM deliveries WHERE kind = 'digest' ORDER BY chat_id, part"
    ) as c:
        rows = [tuple(r) async for r in c]
    per_chat = Counter(r[0] for r in rows)
    visible = [visible_length(r[2]) for r in rows]
    entities = [len(_ENTITY_TAG.findall(r[2])) for r in rows]
    raw = [len(r[2].encode("utf-8")) for r in rows]
    out["rows"] = len(rows)
    out["per_chat"] = per_chat
    out["limits"] = max(visible, default=0), max(entities, default=0), max(raw, default=0)
    out["bad"] = sum(
        1
        for v, e, b in zip(visible, entities, raw, strict=True)
        if v > MAX_MESSAGE or e > MAX_ENTITIES or b > MAX_RAW_BYTES
    )
    out["headless"] = sum(1 for r in rows if r[1] == 0 and not r[2].startswith(HEADER))
    out["first_parts"] = sum(1 for r in rows if r[1] == 0)
    out["sections"] = mean(r[2].count("\n\n<b>") + (r[1] > 0) for r in rows) if rows else 0
    out["visible_mean"] = mean(visible) if visible else 0
    async with storage.conn.execute(
        "SELECT count(*), min(next_digest_at), max(next_digest_at) FROM chats"
        " WHERE next_digest_at > ?",
        (now,),
    ) as c:
        out["moved"] = tuple(await c.fetchone())
    out["sample"] = rows[0][2] if rows else ""
    await storage.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    await storage.close()
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=10_000)
    parser.add_argument("--stories", type=int, default=2_000, help="stories in the day")
    parser.add_argument("--archive", type=int, default=50_000, help="older stories")
    parser.add_argument("--keyword-share", type=float, default=0.10)
    parser.add_argument(
        "--at", default="2026-11-25T07:00", help="the digest minute, UTC (default %(default)s)"
    )
    parser.add_argument("--db", help="keep the generated database here and reuse it next time")
    parser.add_argument("--profile", help="write a cProfile of the tick here")
    parser.add_argument("--sample", action="store_true", help="print one digest message")
    args = parser.parse_args()

    at = datetime.fromisoformat(args.at).replace(second=0, microsecond=0, tzinfo=UTC)
    params = {
        "chats": args.chats,
        "stories": args.stories,
        "archive": args.archive,
        "keyword_share": args.keyword_share,
        "now": int(at.timestamp()),
    }
    # Every zone's local time of that minute schedules its digest for exactly that minute.
    for zone, _ in ZONES:
        local = datetime.fromtimestamp(params["now"], ZoneInfo(zone)).time()
        assert next_digest_at(params["now"] - 60, local, zone) == params["now"], zone

    with generated_database(args.db, "digest.sqlite3", params, generate, params) as (
        path,
        meta,
        reused,
    ):
        if reused:
            reset(path, meta)
        r = asyncio.run(measure(path, meta, args.profile))
        db_size = Path(path).stat().st_size

    report, (tick_wall, tick_cpu) = r["report"], r["tick"]
    parts = r["parts"]
    compose_part = tick_wall - sum(parts.values())
    per_chat = r["per_chat"]
    counts = list(per_chat.values())
    split = sum(1 for n in counts if n > 1)
    second, second_wall = r["second"]
    compose_wall, compose_cpu, compose_messages = r["compose"]
    moved, first_next, last_next = r["moved"]
    minute = datetime.fromtimestamp(meta["now"], UTC)

    print(
        f"Machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
        f", SQLite {sqlite3.sqlite_version}"
    )
    print(f"Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n")
    print(
        f"Setup: {meta['chats']:,} private chats in {meta['zones']} time zones, every digest due"
        f" at {minute:%Y-%m-%d %H:%M} UTC, each following {BRANDS_PER_CHAT} brands (Zipf over"
        f" the catalogue's {len(brand_order())}) and {meta['keyword_chats']:,} of them a keyword"
        f" too ({meta['keywords']} distinct). The day: {meta['stories']:,} stories from"
        f" {SOURCES} sources in {meta['clusters']:,} clusters ({meta['clustered']:,} carried by"
        f" 2-5 sources); {meta['archive']:,} older stories. Text: {meta['origin']}. Generated in"
        f" {meta['seconds']:.1f} s (child process, not counted)"
        f"{', reused from ' + path if reused else ''}.\n"
    )
    print("| measure | result | goal |\n|---|---|---|")
    print(
        f"| tick: build all digests for {report.due:,} chats due in the same minute (due chats,"
        f" subscriptions, the day's stories, compose, record in the outbox)"
        f" | **{tick_wall:.2f} s** wall, {tick_cpu:.2f} s CPU | < 10 s on 2 cores |"
    )
    print(f"| - due chats (`DigestStore.due`) | {parts['due'] * 1000:.0f} ms | |")
    print(
        f"| - subscriptions (`for_chats`, {report.due:,} chats)"
        f" | {parts['for_chats'] * 1000:.0f} ms | |"
    )
    print(
        f"| - the day's stories (`DigestStore.window`: {r['stories']:,} clusters, with the hits"
        f" of {r['keywords']} keywords stored at ingest) | {parts['window'] * 1000:.0f} ms | |"
    )
    print(
        f"| - compose and schedule ({report.composed:,} `DigestDay.compose` + `following`)"
        f" | {compose_part:.2f} s | |"
    )
    print(
        f"| - record (`DigestStore.record`: outbox rows and schedules,"
        f" {-(-report.due // 500)} transactions of 500 chats)"
        f" | {parts['record']:.2f} s | |"
    )
    print(
        f"| apart: the window query ({r['keyword_hits']} stories name a followed keyword)"
        f" | {r['window_sql'] * 1000:.0f} ms | |"
    )
    print(
        f"| apart: compose all {report.due:,} digests from one `DigestDay`, no I/O"
        f" | {compose_wall:.2f} s ({compose_wall / max(1, report.due) * 1000:.2f} ms a chat),"
        f" {compose_cpu:.2f} s CPU | |"
    )
    print(
        f"| chats due / digests composed / skipped / first schedules"
        f" | {report.due:,} / {report.composed:,} / {report.skipped} / {report.scheduled} | |"
    )
    print(
        f"| messages queued (outbox rows, kind 'digest') | **{r['rows']:,}**"
        f" ({report.messages:,} reported by the tick, {compose_messages:,} composed apart) | |"
    )
    print(
        f"| messages per chat: mean / max; digests split over 2+ messages"
        f" | {mean(counts) if counts else 0:.2f} / {max(counts, default=0)};"
        f" {split:,} of {len(counts):,} | |"
    )
    print(
        f"| every message within Telegram's limits (max visible chars / entities / bytes)"
        f" | {r['rows'] - r['bad']:,} of {r['rows']:,} ({r['limits'][0]:,} / {r['limits'][1]}"
        f" / {r['limits'][2]:,}; mean {r['visible_mean']:,.0f} chars) | 4,096 / 100 / 32,768 |"
    )
    print(
        f"| first parts starting with `{HEADER}`"
        f" | {r['first_parts'] - r['headless']:,} of {r['first_parts']:,} | all |"
    )
    nxt = datetime.fromtimestamp(first_next, UTC) if first_next else None
    print(
        f"| schedules moved on (next digest) | {moved:,} chats, {nxt:%m-%d %H:%M} to"
        f" {datetime.fromtimestamp(last_next, UTC):%m-%d %H:%M} UTC | |"
        if nxt
        else f"| schedules moved on | {moved} | |"
    )
    print(f"| second tick in the same minute | {second.due} due, {second_wall * 1000:.1f} ms | |")
    print(
        f"| peak memory (RSS) of the measuring process: after the tick / at the end"
        f" | **{r['peak_after_tick']:.0f} MB** / {r['peak_mb']:.0f} MB"
        f" (RSS before the tick {r['rss_before']:.0f} MB) | |"
    )
    print(f"| database size after the tick (checkpointed) | {db_size / 2**20:,.0f} MB | |")
    if r.get("top"):
        print(f"\nProfile of the tick ({args.profile}), top functions by own time:\n")
        for name, tottime, cumtime in r["top"]:
            print(f"- {name}: {tottime:.2f} s own, {cumtime:.2f} s cumulative")
    if args.sample:
        print("\nFirst queued message:\n\n```\n" + r["sample"] + "\n```")
    if tick_wall >= 10:
        print(f"\nThe tick took {tick_wall:.1f} s: over the 10 s goal.", file=sys.stderr)


if __name__ == "__main__":
    main()
