"""The fake feed host (tests/fakes/feed_server.py), driven by a real httpx.AsyncClient.

These pin down what the fetcher's tests will rely on: each misbehaviour surfaces in httpx the
way the real thing does (timeouts, disconnects, redirect limits, encodings), and the server
itself survives clients that walk away.
"""

from __future__ import annotations

import asyncio
import io
import logging
import time
import zlib
from datetime import UTC, datetime

import feedparser
import httpx
import pytest

from tests.fakes.feed_server import ATOM_CONTENT_TYPE, FeedServer, atom, rss

MiB = 1 << 20
BODY_CAP = 10 * MiB  # the fetcher's cap on decompressed bytes

ITEMS = [
    {
        "title": "Xiaomi opens a research centre in Dubai",
        "link": "https://example.test/2025/03/xiaomi-dubai",
        "guid": "xiaomi-dubai-1",
        "description": "The lab will work on <b>batteries</b> & cameras.",
        "content": "<p>Hiring starts in spring. Odd text: ]]> stays intact.</p>",
        "pubDate": "Mon, 03 Mar 2025 09:30:00 GMT",
        "author": "Desk Editor",
        "category": ["Xiaomi", "Research"],
    },
    {
        "title": "Samsung & LG agree on a common charger plug",
        "link": "https://example.test/2025/03/charger",
        "pubDate": datetime(2025, 3, 2, 18, 0, tzinfo=UTC),
        "author": "news@example.test",
        "category": "Samsung",
    },
    {
        "title": "Nothing teases a phone with a <transparent> back",
        "link": "https://example.test/2025/03/nothing",
        "pubDate": datetime(2025, 3, 1, 7, 15),  # naive: taken as UTC
    },
]


@pytest.fixture
async def server(caplog):
    caplog.set_level(logging.WARNING, logger="aiohttp")
    async with FeedServer() as fake:
        yield fake
    # Whatever the clients did, the server's own code must not have failed...
    assert fake.errors == []
    # ...nor aiohttp have logged an unhandled error on its behalf.
    assert [r for r in caplog.records if r.name.startswith("aiohttp")] == []


@pytest.fixture
async def client():
    async with httpx.AsyncClient(timeout=httpx.Timeout(5.0)) as http:
        yield http


# ---------------------------------------------------------------------- conditional GET


async def test_etag_304_and_replaced_body_gets_new_etag(server, client):
    url = server.feed("/feed.xml", rss("News", ITEMS[:1]))
    first = await client.get(url)
    assert first.status_code == 200
    assert first.headers["content-type"] == "application/rss+xml; charset=utf-8"
    etag = first.headers["etag"]
    assert etag.startswith('"') and etag.endswith('"')

    again = await client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag

    # Weak form and lists match too, as on real servers.
    weak = await client.get(url, headers={"If-None-Match": f'"other", W/{etag}'})
    assert weak.status_code == 304

    # "Publishing" an item: same path, new body, new ETag; the old one no longer matches.
    server.feed("/feed.xml", rss("News", ITEMS[:2]))
    changed = await client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag
    assert len(feedparser.parse(io.BytesIO(changed.content)).entries) == 2

    sent = [hit.headers.get("if-none-match") for hit in server.hits_to("/feed.xml")]
    assert sent == [None, etag, f'"other", W/{etag}', etag]


async def test_if_modified_since_304(server, client):
    url = server.feed("/feed.xml", rss("News", ITEMS))
    first = await client.get(url)
    last_modified = first.headers["last-modified"]
    assert last_modified.endswith(" GMT")

    same = await client.get(url, headers={"If-Modified-Since": last_modified})
    assert same.status_code == 304
    assert same.content == b""
    later = await client.get(url, headers={"If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"})
    assert later.status_code == 304
    earlier = await client.get(url, headers={"If-Modified-Since": "Sat, 01 Jan 2000 00:00:00 GMT"})
    assert earlier.status_code == 200
    garbage = await client.get(url, headers={"If-Modified-Since": "yesterday-ish"})
    assert garbage.status_code == 200

    # A replaced body is modified since the old date, so the new item is not hidden.
    server.feed("/feed.xml", rss("News", ITEMS[:1]))
    replaced = await client.get(url, headers={"If-Modified-Since": last_modified})
    assert replaced.status_code == 200
    assert replaced.headers["last-modified"] != last_modified


async def test_if_none_match_wins_over_if_modified_since(server, client):
    url = server.feed("/feed.xml", "<rss/>")
    first = await client.get(url)
    both = await client.get(
        url,
        headers={
            "If-None-Match": '"stale"',
            "If-Modified-Since": first.headers["last-modified"],
        },
    )
    assert both.status_code == 200


async def test_feed_without_validators_ignores_conditionals(server, client):
    url = server.feed(
        "/plain.xml", "<rss/>", etag=None, last_modified=None, cache_control="max-age=600"
    )
    response = await client.get(
        url,
        headers={"If-None-Match": "*", "If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"},
    )
    assert response.status_code == 200
    assert "etag" not in response.headers
    assert "last-modified" not in response.headers
    assert response.headers["cache-control"] == "max-age=600"


# ---------------------------------------------------------------------- encodings


async def test_gzip_served_and_decoded(server, client):
    body = rss("News", ITEMS * 20)
    url = server.feed("/feed.xml", body, gzip=True)
    async with client.stream("GET", url) as response:
        raw = b"".join([chunk async for chunk in response.aiter_raw()])
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["vary"] == "Accept-Encoding"
    assert len(raw) < len(body) / 4

    decoded = await client.get(url)
    assert decoded.text == body

    # A client that does not accept gzip gets the plain body.
    plain = await client.get(url, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert plain.text == body
    refused = await client.get(url, headers={"Accept-Encoding": "gzip;q=0, br"})
    assert "content-encoding" not in refused.headers


async def test_body_that_lies_about_gzip_fails_decoding(server, client):
    url = server.feed("/liar.xml", "<rss/>", headers={"Content-Encoding": "gzip"})
    with pytest.raises(httpx.DecodingError):
        await client.get(url)


async def test_gzip_bomb_is_small_on_the_wire_and_huge_inflated(server, client):
    url = server.gzip_bomb("/bomb.xml")  # 1 GiB inflated
    raw_total = 0
    raw_when_over_cap = None
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    inflated = 0
    async with client.stream("GET", url) as response:
        assert response.headers["content-encoding"] == "gzip"
        async for chunk in response.aiter_raw():
            raw_total += len(chunk)
            data = chunk
            # Inflate in bounded steps (max_length), never a whole chunk at once.
            while data and raw_when_over_cap is None:
                inflated += len(inflater.decompress(data, MiB))
                data = inflater.unconsumed_tail
                if inflated > BODY_CAP:
                    raw_when_over_cap = raw_total
    assert raw_total < 2 * MiB
    assert raw_when_over_cap is not None
    assert raw_when_over_cap <= 128 * 1024  # the cap is blown within the first chunks


async def test_small_gzip_bomb_is_valid_gzip(server, client):
    size = 3 * MiB + 17  # not a multiple of the internal block size
    url = server.gzip_bomb("/bomb.xml", decompressed_size=size)
    response = await client.get(url)  # small enough to inflate whole; checks CRC and length
    assert len(response.content) == size
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>\n<rss')
    assert response.content.endswith(b"    ")


# ---------------------------------------------------------------------- redirects


async def test_redirect_chain_of_three_is_followed(server, client):
    final = server.feed("/final.xml", rss("News", ITEMS))
    url = server.redirect_chain("/start.xml", 3, final)
    response = await client.get(url, follow_redirects=True)
    assert response.status_code == 200
    assert str(response.url) == final
    assert [r.status_code for r in response.history] == [301, 301, 301]
    assert [hit.path for hit in server.hits] == [
        "/start.xml",
        "/start.xml/1",
        "/start.xml/2",
        "/final.xml",
    ]


async def test_redirect_limit_of_five(server):
    final = server.feed("/final.xml", "<rss/>")
    five = server.redirect_chain("/five", 5, final)
    six = server.redirect_chain("/six", 6, final)
    async with httpx.AsyncClient(follow_redirects=True, max_redirects=5, timeout=5) as client:
        assert (await client.get(five)).status_code == 200
        with pytest.raises(httpx.TooManyRedirects):
            await client.get(six)


async def test_redirect_loop_raises_too_many_redirects(server):
    url = server.redirect_loop("/a.xml")
    async with httpx.AsyncClient(follow_redirects=True, max_redirects=5, timeout=5) as client:
        with pytest.raises(httpx.TooManyRedirects):
            await client.get(url)
    assert [hit.path for hit in server.hits[:3]] == ["/a.xml", "/a.xml/loop", "/a.xml"]


async def test_relative_redirect_and_permanent_move(server, client):
    server.feed("/new.xml", "<rss/>")
    url = server.redirect("/old.xml", "/new.xml", code=308)
    response = await client.get(url, follow_redirects=True)
    assert response.status_code == 200
    assert str(response.url) == server.url("/new.xml")
    assert response.history[0].status_code == 308


# ---------------------------------------------------------------------- slow and hung hosts


async def test_slow_headers_trigger_read_timeout(server):
    url = server.slow("/slow.xml", b"<rss/>", delay_before_headers=2.0)
    async with httpx.AsyncClient(timeout=httpx.Timeout(5.0, read=0.2)) as client:
        started = time.monotonic()
        with pytest.raises(httpx.ReadTimeout):
            await client.get(url)
    assert time.monotonic() - started < 1.0
    async with asyncio.timeout(2):
        await server.wait_idle()  # the abandoned handler was cancelled, not left sleeping
    assert server.aborted == ["/slow.xml"]


async def test_dripped_body_beats_read_timeout_but_not_a_deadline(server):
    body = b"x" * 2000
    url = server.slow("/drip.xml", body, bytes_per_second=10_000)  # ~0.2 s, a write per 20 ms
    async with httpx.AsyncClient(timeout=httpx.Timeout(5.0, read=0.1)) as client:
        started = time.monotonic()
        response = await client.get(url)  # no single read waits 0.1 s
        assert response.content == body
        assert time.monotonic() - started >= 0.15

        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.08):
                await client.get(url)


async def test_hang_times_out(server):
    url = server.hang("/hang.xml")
    async with httpx.AsyncClient(timeout=httpx.Timeout(5.0, read=0.2)) as client:
        with pytest.raises(httpx.ReadTimeout):
            await client.get(url)
    async with asyncio.timeout(2):
        await server.wait_idle()
    assert server.aborted == ["/hang.xml"]


async def test_stop_returns_promptly_with_a_hung_request_pending():
    server = FeedServer()
    url = server.hang("/hang.xml")  # routes may be registered before start()
    await server.start()
    async with httpx.AsyncClient(timeout=10.0) as client:
        pending = asyncio.create_task(client.get(url))
        async with asyncio.timeout(2):
            await server.wait_for_hits("/hang.xml")
        assert server.in_flight_now == 1

        started = time.monotonic()
        await server.stop()
        assert time.monotonic() - started < 2.0

        # The client is released too: the connection closed under it.
        with pytest.raises(httpx.TransportError):
            async with asyncio.timeout(2):
                await pending
    assert server.in_flight_now == 0
    assert server.aborted == []  # the server hung up, not the client
    await server.stop()  # idempotent


# ---------------------------------------------------------------------- big bodies


@pytest.mark.parametrize("declare_length", [False, True])
async def test_huge_body_streams_and_client_can_walk_away(server, client, declare_length):
    size = 11 * MiB
    url = server.huge("/huge.xml", size, declare_length=declare_length)
    received = 0
    async with client.stream("GET", url) as response:
        if declare_length:
            assert response.headers["content-length"] == str(size)
        else:
            assert response.headers["transfer-encoding"] == "chunked"
        async for chunk in response.aiter_bytes():
            if received == 0:
                assert chunk.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
            received += len(chunk)
            if received > BODY_CAP:
                break
    assert BODY_CAP < received < size

    async with asyncio.timeout(2):
        await server.wait_idle()
    # The server shrugged it off and still serves.
    ok = server.feed("/after.xml", "<rss/>")
    assert (await client.get(ok)).status_code == 200


async def test_server_notices_a_client_walking_away_mid_body(server, client):
    # 11 MiB may fit in loopback socket buffers before the client closes; 1 GiB cannot.
    url = server.huge("/endless.xml", 1 << 30)
    received = 0
    async with client.stream("GET", url) as response:
        async for chunk in response.aiter_bytes():
            received += len(chunk)
            if received > BODY_CAP:
                break
    async with asyncio.timeout(2):
        await server.wait_idle()
    assert server.aborted == ["/endless.xml"]


async def test_huge_body_is_exactly_the_requested_size(server, client):
    url = server.huge("/huge.xml", 300_000, chunk=4096)
    response = await client.get(url)
    assert len(response.content) == 300_000
    assert response.content.startswith(b"<?xml")


# ---------------------------------------------------------------------- broken hosts


async def test_html_page_is_not_a_feed(server, client):
    url = server.html_page("/", feed_link="/feed.xml")
    response = await client.get(url)
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.text.startswith("<!DOCTYPE html>")
    assert 'href="/feed.xml"' in response.text


async def test_drop_connection_is_a_transport_error(server, client):
    url = server.drop_connection("/drop.xml")
    with pytest.raises(httpx.RemoteProtocolError):
        await client.get(url)
    async with asyncio.timeout(2):
        await server.wait_idle()
    assert server.aborted == []


async def test_truncated_body_is_a_transport_error(server, client):
    url = server.truncated("/cut.xml", rss("News", ITEMS * 50))
    with pytest.raises(httpx.RemoteProtocolError):
        await client.get(url)


async def test_restart_serves_again_on_the_same_port(client):
    server = FeedServer()
    url = server.feed("/feed.xml", "<rss/>")
    await server.start()
    assert (await client.get(url)).status_code == 200
    await server.stop()
    with pytest.raises(httpx.ConnectError):  # the host is down...
        await client.get(url)
    await server.start()  # ...and back, at the same address, with the same routes
    try:
        assert (await client.get(url)).status_code == 200
        assert len(server.hits_to("/feed.xml")) == 2
    finally:
        await server.stop()


async def test_dead_url_refuses_connections(client):
    url = FeedServer.dead_url()
    assert url.endswith("/feed.xml")
    with pytest.raises(httpx.ConnectError):
        await client.get(url)


async def test_429_with_retry_after_is_returned_as_is(server, client):
    url = server.status("/busy.xml", 429, headers={"Retry-After": "120"})
    response = await client.get(url)
    assert response.status_code == 429
    assert response.headers["retry-after"] == "120"


@pytest.mark.parametrize("code", [404, 410, 500, 503])
async def test_error_statuses(server, client, code):
    url = server.status("/gone.xml", code, body="nope")
    response = await client.get(url)
    assert response.status_code == code
    assert response.text == "nope"


async def test_unknown_path_is_404_and_recorded(server, client):
    response = await client.get(server.url("/nowhere.xml?x=1"))
    assert response.status_code == 404
    [hit] = server.hits_to("/nowhere.xml")
    assert hit.method == "GET"
    assert hit.headers["host"] == f"127.0.0.1:{server.port}"


# ---------------------------------------------------------------------- concurrency


async def test_peak_in_flight_counts_concurrent_requests(server, client):
    url = server.slow("/slow.xml", b"<rss/>", delay_before_headers=0.3)
    responses = await asyncio.gather(*(client.get(url) for _ in range(5)))
    assert [r.status_code for r in responses] == [200] * 5
    assert server.peak_in_flight == 5
    assert server.in_flight_now == 0
    assert len(server.hits_to("/slow.xml")) == 5

    # Sequential requests never overlap.
    server.peak_in_flight = 0
    for _ in range(3):
        await client.get(server.feed("/quick.xml", "<rss/>"))
    assert server.peak_in_flight == 1


# ---------------------------------------------------------------------- documents


def _parse(document: str) -> feedparser.FeedParserDict:
    return feedparser.parse(io.BytesIO(document.encode()))


def test_rss_parses_cleanly():
    parsed = _parse(rss("Tech & Gadgets <daily>", ITEMS, ttl=30))
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "rss20"
    assert parsed.feed.title == "Tech & Gadgets <daily>"
    assert parsed.feed.ttl == "30"
    assert [e.title for e in parsed.entries] == [item["title"] for item in ITEMS]
    assert [e.link for e in parsed.entries] == [item["link"] for item in ITEMS]
    assert [e.published_parsed[:5] for e in parsed.entries] == [
        (2025, 3, 3, 9, 30),
        (2025, 3, 2, 18, 0),
        (2025, 3, 1, 7, 15),
    ]
    first = parsed.entries[0]
    assert first.id == "xiaomi-dubai-1"
    assert first.author == "Desk Editor"
    assert [t.term for t in first.tags] == ["Xiaomi", "Research"]
    assert "]]> stays intact" in first.content[0].value
    assert first.summary == "The lab will work on <b>batteries</b> & cameras."
    assert parsed.entries[1].author == "news@example.test"


def test_atom_parses_cleanly():
    parsed = _parse(atom("Tech news", ITEMS))
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert [e.title for e in parsed.entries] == [item["title"] for item in ITEMS]
    assert [e.link for e in parsed.entries] == [item["link"] for item in ITEMS]
    assert [e.published_parsed[:5] for e in parsed.entries] == [
        (2025, 3, 3, 9, 30),
        (2025, 3, 2, 18, 0),
        (2025, 3, 1, 7, 15),
    ]
    assert parsed.feed.updated == "2025-03-03T09:30:00Z"  # the newest entry
    first = parsed.entries[0]
    assert first.id == "xiaomi-dubai-1"
    assert first.author == "Desk Editor"
    assert "]]> stays intact" in first.content[0].value


def test_empty_documents_parse():
    for document in (rss("Empty", []), atom("Empty", [])):
        parsed = _parse(document)
        assert parsed.bozo == 0
        assert parsed.entries == []


async def test_served_atom_round_trips(server, client):
    url = server.feed("/atom.xml", atom("Tech news", ITEMS), content_type=ATOM_CONTENT_TYPE)
    response = await client.get(url)
    parsed = feedparser.parse(
        io.BytesIO(response.content), response_headers={"content-type": ATOM_CONTENT_TYPE}
    )
    assert parsed.bozo == 0
    assert len(parsed.entries) == 3
