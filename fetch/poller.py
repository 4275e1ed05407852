"""One orchestrator per refresh: conditional GET, ingest (usecases.ingest), record, schedule.

`Poller.poll(source)` never raises: whatever goes wrong ends as the source's status, error
message and error count, and its next check is pushed back (news.schedule). A 304, or a 200
whose bytes are the very document the last poll ingested (`sources.body_hash`: many servers
send no ETag or Last-Modified), is recorded as unchanged without a parse; a changed one is
read without its entries the last document had unchanged (`sources.entry_hashes`, news.feeds
rule 7), in a worker process (usecases.parsing). At most MAX_IN_FLIGHT polls run at once,
fetch to store: a thousand sources due together would otherwise each hold a fetched body
waiting for a reader, and memory would grow with the number of sources. The scheduler
(bot.jobs) only selects due sources; `newsbot poll --once` uses `poll_all`.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from fetch.guard import public_only
from fetch.http import Fetcher, FetchResult
from news.catalogue import Catalogue
from news.matching import Matcher
from news.models import Source, SourceOrigin, SourceStatus
from news.schedule import base_delay, next_check_at, should_alert
from storage import Storage
from storage.database import DatabaseUnavailable
from usecases.ingest import Ingested, Tagging, ingest
from usecases.parsing import Reader

log = logging.getLogger(__name__)

MAX_IN_FLIGHT = 24  # polls at once: enough to keep the parse threads and the network busy


def body_digest(body: bytes) -> str:
    """What tells one fetched document from another: BLAKE2b, 128 bits (about 1 GB/s)."""
    return hashlib.blake2b(body, digest_size=16).hexdigest()


@dataclass
class PollReport:
    source: Source
    status: SourceStatus
    title: str | None = None
    new: int = 0
    error: str | None = None
    seconds: float = 0.0
    queued: int = 0  # push deliveries enqueued
    brands: dict[str, int] = field(default_factory=dict)  # new stories about each brand
    alert: bool = False  # failing for a day and the admins have not been told yet

    def as_json(self) -> dict:
        return {
            "url": self.source.url,
            "title": self.title,
            "status": self.status.value,
            "new": self.new,
            "error": self.error,
            "seconds": round(self.seconds, 3),
        }


class Poller:
    def __init__(
        self,
        storage: Storage,
        fetcher: Fetcher,
        *,
        interval: int,
        matcher: Matcher | None = None,
        catalogue: Catalogue | None = None,
        push_max_age_hours: int = 48,
        rng: random.Random | None = None,
        max_in_flight: int = MAX_IN_FLIGHT,
        reader: Reader | None = None,
    ) -> None:
        self.storage = storage
        self.reader = reader or Reader(0)
        self._slots = asyncio.Semaphore(max_in_flight)
        self.fetcher = fetcher
        self.interval = interval
        self.tagging = (
            Tagging(storage, matcher, catalogue)
            if matcher is not None and catalogue is not None
            else None
        )
        self.push_max_age = push_max_age_hours * 3600
        self.rng = rng or random.Random()

    async def poll(self, source: Source) -> PollReport:
        async with self._slots:  # MAX_IN_FLIGHT; the wait for a slot is not the poll's time
            started = time.monotonic()
            try:
                report = await self._poll(source)
            except DatabaseUnavailable as exc:  # storage warned once; the source is due again
                report = PollReport(source, SourceStatus.ERROR, title=source.title, error=str(exc))
            except Exception as exc:  # a bug must not kill the scheduler
                log.exception("Polling source %s (%s) failed", source.id, source.url)
                report = await self._failed(source, f"internal error: {type(exc).__name__}", None)
            report.seconds = time.monotonic() - started
        return report

    async def _poll(self, source: Source) -> PollReport:
        guard = public_only if source.origin is SourceOrigin.CHAT else None
        fetched = await self.fetcher.fetch(
            source.url, etag=source.etag, last_modified=source.last_modified, guard=guard
        )
        if fetched.outcome == "not_modified":
            await self.storage.sources.record_success(
                source.id,
                status=SourceStatus.NOT_MODIFIED,
                next_check_at=self._next(base_delay(self.interval, max_age=fetched.max_age)),
            )
            return PollReport(source, SourceStatus.NOT_MODIFIED, title=source.title)
        if fetched.outcome == "error":
            return await self._failed(source, fetched.error or "failed", fetched.retry_after)
        digest = body_digest(fetched.body)
        if digest == source.body_hash and source.backlog_done:
            await self.storage.sources.record_success(
                source.id,
                status=SourceStatus.NOT_MODIFIED,
                next_check_at=self._next(base_delay(self.interval, max_age=fetched.max_age)),
                etag=fetched.etag,
                last_modified=fetched.last_modified,
            )
            return PollReport(source, SourceStatus.NOT_MODIFIED, title=source.title)
        now = self.storage.now()
        done = await ingest(
            self.storage, source, fetched, tagging=self.tagging,
            push_since=now - self.push_max_age if self.push_max_age else 0, reader=self.reader,
        )  # fmt: skip
        if done.feed.problem:
            return await self._failed(source, done.feed.problem, None)
        return await self._succeeded(source, fetched, done, digest)

    async def _succeeded(
        self, source: Source, fetched: FetchResult, done: Ingested, digest: str
    ) -> PollReport:
        if source.error_count:
            log.info("Source %s (%s) works again after %d failures", source.id, source.url,
                     source.error_count)  # fmt: skip
        feed = done.feed
        delay = base_delay(self.interval, max_age=fetched.max_age, ttl_minutes=feed.ttl_minutes)
        await self.storage.sources.record_success(
            source.id,
            status=SourceStatus.OK,
            next_check_at=self._next(delay),
            etag=fetched.etag,
            last_modified=fetched.last_modified,
            title=feed.title,
            site_url=feed.site_url,
            body_hash=digest,
            entry_hashes=feed.fingerprints,
        )
        return PollReport(
            source,
            SourceStatus.OK,
            title=source.title or feed.title,
            new=len(done.stored.new),
            queued=done.stored.queued,
            brands=done.stored.brands,
        )

    async def _failed(self, source: Source, error: str, retry_after: int | None) -> PollReport:
        delay = base_delay(self.interval, failures=source.error_count + 1, retry_after=retry_after)
        updated = await self.storage.sources.record_failure(
            source.id, error=error, next_check_at=self._next(delay)
        )
        alert = should_alert(
            now=self.storage.now(), failing_since=updated.failing_since, alerted=updated.alerted
        )
        # One WARNING when a working source starts failing; its later failures are INFO.
        level = logging.WARNING if source.error_count == 0 else logging.INFO
        log.log(level, "Source %s (%s) failed: %s", source.id, source.url, error)
        return PollReport(updated, SourceStatus.ERROR, title=source.title, error=error, alert=alert)

    def _next(self, delay: int) -> int:
        return next_check_at(self.storage.now(), delay, self.rng)

    async def poll_all(
        self,
        sources: Iterable[Source],
        on_done: Callable[[PollReport], None] | None = None,
    ) -> list[PollReport]:
        """Poll these sources concurrently (the fetcher bounds per host and overall)."""

        async def one(source: Source) -> PollReport:
            report = await self.poll(source)
            if on_done is not None:
                on_done(report)
            return report

        return list(await asyncio.gather(*(one(s) for s in sources)))
