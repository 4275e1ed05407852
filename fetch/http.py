"""Fetching feeds politely and safely over HTTP (the network edge; feedparser never fetches).

One shared httpx.AsyncClient. Every failure becomes a FetchResult with outcome "error" and a
short reason: the poller records it on the source's row and moves on.

- Politeness: a User-Agent naming the bot, conditional GET (If-None-Match/If-Modified-Since),
  at most PER_HOST requests at once to one host, and a global bound. A fetch still running
  after HOST_SLOT seconds (a slow or trickling server) moves to one of the host's PER_HOST
  overtime slots when one is free, so two slow feeds no longer hold up every other feed of
  their host for the whole deadline; a host never has more than 2 x PER_HOST at once.
- Safety: at most 5 redirects; connect/read timeouts plus a deadline for the whole fetch (a
  server dripping one byte a second never trips a read timeout); a body cap counted on
  *decompressed* bytes. Decompression is ours (raw bytes in, zlib with max_length out), so a
  gzip bomb stops at the cap instead of inflating in memory first.
- Untrusted URLs (added from chat) pass a guard before every request, redirects included.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import logging
import re
import time
import zlib
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

import httpx

from bot import __version__

log = logging.getLogger(__name__)

USER_AGENT = f"newsbot/{__version__} (Telegram tech-news bot; polls RSS/Atom feeds)"
MAX_BYTES = 10 * 1024 * 1024
MAX_REDIRECTS = 5
PER_HOST = 2
GLOBAL_CONCURRENCY = 16
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 30.0
DEADLINE = 60.0  # seconds for a whole fetch, body included
HOST_SLOT = 10.0  # seconds a fetch holds one of its host's PER_HOST slots before overtime
GUARD_EXTENSION = "newsbot.guard"  # httpx carries request extensions across redirects

Guard = Callable[[httpx.URL], Awaitable[None]]  # raises ValueError (e.g. UnsafeUrl) to refuse
Outcome = Literal["ok", "not_modified", "error"]
_MAX_AGE = re.compile(r"(?:^|,)\s*max-age\s*=\s*\"?(\d+)", re.IGNORECASE)


class BodyTooLarge(Exception):
    pass


@dataclass
class FetchResult:
    outcome: Outcome
    url: str  # the final URL after redirects
    status_code: int | None = None
    body: bytes = b""
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    retry_after: int | None = None  # seconds
    max_age: int | None = None  # seconds, from Cache-Control
    error: str | None = None


def parse_retry_after(value: str | None, now: float | None = None) -> int | None:
    """Retry-After is either seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return int(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    now = time.time() if now is None else now
    return max(0, int(when.timestamp() - now))


def parse_max_age(cache_control: str | None) -> int | None:
    if not cache_control or "no-store" in cache_control.lower():
        return None
    match = _MAX_AGE.search(cache_control)
    return int(match.group(1)) if match else None


class _Decoder:
    """Content-Encoding decoding with a hard cap on the output size."""

    def __init__(self, encoding: str, limit: int) -> None:
        encoding = encoding.strip().lower()
        self.limit = limit
        self.size = 0
        self._raw_deflate_tried = False
        if encoding in ("", "identity"):
            self._z = None
        elif encoding in ("gzip", "x-gzip"):
            self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self._z = zlib.decompressobj()
        else:
            raise ValueError(f"unsupported Content-Encoding {encoding!r}")

    def feed(self, chunk: bytes) -> bytes:
        if self._z is None:
            return self._count(chunk)
        out = bytearray()
        data = chunk
        while data:
            try:
                piece = self._z.decompress(data, self.limit - self.size + 1)
            except zlib.error:
                if self._raw_deflate_tried or self.size:
                    raise
                # Some servers send raw deflate under "deflate": retry once without the header.
                self._raw_deflate_tried = True
                self._z = zlib.decompressobj(-zlib.MAX_WBITS)
                continue
            out += self._count(piece)
            data = self._z.unconsumed_tail
        return bytes(out)

    def _count(self, piece: bytes) -> bytes:
        self.size += len(piece)
        if self.size > self.limit:
            raise BodyTooLarge
        return piece


class Fetcher:
    def __init__(
        self,
        *,
        max_bytes: int = MAX_BYTES,
        per_host: int = PER_HOST,
        concurrency: int = GLOBAL_CONCURRENCY,
        connect_timeout: float = CONNECT_TIMEOUT,
        read_timeout: float = READ_TIMEOUT,
        deadline: float = DEADLINE,
    ) -> None:
        self.max_bytes = max_bytes
        self.deadline = deadline
        self._per_host = per_host
        self._hosts: defaultdict[str, asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(self._per_host)
        )
        self._overtime: defaultdict[str, asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(self._per_host)
        )
        self._global = asyncio.Semaphore(concurrency)
        self.client = httpx.AsyncClient(
            follow_redirects=True,
            max_redirects=MAX_REDIRECTS,
            timeout=httpx.Timeout(read_timeout, connect=connect_timeout, pool=deadline),
            limits=httpx.Limits(
                max_connections=concurrency * 2, max_keepalive_connections=concurrency
            ),
            headers={
                "User-Agent": USER_AGENT,
                "Accept": "application/rss+xml, application/atom+xml, application/rdf+xml,"
                " application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5",
                # Only what _Decoder can bound; httpx would otherwise offer br/zstd too.
                "Accept-Encoding": "gzip, deflate",
            },
            event_hooks={"request": [self._check_guard]},
        )

    async def aclose(self) -> None:
        await self.client.aclose()

    @staticmethod
    async def _check_guard(request: httpx.Request) -> None:
        guard: Guard | None = request.extensions.get(GUARD_EXTENSION)
        if guard is not None:
            await guard(request.url)

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        guard: Guard | None = None,
    ) -> FetchResult:
        try:
            host = urlsplit(url).hostname or ""
        except ValueError:  # e.g. "http://[::1/x": httpx will say what is wrong below
            host = ""
        async with self._global:
            try:
                async with asyncio.timeout(self.deadline):
                    result = await self._in_host_slot(
                        host, self._fetch(url, etag, last_modified, guard)
                    )
            except TimeoutError:
                result = FetchResult("error", url, error=f"took longer than {self.deadline:g} s")
            except ValueError as exc:  # the guard's refusal (UnsafeUrl)
                result = FetchResult("error", url, error=f"refused: {exc}")
            except httpx.InvalidURL as exc:
                result = FetchResult("error", url, error=f"invalid URL ({exc})")
            except httpx.TimeoutException:
                result = FetchResult("error", url, error="timed out")
            except httpx.TooManyRedirects:
                result = FetchResult("error", url, error=f"more than {MAX_REDIRECTS} redirects")
            except httpx.ConnectError as exc:
                result = FetchResult("error", url, error=f"connection failed ({exc or 'refused'})")
            except httpx.RemoteProtocolError:
                result = FetchResult("error", url, error="the server closed the connection")
            except httpx.HTTPError as exc:  # InvalidURL, UnsupportedProtocol, decoding ...
                result = FetchResult("error", url, error=f"{type(exc).__name__}: {exc}"[:300])
        return result

    async def _in_host_slot(self, host: str, work: Awaitable[FetchResult]) -> FetchResult:
        """Run `work` in one of the host's slots; after HOST_SLOT seconds, in an overtime slot
        if one is free, giving the regular slot back to the host's other feeds."""
        slot, overtime = self._hosts[host], self._overtime[host]
        await slot.acquire()
        held = slot
        task = asyncio.ensure_future(work)
        try:
            done, _ = await asyncio.wait({task}, timeout=HOST_SLOT)
            if not done and not overtime.locked():
                await overtime.acquire()  # free: does not wait
                slot.release()
                held = overtime
            return await task
        finally:
            if not task.done():
                task.cancel()
                with contextlib.suppress(BaseException):
                    await task
            held.release()

    async def _fetch(
        self, url: str, etag: str | None, last_modified: str | None, guard: Guard | None
    ) -> FetchResult:
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        extensions = {GUARD_EXTENSION: guard} if guard else None
        async with self.client.stream(
            "GET", url, headers=headers, extensions=extensions
        ) as response:
            final = str(response.url)
            h = response.headers
            common = {
                "status_code": response.status_code,
                "content_type": h.get("content-type"),
                "etag": h.get("etag"),
                "last_modified": h.get("last-modified"),
                "max_age": parse_max_age(h.get("cache-control")),
                "retry_after": parse_retry_after(h.get("retry-after")),
            }
            if response.status_code == 304:
                return FetchResult("not_modified", final, **common)
            if response.status_code >= 400 or response.status_code < 200:
                reason = response.reason_phrase or ""
                return FetchResult(
                    "error", final, error=f"HTTP {response.status_code} {reason}".strip(), **common
                )
            if response.status_code != 200:
                return FetchResult("error", final, error=f"HTTP {response.status_code}", **common)
            try:
                decoder = _Decoder(h.get("content-encoding", ""), self.max_bytes)
                body = bytearray()
                async for chunk in response.aiter_raw():
                    body += decoder.feed(chunk)
            except BodyTooLarge:
                limit = self.max_bytes // (1024 * 1024)
                return FetchResult("error", final, error=f"body larger than {limit} MiB", **common)
            except (zlib.error, ValueError) as exc:
                return FetchResult("error", final, error=f"undecodable body ({exc})", **common)
            return FetchResult("ok", final, body=bytes(body), **common)
