"""Benchmark of news.events: quality on the labelled window, and the cost of one decision.

    python bench/clusters.py [--window 40000]

Quality: the 405 stories of ../shared/corpus/clusters (12 outlets, 48 h) read through the
bot's parser and matcher, clustered online in time order, scored as the window's score.py
scores, next to what the bot did before (identical normalized headlines). Cost: the time of
`EventIndex.match` for a new story against an index holding WINDOW stories (the index holds
only the last 48 h, so the archive's size does not enter: a 1,000,000-story archive with
20,000 stories a day holds 40,000 in its window), built from the corpus stories with their
words shuffled across copies, the time to add one story, and the memory the index holds per
story (issue 17: a first poll of 1,000 sources puts 20,000 stories in its window).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from news.events import EventIndex, Story, terms  # noqa: E402
from tests.event_window import (  # noqa: E402
    DAY_TWO,
    cluster_online,
    score,
    title_baseline,
    window_stories,
)


def quality() -> None:
    stories = window_stories()
    start = time.perf_counter()
    ours, matches = cluster_online(stories)
    elapsed = time.perf_counter() - start
    print("| method | P | R | F1 | P / R without ambiguous | pushes per multi-outlet event |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, clusters in (("identical headline (before)", title_baseline(stories)),
                           ("news.events", ours)):  # fmt: skip
        s = score(stories, clusters)
        a = score(stories, clusters, skip_ambiguous=True)
        p = "n/a" if s.precision != s.precision else f"{s.precision:.3f}"
        pa = "n/a" if a.precision != a.precision else f"{a.precision:.3f}"
        print(f"| {name} | {p} | {s.recall:.3f} | {s.f1:.3f} | {pa} / {a.recall:.3f} |"
              f" {s.pushes_per_event:.2f} ({s.swallowed} swallowed) |")  # fmt: skip
    for label, day in (("day 1", lambda s: s.published_at < DAY_TWO),
                       ("day 2", lambda s: s.published_at >= DAY_TWO)):  # fmt: skip
        s = score(stories, ours, only=day)
        print(f"\n{label}: P {s.precision:.3f} R {s.recall:.3f}", end="")
    rules: dict[str, int] = {}
    for m in matches:
        if m:
            rules[m.rule] = rules.get(m.rule, 0) + 1
    print(f"\n\njoins by rule: {rules}; {elapsed * 1000 / len(stories):.2f} ms per story")
    for merge in score(stories, ours).wrong_merges:
        print("wrong merge: " + " || ".join(f"{s.outlet}: {s.title}" for s in merge))


def replayed() -> None:
    """The window through the running bot (tests/event_replay.py), one chat per brand."""
    import asyncio
    import tempfile

    from bot.settings import Secret, Settings
    from tests.event_replay import replay
    from tests.fakes.telegram_api import TOKEN, FakeTelegram

    async def run():
        telegram = FakeTelegram(enforce_rate_limits=False)
        await telegram.start()
        try:
            with tempfile.TemporaryDirectory() as folder:
                settings = Settings(token=Secret(TOKEN), api_url=telegram.api_url,
                                    database=Path(folder) / "bench.sqlite3", timezone="UTC")  # fmt: skip
                started = time.perf_counter()
                result = await replay(Path(folder), settings, telegram)
                return result, time.perf_counter() - started
        finally:
            await telegram.stop()

    result, elapsed = asyncio.run(run())
    pushes = sum(len(links) for links in result.pushes.values())
    wrong = [(link, other) for link, others in result.also_links() for other in others
             if result.gold.get(link) != result.gold.get(other)]  # fmt: skip
    print(f"\nreplay through the bot ({len(result.brands)} chats, 14 snapshots, {elapsed:.0f} s):"
          f" {result.pushes_per_event():.2f} pushes per chat per multi-outlet event,"
          f" {pushes} pushes, {sum(result.edits.values())} edits of {len(result.edits)} pushes,"
          f" {result.refused_edits} refused, {len(wrong)} outlets shown under another event")  # fmt: skip
    for link, other in wrong:
        print(f"  shown under {link}: {other}")


def cost(window: int, rounds: int) -> None:
    stories = window_stories()
    rng = random.Random(20261201)
    base = [terms(s.title, s.text) for s in stories]
    vocab = sorted({w for t in base for w in t.title | t.lead})
    index = EventIndex(window=10**9)
    built = time.perf_counter()
    for n in range(window):
        t = base[n % len(base)]
        # a copy with a third of its words replaced, so copies are not identical
        swap = {w: rng.choice(vocab) for w in t.title | t.lead if rng.random() < 0.33}
        t = dataclasses.replace(t, title=frozenset(swap.get(w, w) for w in t.title),
                                lead=frozenset(swap.get(w, w) for w in t.lead))  # fmt: skip
        index.add(Story(n + 1, n + 1, n % 500, 1_000_000 + n, frozenset(), t))
    built = time.perf_counter() - built
    news = [base[r % len(base)] for r in range(rounds)]
    _report(f"{window:,}", index, news, published_at=1_000_000 + window, add=built / window)


def _report(label: str, index: EventIndex, news: list, *, published_at: int, add: float) -> None:
    """Time `index.match` for each new story; print a row of the cost table."""
    times = []
    for new in news:
        start = time.perf_counter()
        index.match(new, source_id=10_000, published_at=published_at)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p95 = times[int(len(times) * 0.95)]
    print(f"| {label} | {statistics.median(times):.2f} | {p95:.2f} | {times[-1]:.2f} |"
          f" {add * 1e6:.0f} µs |")  # fmt: skip


def cost_generated(window: int, rounds: int) -> None:
    """The same decision against an index of the archive generator's stories (bench/latest.py:
    real headline and sentence shapes, a Zipf vocabulary, brands, same-headline clusters), the
    new stories being the labelled window's real ones."""
    from bench.latest import Generator

    generator = Generator(window, 500, 2_000_000_000)
    rows, _, _ = generator.batch(1, window)
    index = EventIndex(window=10**9)
    built = time.perf_counter()
    for story_id, cluster, _link, title, _key, text, *_rest in rows:
        index.add(Story(story_id, cluster, story_id % 500, 1_000_000, frozenset(),
                        terms(title, text)))  # fmt: skip
    built = time.perf_counter() - built
    stories = window_stories()
    news = [terms(s.title, s.text) for s in (stories[r % len(stories)] for r in range(rounds))]
    _report(f"{window:,} (generated)", index, news, published_at=1_000_000, add=built / window)


def memory(window: int) -> None:
    """What the index holds per story (tracemalloc, a build of its own: tracing slows it)."""
    import gc
    import tracemalloc

    from bench.latest import Generator

    rows, _, _ = Generator(window, 500, 2_000_000_000).batch(1, window)
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    index = EventIndex(window=10**9)
    for story_id, cluster, _link, title, _key, text, *_rest in rows:
        index.add(Story(story_id, cluster, story_id % 500, 1_000_000, frozenset(),
                        terms(title, text)))  # fmt: skip
    gc.collect()
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    print(f"| {window:,} (generated): memory | {held / 2**20:.1f} MiB | {held / window:,.0f} bytes"
          " a story | | |")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--window", type=int, action="append")
    parser.add_argument("--rounds", type=int, default=400)
    args = parser.parse_args()
    print(f"{datetime.date.today()} · {platform.processor() or platform.machine()} ·"
          f" {os.cpu_count()} cores · load {os.getloadavg()[0]:.2f} · Python"
          f" {platform.python_version()}\n")  # fmt: skip
    try:
        quality()
    except FileNotFoundError as exc:
        print(f"quality skipped: {exc}")
        return
    replayed()
    print("\n| stories in the index | match median ms | p95 ms | max ms | add per story |")
    print("| ---: | ---: | ---: | ---: | ---: |")
    for window in args.window or [1_000, 10_000, 40_000]:
        cost(window, args.rounds)
    for window in args.window or [1_000, 10_000, 40_000]:
        cost_generated(window, args.rounds)
    for window in args.window or [20_000]:
        memory(window)


if __name__ == "__main__":
    main()
