"""Quiet hours: the part of a chat's day when pushes arrive without a sound. Pure: no I/O.

`/quiet 23:00-08:00` sets them, in the chat's time zone; `/quiet off` removes them; `/quiet`
shows them.

1. Hours are "HH:MM-HH:MM" (also "H:MM", "HH.MM" and a dash, en dash or "to" between; "23-8"
   for whole hours). Each time is a wall-clock time of the chat's zone, 00:00 to 23:59.
2. The start is in the quiet hours, the end is not: 23:00-08:00 is quiet from 23:00 to
   07:59. A start later than the end runs over midnight.
3. A start equal to the end would be a whole day or none: refused (say what to write).
4. Whether a moment is quiet is decided on the chat's local wall clock at that moment, so
   the hours follow the zone's daylight-saving changes.
5. While quiet, a message goes with Telegram's `disable_notification`: delivered as usual,
   only silently. (Holding them back into one message at the end is not done yet.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time
from enum import StrEnum
from zoneinfo import ZoneInfo

_TIME = r"([01]?\d|2[0-3])(?:[:.h]([0-5]\d))?"
_RANGE = re.compile(rf"^{_TIME}\s*(?:-|–|—|to)\s*{_TIME}$", re.IGNORECASE)
OFF_WORDS = frozenset({"off", "none", "no", "stop"})


@dataclass(frozen=True)
class QuietHours:
    start: time
    end: time

    @property
    def minutes(self) -> tuple[int, int]:
        """(start, end) as minutes after midnight, as stored."""
        return self.start.hour * 60 + self.start.minute, self.end.hour * 60 + self.end.minute

    @classmethod
    def from_minutes(cls, start: int | None, end: int | None) -> QuietHours | None:
        if start is None or end is None:
            return None
        return cls(time(start // 60, start % 60), time(end // 60, end % 60))

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
    """Rules 1-3: what `/quiet <argument>` asks for; QuietArgumentError if it is not valid."""
    text = " ".join(argument.split())
    if not text:
        return QuietCommand("show")
    if text.casefold() in OFF_WORDS:
        return QuietCommand("off")
    found = _RANGE.match(text)
    if found is None:
        raise QuietArgumentError(QuietProblem.FORMAT, text)
    h1, m1, h2, m2 = found.groups()
    hours = QuietHours(time(int(h1), int(m1 or 0)), time(int(h2), int(m2 or 0)))
    if hours.start == hours.end:
        raise QuietArgumentError(QuietProblem.EMPTY, text)
    return QuietCommand("set", hours)


def is_quiet(hours: QuietHours | None, at: float, timezone: str) -> bool:
    """Rules 2 and 4: whether the moment `at` (UTC seconds) is in the chat's quiet hours."""
    if hours is None:
        return False
    local = datetime.fromtimestamp(at, UTC).astimezone(ZoneInfo(timezone)).time()
    now = local.hour * 60 + local.minute
    start, end = hours.minutes
    if start < end:
        return start <= now < end
    return now >= start or now < end  # over midnight
