"""What follows /digest and /timezone: the command's grammar. Pure functions, no I/O.

1. `/digest` alone shows the schedule; `now`, `on`, `off`, `empty note` and `empty silent`
   are words of their own and take nothing after them. `empty note` sends a short note on a
   day without news, `empty silent` (the default) sends nothing; the older `quiet off` and
   `quiet on` mean the same (they read inverted: "quiet off" *sends* the note) and are kept.
2. `/digest HH:MM [Area/City]` sets the time (H:MM or HH:MM on the 24-hour clock; hours
   0-23, minutes 00-59; a full-width colon is read as a colon) and, when given, the zone.
   "Area/City HH:MM" is accepted the other way round.
3. A zone is what news.zones reads it as first (a UTC offset suggests a city zone; an
   abbreviation or a city name, English or Russian, resolves), else an IANA name of the
   system's tz database (plus UTC and GMT), matched without regard to case, spaces standing
   for underscores ("america/new york"). Only names from that table ever reach ZoneInfo(),
   so user text is never a file path.
4. A zone alone ("/digest Europe/Berlin") asks for the time too; a bare or misspelt city
   ("Moscow", "Europe/Moskow") gets "did you mean".
5. Control and format characters (zero-width spaces, RTL marks) read as spaces; anything
   longer than MAX_ARGUMENT is refused before any parsing.
Refusals are DigestArgumentError values naming the problem (news.replies words them, always
with the `/digest HH:MM Area/City` form, or `/timezone Area/City` for /timezone).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
import zoneinfo
from dataclasses import dataclass
from datetime import time
from enum import StrEnum
from functools import cache
from typing import Literal

from news.errors import NewsbotError
from news.zones import ZoneReading, read_offset, read_zone

MAX_ARGUMENT = 80  # a /digest argument longer than this is not a time and a zone
MAX_ZONE_NAME = 64  # the longest tz database name is about 32 characters


class DigestProblem(StrEnum):
    NOT_A_TIME = "not_a_time"  # text: what was given
    NO_SUCH_HOUR = "no_such_hour"  # text: the hour
    NO_SUCH_MINUTE = "no_such_minute"  # text: the minute as typed
    UNKNOWN_ZONE = "unknown_zone"  # text: what was given; suggestion: a zone, maybe
    TOO_LONG = "too_long"
    TAKES_NOTHING = "takes_nothing"  # text: "now" or "off"
    QUIET_USAGE = "quiet_usage"
    TIME_MISSING = "time_missing"  # text: the zone that was given
    OFFSET = "offset"  # text: the offset as typed; suggestion: a city zone; offset: minutes


class DigestArgumentError(NewsbotError, ValueError):
    """A /digest or /timezone argument the bot cannot use; `problem` says why, `text` is the
    part of the input concerned, `suggestion` a zone the user may have meant, `command` the
    command whose form the answer shows."""

    def __init__(
        self,
        problem: DigestProblem,
        text: str = "",
        *,
        suggestion: str | None = None,
        command: Literal["digest", "timezone"] = "digest",
        offset: int | None = None,
    ) -> None:
        super().__init__(problem.value, text)
        self.problem = problem
        self.text = text
        self.suggestion = suggestion
        self.command = command
        self.offset = offset


DigestKind = Literal["show", "set", "now", "on", "off", "quiet_on", "quiet_off"]
# Rule 1: what an empty day sends. "note"/"silent" and the older "quiet off"/"quiet on".
_EMPTY_DAY = {
    ("empty", "note"): "quiet_off", ("empty", "silent"): "quiet_on",
    ("empty", "nothing"): "quiet_on", ("quiet", "off"): "quiet_off", ("quiet", "on"): "quiet_on",
}  # fmt: skip


@dataclass(frozen=True)
class DigestCommand:
    kind: DigestKind
    time: time | None = None  # set only, always present for "set"
    timezone: str | None = None  # set only; None keeps the chat's zone


_TIME = re.compile(r"([0-9]{1,2})[:：]([0-9]{2})")  # ASCII digits; phones may type a wide colon
# Entries of the zone directory that are not places a user lives in.
_NOT_ZONES = frozenset({"localtime", "factory", "posixrules"})


def _clean(text: str) -> str:
    """Rule 5: control and format characters become spaces, collapsed."""
    kept = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in text)
    return " ".join(kept.split())


def parse_digest_time(text: str) -> time:
    """Rule 2: H:MM or HH:MM on the 24-hour clock."""
    text = _clean(text)
    m = _TIME.fullmatch(text)
    if m is None:
        raise DigestArgumentError(DigestProblem.NOT_A_TIME, text)
    hour, minute = int(m.group(1)), int(m.group(2))
    if hour > 23:
        raise DigestArgumentError(DigestProblem.NO_SUCH_HOUR, str(hour))
    if minute > 59:
        raise DigestArgumentError(DigestProblem.NO_SUCH_MINUTE, m.group(2))
    return time(hour, minute)


@cache
def _known_zones() -> dict[str, str]:
    """Case-folded name -> canonical name, for every zone the system's tz database has."""
    zones = {
        name.casefold(): name
        for name in zoneinfo.available_timezones()
        if name.casefold() not in _NOT_ZONES and not name.startswith(("posix/", "right/"))
    }
    # UTC and GMT are what people type; accept them even where tzdata lacks the aliases.
    zones.setdefault("utc", "UTC")
    zones.setdefault("gmt", "UTC")
    return zones


def _suggest_zone(text: str) -> str | None:
    zones = _known_zones()
    key = text.casefold().replace(" ", "_")
    # A bare city ("Moscow") or a misspelt one ("Europe/Moskow").
    by_city = [name for name in zones.values() if name.casefold().rsplit("/", 1)[-1] == key]
    if len(by_city) == 1:
        return by_city[0]
    close = difflib.get_close_matches(key, list(zones), n=1, cutoff=0.85)
    return zones[close[0]] if close else None


def parse_timezone(text: str, *, command: Literal["digest", "timezone"] = "digest") -> str:
    """Rule 3: an IANA zone name ("europe/moscow" -> "Europe/Moscow"). `command` is the
    command whose form a refusal shows."""
    text = _clean(text)
    if len(text) <= MAX_ZONE_NAME:
        reading = read_zone(text, _known_zones())
        if reading.zone is not None:
            return reading.zone
        if reading.offset is not None:
            raise DigestArgumentError(
                DigestProblem.OFFSET, text, suggestion=reading.suggestion, command=command,
                offset=reading.offset,
            )  # fmt: skip
        if reading.suggestion is not None:
            raise DigestArgumentError(
                DigestProblem.UNKNOWN_ZONE, text, suggestion=reading.suggestion, command=command
            )
        name = _known_zones().get(text.casefold().replace(" ", "_"))
        if name is not None:
            return name
    suggestion = _suggest_zone(text) if len(text) <= MAX_ZONE_NAME else None
    raise DigestArgumentError(
        DigestProblem.UNKNOWN_ZONE, text, suggestion=suggestion, command=command
    )


def _is_zone_like(word: str) -> bool:
    return (
        "/" in word
        or word.casefold() in _known_zones()
        or read_offset(word) is not None
        or read_zone(word, _known_zones()) != ZoneReading()
    )


def _one_word(word: str) -> DigestCommand:
    """Rules 2 and 4 for a single word: a time, or a zone that needs a time."""
    if not any(ch.isdigit() for ch in word) and _suggest_zone(word):
        parse_timezone(word)  # a bare city ("Moscow"): answer with "did you mean"
    if _is_zone_like(word):
        zone = parse_timezone(word)  # refuses unknown zones with their own reason
        raise DigestArgumentError(DigestProblem.TIME_MISSING, zone)
    return DigestCommand("set", parse_digest_time(word))


def parse_digest_command(argument: str) -> DigestCommand:
    """Rules 1-5: what follows /digest."""
    text = _clean(argument)
    if len(text) > MAX_ARGUMENT:
        raise DigestArgumentError(DigestProblem.TOO_LONG)
    words = text.split(" ") if text else []
    if not words:
        return DigestCommand("show")
    head = words[0].casefold()
    if head in ("now", "on", "off"):
        if len(words) > 1:
            raise DigestArgumentError(DigestProblem.TAKES_NOTHING, head)
        return DigestCommand(head)  # type: ignore[arg-type]
    if head in ("empty", "quiet"):
        kind = _EMPTY_DAY.get((head, words[1].casefold())) if len(words) == 2 else None
        if kind is None:
            raise DigestArgumentError(DigestProblem.QUIET_USAGE)
        return DigestCommand(kind)  # type: ignore[arg-type]
    if len(words) == 1:
        return _one_word(words[0])
    if len(words) == 2 and _is_zone_like(words[0]) and not _is_zone_like(words[1]):
        words.reverse()  # "/digest Europe/Berlin 08:30" is clear enough to accept
    at = parse_digest_time(words[0])
    return DigestCommand("set", at, parse_timezone(" ".join(words[1:])))
