"""Quiet hours: the part of a chat's day when pushes arrive without a sound. Pure: no I/O.

`/quiet 23:00-08:00` sets them, in the chat's time zone; `/quiet 23:00-08:00 hold` also holds
pushes back until they end; `/quiet off` removes them; `/quiet` shows them.

1. Hours are "HH:MM-HH:MM" (also "H:MM", "HH.MM" and a dash, en dash, "to" or "до" between,
   "с 23:00 до 07:00"; "23-8" for whole hours). Each time is a wall-clock time of the chat's zone, 00:00 to 23:59.
2. The start is in the quiet hours, the end is not: 23:00-08:00 is quiet from 23:00 to
   07:59. A start later than the end runs over midnight.
3. A start equal to the end would be a whole day or none: refused (say what to write).
4. Whether a moment is quiet is decided on the chat's local wall clock at that moment, so
   the hours follow the zone's daylight-saving changes.
5. While quiet, a message goes with Telegram's `disable_notification`: delivered as usual,
   only silently.
6. With "hold" after the hours (also "held", "bundle", "later"), pushes are not sent while
   quiet: they wait for the end of the quiet hours (`quiet_end`, the first local minute
   after them) and then arrive together as one message (news.bundles). A digest due in
   quiet hours still goes, silently: the chat chose its time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

_TIME = r"([01]?\d|2[0-3])(?:[:.h]([0-5]\d))?"
_RANGE = re.compile(rf"^(?:с\s*)?{_TIME}\s*(?:-|–|—|to|до)\s*{_TIME}$", re.IGNORECASE)
OFF_WORDS = frozenset({"off", "none", "no", "stop"})
HOLD_WORDS = frozenset({"hold", "held", "bundle", "later"})  # rule 6


@dataclass(frozen=True)
class QuietHours:
    start: time
    end: time
    hold: bool = False  # rule 6: pushes wait for the end instead of arriving silently

    @property
    def minutes(self) -> tuple[int, int]:
        """(start, end) as minutes after midnight, as stored."""
        return self.start.hour * 60 + self.start.minute, self.end.hour * 60 + self.end.minute

    @classmethod
    def from_minutes(
        cls, start: int | None, end: int | None, hold: bool = False
    ) -> QuietHours | None:
        if start is None or end is None:
            return None
        return cls(time(start // 60, start % 60), time(end // 60, end % 60), hold)

    def label(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M}"


class QuietProblem(StrEnum):
    FORMAT = "format"  # not "HH:MM-HH:MM" (rule 1)
    EMPTY = "empty"  # start equals end (rule 3)


class QuietArgumentError(ValueError):
    def __init__(self, problem: QuietProblem, argument: str) -> None:
        super().__init__(problem.value)
        self.problem = problem
        self.argument = argument


@dataclass(frozen=True)
class QuietCommand:
    kind: str  # "show", "set" or "off"
    hours: QuietHours | None = None


def parse_quiet(argument: str) -> QuietCommand:
    """Rules 1-3 and 6: what `/quiet <argument>` asks for; QuietArgumentError if it is not
    valid."""
    text = " ".join(argument.split())
    if not text:
        return QuietCommand("show")
    if text.casefold() in OFF_WORDS:
        return QuietCommand("off")
    words = text.split(" ")
    hold = len(words) > 1 and words[-1].casefold() in HOLD_WORDS
    if hold:
        text = " ".join(words[:-1])
    found = _RANGE.match(text)
    if found is None:
        raise QuietArgumentError(QuietProblem.FORMAT, text)
    h1, m1, h2, m2 = found.groups()
    hours = QuietHours(time(int(h1), int(m1 or 0)), time(int(h2), int(m2 or 0)), hold)
    if hours.start == hours.end:
        raise QuietArgumentError(QuietProblem.EMPTY, text)
    return QuietCommand("set", hours)


def is_quiet(hours: QuietHours | None, at: float, timezone: str) -> bool:
    """Rules 2 and 4: whether the moment `at` (UTC seconds) is in the chat's quiet hours."""
    if hours is None:
        return False
    local = datetime.fromtimestamp(at, UTC).astimezone(ZoneInfo(timezone)).time()
    return _inside(hours, local.hour * 60 + local.minute)


def _inside(hours: QuietHours, minute: int) -> bool:
    start, end = hours.minutes
    if start < end:
        return start <= minute < end
    return minute >= start or minute < end  # over midnight


def quiet_end(hours: QuietHours, at: float, timezone: str) -> int:
    """Rule 6: the UTC second at which the quiet hours `at` is in end (the next local time
    that is no longer quiet); `at` itself when it is not quiet."""
    if not is_quiet(hours, at, timezone):
        return int(at)
    zone = ZoneInfo(timezone)
    local = datetime.fromtimestamp(at, UTC).astimezone(zone)
    end = local.replace(hour=hours.end.hour, minute=hours.end.minute, second=0, microsecond=0)
    if end <= local:
        end += timedelta(days=1)
    # On a daylight-saving day the wall clock may skip or repeat the end: from the UTC moment
    # it maps to, find the first whole minute outside the hours (forward, then back while
    # the minute before is outside too: an end inside a skipped hour comes earlier).
    moment = int(end.astimezone(UTC).timestamp())
    for _ in range(180):
        if not is_quiet(hours, moment, timezone):
            break
        moment += 60
    while moment - 60 > at and not is_quiet(hours, moment - 60, timezone):
        moment -= 60
    return moment
