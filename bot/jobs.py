"""Jobs the JobQueue (APScheduler) runs inside `newsbot run`.

The poll tick only *selects* due sources and starts one task per source; it does not wait for
them. So a tick takes milliseconds and never overlaps itself, a slow or hung source (bounded
by the fetcher's deadline anyway) never delays the others, and command handlers keep running
on the same event loop. A source already being polled is not started twice. While the
database cannot be written (storage.database), a poll could store nothing: a tick then starts
at most one poll every DB_BACKOFF seconds, which also finds out when writes work again.

A heartbeat job runs every minute (Heartbeat): it writes the bot's pulse into the database
(storage.meta) for `newsbot health` in another process, and so also finds out, with no
command arriving, when the database stops taking writes.

A read-also job runs every minute: stories first seen in the last day that nobody has pushed
get their "Read also" computed there, and what /latest computed for its answers is stored
(usecases.related), so /latest finds it stored next time.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable

from telegram.error import TelegramError
from telegram.ext import Application

from bot.metrics import Metrics
from fetch.poller import Poller, PollReport
from news import replies
from news.i18n import translator
from storage import Storage
from storage.database import DatabaseUnavailable
from usecases import health, related

log = logging.getLogger(__name__)

TICK_SECONDS = 5.0
DB_BACKOFF = 60.0
HEARTBEAT_SECONDS = 60.0
READ_ALSO_SECONDS = 60.0


class PollScheduler:
    def __init__(
        self,
        poller: Poller,
        *,
        admins: frozenset[int],
        notify: Callable[[int, str], Awaitable[None]],
        on_report: Callable[[PollReport], Awaitable[None]] | None = None,
    ) -> None:
        self.poller = poller
        self.admins = admins
        self.notify = notify
        self.on_report = on_report
        self.in_flight: set[int] = set()
        self._tasks: set[asyncio.Task] = set()
        self._probed_at = float("-inf")  # monotonic time of the last poll while writes fail

    async def tick(self, _context: object = None) -> int:
        """Start a poll for every due source not already in flight; return how many started."""
        storage = self.poller.storage
        due = await storage.sources.due(storage.now(), exclude=self.in_flight)
        if storage.write_problem is not None and due:
            if time.monotonic() - self._probed_at < DB_BACKOFF:
                return 0
            self._probed_at = time.monotonic()
            due = due[:1]
        for source in due:
            self.in_flight.add(source.id)
            task = asyncio.create_task(self._run(source), name=f"poll-source-{source.id}")
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return len(due)

    async def _run(self, source) -> None:
        try:
            report = await self.poller.poll(source)
            if report.alert:
                await self._alert(report)
            if self.on_report is not None:
                await self.on_report(report)
        except Exception:
            log.exception("Unexpected error after polling source %s", source.id)
        finally:
            self.in_flight.discard(source.id)

    async def _alert(self, report: PollReport) -> None:
        """Tell the operators once that a source has been failing for a day."""
        source = report.source
        for admin in sorted(self.admins):
            chat = await self.poller.storage.chats.get(admin)  # the operator's language
            text = replies.source_failing(
                translator(chat and chat.language), source, report.error or ""
            )
            try:
                await self.notify(admin, text)
            except TelegramError as exc:
                log.warning("Could not alert admin %s: %s", admin, exc)
        await self.poller.storage.sources.mark_alerted(source.id)

    async def idle(self) -> None:
        """Wait until the polls in flight are done (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def shutdown(self, grace: float = 3.0) -> None:
        """Let polls in flight finish their writes for `grace` seconds, then cancel the rest
        (a cancelled poll rolls its transaction back and is simply polled again later)."""
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=grace)
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*list(self._tasks), return_exceptions=True)


async def fill_read_also(storage: Storage, unsaved: related.Unsaved | None = None) -> None:
    """Read-also for the newest stories that lack it, and what answers computed
    (usecases.related, rules 2 and 3)."""
    try:
        await related.fill_recent(storage, unsaved)
    except DatabaseUnavailable:  # storage warned once; it runs again next minute
        return
    except Exception:  # a bad row must not stop the job; it runs again next minute
        log.exception("Computing read-also failed")


class Heartbeat:
    """Every minute, the `heartbeat` row: the time (a write, so its being fresh says writes
    work) and the sends and 429s of the last hour (the sender's counters, kept a minute apart
    for an hour)."""

    def __init__(
        self,
        storage: Storage,
        stats: Callable[[], dict[str, int]],
        *,
        metrics: Metrics | None = None,
    ) -> None:
        self.storage = storage
        self.stats = stats
        self.metrics = metrics  # its gauges are refreshed here, once a minute
        self._history: deque[tuple[int, int, int]] = deque(maxlen=61)  # (at, sent, 429s)

    async def beat(self, _context: object = None) -> None:
        now = self.storage.now()
        stats = self.stats()
        self._history.append((now, stats.get("sent", 0), stats.get("rate_limited", 0)))
        _, sent_then, limited_then = self._history[0]
        pulse = {
            "at": now,
            "sent_last_hour": stats.get("sent", 0) - sent_then,
            "rate_limited_last_hour": stats.get("rate_limited", 0) - limited_then,
        }
        try:
            await self.storage.meta.put("heartbeat", pulse)
        except DatabaseUnavailable:  # storage warned; `newsbot health` sees the pulse stop
            return
        if self.metrics is not None:
            await self._gauges(self.metrics)

    async def _gauges(self, metrics: Metrics) -> None:
        found = await health.check(self.storage)
        metrics.outbox_pending.set(found.pending)
        oldest = found.oldest_pending_at
        metrics.outbox_oldest.set(found.now - oldest if oldest is not None else 0)
        if found.last_poll_at is not None:
            metrics.last_poll.set(found.last_poll_at)
        metrics.database_bytes.set(await asyncio.to_thread(self.storage.size_bytes))


def every(application: Application, callback, *, interval: float, first: float, name: str) -> None:
    """A repeating job that never overlaps itself, runs once for missed runs (coalesce) and
    is never skipped for being late: how every job of the bot is scheduled."""
    application.job_queue.run_repeating(
        callback, interval=interval, first=first, name=name,
        job_kwargs={"max_instances": 1, "coalesce": True, "misfire_grace_time": None},
    )  # fmt: skip


def schedule_heartbeat(application: Application, heartbeat: Heartbeat) -> None:
    every(application, heartbeat.beat, interval=HEARTBEAT_SECONDS, first=0.2, name="heartbeat")


def schedule_read_also(
    application: Application, storage: Storage, unsaved: related.Unsaved
) -> None:
    async def job(_context: object) -> None:
        await fill_read_also(storage, unsaved)

    every(application, job, interval=READ_ALSO_SECONDS, first=READ_ALSO_SECONDS, name="read-also")


def schedule_polling(application: Application, scheduler: PollScheduler, interval: float) -> None:
    every(application, scheduler.tick, interval=interval, first=0.5, name="poll-tick")
