"""Polling end to end: loopback feed server -> fetcher -> feedparser -> normalize -> SQLite."""

from __future__ import annotations

import asyncio
import logging
import random
import sqlite3

import pytest

from fetch.http import Fetcher
from fetch.poller import Poller
from news.models import SourceOrigin, SourceStatus
from news.schedule import DAY
from storage import Storage
from storage import stories as storage_stories
from tests.fakes.feed_server import FeedServer, rss

INTERVAL = 300


def item(n: int, **extra) -> dict:
    base = {
        "title": f"Xiaomi story number {n}",
        "link": f"https://news.example.test/story-{n}?utm_source=rss",
        "guid": f"story-{n}",
        "description": f"<p>Xiaomi did thing {n}.</p><p>The post Story {n} appeared first on Example.</p>",
        "pubDate": "Tue, 24 Nov 2026 10:00:00 GMT",
    }
    return base | extra


class Clock:
    def __init__(self, now: float = 1_795_564_800) -> None:  # 2026-11-25 00:00 UTC
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def env(tmp_path):
    clock = Clock()
    storage = await Storage.open(tmp_path / "bot.sqlite3", clock=clock)
    fetcher = Fetcher(connect_timeout=1, read_timeout=1, deadline=3)
    async with FeedServer() as server:
        poller = Poller(storage, fetcher, interval=INTERVAL, rng=random.Random(1))
        yield server, storage, poller, clock
    await fetcher.aclose()
    await storage.close()


async def add(storage, url):
    source, _ = await storage.sources.add(url, origin=SourceOrigin.CLI)
    return source


async def story_rows(storage):
    async with storage.conn.execute(
        "SELECT id, cluster_id, link, title, text, backlog FROM stories ORDER BY id"
    ) as c:
        return [tuple(r) async for r in c]


async def test_first_poll_is_backlog_then_only_new_items_are_new(env):
    server, storage, poller, _ = env
    url = server.feed("/feed.xml", rss("Phones Daily", [item(1), item(2)]))
    source = await add(storage, url)

    first = await poller.poll(source)
    assert first.as_json() == {
        "url": url, "title": "Phones Daily", "status": "ok", "new": 2, "error": None,
        "seconds": first.as_json()["seconds"],
    }  # fmt: skip
    rows = await story_rows(storage)
    assert [r[5] for r in rows] == [1, 1]  # backlog: stored, never pushed
    assert rows[0][2] == "https://news.example.test/story-1"  # tracking parameter gone
    assert "appeared first on" not in rows[0][4] and "Xiaomi did thing 1." in rows[0][4]

    second = await poller.poll(await storage.sources.get(source.id))
    assert (second.status, second.new) == (SourceStatus.NOT_MODIFIED, 0)

    server.feed("/feed.xml", rss("Phones Daily", [item(3), item(1), item(2)]))
    third = await poller.poll(await storage.sources.get(source.id))
    assert (third.status, third.new) == (SourceStatus.OK, 1)
    rows = await story_rows(storage)
    assert len(rows) == 3 and rows[2][5] == 0  # a new story, not backlog


async def test_repolling_without_validators_never_duplicates(env):
    server, storage, poller, _ = env
    url = server.feed("/plain.xml", rss("Plain", [item(1), item(2)]), etag=None, last_modified=None)
    source = await add(storage, url)
    for _ in range(3):
        report = await poller.poll(await storage.sources.get(source.id))
    assert report.new == 0 and len(await story_rows(storage)) == 2


async def test_the_same_document_again_without_validators_is_not_parsed_again(env, monkeypatch):
    """A server that sends no ETag or Last-Modified: the same bytes are recognised by their
    digest and recorded as unchanged; new bytes are parsed as usual."""
    import news.ingest

    parsed = []
    real = news.ingest.parse_feed
    monkeypatch.setattr(
        news.ingest, "parse_feed", lambda body, **kw: parsed.append(1) or real(body, **kw)
    )
    server, storage, poller, _ = env
    url = server.feed("/bare.xml", rss("Bare", [item(1), item(2)]), etag=None, last_modified=None)
    source = await add(storage, url)
    assert (await poller.poll(source)).status is SourceStatus.OK
    again = await poller.poll(await storage.sources.get(source.id))
    assert (again.status, again.new, len(parsed)) == (SourceStatus.NOT_MODIFIED, 0, 1)
    server.feed(
        "/bare.xml", rss("Bare", [item(3), item(1), item(2)]), etag=None, last_modified=None
    )
    changed = await poller.poll(await storage.sources.get(source.id))
    assert (changed.status, changed.new, len(parsed)) == (SourceStatus.OK, 1, 2)
    assert len(await story_rows(storage)) == 3


async def test_a_document_whose_store_failed_is_parsed_again_next_time(env, monkeypatch):
    server, storage, poller, _ = env
    url = server.feed("/bare.xml", rss("Bare", [item(1)]), etag=None, last_modified=None)
    source = await add(storage, url)
    await poller.poll(source)
    server.feed("/bare.xml", rss("Bare", [item(2), item(1)]), etag=None, last_modified=None)

    async def broken(*_args, **_kwargs):
        raise sqlite3.OperationalError("disk I/O error")

    with monkeypatch.context() as patched:
        patched.setattr(storage.stories, "store", broken)
        failed = await poller.poll(await storage.sources.get(source.id))
    assert failed.status is SourceStatus.ERROR
    retried = await poller.poll(await storage.sources.get(source.id))
    assert (retried.status, retried.new) == (SourceStatus.OK, 1)  # the digest was not kept


async def test_an_edited_story_is_updated_not_added(env):
    server, storage, poller, _ = env
    url = server.feed("/feed.xml", rss("Desk", [item(1)]))
    source = await add(storage, url)
    await poller.poll(source)
    server.feed("/feed.xml", rss("Desk", [item(1, title="Xiaomi story number 1, corrected")]))
    report = await poller.poll(await storage.sources.get(source.id))
    rows = await story_rows(storage)
    assert report.new == 0 and len(rows) == 1 and rows[0][3] == "Xiaomi story number 1, corrected"


async def test_same_article_from_two_sources_is_one_story(env):
    server, storage, poller, _ = env
    a = await add(storage, server.feed("/a.xml", rss("A", [item(1)])))
    b = await add(
        storage,
        server.feed(
            "/b.xml",
            rss(
                "B", [item(1, guid="other-guid", link="https://news.example.test/story-1#comments")]
            ),
        ),
    )
    await poller.poll(a)
    await poller.poll(b)
    assert len(await story_rows(storage)) == 1
    counts = await storage.sources.story_counts()
    assert counts == {a.id: 1, b.id: 1}


async def test_the_same_headline_elsewhere_joins_the_cluster(env):
    server, storage, poller, _ = env
    a = await add(storage, server.feed("/a.xml", rss("A", [item(1)])))
    b = await add(
        storage, server.feed("/b.xml", rss("B", [item(9, title="XIAOMI story number 1!")]))
    )
    await poller.poll(a)
    await poller.poll(b)
    rows = await story_rows(storage)
    assert len(rows) == 2 and rows[0][1] == rows[1][1] == rows[0][0]


SAME_EVENT = (
    "Xiaomi opens its first research centre in Dubai with 200 engineers",
    "Xiaomi's first Dubai research centre opens with 200 engineers on staff",
    "Xiaomi opens first research centre in Dubai, hires 200 engineers",
)


async def test_one_source_reporting_an_event_twice_in_one_poll_joins_it_once(env):
    # Rule 2 of news.events holds inside one poll too: the second story sees the first.
    server, storage, poller, _ = env
    b = await add(storage, server.feed("/b.xml", rss("B", [item(3, title=SAME_EVENT[2])])))
    a = await add(storage, server.feed("/a.xml", rss("A", [
        item(1, title=SAME_EVENT[0]), item(2, title=SAME_EVENT[1])])))  # fmt: skip
    await poller.poll(b)
    await poller.poll(a)
    b_story, *a_stories = [row[1] for row in await story_rows(storage)]
    assert sorted(c == b_story for c in a_stories) == [False, True]


async def test_a_poll_that_rolls_back_leaves_nothing_in_the_event_index(env, monkeypatch):
    server, storage, poller, _ = env
    a = await add(storage, server.feed("/a.xml", rss("A", [item(1, title=SAME_EVENT[0])])))
    b = await add(storage, server.feed("/b.xml", rss("B", [item(3, title=SAME_EVENT[2])])))

    async def full_disk(*_args, **_kwargs):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(storage_stories, "queue_edits", full_disk)
    await poller.poll(a)
    report = await poller.poll(b)  # B joins A's event; queueing its edit fails: rolled back
    assert report.error == "the database cannot be written (full: database or disk is full)"
    assert [row[2] for row in await story_rows(storage)] == ["https://news.example.test/story-1"]
    monkeypatch.undo()
    await poller.poll(b)  # polled again: B's story is stored and joins A's event once
    rows = await story_rows(storage)
    assert len(rows) == 2 and rows[0][1] == rows[1][1]


async def test_failures_back_off_and_a_success_resets(env):
    server, storage, poller, clock = env
    url = server.status("/feed.xml", 500)
    source = await add(storage, url)
    expected = []
    for failures in (1, 2, 3):
        report = await poller.poll(await storage.sources.get(source.id))
        assert (
            report.status is SourceStatus.ERROR and report.error == "HTTP 500 Internal Server Error"
        )
        row = await storage.sources.get(source.id)
        assert row.error_count == failures
        delay = row.next_check_at - int(clock.now)
        expected.append(INTERVAL * 2**failures)
        assert expected[-1] <= delay <= expected[-1] * 1.1
    server.feed("/feed.xml", rss("Back", [item(1)]))
    report = await poller.poll(await storage.sources.get(source.id))
    row = await storage.sources.get(source.id)
    assert report.status is SourceStatus.OK and row.error_count == 0 and row.last_error is None


async def test_a_failing_source_is_one_warning_not_one_per_poll(env, caplog):
    server, storage, poller, _clock = env
    source = await add(storage, server.status("/feed.xml", 500))
    with caplog.at_level(logging.INFO, logger="fetch.poller"):
        for _ in range(4):
            await poller.poll(await storage.sources.get(source.id))
        server.feed("/feed.xml", rss("Back", [item(1)]))
        await poller.poll(await storage.sources.get(source.id))
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "HTTP 500" in warnings[0]  # when it started failing
    assert any("works again after 4 failures" in r.getMessage() for r in caplog.records)


async def test_retry_after_is_honoured(env):
    server, storage, poller, clock = env
    source = await add(storage, server.status("/busy.xml", 429, headers={"Retry-After": "7200"}))
    await poller.poll(source)
    row = await storage.sources.get(source.id)
    assert row.next_check_at - int(clock.now) >= 7200


async def test_ttl_and_max_age_slow_polling_down_but_never_past_a_day(env):
    server, storage, poller, clock = env
    url = server.feed(
        "/ttl.xml", rss("Slow", [item(1)], ttl=60 * 24 * 30), cache_control="max-age=60"
    )
    source = await add(storage, url)
    await poller.poll(source)
    delay = (await storage.sources.get(source.id)).next_check_at - int(clock.now)
    assert delay == DAY


@pytest.mark.parametrize(
    ("setup", "error"),
    [
        (lambda s: s.html_page("/page"), "not a feed (an HTML page)"),
        (lambda s: s.feed("/empty.xml", b"", content_type="application/xml"), "empty document"),
        (
            lambda s: s.feed("/junk.xml", b"\x00\x01garbage{", content_type="application/xml"),
            "not a feed",
        ),
        (lambda s: s.gzip_bomb("/bomb"), "body larger than 10 MiB"),
        (lambda s: FeedServer.dead_url(), "connection failed"),
    ],
)
async def test_bad_sources_end_as_a_status(env, setup, error):
    server, storage, poller, _ = env
    source = await add(storage, setup(server))
    report = await poller.poll(source)
    assert report.status is SourceStatus.ERROR and error in report.error
    assert (await storage.sources.get(source.id)).last_error == report.error


async def test_alert_is_raised_once_after_a_day_of_failures(env):
    server, storage, poller, clock = env
    source = await add(storage, server.status("/down.xml", 503))
    assert not (await poller.poll(source)).alert
    clock.now += DAY
    report = await poller.poll(await storage.sources.get(source.id))
    assert report.alert
    await storage.sources.mark_alerted(source.id)
    clock.now += DAY
    assert not (await poller.poll(await storage.sources.get(source.id))).alert


async def test_poll_all_polls_concurrently_and_reports_each(env):
    server, storage, poller, _ = env
    urls = [server.feed(f"/f{i}.xml", rss(f"F{i}", [item(10 * i + 1)])) for i in range(5)]
    for url in urls:
        await add(storage, url)
    due = await storage.sources.due(int(storage.now()) + 1)
    reports = await poller.poll_all(due)
    assert sorted(r.source.url for r in reports) == sorted(urls)
    assert all(r.status is SourceStatus.OK and r.new == 1 for r in reports)


async def test_a_brands_own_newsroom_tags_its_stories_with_the_brand(env):
    from news.catalogue import load_catalogue
    from news.matching import Matcher

    server, storage, poller, _ = env
    catalogue = load_catalogue()
    tagging = Poller(
        storage, poller.fetcher, interval=INTERVAL, matcher=Matcher(catalogue), catalogue=catalogue
    )
    url = server.feed(
        "/news.xml",
        rss(
            "Apple Newsroom",
            [
                item(
                    1,
                    title="Our new campus opens in Austin",
                    description="<p>The campus employs 5,000 people.</p>",
                )
            ],
        ),
    )
    source, _ = await storage.sources.add(url, origin=SourceOrigin.CLI, title="Apple Newsroom")
    await tagging.poll(source)
    async with storage.conn.execute("SELECT brand, about FROM story_brands") as c:
        assert [tuple(r) async for r in c] == [("apple", 1)]


async def test_a_feed_declared_utf8_with_cp1252_bytes_is_stored_readable(env):
    server, storage, poller, _clock = env
    document = rss("Desk", [item(1, title="Xiaomi’s café — “new” phone")])
    source = await add(storage, server.feed("/cp.xml", document.encode("cp1252")))
    report = await poller.poll(source)
    assert report.status is SourceStatus.OK
    assert [row[3] for row in await story_rows(storage)] == ["Xiaomi’s café — “new” phone"]


async def test_at_most_max_in_flight_sources_are_polled_at_once(env, monkeypatch):
    """A thousand sources due together must not each hold a fetched body at once."""
    server, storage, poller, _ = env
    poller = Poller(storage, poller.fetcher, interval=300, max_in_flight=2)
    sources = [
        await add(storage, server.feed(f"/f{n}.xml", rss(f"Desk {n}", [item(n)]))) for n in range(6)
    ]
    running, most = 0, 0
    real = poller.fetcher.fetch

    async def counting(*args, **kwargs):
        nonlocal running, most
        running += 1
        most = max(most, running)
        try:
            await asyncio.sleep(0.01)  # let the others start if they may
            return await real(*args, **kwargs)
        finally:
            running -= 1

    monkeypatch.setattr(poller.fetcher, "fetch", counting)
    reports = await poller.poll_all(sources)
    assert [r.status for r in reports] == [SourceStatus.OK] * 6
    assert most == 2


async def test_entries_the_last_document_had_unchanged_are_not_read_again_edits_are(
    env, monkeypatch
):
    """news.feeds rule 7: a changed document's old entries cost no normalization; an entry
    whose fields changed is read and stored as the edit it is."""
    import news.feeds

    read = []
    real = news.feeds.normalize_entry
    monkeypatch.setattr(
        news.feeds,
        "normalize_entry",
        lambda entry, **kw: read.append(entry.id) or real(entry, **kw),
    )
    server, storage, poller, _ = env
    url = server.feed("/feed.xml", rss("Desk", [item(1), item(2)]))
    source = await add(storage, url)
    await poller.poll(source)
    assert sorted(read) == ["story-1", "story-2"]
    read.clear()
    server.feed("/feed.xml", rss("Desk", [item(3), item(1), item(2)]))
    report = await poller.poll(await storage.sources.get(source.id))
    assert (report.new, read) == (1, ["story-3"])
    read.clear()
    edited = item(2, description="<p>Xiaomi did thing 2, and more.</p>")
    server.feed("/feed.xml", rss("Desk", [item(3), item(1), edited]))
    report = await poller.poll(await storage.sources.get(source.id))
    assert (report.new, read) == (0, ["story-2"])
    texts = {
        title: text for _id, _cluster, _link, title, text, _backlog in await story_rows(storage)
    }
    assert texts["Xiaomi story number 2"] == "Xiaomi did thing 2, and more."
