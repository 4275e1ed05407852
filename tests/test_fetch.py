"""The fetcher against a real loopback server: every misbehaviour ends as a documented result."""

from __future__ import annotations

import asyncio

import pytest

from fetch import http as http_module
from fetch.guard import public_only
from fetch.http import USER_AGENT, Fetcher, parse_max_age, parse_retry_after
from tests.fakes.feed_server import FeedServer, rss

FEED = rss("Gadget Desk", [{"title": "Xiaomi opens a lab", "link": "https://example.test/a"}])


@pytest.fixture
async def server():
    async with FeedServer() as s:
        yield s


@pytest.fixture
async def fetcher():
    f = Fetcher(connect_timeout=1, read_timeout=1, deadline=3)
    yield f
    await f.aclose()


async def test_ok_then_304_with_the_validators(server, fetcher):
    url = server.feed("/feed.xml", FEED)
    first = await fetcher.fetch(url)
    assert first.outcome == "ok" and b"Xiaomi opens a lab" in first.body
    assert first.etag and first.last_modified
    second = await fetcher.fetch(url, etag=first.etag, last_modified=first.last_modified)
    assert second.outcome == "not_modified" and second.body == b""
    hit = server.hits_to("/feed.xml")[-1]
    assert hit.headers["if-none-match"] == first.etag
    assert hit.headers["user-agent"] == USER_AGENT


async def test_a_changed_feed_is_fetched_again(server, fetcher):
    url = server.feed("/feed.xml", FEED)
    first = await fetcher.fetch(url)
    server.feed("/feed.xml", FEED.replace("Xiaomi opens a lab", "Xiaomi opens two labs"))
    second = await fetcher.fetch(url, etag=first.etag, last_modified=first.last_modified)
    assert second.outcome == "ok" and b"two labs" in second.body


async def test_gzip_is_decoded(server, fetcher):
    url = server.feed("/gz.xml", FEED, gzip=True)
    result = await fetcher.fetch(url)
    assert result.outcome == "ok" and result.body.startswith(b"<?xml")


async def test_redirects_are_followed_up_to_five(server, fetcher):
    final = server.feed("/final.xml", FEED)
    result = await fetcher.fetch(server.redirect_chain("/r", 5, final))
    assert result.outcome == "ok" and result.url == final


@pytest.mark.parametrize(
    ("setup", "error"),
    [
        (lambda s: s.redirect_chain("/r", 6, s.url("/x")), "more than 5 redirects"),
        (lambda s: s.redirect_loop("/loop"), "more than 5 redirects"),
        (lambda s: s.slow("/slow", b"x", delay_before_headers=2), "timed out"),
        (lambda s: s.hang("/hang"), "timed out"),
        (lambda s: s.slow("/drip", b"x" * 100, bytes_per_second=20), "took longer than 3 s"),
        (lambda s: s.huge("/huge", 11 * 1024 * 1024), "body larger than 10 MiB"),
        (
            lambda s: s.huge("/huge-cl", 11 * 1024 * 1024, declare_length=True),
            "body larger than 10 MiB",
        ),
        (lambda s: s.gzip_bomb("/bomb"), "body larger than 10 MiB"),
        (lambda s: s.status("/gone", 410), "HTTP 410"),
        (lambda s: s.status("/boom", 500), "HTTP 500"),
        (lambda s: s.drop_connection("/drop"), "closed the connection"),
        (lambda s: FeedServer.dead_url(), "connection failed"),
        (lambda s: "http://[::1/feed.xml", "invalid URL"),
        (lambda s: "ftp://example.test/feed.xml", "UnsupportedProtocol"),
    ],
)
async def test_failures_become_results_not_exceptions(server, fetcher, setup, error):
    result = await fetcher.fetch(setup(server))
    assert result.outcome == "error"
    assert error in result.error


async def test_429_and_503_carry_retry_after(server, fetcher):
    result = await fetcher.fetch(server.status("/busy", 429, headers={"Retry-After": "120"}))
    assert (result.outcome, result.retry_after) == ("error", 120)
    result = await fetcher.fetch(server.status("/down", 503, headers={"Retry-After": "30"}))
    assert (result.outcome, result.retry_after) == ("error", 30)


async def test_cache_control_max_age_is_reported(server, fetcher):
    url = server.feed("/cc.xml", FEED, cache_control="public, max-age=1800")
    assert (await fetcher.fetch(url)).max_age == 1800


async def test_at_most_two_requests_per_host_at_once(server):
    fetcher = Fetcher(deadline=10)
    urls = [server.slow(f"/s{i}", b"<rss/>", delay_before_headers=0.3) for i in range(6)]
    try:
        await asyncio.gather(*(fetcher.fetch(u) for u in urls))
    finally:
        await fetcher.aclose()
    assert server.peak_in_flight == 2


async def test_two_trickling_feeds_do_not_hold_up_their_hosts_other_feeds(server, monkeypatch):
    """Both of a host's slots taken by feeds dripping their body: after HOST_SLOT they move to
    overtime slots, and a good feed of the same host is fetched at once, not after the
    deadline."""
    monkeypatch.setattr(http_module, "HOST_SLOT", 0.5)
    fetcher = Fetcher(deadline=8)
    slow = [server.slow(f"/drip{i}", FEED * 4, bytes_per_second=300) for i in range(2)]
    good = server.feed("/good.xml", FEED)
    try:
        drips = [asyncio.create_task(fetcher.fetch(u)) for u in slow]
        await asyncio.sleep(0.2)  # both slots are the drips'
        started = asyncio.get_running_loop().time()
        result = await fetcher.fetch(good)
        waited = asyncio.get_running_loop().time() - started
        assert result.outcome == "ok"
        assert waited < 3  # about HOST_SLOT; before, until a drip ended (about 8 s)
        assert not any(d.done() for d in drips)  # the drips are still going
        for d in drips:
            d.cancel()
    finally:
        await fetcher.aclose()
    assert server.peak_in_flight <= 4  # never more than twice PER_HOST to one host


async def test_a_hung_source_does_not_delay_another_host(server):
    """Sources on other hosts keep flowing while one hangs (127.0.0.1 vs localhost)."""
    fetcher = Fetcher(read_timeout=5, deadline=5)
    hung = server.hang("/hang")
    fine = server.feed("/fine.xml", FEED).replace("127.0.0.1", "localhost")
    try:
        hang_task = asyncio.create_task(fetcher.fetch(hung))
        result = await asyncio.wait_for(fetcher.fetch(fine), timeout=2)
        assert result.outcome == "ok"
        hang_task.cancel()
    finally:
        await fetcher.aclose()


async def test_guard_refuses_loopback_and_redirects_into_it(server, fetcher):
    url = server.feed("/feed.xml", FEED)
    result = await fetcher.fetch(url, guard=public_only)
    assert result.outcome == "error" and result.error.startswith("refused:")
    assert server.hits_to("/feed.xml") == []  # refused before any request was made


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("120", 120),
        (" 5 ", 5),
        ("Wed, 25 Nov 2026 00:10:00 GMT", 600),
        ("soon", None),
        (None, None),
    ],
)
def test_parse_retry_after(value, seconds):
    now = 1795564800  # 2026-11-25 00:00:00 UTC
    assert parse_retry_after(value, now=now) == seconds


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("max-age=60", 60),
        ('public, max-age="90"', 90),
        ("no-store, max-age=60", None),
        (None, None),
    ],
)
def test_parse_max_age(value, seconds):
    assert parse_max_age(value) == seconds
