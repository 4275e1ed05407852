"""A loopback feed host that misbehaves on request, for testing the feed fetcher end to end.

The fetcher under test talks real HTTP (httpx) to this server, so streaming, decompression,
conditional GET, redirects, timeouts and connection pooling all run for real; nothing in httpx
is mocked::

    async with FeedServer() as server:
        url = server.feed("/xiaomi.xml", rss("Xiaomi news", [{"title": "...", "link": "..."}]))
        ...  # point the fetcher at `url`
        assert [hit.headers.get("if-none-match") for hit in server.hits_to("/xiaomi.xml")] == ...
        assert server.errors == []

Every route method takes a path, replaces whatever was served there before (the server may be
running) and returns the absolute URL to use. What can be served:

* `feed` - a feed with ETag / Last-Modified validators, answering If-None-Match and
  If-Modified-Since with 304 as real servers do, optionally gzip-encoded. Calling it again for
  the same path replaces the body; the ETag and Last-Modified then change, which is how a test
  "publishes" a new item.
* `status` - any status with any headers: 404, 410, 429 + Retry-After, 500, 503, ...
* `redirect`, `redirect_chain`, `redirect_loop` - 3xx responses; relative or absolute targets.
* `slow` - headers after a delay (read timeouts) and/or a body dripped at a fixed rate (a body
  that never trips a per-read timeout, so only an overall deadline stops it).
* `hang` - reads the request and never answers until `stop()`.
* `huge` - streams any number of bytes of feed-looking XML without holding it in memory, with
  or without Content-Length (a body cap must count, not trust the header).
* `gzip_bomb` - ~1 MB on the wire that inflates to 1 GiB (by default); a body cap must count
  *decompressed* bytes and must not inflate a whole network chunk at once (httpx's
  `aiter_bytes` inflates each raw chunk in one go, roughly 1000x here).
* `html_page` - a web page instead of a feed.
* `drop_connection` - closes the socket without any response ("server disconnected").
* `truncated` - declares a Content-Length, sends part of the body and closes the socket.
* `dead_url()` - a URL on a loopback port nothing listens on (connection refused).

Broken bodies need no special route: `feed(path, b"<rss><channel><item>", ...)` serves malformed
XML, `feed(..., content_type="text/html")` a mislabelled feed, and
`feed(..., headers={"Content-Encoding": "gzip"})` a body that claims gzip but is not.

Observation: `hits` (every request, in arrival order, recorded before the route runs, so a hung
request is visible), `hits_to(path)`, `in_flight_now`, `peak_in_flight` (assign 0 to reset
between phases of a test), `aborted` (paths whose client went away before the route finished:
a read timeout, a body cap, a cancelled fetch - not connections the server dropped itself, nor
routes cancelled by `stop()`) and `errors` (exceptions raised by route code - should stay
empty). `wait_for_hits` and `wait_idle` let a test wait for the server instead of sleeping
(bound them with `asyncio.timeout`).

A request is "in flight" from its arrival until its route returns; streaming routes (`slow`,
`huge`) write their body inside the route, so they count for the whole transfer.

Unknown paths answer 404. Routing uses the request path only; the query string is ignored.
Routes may be registered before `start()` (the port is reserved on first use), and `start()`
after `stop()` serves again on the same port: a host that was down and came back.

`rss()` and `atom()` build small valid documents from item dicts for `feed()` to serve.

The request path is O(1): bodies, compressed bodies and headers are computed when a route is
registered, and routes are a dict lookup, so the same server backs a 1,000-feed benchmark.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gzip as gzip_module
import hashlib
import socket
import struct
import time
import zlib
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from aiohttp import web

RSS_CONTENT_TYPE = "application/rss+xml; charset=utf-8"
ATOM_CONTENT_TYPE = "application/atom+xml; charset=utf-8"
HTML_CONTENT_TYPE = "text/html; charset=utf-8"

# Last-Modified for feed(last_modified="auto"): a fixed date, so tests are reproducible, plus one
# hour per replacement of the same path, so a replaced body is "modified since" the old date and
# If-Modified-Since does not hide the new item.
_AUTO_LAST_MODIFIED_BASE = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)
_AUTO_FEED_DATE = "2025-03-03T10:00:00Z"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class Hit:
    """One request as the server saw it. Header names are lower-cased; `at` is time.monotonic()."""

    path: str
    headers: dict[str, str]
    at: float
    method: str = "GET"


class FeedServer:
    """An aiohttp app on 127.0.0.1 (free port) serving feeds and misbehaviour; see module doc."""

    def __init__(self) -> None:
        self.hits: list[Hit] = []
        self.in_flight_now = 0
        self.peak_in_flight = 0
        self.aborted: list[str] = []
        self.errors: list[BaseException] = []
        self._hits_by_path: dict[str, list[Hit]] = {}
        self._routes: dict[str, Handler] = {}
        self._feed_versions: dict[str, int] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._waiters: list[asyncio.Future[None]] = []
        self._runner: web.AppRunner | None = None
        self._sock: socket.socket | None = None
        self._port: int | None = None
        self._stopping = False
        self._self_closed: set[int] = set()  # id()s of requests whose socket a route closed

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Serve on 127.0.0.1 on a free port."""
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        # handler_cancellation: when the client gives up (timeout, body cap), the route handler
        # is cancelled instead of sleeping or writing on, like a real server's worker.
        # shutdown_timeout is short because stop() cancels every running route itself first;
        # what is left for aiohttp to close is idle keep-alive connections.
        self._runner = web.AppRunner(
            app, handler_cancellation=True, access_log=None, shutdown_timeout=0.5
        )
        await self._runner.setup()
        await web.SockSite(self._runner, self._socket(), backlog=1024).start()
        self._stopping = False

    async def stop(self) -> None:
        """Stop serving. Hung and slow routes are cancelled (their clients see the connection
        close), so this returns promptly whatever is pending. Safe to call twice."""
        if self._runner is None:
            if self._sock is not None:  # routes registered, never started
                self._sock.close()
                self._sock = None
            return
        runner, self._runner = self._runner, None
        self._stopping = True
        self._sock = None  # the listening socket is closed by aiohttp's cleanup below
        # aiohttp's own shutdown first waits shutdown_timeout for handlers to finish; a hung
        # route never does, so cancel them all up front.
        tasks = [task for task in self._tasks if not task.done()]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=1.0)
        await runner.cleanup()

    async def __aenter__(self) -> FeedServer:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    def _socket(self) -> socket.socket:
        # Bound on first use, so the port (and so every route's URL) is known even when routes
        # are registered before start(); start() then listens on it. A restart after stop()
        # binds the same port again, like a host coming back.
        if self._sock is None:
            self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self._sock.bind(("127.0.0.1", self._port or 0))
            self._port = self._sock.getsockname()[1]
        return self._sock

    @property
    def port(self) -> int:
        if self._port is None:
            self._socket()
        assert self._port is not None
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    # ------------------------------------------------------------------ inspection

    def hits_to(self, path: str) -> list[Hit]:
        """Requests to `path` (query string ignored), in order."""
        return list(self._hits_by_path.get(path, ()))

    # The waits take no timeout (ruff ASYNC109): wrap them in `async with asyncio.timeout(...)`.

    async def wait_for_hits(self, path: str, count: int = 1) -> list[Hit]:
        """Wait until `path` has been requested at least `count` times."""
        await self._wait_until(lambda: len(self._hits_by_path.get(path, ())) >= count)
        return self.hits_to(path)

    async def wait_idle(self) -> None:
        """Wait until no route is running (e.g. after a client walked away mid-body)."""
        await self._wait_until(lambda: self.in_flight_now == 0)

    async def _wait_until(self, predicate: Callable[[], bool]) -> None:
        loop = asyncio.get_running_loop()
        while not predicate():
            waiter = loop.create_future()
            self._waiters.append(waiter)
            await waiter

    def _notify(self) -> None:
        # Only costs anything while a test is waiting; the benchmark never waits.
        if self._waiters:
            waiters, self._waiters = self._waiters, []
            for waiter in waiters:
                if not waiter.done():
                    waiter.set_result(None)

    # ------------------------------------------------------------------ request path

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        hit = Hit(
            path,
            {name.lower(): value for name, value in request.headers.items()},
            time.monotonic(),
            request.method,
        )
        self.hits.append(hit)
        per_path = self._hits_by_path.get(path)
        if per_path is None:
            self._hits_by_path[path] = [hit]
        else:
            per_path.append(hit)
        self.in_flight_now += 1
        if self.in_flight_now > self.peak_in_flight:
            self.peak_in_flight = self.in_flight_now
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        self._notify()
        try:
            route = self._routes.get(path)
            if route is None:
                return web.Response(status=404, text="no such feed\n")
            return await route(request)
        except asyncio.CancelledError:
            # With handler_cancellation, aiohttp cancels the route when the client's connection
            # goes away while the route is still sleeping or writing.
            if not self._stopping and id(request) not in self._self_closed:
                self.aborted.append(path)
            raise
        except Exception as exc:
            self.errors.append(exc)
            raise
        finally:
            self.in_flight_now -= 1
            self._self_closed.discard(id(request))
            if task is not None:
                self._tasks.discard(task)
            self._notify()

    def _close_connection(self, request: web.Request) -> None:
        # Noted so that the cancellation which follows is not mistaken for a client going away.
        self._self_closed.add(id(request))
        transport = request.transport
        if transport is not None:
            transport.close()

    def _route(self, path: str, handler: Handler) -> str:
        if not path.startswith("/"):
            raise ValueError(f"path must start with '/': {path!r}")
        self._routes[path] = handler
        return self.url(path)

    # ------------------------------------------------------------------ routes

    def feed(
        self,
        path: str,
        body: bytes | str,
        *,
        content_type: str = RSS_CONTENT_TYPE,
        etag: str | None = "auto",
        last_modified: str | None = "auto",
        cache_control: str | None = None,
        gzip: bool = False,
        headers: dict[str, str] | None = None,
    ) -> str:
        """Serve `body` with validators; see module doc. etag="auto" is a quoted hash of the
        body, last_modified="auto" a fixed date that advances an hour per replacement; None
        omits the header (and the matching conditional check). Extra `headers` override."""
        data = _to_bytes(body)
        version = self._feed_versions[path] = self._feed_versions.get(path, -1) + 1
        if etag == "auto":
            etag = '"' + hashlib.sha256(data).hexdigest()[:24] + '"'
        if last_modified == "auto":
            stamp = _AUTO_LAST_MODIFIED_BASE + timedelta(hours=version)
            last_modified = format_datetime(stamp, usegmt=True)
        route = _FeedRoute(
            data,
            content_type=content_type,
            etag=etag,
            last_modified=last_modified,
            cache_control=cache_control,
            gzip=gzip,
            extra=headers or {},
        )
        return self._route(path, route.handle)

    def status(
        self,
        path: str,
        code: int,
        *,
        body: bytes | str = b"",
        headers: dict[str, str] | None = None,
    ) -> str:
        """Answer every request with `code`, `body` and `headers` (e.g. Retry-After)."""
        data = _to_bytes(body)
        fixed = {"Content-Type": "text/plain; charset=utf-8", **(headers or {})}

        async def handle(request: web.Request) -> web.StreamResponse:
            return web.Response(status=code, body=data or None, headers=fixed)

        return self._route(path, handle)

    def redirect(self, path: str, to: str, code: int = 301) -> str:
        """Redirect to `to`, an absolute URL or a path (sent as a relative Location, which
        clients must resolve against the request URL)."""
        fixed = {"Location": to}

        async def handle(request: web.Request) -> web.StreamResponse:
            return web.Response(status=code, headers=fixed)

        return self._route(path, handle)

    def redirect_chain(self, path: str, length: int, final: str, code: int = 301) -> str:
        """`length` redirects: path -> path/1 -> ... -> path/<length-1> -> final."""
        if length < 1:
            raise ValueError("a redirect chain has at least one redirect")
        hops = [path] + [f"{path}/{n}" for n in range(1, length)]
        for here, there in zip(hops, [*hops[1:], final], strict=True):
            self.redirect(here, there, code)
        return self.url(path)

    def redirect_loop(self, path: str, code: int = 302) -> str:
        """path -> path/loop -> path -> ... forever."""
        other = path.rstrip("/") + "/loop"
        self.redirect(other, path, code)
        return self.redirect(path, other, code)

    def slow(
        self,
        path: str,
        body: bytes | str,
        *,
        delay_before_headers: float = 0,
        bytes_per_second: float | None = None,
        content_type: str = RSS_CONTENT_TYPE,
    ) -> str:
        """Wait `delay_before_headers`, then send headers (with Content-Length) and the body,
        dripped at `bytes_per_second` in ~50 small writes a second if given."""
        data = _to_bytes(body)
        step = len(data) or 1
        if bytes_per_second is not None:
            if bytes_per_second <= 0:
                raise ValueError("bytes_per_second must be positive")
            step = max(1, int(bytes_per_second / 50))

        async def handle(request: web.Request) -> web.StreamResponse:
            if delay_before_headers:
                await asyncio.sleep(delay_before_headers)
            response = web.StreamResponse(headers={"Content-Type": content_type})
            response.content_length = len(data)
            loop = asyncio.get_running_loop()
            started = loop.time()
            try:
                await response.prepare(request)
                for offset in range(0, len(data), step):
                    if bytes_per_second is not None:
                        # Schedule against the start, not the previous write, so the rate holds
                        # however long each write and wake-up takes.
                        delay = started + offset / bytes_per_second - loop.time()
                        if delay > 0:
                            await asyncio.sleep(delay)
                    await response.write(data[offset : offset + step])
            except ConnectionError:
                self.aborted.append(path)
            return response

        return self._route(path, handle)

    def hang(self, path: str) -> str:
        """Read the request and never answer; `stop()` cancels it (the client sees a close)."""

        async def handle(request: web.Request) -> web.StreamResponse:
            await asyncio.get_running_loop().create_future()  # never resolved
            raise AssertionError("unreachable")

        return self._route(path, handle)

    def huge(
        self,
        path: str,
        size: int,
        *,
        chunk: int = 65536,
        declare_length: bool = False,
    ) -> str:
        """Stream exactly `size` bytes: an RSS prefix, then <item> filler, never built in memory.
        Without `declare_length` the body is chunked, so only counting catches it."""
        block = _filler_block(chunk)
        prefix = _HUGE_PREFIX

        async def handle(request: web.Request) -> web.StreamResponse:
            response = web.StreamResponse(headers={"Content-Type": RSS_CONTENT_TYPE})
            if declare_length:
                response.content_length = size
            try:
                await response.prepare(request)
                head = prefix[:size]
                await response.write(head)
                remaining = size - len(head)
                while remaining >= len(block):
                    await response.write(block)
                    remaining -= len(block)
                if remaining:
                    await response.write(block[:remaining])
            except ConnectionError:
                # The client stopped reading and closed: expected, the point of the route.
                self.aborted.append(path)
            return response

        return self._route(path, handle)

    def gzip_bomb(self, path: str, decompressed_size: int = 1 << 30) -> str:
        """A valid gzip stream (~1/1000 of `decompressed_size`) of an RSS prefix and spaces,
        sent with Content-Encoding: gzip whatever the client accepts, as a hostile host would.
        Built once per size per process (~0.2 s for 1 GiB)."""
        fixed = {
            "Content-Type": RSS_CONTENT_TYPE,
            "Content-Encoding": "gzip",
        }
        bomb = _gzip_bomb(decompressed_size)

        async def handle(request: web.Request) -> web.StreamResponse:
            return web.Response(body=bomb, headers=fixed)

        return self._route(path, handle)

    def html_page(self, path: str, *, feed_link: str | None = None) -> str:
        """A news site's HTML front page (text/html), optionally advertising `feed_link` with
        <link rel="alternate">, as sites do for feed autodiscovery."""
        alternate = ""
        if feed_link is not None:
            alternate = (
                '<link rel="alternate" type="application/rss+xml" title="News" '
                f"href={quoteattr(feed_link)}>"
            )
        page = _HTML_PAGE.format(alternate=alternate).encode()
        fixed = {"Content-Type": HTML_CONTENT_TYPE}

        async def handle(request: web.Request) -> web.StreamResponse:
            return web.Response(body=page, headers=fixed)

        return self._route(path, handle)

    def drop_connection(self, path: str) -> str:
        """Read the request, then close the socket without a byte of response."""

        async def handle(request: web.Request) -> web.StreamResponse:
            self._close_connection(request)
            # aiohttp notices the closed connection and cancels this handler
            # (handler_cancellation); returning a response instead would only log an error.
            await asyncio.get_running_loop().create_future()
            raise AssertionError("unreachable")

        return self._route(path, handle)

    def truncated(
        self,
        path: str,
        body: bytes | str,
        *,
        send: int | None = None,
        content_type: str = RSS_CONTENT_TYPE,
    ) -> str:
        """Declare Content-Length of the whole body, send only `send` bytes (default: half;
        1 <= send < len(body)), then close the socket - a body cut off mid-transfer."""
        data = _to_bytes(body)
        send = len(data) // 2 if send is None else send
        # At least one byte, because aiohttp sends the headers together with the first one.
        if not 1 <= send < len(data):
            raise ValueError("truncated() needs 1 <= send < len(body)")
        part = data[:send]

        async def handle(request: web.Request) -> web.StreamResponse:
            response = web.StreamResponse(headers={"Content-Type": content_type})
            response.content_length = len(data)
            with contextlib.suppress(ConnectionError):
                await response.prepare(request)
                await response.write(part)
            self._close_connection(request)  # asyncio flushes what was written, then closes
            await asyncio.get_running_loop().create_future()
            raise AssertionError("unreachable")

        return self._route(path, handle)

    @staticmethod
    def dead_url(path: str = "/feed.xml") -> str:
        """A URL on a loopback port nothing listens on: connecting is refused at once."""
        return f"http://127.0.0.1:{_dead_port()}{path}"


# ---------------------------------------------------------------------- feed route


class _FeedRoute:
    """A feed body with everything the request path needs computed up front."""

    __slots__ = ("body", "etag_opaque", "gz_body", "gz_headers", "lm_ts", "nm_headers", "plain")

    def __init__(
        self,
        body: bytes,
        *,
        content_type: str,
        etag: str | None,
        last_modified: str | None,
        cache_control: str | None,
        gzip: bool,
        extra: dict[str, str],
    ) -> None:
        validators: dict[str, str] = {}
        if etag is not None:
            validators["ETag"] = etag
        if last_modified is not None:
            validators["Last-Modified"] = last_modified
        if cache_control is not None:
            validators["Cache-Control"] = cache_control
        if gzip:
            # Caches (and careful clients) must know the body depends on Accept-Encoding.
            validators["Vary"] = "Accept-Encoding"
        self.body = body
        self.etag_opaque = _opaque_tag(etag) if etag is not None else None
        self.lm_ts = _parse_http_date(last_modified) if last_modified is not None else None
        self.plain = {"Content-Type": content_type, **validators, **extra}
        # A 304 carries the validators but no body and no Content-Type (RFC 9110 15.4.5).
        self.nm_headers = {**validators, **extra}
        self.gz_body: bytes | None = None
        self.gz_headers = self.plain
        if gzip:
            self.gz_body = gzip_module.compress(body, mtime=0)
            self.gz_headers = {**self.plain, "Content-Encoding": "gzip"}

    async def handle(self, request: web.Request) -> web.StreamResponse:
        headers = request.headers
        if request.method in ("GET", "HEAD"):
            # RFC 9110 13.2.2: If-None-Match, when present, decides; If-Modified-Since is then
            # ignored.
            if_none_match = headers.get("If-None-Match")
            if if_none_match is not None:
                if self.etag_opaque is not None and _etag_matches(if_none_match, self.etag_opaque):
                    return web.Response(status=304, headers=self.nm_headers)
            elif self.lm_ts is not None:
                if_modified_since = headers.get("If-Modified-Since")
                if if_modified_since is not None:
                    since = _parse_http_date(if_modified_since)
                    if since is not None and since >= self.lm_ts:
                        return web.Response(status=304, headers=self.nm_headers)
        if self.gz_body is not None and _accepts_gzip(headers.get("Accept-Encoding", "")):
            return web.Response(body=self.gz_body, headers=self.gz_headers)
        return web.Response(body=self.body, headers=self.plain)


def _opaque_tag(tag: str) -> str:
    tag = tag.strip()
    return tag[2:] if tag.startswith("W/") else tag


@functools.lru_cache(maxsize=1024)
def _etag_matches(if_none_match: str, opaque: str) -> bool:
    # Weak comparison, as RFC 9110 prescribes for If-None-Match; also handles lists and "*".
    if if_none_match.strip() == "*":
        return True
    return any(_opaque_tag(tag) == opaque for tag in if_none_match.split(","))


@functools.lru_cache(maxsize=1024)
def _parse_http_date(value: str) -> float | None:
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


@functools.lru_cache(maxsize=256)
def _accepts_gzip(accept_encoding: str) -> bool:
    explicit: float | None = None
    wildcard: float | None = None
    for item in accept_encoding.split(","):
        name, _, params = item.partition(";")
        name = name.strip().lower()
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if name in ("gzip", "x-gzip"):
            explicit = q
        elif name == "*":
            wildcard = q
    chosen = explicit if explicit is not None else wildcard
    return chosen is not None and chosen > 0


# ---------------------------------------------------------------------- bodies

_HUGE_PREFIX = (
    b'<?xml version="1.0" encoding="utf-8"?>\n'
    b'<rss version="2.0"><channel><title>Endless feed</title>'
    b"<link>https://example.test/</link><description>It keeps going</description>\n"
)
_HUGE_ITEM = (
    b"<item><title>Filler headline that repeats</title>"
    b"<link>https://example.test/filler</link>"
    b"<description>More of the same, over and over.</description></item>\n"
)


@functools.lru_cache(maxsize=16)
def _filler_block(size: int) -> bytes:
    if size < 1:
        raise ValueError("chunk must be positive")
    return (_HUGE_ITEM * (size // len(_HUGE_ITEM) + 1))[:size]


_BOMB_PREFIX = (
    b'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Bomb</title>'
)


@functools.lru_cache(maxsize=4)
def _gzip_bomb(decompressed_size: int) -> bytes:
    """gzip of _BOMB_PREFIX + spaces, `decompressed_size` bytes in all, in ~0.2 s per GiB.

    Compressing 1 GiB outright takes seconds. Instead each 1 MiB block of spaces is deflated
    after a full flush, which resets the compressor's history, so every block compresses to the
    same bytes: deflate one, repeat it. Only the CRC-32 for the trailer has to run over the
    whole input (zlib.crc32 is fast). Spaces rather than zeros keep the inflated text
    well-formed XML so far, so a parser would read on rather than fail early."""
    block_size = 1 << 20
    prefix = _BOMB_PREFIX[:decompressed_size]
    spaces = decompressed_size - len(prefix)
    full_blocks, tail = divmod(spaces, block_size)
    block = b" " * block_size

    deflate = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    parts = [deflate.compress(prefix), deflate.flush(zlib.Z_FULL_FLUSH)]
    crc = zlib.crc32(prefix)
    if full_blocks:
        one = deflate.compress(block) + deflate.flush(zlib.Z_FULL_FLUSH)
        parts.append(one * full_blocks)
        for _ in range(full_blocks):
            crc = zlib.crc32(block, crc)
    parts.append(deflate.compress(block[:tail]))
    crc = zlib.crc32(block[:tail], crc)
    parts.append(deflate.flush())
    # gzip member: fixed 10-byte header (no name, mtime 0, OS unknown), raw deflate, then
    # CRC-32 and size mod 2**32 (RFC 1952).
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    trailer = struct.pack("<II", crc & 0xFFFFFFFF, decompressed_size & 0xFFFFFFFF)
    return header + b"".join(parts) + trailer


_HTML_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Example Tech News</title>{alternate}</head>
<body><h1>Example Tech News</h1>
<ul><li><a href="/2025/03/chips">A chipmaker shows a foldable laptop</a></li>
<li><a href="/2025/03/phones">Phone shipments rise for a third quarter</a></li></ul>
</body></html>
"""


def _to_bytes(body: bytes | str) -> bytes:
    return body.encode() if isinstance(body, str) else body


_dead_socket: socket.socket | None = None


def _dead_port() -> int:
    # A socket bound but never listening keeps the port reserved for this process (so nobody
    # else starts listening there) while connections to it are refused (RST) at once.
    global _dead_socket
    if _dead_socket is None:
        _dead_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        _dead_socket.bind(("127.0.0.1", 0))
    return _dead_socket.getsockname()[1]


# ---------------------------------------------------------------------- documents


def rss(
    title: str,
    items: Iterable[dict[str, Any]],
    *,
    link: str = "https://example.test/",
    ttl: int | None = None,
    description: str | None = None,
) -> str:
    """A small valid RSS 2.0 document.

    Item keys (all optional): title, link, guid, description, content (as content:encoded, in
    CDATA), pubDate (RFC 822 string, or datetime; naive means UTC), author (an e-mail address
    goes to <author>, a name to dc:creator), category (a string or a list of strings)."""
    out = [
        '<?xml version="1.0" encoding="utf-8"?>\n',
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/">\n<channel>\n',
        _element("title", title),
        _element("link", link),
        _element("description", description if description is not None else f"{title} news"),
    ]
    if ttl is not None:
        out.append(_element("ttl", str(ttl)))
    for item in items:
        out.append("<item>\n")
        if "title" in item:
            out.append(_element("title", item["title"]))
        if "link" in item:
            out.append(_element("link", item["link"]))
        if "guid" in item:
            guid = str(item["guid"])
            permalink = "true" if guid.startswith(("http://", "https://")) else "false"
            out.append(f'<guid isPermaLink="{permalink}">{escape(guid)}</guid>\n')
        if "description" in item:
            out.append(_element("description", item["description"]))
        if "content" in item:
            out.append(f"<content:encoded>{_cdata(item['content'])}</content:encoded>\n")
        if "pubDate" in item:
            out.append(_element("pubDate", _rfc822(item["pubDate"])))
        if "author" in item:
            author = str(item["author"])
            out.append(_element("author" if "@" in author else "dc:creator", author))
        for category in _as_list(item.get("category")):
            out.append(_element("category", category))
        out.append("</item>\n")
    out.append("</channel>\n</rss>\n")
    return "".join(out)


def atom(
    title: str,
    entries: Iterable[dict[str, Any]],
    *,
    link: str = "https://example.test/",
) -> str:
    """A small valid Atom 1.0 document.

    Entry keys (all optional): title, link, id (or guid; default: link, else a tag: URI),
    summary (or description), content (HTML), updated / published (or pubDate; datetime, RFC
    822 or RFC 3339 string), author (a name), category (a string or a list)."""
    body: list[str] = []
    latest: str | None = None
    for number, entry in enumerate(entries, 1):
        body.append("<entry>\n")
        body.append(_element("title", entry.get("title", "")))
        if "link" in entry:
            body.append(
                f'<link rel="alternate" type="text/html" href={quoteattr(entry["link"])}/>\n'
            )
        entry_id = entry.get("id", entry.get("guid", entry.get("link")))
        if entry_id is None:
            entry_id = f"tag:example.test,2025:entry-{number}"
        body.append(_element("id", str(entry_id)))
        published = entry.get("published", entry.get("pubDate"))
        updated = entry.get("updated", published)
        updated_text = _rfc3339(updated) if updated is not None else _AUTO_FEED_DATE
        body.append(_element("updated", updated_text))
        if published is not None:
            body.append(_element("published", _rfc3339(published)))
        # RFC 3339 UTC strings of one format sort as text, so max() is the newest.
        latest = updated_text if latest is None else max(latest, updated_text)
        if "author" in entry:
            body.append(f"<author>{_element('name', entry['author'])}</author>\n")
        summary = entry.get("summary", entry.get("description"))
        if summary is not None:
            body.append(_element("summary", summary))
        if "content" in entry:
            body.append(f'<content type="html">{escape(str(entry["content"]))}</content>\n')
        for category in _as_list(entry.get("category")):
            body.append(f"<category term={quoteattr(category)}/>\n")
        body.append("</entry>\n")
    head = [
        '<?xml version="1.0" encoding="utf-8"?>\n',
        '<feed xmlns="http://www.w3.org/2005/Atom">\n',
        _element("title", title),
        f'<link rel="alternate" type="text/html" href={quoteattr(link)}/>\n',
        _element("id", link),
        _element("updated", latest or _AUTO_FEED_DATE),
        # Atom wants an author for every entry; a feed-level one covers entries without.
        f"<author>{_element('name', title)}</author>\n",
    ]
    return "".join([*head, *body, "</feed>\n"])


def _element(name: str, text: object) -> str:
    return f"<{name}>{escape(str(text))}</{name}>\n"


def _cdata(text: object) -> str:
    # "]]>" would end the section early: split it across two sections.
    return "<![CDATA[" + str(text).replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _as_list(value: str | Iterable[str] | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def _as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _rfc822(value: datetime | str) -> str:
    if isinstance(value, datetime):
        return format_datetime(_as_utc(value), usegmt=True)
    return value


def _rfc3339(value: datetime | str) -> str:
    if isinstance(value, str):
        try:
            value = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return value  # assume it is RFC 3339 already
    return _as_utc(value).strftime("%Y-%m-%dT%H:%M:%SZ")
