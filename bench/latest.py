"""Archive benchmark: `python bench/latest.py` prints a Markdown table for BENCHMARKS.md.

A synthetic archive of --stories stories (default 1,000,000) over --brands brands (default
500) is generated from the real corpus's sentence shapes: the sentences and headlines of the
feeds in ../shared/corpus/feeds, parsed with news.feeds.parse_feed and split with
news.summary.sentences, with every catalogue brand name replaced by a placeholder and every
other content word by a slot. The shapes are filled with synthetic brands ("Brand0123", key
"b0123", Zipf-popular so the top brands have tens of thousands of stories) and words drawn
Zipf-like from a vocabulary of the corpus's own words extended with pseudo-words. Rows go
straight into stories, story_brands and story_sources in large transactions, in a child
process (the FTS triggers fire on every insert, as in production), so the measuring process
only ever serves requests. Generation does not count toward the goals.

1. /latest BRAND, as the handler answers since issue 12: one message, a page of 5 =
   usecases.latest.for_brand(key, 5) + StoryStore.views without read-also +
   news.render.render_list, over --requests requests (default 1,000) with brands drawn by
   popularity: p50 and p95. Goal: p95 < 25 ms (issue 12: first page under a second).
   Beside it, in the same run, what it was before: five full messages = for_brand +
   usecases.related.views (stored "Read also", or computed for the answer without writing
   when a story has none yet) + render_story for each, warm (read-also stored, as the push
   or the minute job leaves it) and on first show (computed for the answer); and opening
   one story of a page in full (the page's button) = related.views of one story +
   render_story, first show and warm.
2. /search = Archive.search(words, 6) + StoryStore.views of the results without read-also +
   render_list, the handler's first page, over --queries queries (default 500) of 1-3 words
   from the generated vocabulary (common and rare): p50 and p95. Goal: p95 <= 40 ms (issue 17).
3. Database size (main file and -wal after a checkpoint) and peak memory (ru_maxrss) of the
   measuring process. Goal: < 300 MB.

Finding read-also candidates (Archive.related_candidates) is timed per story wherever it runs.
First shows are measured until --cold-seconds is spent; the other stories the warm passes show
get their read-also stored by usecases.related.fill while the budget lasts, else from a cheap
stand-in (three earlier stories about the same brand), which the output says. The read path is the same for
both. The slowest requests are re-run with SQLite tracing and each statement's time and
EXPLAIN QUERY PLAN are printed under the table.

--db PATH keeps the generated database (PATH.json: its parameters, PATH.words: its vocabulary)
and reuses it on the next run; read-also rows left by an earlier run are removed first, so
first shows are first shows again.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import itertools
import os
import platform
import random
import re
import resource
import sqlite3
import sys
import time
from collections import Counter, deque
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kept_db import generated_database  # noqa: E402

from handlers.latest import DEFAULT_N, SEARCH_PAGE  # noqa: E402
from news.catalogue import load_catalogue  # noqa: E402
from news.feeds import parse_feed, title_key  # noqa: E402
from news.i18n import ENGLISH  # noqa: E402
from news.related import search_query  # noqa: E402
from news.render import render_list, render_story  # noqa: E402
from news.sentences import sentences  # noqa: E402
from storage import Storage  # noqa: E402
from usecases import latest, related  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "feeds"
SEED = 20_261_126
DAY = 86_400
VOCABULARY = 200_000  # distinct content words: the corpus's, then pseudo-words
# Zipf-Mandelbrot over word ranks, 1 / (rank + WORD_OFFSET): the commonest content word is in
# about a third of the stories, as in real news (plain Zipf made it nearly every story's).
WORD_ZIPF = 1.0
WORD_OFFSET = 10
BRAND_ZIPF = 1.0
SOURCES = 300
CLUSTER_SHARE = 0.05
BATCH = 20_000  # stories per executemany
TRANSACTION = 100_000  # stories per transaction
LATEST_N = DEFAULT_N
SEARCH_N = SEARCH_PAGE

MARK = "\x00"  # where a brand name was
_SLOT = re.compile(r"\x00|(?<!\w)[^\W\d_]{4,}(?!\w)")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
# Function words of four letters or more stay as they are; every other word becomes a slot.
# fmt: off
_KEEP = frozenset((
    "that", "this", "with", "from", "have", "were", "will", "would", "could", "should", "their",
    "they", "them", "then", "than", "into", "over", "under", "about", "after", "before", "what",
    "when", "where", "which", "while", "there", "these", "those", "been", "being", "also", "just",
    "more", "most", "some", "such", "only", "other", "like", "here", "said", "says", "very",
    "much", "many", "each", "both", "through", "between", "because", "does", "doesn", "even",
    "still", "well", "back", "down", "among", "against", "since", "until", "without", "within",
    "across", "again", "ever", "every", "upon", "your", "yours", "ours",
))
# fmt: on

# Used when ../shared/corpus is absent: a few shapes written for this benchmark ({B}: a brand).
FALLBACK_SENTENCES = [
    "{B} announced a new flagship phone with a larger battery and a faster processor.",
    "The company said the device will ship in Europe next month, starting at $799.",
    "Analysts expect {B} to sell more than ten million units in the first quarter.",
    "{B} and {B} have been competing for the premium market for years.",
    "According to a filing, the new chip is built on a three-nanometre process.",
    "The update brings redesigned notifications, better privacy controls and longer battery life.",
    "Regulators in Brussels opened an investigation into the deal on Tuesday.",
    "{B} declined to comment on the report.",
    "Shares of {B} rose 4% in early trading after the announcement.",
    "The service will be available in more than forty countries by the end of the year.",
    "Developers can download the beta today, with a public release planned for autumn.",
    "{B} says the new model is twice as efficient as its predecessor.",
    "Earlier this week, {B} confirmed layoffs affecting about 5% of its workforce.",
    "The laptop comes with a brighter display, a new keyboard and two USB-C ports.",
    "Critics argue that the subscription price is too high for most customers.",
    "The partnership with {B} gives the startup access to millions of users.",
    "Security researchers found a vulnerability that let attackers read private messages.",
    "The electric car has a range of 500 kilometres and charges in under twenty minutes.",
    "{B} is expected to unveil the headset at its developer conference in June.",
    "Sales of smart watches fell for the second quarter in a row, a market tracker said.",
]
FALLBACK_TITLES = [
    "{B} unveils its fastest phone yet",
    "{B} cuts prices of its laptops in Europe",
    "Regulators open probe into {B} acquisition",
    "{B} confirms layoffs as sales slow",
    "Hands-on with the new {B} headset",
    "{B} and {B} sign a chip supply deal",
    "{B} update fixes battery drain bug",
    "Why the new {B} tablet matters",
]

Shape = tuple[str, int, int]  # format string, word slots, brand slots ({b0}, {b1} ...)


# --- 1. the synthetic archive ------------------------------------------------------------------


def _brand_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Every catalogue name (case-insensitive) and exact name (case-sensitive), whole words."""
    names, exact = set(), set()
    for brand in load_catalogue():
        names.update((brand.name, *brand.aliases))
        exact.update(brand.exact)

    def pattern(found: set[str], flags: int) -> re.Pattern[str]:
        alternation = "|".join(re.escape(n) for n in sorted(found, key=len, reverse=True))
        return re.compile(rf"(?<!\w)(?:{alternation})(?!\w)", flags)

    return pattern(names, re.IGNORECASE), pattern(exact, 0)


def _shape(text: str, words: Counter[str]) -> Shape | None:
    parts, pos, n_words, n_brands = [], 0, 0, 0
    for m in _SLOT.finditer(text):
        token = m.group()
        if token != MARK and token.casefold() in _KEEP:
            continue
        parts.append(text[pos : m.start()].replace("{", "{{").replace("}", "}}"))
        if token == MARK:
            parts.append(f"{{b{n_brands}}}")
            n_brands += 1
        else:
            parts.append("{}")
            n_words += 1
            words[token.casefold()] += 1
        pos = m.end()
    parts.append(text[pos:].replace("{", "{{").replace("}", "}}"))
    if n_words == 0 or n_brands > 4:
        return None
    return "".join(parts), n_words, n_brands


def corpus_shapes() -> tuple[list[Shape], list[Shape], list[str], str]:
    """(sentence shapes, headline shapes, corpus content words by frequency, where from)."""
    words: Counter[str] = Counter()
    if CORPUS.is_dir():
        names, exact = _brand_patterns()
        texts, titles, feeds = [], [], 0
        for path in sorted(CORPUS.glob("*.xml")):
            parsed = parse_feed(path.read_bytes(), url="https://x.test/feed")
            feeds += 1
            for story in parsed.stories:
                titles.append(story.title)
                texts += sentences(story.text, story.language)

        def unbrand(s: str) -> str:
            return exact.sub(MARK, names.sub(MARK, s))

        body = [
            unbrand(s)
            for s in dict.fromkeys(texts)
            if 5 <= len(s.split()) <= 60 and not _CJK.search(s) and "http" not in s
        ]
        heads = [unbrand(t) for t in dict.fromkeys(titles) if len(t.split()) >= 3]
        heads = [t for t in heads if not _CJK.search(t)]
        origin = f"shapes from the corpus: {feeds} feeds, {len(texts):,} sentences"
    else:
        body = [s.replace("{B}", MARK) for s in FALLBACK_SENTENCES]
        heads = [t.replace("{B}", MARK) for t in FALLBACK_TITLES]
        origin = "../shared/corpus not found: built-in sentence templates"
    shapes = [s for s in (_shape(t, words) for t in body) if s]
    head_shapes = [s for s in (_shape(t, words) for t in heads) if s]
    ranked = [w for w, _ in words.most_common()]
    return shapes, head_shapes, ranked, f"{origin} -> {len(shapes):,} shapes"


def vocabulary(corpus_words: list[str], size: int = VOCABULARY) -> list[str]:
    """The corpus's words, most frequent first, then pronounceable pseudo-words."""
    rng = random.Random(SEED)
    onsets = [
        "b",
        "c",
        "d",
        "f",
        "g",
        "h",
        "j",
        "k",
        "l",
        "m",
        "n",
        "p",
        "r",
        "s",
        "t",
        "v",
        "z",
        "br",
        "dr",
        "gr",
        "kr",
        "pl",
        "st",
        "tr",
        "sh",
        "ch",
    ]
    vowels = ["a", "e", "i", "o", "u", "ai", "ea", "io", "ou"]
    vocab = list(dict.fromkeys(corpus_words))[:size]
    seen = set(vocab)
    while len(vocab) < size:
        syllables = rng.randint(2, 4)
        word = "".join(rng.choice(onsets) + rng.choice(vowels) for _ in range(syllables))
        word += rng.choice(("", "", "n", "r", "s", "x", "l"))
        if word not in seen:
            seen.add(word)
            vocab.append(word)
    return vocab


def zipf_cumulative(n: int, s: float, offset: int = 1) -> list[float]:
    return list(itertools.accumulate(1 / (rank + offset) ** s for rank in range(n)))


def brand_key(i: int) -> str:
    return f"b{i:04d}"


def brand_name(i: int) -> str:
    return f"Brand{i:04d}"


class Generator:
    """Stories in id order; published_at rises with the id over the last 365 days."""

    def __init__(self, stories: int, brands: int, now: int) -> None:
        self.rng = random.Random(SEED)
        self.shapes, self.head_shapes, corpus_words, self.origin = corpus_shapes()
        self.first_shapes = [s for s in self.shapes if s[2] > 0] or self.shapes
        self.vocab = vocabulary(corpus_words)
        self.word_cum = zipf_cumulative(len(self.vocab), WORD_ZIPF, WORD_OFFSET)
        self.brand_cum = zipf_cumulative(brands, BRAND_ZIPF)
        self.brands = brands
        self.stories = stories
        self.end = now - 600
        self.start = self.end - 365 * DAY
        self.pool: list[str] = []
        self.pos = 0
        self.recent: deque[tuple[int, int, str, list[int], int]] = deque(maxlen=50)

    def _words(self, n: int) -> list[str]:
        if self.pos + n > len(self.pool):
            self.pool = self.rng.choices(self.vocab, cum_weights=self.word_cum, k=200_000)
            self.pos = 0
        out = self.pool[self.pos : self.pos + n]
        self.pos += n
        return out

    def _brands(self, k: int, exclude: set[int]) -> list[int]:
        out: list[int] = []
        while len(out) < k:
            b = bisect.bisect(self.brand_cum, self.rng.random() * self.brand_cum[-1])
            b = min(b, self.brands - 1)
            if b not in exclude and b not in out:
                out.append(b)
        return out

    def _fill(self, shape: Shape, names: list[str], offset: int) -> str:
        fmt, n_words, n_brands = shape
        named = {f"b{j}": names[(offset + j) % len(names)] for j in range(n_brands)}
        return fmt.format(*self._words(n_words), **named)

    def batch(self, first: int, count: int) -> tuple[list[tuple], list[tuple], list[tuple]]:
        """Rows for stories, story_brands and story_sources."""
        rng = self.rng
        stories, brand_rows, source_rows = [], [], []
        span = self.end - self.start
        for story_id in range(first, first + count):
            published = self.start + (story_id - 1) * span // self.stories
            published = min(self.end, published + rng.randint(-3 * 3600, 3 * 3600))
            if self.recent and rng.random() < CLUSTER_SHARE:
                # The same headline from another outlet, shortly after: one cluster.
                cluster, _, title, about, _ = rng.choice(self.recent)
                published = min(self.end, max(published, self.recent[-1][4]))
            else:
                cluster = story_id
                about = self._brands(rng.choices((1, 2, 3), (60, 30, 10))[0], set())
                title = None
            mentions = self._brands(rng.choices((0, 1, 2), (50, 35, 15))[0], set(about))
            names = [brand_name(b) for b in about + mentions]
            if title is None:
                title = self._fill(rng.choice(self.head_shapes), names, 0)
                if brand_name(about[0]) not in title:
                    title = f"{brand_name(about[0])}: {title}"
            parts = [self._fill(rng.choice(self.first_shapes), names, 0)]
            parts += [
                self._fill(rng.choice(self.shapes), names, i) for i in range(1, rng.randint(2, 6))
            ]
            text = " ".join(parts[:2]) + ("\n\n" + " ".join(parts[2:]) if parts[2:] else "")
            summary = " ".join(parts[: rng.randint(1, 2)])
            source = rng.randrange(1, SOURCES + 1)
            link = f"https://site{source:03d}.test/news/{story_id:07d}.html"
            seen = published + rng.randint(60, 3600)
            stories.append(
                (story_id, cluster, link, title, title_key(title), text, "en", published,
                 seen, seen, summary)
            )  # fmt: skip
            brand_rows += [(story_id, brand_key(b), 1, published) for b in about]
            brand_rows += [(story_id, brand_key(b), 0, published) for b in mentions]
            source_rows.append((source, link, story_id, f"{story_id:032x}", seen))
            if cluster == story_id:
                self.recent.append((cluster, story_id, title, about, published))
        return stories, brand_rows, source_rows


def generate(path: str, stories: int, brands: int) -> dict:
    """Runs in a child process: create the schema with Storage.open, then bulk-load."""
    started = time.perf_counter()

    async def schema() -> None:
        storage = await Storage.open(path)
        await storage.close()

    asyncio.run(schema())
    gen = Generator(stories, brands, int(time.time()))
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA synchronous = OFF")
    db.execute("PRAGMA cache_size = -262144")  # 256 MiB: this process only
    db.execute("BEGIN")
    db.executemany(
        "INSERT INTO sources (id, url, title, origin, added_at, status, backlog_done)"
        " VALUES (?, ?, ?, 'cli', 0, 'ok', 1)",
        [
            (i, f"https://site{i:03d}.test/feed", f"Site {i:03d} News")
            for i in range(1, SOURCES + 1)
        ],
    )
    for first in range(1, stories + 1, BATCH):
        rows, brand_rows, source_rows = gen.batch(first, min(BATCH, stories + 1 - first))
        db.executemany(
            "INSERT INTO stories (id, cluster_id, link, title, title_key, text, language,"
            " published_at, first_seen_at, updated_at, summary, backlog)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
            rows,
        )
        db.executemany(
            "INSERT INTO story_brands (story_id, brand, about, published_at) VALUES (?, ?, ?, ?)",
            brand_rows,
        )
        db.executemany(
            "INSERT INTO story_sources (source_id, identity, story_id, content_hash,"
            " first_seen_at) VALUES (?, ?, ?, ?, ?)",
            source_rows,
        )
        done = first + len(rows) - 1
        if done % TRANSACTION == 0 or done == stories:
            db.execute("COMMIT")
            print(
                f"  generated {done:,} stories in {time.perf_counter() - started:.0f} s",
                file=sys.stderr,
                flush=True,
            )
            if done < stories:
                db.execute("BEGIN")
    db.execute("PRAGMA optimize")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    counts = {
        "story_brands": db.execute("SELECT count(*) FROM story_brands").fetchone()[0],
        "top_brand": db.execute(
            "SELECT count(*) FROM story_brands WHERE brand = ? AND about = 1", (brand_key(0),)
        ).fetchone()[0],
    }
    db.close()
    Path(f"{path}.words").write_text("\n".join(gen.vocab), "utf-8")
    return {
        "stories": stories,
        "brands": brands,
        "origin": gen.origin,
        "seconds": time.perf_counter() - started,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        **counts,
    }


# --- 2. and 3. measuring ------------------------------------------------------------------------


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def ms(values: list[float]) -> str:
    if not values:
        return "n/a"
    return f"{pct(values, 50) * 1000:.1f} / {pct(values, 95) * 1000:.1f} ms"


class Timed:
    """Wraps Archive.related_candidates on the instance to time each call."""

    def __init__(self, archive) -> None:
        self.times: list[float] = []
        self._inner = archive.related_candidates
        archive.related_candidates = self

    async def __call__(self, *args, **kwargs):
        started = time.perf_counter()
        try:
            return await self._inner(*args, **kwargs)
        finally:
            self.times.append(time.perf_counter() - started)


async def stand_in_related(storage: Storage, ids: list[int]) -> int:
    """Read-also rows for stories still without: three earlier stories about the same brand."""
    async with storage.conn.execute(
        f"SELECT id, published_at FROM stories WHERE related_at IS NULL"
        f" AND id IN ({','.join('?' * len(ids))})",
        ids,
    ) as c:
        missing = [tuple(r) async for r in c]
    rows = []
    for story_id, published in missing:
        async with storage.conn.execute(
            "SELECT story_id FROM story_brands WHERE about = 1 AND published_at < ? AND brand ="
            " (SELECT brand FROM story_brands WHERE story_id = ? AND about = 1 LIMIT 1)"
            " ORDER BY published_at DESC LIMIT 3",
            (published, story_id),
        ) as c:
            rows += [(story_id, r[0], i) for i, r in enumerate(await c.fetchall())]
    async with storage.transaction() as db:
        await db.executemany(
            "INSERT OR IGNORE INTO related_stories (story_id, related_id, position)"
            " VALUES (?, ?, ?)",
            rows,
        )
        await db.executemany(
            "UPDATE stories SET related_at = ? WHERE id = ?",
            [(storage.now(), story_id) for story_id, _ in missing],
        )
    return len(missing)


async def fill_related(storage: Storage, ids: list[int], deadline: float) -> tuple[int, int]:
    """Read-also for every story in ids: related.fill until the deadline, then the stand-in.
    Returns (computed, stood in)."""
    computed = stood_in = 0
    ids = list(dict.fromkeys(ids))
    for i in range(0, len(ids), LATEST_N):
        chunk = ids[i : i + LATEST_N]
        if time.perf_counter() < deadline:
            await related.fill(storage, chunk)
            computed += len(chunk)
        else:
            stood_in += await stand_in_related(storage, chunk)
    return computed, stood_in


async def page_answer(storage: Storage, key: str) -> str:
    """/latest BRAND as the handler answers it: one message (handlers.latest._show)."""
    page = await latest.for_brand(storage, key, LATEST_N)
    views = await storage.stories.views(page.ids, related=False)
    stories = [views[i] for i in page.ids if i in views]
    return render_list(ENGLISH, "Latest", stories, "UTC", int(time.time()))[0]


async def full_answer(storage: Storage, key: str) -> list[str]:
    """/latest BRAND as it was answered before issue 12: five full messages."""
    page = await latest.for_brand(storage, key, LATEST_N)
    views = await related.views(storage, page.ids)
    return [render_story(ENGLISH, views[i], "UTC") for i in page.ids if i in views]


async def open_answer(storage: Storage, story_id: int) -> str:
    """A page's button: one story in full (handlers.latest.open_button)."""
    views = await related.views(storage, [story_id])
    return render_story(ENGLISH, views[story_id], "UTC")


async def search_answer(storage: Storage, words: str) -> str:
    """/search's first page (handlers.latest._search_page)."""
    ids = await storage.archive.search(words, SEARCH_N + 1)
    views = await storage.stories.views(ids[:SEARCH_N], related=False)
    stories = [views[i] for i in ids[:SEARCH_N] if i in views]
    return render_list(ENGLISH, "Search", stories, "UTC", int(time.time()))[0] if stories else ""


async def traced(storage: Storage, call) -> list[tuple[float, str]]:
    """Run `call` with a trace callback: each statement and the time until the next began
    (statements FTS5 runs inside one, traced as "-- ...", count toward that one)."""
    marks: list[tuple[float, str]] = []

    def mark(sql: str) -> None:
        if not sql.startswith("--"):
            marks.append((time.perf_counter(), sql))

    await storage.conn.set_trace_callback(mark)
    try:
        await call()
        end = time.perf_counter()
    finally:
        await storage.conn.set_trace_callback(None)
    return [
        (following - started, sql)
        for (started, sql), following in zip(marks, [m[0] for m in marks[1:]] + [end], strict=True)
    ]


async def plan(storage: Storage, sql: str) -> list[str]:
    async with storage.conn.execute(f"EXPLAIN QUERY PLAN {sql}") as c:
        rows = [tuple(r) async for r in c]
    depth: dict[int, int] = {0: -1}
    lines = []
    for node, parent, _, detail in rows:
        depth[node] = depth.get(parent, -1) + 1
        lines.append("  " * depth[node] + detail)
    return lines


def query_words(
    rng: random.Random, vocab: list[str], brand_cum: list[float], count: int
) -> list[str]:
    """1-3 words each, ranks log-uniform over the vocabulary (common words and rare ones); one
    query in five names a brand (by popularity) among its words."""
    queries = []
    for _ in range(count):
        n = rng.choices((1, 2, 3), (4, 4, 2))[0]
        words = [vocab[int(len(vocab) ** rng.random()) - 1] for _ in range(n)]
        if rng.random() < 0.2:
            b = bisect.bisect(brand_cum, rng.random() * brand_cum[-1])
            words[rng.randrange(n)] = brand_name(min(b, len(brand_cum) - 1))
        queries.append(" ".join(words))
    return queries


BUCKETS = (1_000, 10_000, 100_000)


def bucket(matches: int) -> str:
    """The label of the row for a query that the index matched in `matches` stories."""
    for i, bound in enumerate(BUCKETS):
        if matches < bound:
            low = f"{BUCKETS[i - 1]:,}" if i else "0"
            return f"{i}:{low} to {bound - 1:,} stories match"
    return f"{len(BUCKETS)}:{BUCKETS[-1]:,} or more stories match"


async def matches(storage: Storage, words: str) -> int:
    """How many stories the query Archive.search ran matched (every word, else any word)."""
    for any_word in (False, True):
        query = search_query(words, any_word=any_word)
        if query is None:
            return 0
        async with storage.conn.execute(
            "SELECT count(*) FROM stories_fts WHERE stories_fts MATCH ?", (query,)
        ) as c:
            found = (await c.fetchone())[0]
        if found:
            return found
    return 0


async def measure(path: str, meta: dict, vocab: list[str], args: argparse.Namespace) -> dict:
    rng = random.Random(SEED + 1)
    storage = await Storage.open(path)
    timer = Timed(storage.archive)
    out: dict = {"slow": []}

    # --- /latest: brands by popularity, first shows while the budget lasts
    brand_cum = zipf_cumulative(meta["brands"], BRAND_ZIPF)
    requests = [
        brand_key(min(meta["brands"] - 1, bisect.bisect(brand_cum, rng.random() * brand_cum[-1])))
        for _ in range(args.requests)
    ]
    distinct = list(dict.fromkeys(requests))
    pages: list[tuple[float, str]] = []
    for key in requests:  # the handler's answer: never computes read-also
        started = time.perf_counter()
        await page_answer(storage, key)
        pages.append((time.perf_counter() - started, key))
    out["page"] = [t for t, _ in pages]
    deadline = time.perf_counter() + args.cold_seconds
    cold: list[float] = []
    for key in distinct:
        if time.perf_counter() >= deadline:
            break
        calls = len(timer.times)
        started = time.perf_counter()
        await full_answer(storage, key)
        if len(timer.times) > calls:
            cold.append(time.perf_counter() - started)
    out["latest_cold"] = cold
    out["latest_cold_compute"] = list(timer.times)
    firsts = {key: (await storage.archive.latest_for_brand(key, 1)).ids for key in distinct}
    opened_cold: list[float] = []
    deadline = time.perf_counter() + args.cold_seconds / 2
    for key in distinct:  # nothing was written above: these are first shows too
        if time.perf_counter() >= deadline or not firsts[key]:
            continue
        calls = len(timer.times)
        started = time.perf_counter()
        await open_answer(storage, firsts[key][0])
        if len(timer.times) > calls:
            opened_cold.append(time.perf_counter() - started)
    out["open_cold"] = opened_cold
    shown: list[int] = []
    for key in distinct:
        shown += (await storage.archive.latest_for_brand(key, LATEST_N)).ids
    out["latest_fill"] = await fill_related(storage, shown, deadline + args.cold_seconds / 2)

    warm: list[tuple[float, str]] = []
    for key in requests:
        started = time.perf_counter()
        await full_answer(storage, key)
        warm.append((time.perf_counter() - started, key))
    out["latest_warm"] = [t for t, _ in warm]
    opened: list[float] = []
    for key in requests:
        if firsts[key]:
            started = time.perf_counter()
            await open_answer(storage, firsts[key][0])
            opened.append(time.perf_counter() - started)
    out["open_warm"] = opened
    out["distinct_brands"] = len(distinct)
    for _, key in sorted(pages, reverse=True)[:1]:
        out["slow"].append(
            (f"/latest {key}", await traced(storage, lambda k=key: page_answer(storage, k)))
        )

    # --- /search: search() alone first (which also finds the stories to prepare), then whole
    queries = query_words(rng, vocab, brand_cum, args.queries)
    search_only: list[float] = []
    for words in queries:
        started = time.perf_counter()
        await storage.archive.search(words, SEARCH_N)
        search_only.append(time.perf_counter() - started)
    out["search_only"] = search_only
    timings: list[tuple[float, str]] = []
    for words in queries:
        started = time.perf_counter()
        await search_answer(storage, words)
        timings.append((time.perf_counter() - started, words))
    out["search"] = [t for t, _ in timings]
    by_bucket: dict[str, list[float]] = {}
    for t, words in timings:
        by_bucket.setdefault(bucket(await matches(storage, words)), []).append(t)
    out["search_buckets"] = by_bucket
    for _, words in sorted(timings, reverse=True)[:2]:
        out["slow"].append(
            (f"/search {words}", await traced(storage, lambda w=words: search_answer(storage, w)))
        )
    if timer.times:
        # One read-also computation for a story of the most popular brand, traced.
        page = await storage.archive.latest_for_brand(brand_key(0), 1)
        await storage.conn.execute("UPDATE stories SET related_at = NULL WHERE id = ?", page.ids)
        out["slow"].append(
            (
                f"read-also for story {page.ids[0]} (about {brand_key(0)})",
                await traced(storage, lambda: related.fill(storage, page.ids)),
            )
        )

    plans = {}
    for _label, statements in out["slow"]:
        for seconds, sql in statements:
            if seconds >= 0.005 and sql not in plans:
                plans[sql] = await plan(storage, sql)
    out["plans"] = plans
    out["compute_all"] = list(timer.times)

    await storage.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    await storage.close()
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


async def reset_related(path: str) -> None:
    storage = await Storage.open(path)
    async with storage.transaction() as db:
        await db.execute("DELETE FROM related_stories")
        await db.execute("UPDATE stories SET related_at = NULL WHERE related_at IS NOT NULL")
    await storage.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    await storage.close()


def sizes(path: str) -> tuple[int, int]:
    wal = Path(f"{path}-wal")
    return Path(path).stat().st_size, wal.stat().st_size if wal.exists() else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=1_000_000)
    parser.add_argument("--brands", type=int, default=500)
    parser.add_argument("--db", help="keep the generated database here and reuse it next time")
    parser.add_argument("--requests", type=int, default=1_000)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument(
        "--cold-seconds", type=float, default=120, help="time spent measuring first shows"
    )
    args = parser.parse_args()

    params = {"stories": args.stories, "brands": args.brands}
    with generated_database(
        args.db, "archive.sqlite3", params, generate, args.stories, args.brands
    ) as (path, meta, reused):
        if reused:
            asyncio.run(reset_related(path))
        vocab = Path(f"{path}.words").read_text("utf-8").split("\n")
        r = asyncio.run(measure(path, meta, vocab, args))
        db_size, wal_size = sizes(path)

    print(
        f"Machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
        f", SQLite {sqlite3.sqlite_version}"
    )
    print(f"Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n")
    print(
        f"Archive: {meta['stories']:,} stories, {meta['brands']} brands"
        f" ({meta['story_brands']:,} story_brands rows; the top brand is about"
        f" {meta['top_brand']:,} stories); {meta['origin']}."
        f" Generated in {meta['seconds']:.0f} s (peak {meta['peak_mb']:.0f} MB, child process)"
        f"{', reused from ' + path if reused else ''}.\n"
    )
    print("| measure | result | goal |\n|---|---|---|")
    n = len(r["latest_warm"])
    computed, stood_in = r["latest_fill"]
    print(
        f"| /latest: the page, one message (the handler since issue 12): p50 / p95 over {n:,}"
        f" requests ({r['distinct_brands']} brands, by popularity) | **{ms(r['page'])}**"
        " | p95 < 25 ms |"
    )
    print(
        f"| before: five full messages, read-also stored: p50 / p95 over {n:,} requests"
        f" | {ms(r['latest_warm'])} | |"
    )
    print(
        f"| before: five full messages, first show (read-also computed for the answer):"
        f" p50 / p95 over {len(r['latest_cold'])} pages | {ms(r['latest_cold'])} | |"
    )
    print(
        f"| a story opened from the page, first show: p50 / p95 over {len(r['open_cold'])}"
        f" stories | **{ms(r['open_cold'])}** | p95 <= 25 ms (issue 17's first show) |"
    )
    print(
        f"| a story opened from the page, read-also stored: p50 / p95 over"
        f" {len(r['open_warm']):,} | {ms(r['open_warm'])} | |"
    )
    print(
        f"| /search: the first page, p50 / p95 over {len(r['search']):,} queries"
        f" | **{ms(r['search'])}** | p95 <= 40 ms |"
    )
    for name, values in sorted(r["search_buckets"].items()):
        print(f"| /search, {name.split(':')[1]} ({len(values)} queries) | {ms(values)} | |")
    print(f"| Archive.search alone (first run of each query) | {ms(r['search_only'])} | |")
    compute = r["compute_all"]
    print(
        f"| read-also candidates, one story: p50 / p95 / max over {len(compute):,} calls"
        f" | {ms(compute)} / {max(compute, default=0) * 1000:.0f} ms | |"
    )
    if stood_in:
        print(
            f"| read-also from the stand-in (budget spent) | {stood_in} of {computed + stood_in}"
            " /latest stories | |"
        )
    print(
        f"| database size after a checkpoint | {db_size / 2**20:,.0f} MB + {wal_size / 2**20:,.1f} MB -wal | |"
    )
    print(f"| peak memory (RSS) of the measuring process | **{r['peak_mb']:.0f} MB** | < 300 MB |")

    print("\nSlowest requests, re-run with tracing (statements taking >= 1 ms):\n")
    for label, statements in r["slow"]:
        total = sum(s for s, _ in statements)
        print(f"- {label}: {total * 1000:.1f} ms")
        for seconds, sql in statements:
            if seconds >= 0.001:
                print(f"  - {seconds * 1000:.1f} ms: `{' '.join(sql.split())[:300]}`")
    print("\nQuery plans (statements >= 5 ms):\n")
    for sql, lines in r["plans"].items():
        print("```\n" + " ".join(sql.split())[:400])
        print("\n".join(lines) + "\n```")


if __name__ == "__main__":
    main()
