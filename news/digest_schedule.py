"""The daily digest's schedule: when each chat's digest goes out. Pure functions, no I/O.

Times are UTC epoch seconds; `next_digest_at` is what storage keeps per chat.
 1. Each chat has a local time of day (default 09:00) and an IANA time zone (the grammar of
    `/digest HH:MM [Area/City]` is news.digest_command's).
 2. The occurrence on a local day is that wall-clock time in the chat's zone. A time that does
    not exist that day (the spring-forward gap) goes out at the first valid minute after the
    gap (02:30 -> 03:00); a time that happens twice (the autumn fold) means its first
    occurrence only.
 3. The next digest is the first occurrence strictly after now. Occurrences are one per local
    day and strictly increasing, so serving one and asking for the next can never land on the
    same local day again: that is what makes the repeated autumn hour fire once.
 4. A minute tick compares now with `next_digest_at`: before it, wait; from it to GRACE (6
    hours) after, send (the bot was down at digest time but is back soon enough for the digest
    to be useful); later than that, skip. After a send or a skip the next occurrence is stored
    (`following`).
 5. A digest covers the stories first seen after the newest one the chat's previous digest
    covered (kept as a story id, so no story is in two digests), and never more than the last
    WINDOW (24 hours: a chat's first digest, or one after days of silence, is not a news dump).
 6. After a change of time or zone the next digest is on a later local day than the last one
    (`schedule_for`), so moving 09:00 to 21:00 after the morning digest does not send a second
    one today.
"""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from news.models import Chat

GRACE = 6 * 3600  # how late a digest may still go out after the bot was down
WINDOW = 24 * 3600  # the longest period one digest covers


def chat_zone(name: str) -> ZoneInfo:
    """The chat's zone; one the system no longer knows (a tzdata update renamed it) is read as
    UTC, so a single odd row cannot stop the digest tick for every chat."""
    try:
        return ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _exists(moment: datetime) -> bool:
    """Whether this wall-clock time happens in its zone (it does not inside a DST gap)."""
    back = moment.astimezone(UTC).astimezone(moment.tzinfo)
    return back.replace(tzinfo=None) == moment.replace(tzinfo=None)


def local_occurrence(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The aware datetime of `at` on local `day`.

    Ambiguous (autumn fold): the first occurrence, fold=0. Nonexistent (spring gap): the first
    valid minute after the gap, which is the local time at the transition instant.
    """
    wall = datetime.combine(day, at.replace(second=0, microsecond=0, tzinfo=None))
    moment = wall.replace(tzinfo=zone, fold=0)
    if _exists(moment):
        return moment
    # Inside a gap fold=0 reads the wall time with the offset from before the transition and
    # fold=1 with the offset from after it, so the transition lies between the two instants.
    lo = int(wall.replace(tzinfo=zone, fold=1).timestamp())
    hi = int(moment.timestamp())
    after = datetime.fromtimestamp(hi, zone).utcoffset()
    while lo < hi:  # the first second whose offset is the post-transition one
        mid = (lo + hi) // 2
        if datetime.fromtimestamp(mid, zone).utcoffset() == after:
            hi = mid
        else:
            lo = mid + 1
    # Modern transitions fall on whole minutes; old LMT ones may not, so round up to the next
    # whole local minute.
    first = datetime.fromtimestamp(hi, zone)
    return datetime.fromtimestamp(hi + (-first.second % 60), zone)


def _occurrence_at(day: date, at: time, zone: ZoneInfo) -> int:
    return int(local_occurrence(day, at, zone).timestamp())


def next_digest_at(now: int, at: time, timezone: str, *, last_digest_at: int | None = None) -> int:
    """The first occurrence strictly after `now`.

    With `last_digest_at` (for a chat changing its time or zone) it is also on a later local
    date than that digest, so moving 09:00 to 21:00 after the 09:00 digest went out does not
    send a second one the same day.
    """
    zone = chat_zone(timezone)
    day = datetime.fromtimestamp(now, zone).date()
    if last_digest_at is not None:
        day = max(day, datetime.fromtimestamp(last_digest_at, zone).date() + timedelta(days=1))
    while (when := _occurrence_at(day, at, zone)) <= now:
        day += timedelta(days=1)
    return when


def due_action(now: int, next_at: int) -> Literal["wait", "send", "skip"]:
    if now < next_at:
        return "wait"
    if now <= next_at + GRACE:
        return "send"  # on time, or the bot is back within the grace period
    return "skip"  # too late: yesterday's news the morning after helps nobody


def following(now: int, at: time, timezone: str) -> int:
    """Rule 4's next digest after a send or a skip: the occurrence on the local day after the
    latest occurrence at or before `now` (the one just served, or missed). Every missed day is
    skipped at once: the bot back after three days sends nothing old. Never the fold's second
    02:30: occurrences are computed per day, never by adding 24 hours to wall time."""
    zone = chat_zone(timezone)
    day = datetime.fromtimestamp(now, zone).date()
    served = day if _occurrence_at(day, at, zone) <= now else day - timedelta(days=1)
    day = served + timedelta(days=1)
    while (when := _occurrence_at(day, at, zone)) <= now:  # defensive; one pass in practice
        day += timedelta(days=1)
    return when


def schedule_for(chat: Chat, now: int) -> int | None:
    """When the chat's next digest goes out under its current settings (None: digest off).

    After a change of time or zone the next digest is on a later local day than the last
    one, so moving 09:00 to 21:00 after the morning digest does not send a second one today.
    """
    if not chat.digest_on:
        return None
    return next_digest_at(now, chat.digest_time, chat.timezone, last_digest_at=chat.last_digest_at)
