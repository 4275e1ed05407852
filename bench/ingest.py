"""Ingest benchmark: `python bench/ingest.py` prints a Markdown table for BENCHMARKS.md.

1. The real feeds in ../shared/corpus/feeds: parse + normalize + store, against bare
   feedparser.parse on the same bytes, both with feedparser's defaults (its sanitizer and URI
   resolution on: not the same work) and with the options news.feeds uses
   (sanitize_html=False, resolve_relative_uris=False: the floor; issue 17's goal <= 2.0x).
2. Re-polling unchanged feeds: CPU of this process per source when every answer is a 304
   (goal: < 2 ms). The feed host runs in another process so its CPU is not counted.
3. 1,000 sources on loopback (spread over 20 loopback addresses, as real sources are spread
   over hosts) with 10% changed: wall time of one round (goal: < 5 s), and peak memory. Their
   headlines and texts come from bench/latest.py's archive generator (see `_headlines`).
4. The same sources from a host that sends no ETag or Last-Modified (many servers): a round
   where nothing changed, with the digest of the last document (fetch.poller) and, in the same
   run, with the digests cleared, which is the work every round did before (issue 17).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import io
import multiprocessing
import os
import platform
import random
import resource
import socket
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import feedparser  # noqa: E402

from fetch.http import Fetcher  # noqa: E402
from fetch.poller import MAX_IN_FLIGHT, Poller  # noqa: E402
from news.events import terms  # noqa: E402
from news.feeds import parse_feed  # noqa: E402
from news.models import SourceOrigin, StoryDraft  # noqa: E402
from news.summary import summarize  # noqa: E402
from storage import Storage  # noqa: E402
from usecases.ingest import store_entries  # noqa: E402
from usecases.parsing import Reader  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "feeds"
HOSTS = 20
ITEMS_PER_FEED = 20


# --- 1. corpus ingest -------------------------------------------------------------------------


async def corpus_ingest(repeat: int) -> dict:
    feeds = [(p.name, p.read_bytes()) for p in sorted(CORPUS.glob("*.xml"))]
    bare_runs, same_runs, ingest_runs = [], [], []
    entries = 0
    for _ in range(repeat):
        started = time.perf_counter()
        for _name, body in feeds:
            feedparser.parse(io.BytesIO(body))
        bare_runs.append(time.perf_counter() - started)
        started = time.perf_counter()
        for _name, body in feeds:
            feedparser.parse(io.BytesIO(body), sanitize_html=False, resolve_relative_uris=False)
        same_runs.append(time.perf_counter() - started)

        with tempfile.TemporaryDirectory() as tmp:
            storage = await Storage.open(Path(tmp) / "bench.sqlite3")
            ids = [
                (await storage.sources.add(f"https://feeds.test/{name}", origin=SourceOrigin.CLI))[
                    0
                ].id
                for name, _ in feeds
            ]
            started = time.perf_counter()
            entries = 0
            for source_id, (name, body) in zip(ids, feeds, strict=True):
                parsed = parse_feed(body, url=f"https://feeds.test/{name}")
                await store_entries(
                    storage, source_id, parsed.stories, tag=None, backlog=True, push_since=0
                )
                entries += len(parsed.stories)
            ingest_runs.append(time.perf_counter() - started)
            await storage.close()
    bare, same, ingest = min(bare_runs), min(same_runs), min(ingest_runs)
    stages = await _stages(feeds, repeat)
    return {
        "stages": stages,
        "feeds": len(feeds),
        "entries": entries,
        "bytes": sum(len(b) for _, b in feeds),
        "bare": bare,
        "same": same,
        "ingest": ingest,
        "ratio": ingest / bare,
        "same_ratio": ingest / same,
    }


async def _store_cpu(feeds: list[tuple[str, list[StoryDraft]]]) -> float:
    """CPU of store_entries for drafts already summarized and with their terms."""
    with tempfile.TemporaryDirectory() as tmp:
        storage = await Storage.open(Path(tmp) / "stages.sqlite3")
        ids = [
            (await storage.sources.add(f"https://feeds.test/{n}", origin=SourceOrigin.CLI))[0].id
            for n, _ in feeds
        ]
        events = [{d.identity: terms(d.title, d.text) for d in drafts} for _, drafts in feeds]
        started = time.process_time()
        for source_id, (_, drafts), found in zip(ids, feeds, events, strict=True):
            await store_entries(storage, source_id, drafts, tag=None, backlog=True, push_since=0,
                                events=found)  # fmt: skip
        spent = time.process_time() - started
        await storage.close()
    return spent


async def _stages(feeds: list[tuple[str, bytes]], repeat: int) -> dict[str, float]:
    """CPU of each stage of the ingest over the corpus (the best of `repeat`), to show where
    the ratio to feedparser comes from. Storage is store_entries given the summaries and
    terms (so they are not counted twice)."""
    parsed = [(n, parse_feed(b, url=f"https://feeds.test/{n}").stories) for n, b in feeds]
    drafts = [d for _, stories in parsed for d in stories]
    ready = [
        (n, [dataclasses.replace(d, summary=summarize(d.title, d.text, d.language)) for d in ds])
        for n, ds in parsed
    ]
    best: dict[str, float] = {}

    def timed(stage: str, work: Callable[[], object]) -> None:
        started = time.process_time()
        work()
        best[stage] = min(best.get(stage, float("inf")), time.process_time() - started)

    for _ in range(repeat):
        timed("feedparser", lambda: [feedparser.parse(io.BytesIO(b), sanitize_html=False,
                                                      resolve_relative_uris=False)
                                     for _, b in feeds])  # fmt: skip
        timed(
            "parse_feed", lambda: [parse_feed(b, url=f"https://feeds.test/{n}") for n, b in feeds]
        )
        timed("summaries", lambda: [summarize(d.title, d.text, d.language) for d in drafts])
        timed("event terms", lambda: [terms(d.title, d.text) for d in drafts])
        best["storage"] = min(best.get("storage", float("inf")), await _store_cpu(ready))
    best["normalization"] = best["parse_feed"] - best["feedparser"]
    return best


# --- 2 and 3. polling 1,000 sources from another process ---------------------------------------


_POOL: list[tuple[str, str]] = []
# Entries are dated in the last hours, as a poll finds them: within the window that events are
# clustered in (news.events), so the round measures that work too.
_NOW = datetime.now(UTC)


def _headlines(size: int) -> list[tuple[str, str]]:
    """(headline, text) pairs from the archive generator of bench/latest.py: real headline
    and sentence shapes of the corpus, a Zipf vocabulary, some stories repeated by another
    outlet. Distinct headlines matter since events are clustered at ingest (issue 11): a
    thousand feeds of one identical headline would all be candidates of each other."""
    if len(_POOL) < size:
        from bench.latest import Generator

        rows, _, _ = Generator(size, 500, 2_000_000_000).batch(1, size)
        _POOL[:] = [(row[3], row[5]) for row in rows]
    return _POOL


def _feed_body(feed: int, version: int, count: int = 1000, per_feed: int = ITEMS_PER_FEED) -> bytes:
    pool = _headlines((count + count // 10 + 10) * per_feed)
    items = []
    for i in range(per_feed):
        n = version * per_feed + i
        title, text = pool[(version * count * per_feed + feed * per_feed + i)
                           % len(pool)]  # fmt: skip
        lead, _, rest = text.partition("\n\n")
        items.append(
            f"<item><title>{escape(title)}</title>"
            f"<link>https://site{feed}.test/story/{n}?utm_source=rss</link><guid>{feed}-{n}</guid>"
            f"<pubDate>{format_datetime(_NOW - timedelta(minutes=n), usegmt=True)}</pubDate>"
            f"<description><![CDATA[<p>{escape(lead)}</p><p>{escape(rest)}</p>]]>"
            f"</description></item>"
        )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Feed {feed}'
        f"</title><link>https://site{feed}.test/</link>{''.join(items)}</channel></rss>"
    ).encode()


def _host_process(
    port: int, count: int, ready, commands, validators: bool = True, per_feed: int = ITEMS_PER_FEED
) -> None:
    """The feed host: precomputed bodies, ETags, 304s (none without `validators`); changes
    bodies when told to."""
    from aiohttp import web

    versions = dict.fromkeys(range(count), 0)
    bodies = {i: _feed_body(i, 0, count, per_feed) for i in range(count)}

    async def handle(request: web.Request) -> web.Response:
        feed = int(request.match_info["n"])
        etag = f'"v{versions[feed]}"'
        if not validators:
            return web.Response(body=bodies[feed], headers={"Content-Type": "application/rss+xml"})
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(
            body=bodies[feed], headers={"ETag": etag, "Content-Type": "application/rss+xml"}
        )

    async def main() -> None:
        app = web.Application()
        app.router.add_get("/feed/{n}.xml", handle)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        for h in range(1, HOSTS + 1):
            await web.TCPSite(runner, f"127.0.0.{h}", port).start()
        ready.set()
        loop = asyncio.get_running_loop()
        while True:
            command = await loop.run_in_executor(None, commands.get)
            if command is None:
                break
            for feed in command:
                versions[feed] += 1
                bodies[feed] = _feed_body(feed, versions[feed], count, per_feed)
            ready.set()
        await runner.cleanup()

    asyncio.run(main())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


async def _workers_peak(reader: Reader, peak: list[float]) -> None:
    """The largest sum of the worker processes' resident memory, sampled every 0.2 s."""
    while True:
        peak[0] = max(peak[0], sum(_rss_mb(pid) for pid in reader.pids()))
        await asyncio.sleep(0.2)


def _workers_cpu(reader: Reader) -> float:
    """CPU seconds the parse workers have used: the live ones' (from /proc) and the ones
    already replaced (reaped children; the feed host is reaped only at the end)."""
    ticks = os.sysconf("SC_CLK_TCK")
    live = 0.0
    for pid in reader.pids():
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        live += (int(fields[11]) + int(fields[12])) / ticks
    done = resource.getrusage(resource.RUSAGE_CHILDREN)
    return live + done.ru_utime + done.ru_stime


async def polling(
    count: int,
    validators: bool = True,
    max_in_flight: int = MAX_IN_FLIGHT,
    workers: int | None = None,
    per_feed: int = ITEMS_PER_FEED,
) -> dict:
    port = _free_port()
    ctx = multiprocessing.get_context("spawn")
    ready, commands = ctx.Event(), ctx.Queue()
    host = ctx.Process(
        target=_host_process, args=(port, count, ready, commands, validators, per_feed), daemon=True
    )
    host.start()
    try:
        ready.wait(600)  # 10,000 bodies take a while to generate
        with tempfile.TemporaryDirectory() as tmp:
            storage = await Storage.open(Path(tmp) / "bench.sqlite3")
            for n in range(count):
                url = f"http://127.0.0.{n % HOSTS + 1}:{port}/feed/{n}.xml"
                await storage.sources.add(url, origin=SourceOrigin.CLI)
            fetcher = Fetcher()
            reader = Reader(workers)
            poller = Poller(
                storage, fetcher, interval=300, rng=random.Random(1), max_in_flight=max_in_flight,
                reader=reader,
            )  # fmt: skip
            workers_peak = [0.0]
            sampler = asyncio.create_task(_workers_peak(reader, workers_peak))

            async def round_() -> tuple[float, float, list]:
                sources = await storage.sources.all()
                wall, cpu = time.perf_counter(), time.process_time()
                spent_before = _workers_cpu(reader)
                reports = await poller.poll_all(sources)
                worker_cpu[0] = _workers_cpu(reader) - spent_before
                return time.perf_counter() - wall, time.process_time() - cpu, reports

            worker_cpu = [0.0]  # of the last round

            first_wall, first_cpu, first = await round_()
            first_workers_cpu = worker_cpu[0]
            first_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            first_workers_peak = workers_peak[0]
            assert all(r.error is None for r in first), [r.error for r in first if r.error][:3]
            unchanged_wall, unchanged_cpu, reports = await round_()
            not_modified = sum(r.status.value == "not_modified" for r in reports)
            if not validators:  # the same unchanged round, parsing every body as before
                await storage.conn.execute("UPDATE sources SET body_hash = NULL")
                await storage.conn.execute("UPDATE sources SET next_check_at = 0")
                parsed_wall, parsed_cpu, _ = await round_()
                parsed_workers_cpu = worker_cpu[0]
                sampler.cancel()
                await reader.aclose()
                await fetcher.aclose()
                await storage.close()
                return {
                    "sources": count,
                    "unchanged_wall": unchanged_wall,
                    "unchanged_cpu": unchanged_cpu,
                    "not_modified": not_modified,
                    "parsed_wall": parsed_wall,
                    "parsed_cpu": parsed_cpu,
                    "parsed_workers_cpu": parsed_workers_cpu,
                }

            ready.clear()
            commands.put(random.Random(2).sample(range(count), count // 10))
            ready.wait(600)  # 10,000 bodies take a while to generate
            changed_wall, changed_cpu, reports = await round_()
            changed_workers_cpu = worker_cpu[0]
            new = sum(r.new for r in reports)
            stories = await storage.stories.count()
            sampler.cancel()
            await reader.aclose()
            await fetcher.aclose()
            await storage.close()
    finally:
        commands.put(None)
        host.join(10)
    return {
        "sources": count,
        "first_wall": first_wall,
        "first_cpu": first_cpu,
        "first_workers_cpu": first_workers_cpu,
        "first_peak": first_peak,
        "first_workers_peak": first_workers_peak,
        "workers": reader.workers,
        "unchanged_wall": unchanged_wall,
        "unchanged_cpu_per_source_ms": unchanged_cpu / count * 1000,
        "not_modified": not_modified,
        "changed_wall": changed_wall,
        "changed_cpu": changed_cpu,
        "changed_workers_cpu": changed_workers_cpu,
        "new": new,
        "stories": stories,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5, help="corpus runs; the best is kept")
    parser.add_argument(
        "--max-in-flight", type=int, default=MAX_IN_FLIGHT, help="polls at once (fetch.poller)"
    )
    parser.add_argument("--first-poll-only", action="store_true", help="rows 3's first poll only")
    parser.add_argument(
        "--parse-workers", type=int, default=None, help="usecases.parsing workers (default: auto)"
    )
    parser.add_argument("--corpus-only", action="store_true", help="row 1 only")
    parser.add_argument("--items", type=int, default=ITEMS_PER_FEED, help="stories per feed")
    args = parser.parse_args()

    print(
        f"Machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    print(f"Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n")
    print("| measure | result | goal |\n|---|---|---|")
    if args.first_poll_only:
        p = asyncio.run(
            polling(
                args.sources,
                max_in_flight=args.max_in_flight,
                workers=args.parse_workers,
                per_feed=args.items,
            )
        )
        print(
            f"| {p['sources']} sources x {args.items} stories, first poll, {args.max_in_flight} polls at once,"
            f" {p['workers']} parse workers | {p['first_wall']:.1f} s wall,"
            f" {p['first_cpu']:.1f} s CPU of the bot's process and {p['first_workers_cpu']:.1f}"
            f" s of the workers, **peak RSS {p['first_peak']:.0f}"
            f" MB**, workers {p['first_workers_peak']:.0f} MB | |"
        )
        return
    if CORPUS.is_dir():
        c = asyncio.run(corpus_ingest(args.repeat))
        print(
            f"| corpus: {c['feeds']} feeds, {c['entries']} entries, {c['bytes'] / 1e6:.1f} MB:"
            f" bare feedparser.parse | {c['bare'] * 1000:.0f} ms | |"
        )
        print(
            f"| corpus: bare feedparser.parse with news.feeds' options (no sanitizer, no URI"
            f" resolution) | {c['same'] * 1000:.0f} ms | |"
        )
        print(
            f"| corpus: parse + normalize + store | {c['ingest'] * 1000:.0f} ms"
            f" (**{c['same_ratio']:.2f}x** the same options, {c['ratio']:.2f}x the defaults)"
            f" | <= 2.0x the same options |"
        )
        stages = c["stages"]
        floor = stages["feedparser"]
        print(
            "| corpus, CPU by stage (x feedparser with the same options) | "
            + ", ".join(
                f"{name} {stages[name] * 1000:.0f} ms ({stages[name] / floor:.2f}x)"
                for name in ("feedparser", "normalization", "summaries", "event terms", "storage")
            )
            + " | |"
        )
    else:
        print("| corpus ingest | skipped: ../shared/corpus not found | <= 2.0x |")
    if args.corpus_only:
        return
    p = asyncio.run(polling(args.sources, workers=args.parse_workers))
    print(
        f"| {p['sources']} sources, first poll (all new, backlog) | {p['first_wall']:.2f} s wall,"
        f" {p['first_cpu']:.1f} s CPU and {p['first_workers_cpu']:.1f} s in the parse workers,"
        f" peak RSS {p['first_peak']:.0f} MB | |"
    )
    print(
        f"| re-poll, all unchanged ({p['not_modified']} x 304) | {p['unchanged_wall']:.2f} s wall,"
        f" **{p['unchanged_cpu_per_source_ms']:.2f} ms CPU/source** | < 2 ms CPU/source |"
    )
    print(
        f"| round with 10% changed ({p['new']} new stories) | **{p['changed_wall']:.2f} s wall**,"
        f" {p['changed_cpu']:.2f} s CPU and {p['changed_workers_cpu']:.2f} s in the parse workers"
        f" | < 15 s |"
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"| peak memory (RSS) of the polling process | {peak:.0f} MB | |")
    b = asyncio.run(polling(args.sources, validators=False, workers=args.parse_workers))
    print(
        f"| host without ETag/Last-Modified, nothing changed: every body parsed (before) |"
        f" {b['parsed_wall']:.2f} s wall, {b['parsed_cpu'] / b['sources'] * 1000:.2f} ms CPU/source"
        f" and {b['parsed_workers_cpu'] / b['sources'] * 1000:.2f} in the parse workers | |"
    )
    print(
        f"| the same round with the last document's digest ({b['not_modified']} unchanged) |"
        f" {b['unchanged_wall']:.2f} s wall,"
        f" **{b['unchanged_cpu'] / b['sources'] * 1000:.2f} ms CPU/source** | no parse |"
    )


if __name__ == "__main__":
    main()
