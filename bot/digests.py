"""The daily digest at run time: the one-minute tick and /digest now.

The tick asks storage which chats are due, decides for each (news.digest_schedule: send, or skip when
the bot comes back more than 6 hours late, or just compute a schedule not set yet), composes
the digests from one shared read of the day's stories, and records everything in batched
transactions that queue the messages in the outbox with the schedule's move (storage.digests).
The push sender then delivers them at Telegram's pace, interleaved fairly with pushes and
command replies. The tick never sends anything itself, so a slow Telegram never delays it.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time as clock
from collections.abc import Callable
from dataclasses import dataclass

from telegram.ext import Application

from bot.jobs import every
from news.digest import DigestDay, section_for
from news.digest_schedule import WINDOW, due_action, following, schedule_for
from news.i18n import translator
from news.models import Chat, Subscription
from storage import Storage
from storage.digests import Plan

log = logging.getLogger(__name__)

TICK_SECONDS = 60.0
BATCH = 500  # chats composed and recorded per transaction


@dataclass
class TickReport:
    due: int = 0  # chats looked at
    composed: int = 0  # digests composed and recorded (some empty on a quiet day)
    skipped: int = 0  # digests missed by more than the grace period
    scheduled: int = 0  # schedules computed for the first time
    messages: int = 0  # messages queued


@dataclass(frozen=True)
class OnDemand:
    """What /digest now produced: the messages queued, or why there are none."""

    messages: int
    since_last: bool  # a previous digest bounds the period (else: the last 24 hours)
    raced: bool = False  # another digest covered these stories a moment ago


class DigestService:
    def __init__(self, storage: Storage, *, on_queued: Callable[[], None] | None = None) -> None:
        self.storage = storage
        self.on_queued = on_queued
        self._lock = asyncio.Lock()  # one tick at a time, whoever calls it

    async def _day(self, now: int) -> DigestDay:
        """The stories of the last 24 hours, with the brands and keywords tagged at ingest."""
        return DigestDay(await self.storage.digests.window(now - WINDOW))

    async def tick(self, _context: object = None) -> TickReport:
        async with self._lock:
            return await self._tick()

    async def _tick(self) -> TickReport:
        storage = self.storage
        now = storage.now()
        due = await storage.digests.due(now)
        report = TickReport(due=len(due))
        moves: list[Plan] = []  # schedules moved on without a digest
        sending = []
        for chat in due:
            if chat.next_digest_at is None:
                report.scheduled += 1
                moves.append(self._plan(chat, schedule_for(chat, now)))
            elif due_action(now, chat.next_digest_at) == "skip":
                report.skipped += 1
                log.info("Digest for chat %s is over 6 hours late: skipped", chat.id)
                next_at = following(now, chat.digest_time, chat.timezone)
                moves.append(self._plan(chat, next_at))
            else:
                sending.append(chat)
        for i in range(0, len(moves), BATCH):
            await storage.digests.record(moves[i : i + BATCH])
        if not sending:
            return report
        started = clock.perf_counter()
        follows = await storage.subscriptions.for_chats(c.id for c in sending)
        day = await self._day(now)
        # Composed and recorded a batch at a time: the event loop (command replies, the
        # sender already at work on the first batch) is never held for long, and memory
        # holds one batch's messages, not the whole 09:00 rush's.
        for i in range(0, len(sending), BATCH):
            plans = [
                self._send_plan(chat, follows.get(chat.id, []), day, now)
                for chat in sending[i : i + BATCH]
            ]
            moved, queued = await storage.digests.record(plans)
            report.composed += moved
            report.messages += queued
            if queued and self.on_queued is not None:
                self.on_queued()
        log.info(
            "Composed %d digests (%d messages) from %d stories in %.2f s",
            report.composed, report.messages, len(day.stories), clock.perf_counter() - started,
        )  # fmt: skip
        return report

    @staticmethod
    def _send_plan(chat: Chat, subscriptions: list[Subscription], day: DigestDay, now: int) -> Plan:
        """The chat's digest of the day, and its schedule moved to the next occurrence."""
        messages: list[str] = []
        if subscriptions:  # following nothing: no "no news" note either
            t = translator(chat.language)
            messages = day.compose(
                t,
                [section_for(t, s) for s in subscriptions],
                after_id=chat.digest_story_id, timezone=chat.timezone,
                now=now, quiet=chat.digest_quiet,
            )  # fmt: skip
        return Plan(
            chat_id=chat.id,
            expected_next_at=chat.next_digest_at,
            expected_covered=chat.digest_story_id,
            next_at=following(now, chat.digest_time, chat.timezone),
            messages=messages,
            digest_at=chat.next_digest_at,
            covered_id=day.top_id,
        )

    @staticmethod
    def _plan(chat: Chat, next_at: int | None) -> Plan:
        """Move the schedule on without a digest (a first schedule, a skip)."""
        assert next_at is not None  # due chats have the digest on
        return Plan(chat.id, chat.next_digest_at, chat.digest_story_id, next_at)

    async def now(self, chat: Chat) -> OnDemand:
        """/digest now: the period since the previous digest (at most 24 hours), queued now;
        the schedule stays as it is."""
        storage = self.storage
        now = storage.now()
        after_id = chat.digest_story_id  # a stale value loses the compare-and-set below
        subscriptions = await storage.subscriptions.for_chat(chat.id)
        day = await self._day(now)
        t = translator(chat.language)
        messages = day.compose(
            t,
            [section_for(t, s) for s in subscriptions],
            after_id=after_id, timezone=chat.timezone, now=now, quiet=True,
        )  # fmt: skip
        since_last = after_id > 0
        if not messages:
            return OnDemand(0, since_last)
        if not await storage.digests.record_now(
            chat.id, messages=messages, after_id=after_id, covered_id=day.top_id
        ):
            return OnDemand(0, since_last, raced=True)
        if self.on_queued is not None:
            self.on_queued()
        return OnDemand(len(messages), since_last)


def schedule_digests(application: Application, service: DigestService) -> None:
    """Run the tick at the start of every minute (and once right away, so a digest missed
    while the bot was down goes out on return rather than a minute later)."""
    first = 60 - math.fmod(clock.time(), 60) + 0.5
    application.job_queue.run_once(service.tick, when=0.5, name="digest-catch-up")
    every(application, service.tick, interval=TICK_SECONDS, first=first, name="digest-tick")
