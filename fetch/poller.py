"""One orchestrator per refresh: conditional GET, parse (in a thread), store, schedule.

`Poller.poll(source)` never raises: whatever goes wrong ends as the source's status, error
message and error count, and its next check is pushed back (news.schedule). The scheduler
(bot.jobs) only selects due sources; `newsbot poll --once` uses `poll_all`.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from fetch.guard import public_only
from fetch.http import Fetcher, FetchResult
from news.catalogue import Catalogue
from news.feeds import ParsedFeed, parse_feed
from news.matching import Matcher, source_brand
from news.models import Source, SourceOrigin, SourceStatus
from news.schedule import base_delay, next_check_at, should_alert
from storage import Storage

log = logging.getLogger(__name__)


@dataclass
class PollReport:
    source: Source
    status: SourceStatus
    title: str | None = None
    new: int = 0
    error: str | None = None
    seconds: float = 0.0
    queued: int = 0  # push deliveries enqueued
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
    ) -> None:
        self.storage = storage
        self.fetcher = fetcher
        self.interval = interval
        self.matcher = matcher
        self.catalogue = catalogue
        self.push_max_age = push_max_age_hours * 3600
        self.rng = rng or random.Random()
        self._keywords: frozenset[str] = frozenset()

    async def _tagger(self, source: Source, feed_title: str | None):
        """Match with the catalogue and the keywords chats follow right now; the matcher is
        recompiled only when that set of keywords changed. A brand's own blog or newsroom
        (news.matching.source_brand) makes every story of the feed about that brand."""
        if self.matcher is None:
            return None
        hint = source_brand(self.catalogue, source.title or feed_title) if self.catalogue else None
        keywords = await self.storage.subscriptions.keywords()
        if keywords != self._keywords:
            self.matcher = self.matcher.with_keywords(keywords)
            self._keywords = keywords
        matcher = self.matcher
        return lambda draft: matcher.match(draft.title, draft.text, hint)

    async def poll(self, source: Source) -> PollReport:
        started = time.monotonic()
        try:
            report = await self._poll(source)
        except Exception as exc:  # a bug or a database problem must not kill the scheduler
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
        parsed = await asyncio.to_thread(
            parse_feed,
            fetched.body,
            url=fetched.url,
            content_type=fetched.content_type,
            now=self.storage.now(),
        )
        if parsed.problem:
            return await self._failed(source, parsed.problem, None)
        return await self._stored(source, fetched, parsed)

    async def _stored(self, source: Source, fetched: FetchResult, parsed: ParsedFeed) -> PollReport:
        first_poll = not source.backlog_done
        now = self.storage.now()
        stored = await self.storage.stories.store(
            source.id,
            parsed.stories,
            backlog=first_poll,
            tag=await self._tagger(source, parsed.title),
            push_since=now - self.push_max_age if self.push_max_age else 0,
        )
        delay = base_delay(self.interval, max_age=fetched.max_age, ttl_minutes=parsed.ttl_minutes)
        await self.storage.sources.record_success(
            source.id,
            status=SourceStatus.OK,
            next_check_at=self._next(delay),
            etag=fetched.etag,
            last_modified=fetched.last_modified,
            title=parsed.title,
            site_url=parsed.site_url,
        )
        return PollReport(
            source,
            SourceStatus.OK,
            title=source.title or parsed.title,
            new=len(stored.new),
            queued=stored.queued,
        )

    async def _failed(self, source: Source, error: str, retry_after: int | None) -> PollReport:
        delay = base_delay(self.interval, failures=source.error_count + 1, retry_after=retry_after)
        updated = await self.storage.sources.record_failure(
            source.id, error=error, next_check_at=self._next(delay)
        )
        alert = should_alert(
            now=self.storage.now(), failing_since=updated.failing_since, alerted=updated.alerted
        )
        log.info("Source %s (%s) failed: %s", source.id, source.url, error)
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
