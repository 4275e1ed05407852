"""The daily digest: when it goes out, what it covers, and how it reads. Pure functions, no I/O.

When (times are UTC epoch seconds; `next_digest_at` is what storage keeps per chat):
 1. Each chat has a local time of day (default 09:00) and an IANA time zone. `/digest HH:MM
    [Area/City]` changes them; hours 0-23, minutes 00-59, zone names matched without regard to
    case among the zones the system knows (plus UTC and GMT). Anything else is refused with a
    reply that shows the `/digest HH:MM Area/City` form.
 2. The occurrence on a local day is that wall-clock time in the chat's zone. A time that does
    not exist that day (the spring-forward gap) goes out at the first valid minute after the
    gap (02:30 -> 03:00); a time that happens twice (the autumn fold) means its first
    occurrence only.
 3. The next digest is the first occurrence strictly after now. Occurrences are one per local
    day and strictly increasing, so serving one and asking for the next can never land on the
    same local day again: that is what makes the repeated autumn hour fire once.
 4. A minute tick compares now with `next_digest_at`: before it, wait; from it to 6 hours after,
    send (the bot was down at digest time but is back soon enough for the digest to be
    useful); later than that, skip. After a send or a skip the next occurrence is stored.
 5. A digest covers the stories first seen after the newest one the chat's previous digest
    covered (kept as a story id, so no story is in two digests), and never more than the last
    24 hours (a chat's first digest, or one after days of silence, is not a news dump).

What (build_digest):
 6. The first line is "Daily digest" and the date, in the chat's zone.
 7. A section per followed brand or keyword, in the chat's subscription order, headed by its
    display name; sections with no stories are left out.
 8. A story about several followed brands or keywords appears once, under the first of them.
 9. Within a section: most sources first (cluster size), then newest, at most 5 stories, then
    "and N more — /latest BRAND" when there are more.
10. A story is its headline as a link, its source, and the first sentence of its summary.
11. Feed text is escaped; only <b>, <i> and <a href> are produced.
12. Messages split between sections (between stories only if one section alone is too big),
    each within Telegram's limits: 4096 visible characters, 100 formatting entities and 32 KB
    of raw text.
13. Nothing new: no message at all, unless the chat opted in with `/digest quiet off`, which
    gets one short line.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Literal
from zoneinfo import ZoneInfo

from news.limits import MAX_ENTITIES, MAX_MESSAGE, MAX_RAW_BYTES
from news.links import is_http_url
from news.models import DEFAULT_DIGEST_TIME, Chat, Subscription, SubscriptionKind
from news.summary import sentences
from news.telegram_html import escape, quoted, shorten, utf16_len, visible_length

GRACE = 6 * 3600  # how late a digest may still go out after the bot was down
WINDOW = 24 * 3600  # the longest period one digest covers
DEFAULT_TIME = DEFAULT_DIGEST_TIME
DEFAULT_QUIET = True  # by default a day without news sends nothing
MAX_PER_SECTION = 5

MAX_ARGUMENT = 80  # a /digest argument longer than this is not a time and a zone
MAX_ZONE_NAME = 64  # the longest tz database name is about 32 characters
MAX_TITLE = 200
MAX_SUMMARY = 200
MAX_SOURCE = 80
MAX_HEADING = 100
MAX_LINK = 2048  # escaped href length; longer links are dropped, the title stays

NOTHING_NEW = "No news about your brands today."

USAGE = "<code>/digest HH:MM Area/City</code>, for example <code>/digest 08:30 Europe/Berlin</code>"

# --- arguments ------------------------------------------------------------------------------


class DigestArgumentError(ValueError):
    """A /digest argument the bot cannot use. `str(error)` is the whole reply, Telegram HTML,
    with any user text escaped, and always shows the `/digest HH:MM Area/City` form."""


DigestKind = Literal["show", "set", "now", "off", "quiet_on", "quiet_off"]


@dataclass(frozen=True)
class DigestCommand:
    kind: DigestKind
    time: time | None = None  # set only, always present for "set"
    timezone: str | None = None  # set only; None keeps the chat's zone


_TIME = re.compile(r"([0-9]{1,2})[:：]([0-9]{2})")  # ASCII digits; phones may type a wide colon
# Entries of the zone directory that are not places a user lives in.
_NOT_ZONES = frozenset({"localtime", "factory", "posixrules"})


def _clean(text: str) -> str:
    """Control and format characters (zero-width spaces, RTL marks) become spaces, collapsed."""
    kept = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in text)
    return " ".join(kept.split())


def parse_digest_time(text: str) -> time:
    """H:MM or HH:MM on the 24-hour clock."""
    text = _clean(text)
    m = _TIME.fullmatch(text)
    if m is None:
        raise DigestArgumentError(
            f"{quoted(text, 20)} is not a time of day. Send it as HH:MM on the 24-hour clock: "
            f"{USAGE}."
        )
    hour, minute = int(m.group(1)), int(m.group(2))
    if hour > 23:
        raise DigestArgumentError(
            f"There is no hour {hour} in a day: hours go from 0 to 23. Use {USAGE}."
        )
    if minute > 59:
        raise DigestArgumentError(
            f"There is no minute {m.group(2)}: minutes go from 00 to 59. Use {USAGE}."
        )
    return time(hour, minute)


@cache
def _known_zones() -> dict[str, str]:
    """Case-folded name -> canonical name, for every zone the system's tz database has.

    Only names from this table ever reach ZoneInfo(), so user text is never a file path.
    """
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


def parse_timezone(text: str, *, usage: str = USAGE) -> str:
    """An IANA zone name, matched case-insensitively ("europe/moscow" -> "Europe/Moscow").
    `usage` is the command form the refusal shows."""
    text = _clean(text)
    if len(text) <= MAX_ZONE_NAME:
        # Spaces stand for underscores: "America/New York".
        name = _known_zones().get(text.casefold().replace(" ", "_"))
        if name is not None:
            return name
    hint = ""
    if len(text) <= MAX_ZONE_NAME and (suggestion := _suggest_zone(text)):
        hint = f" Did you mean <code>{escape(suggestion)}</code>?"
    raise DigestArgumentError(
        f"I don't know the time zone {quoted(text, 40)}.{hint} Use {usage}; the zone is a tz "
        "database name such as Europe/Berlin, America/New_York, Asia/Tokyo or UTC."
    )


def _is_zone_like(word: str) -> bool:
    return "/" in word or word.casefold() in _known_zones()


def parse_digest_command(argument: str) -> DigestCommand:
    """What follows /digest: nothing, "now", "off", "quiet on|off", or a time and a zone."""
    text = _clean(argument)
    if len(text) > MAX_ARGUMENT:
        # Refused before any parsing: a pasted paragraph is neither a time nor a zone.
        raise DigestArgumentError(f"That is too long to be a time and a time zone. Use {USAGE}.")
    words = text.split(" ") if text else []
    if not words:
        return DigestCommand("show")
    head = words[0].casefold()
    if head in ("now", "off"):
        if len(words) > 1:
            raise DigestArgumentError(
                f"<code>/digest {head}</code> takes nothing after it. To set the time: {USAGE}."
            )
        return DigestCommand("now" if head == "now" else "off")
    if head == "quiet":
        if len(words) == 2 and words[1].casefold() in ("on", "off"):
            return DigestCommand("quiet_on" if words[1].casefold() == "on" else "quiet_off")
        raise DigestArgumentError(
            "Use <code>/digest quiet off</code> to get a short note on days without news, or "
            "<code>/digest quiet on</code> to get nothing on those days (the default). To set "
            f"the time: {USAGE}."
        )
    if len(words) == 1:
        word = words[0]
        if not any(ch.isdigit() for ch in word) and _suggest_zone(word):
            parse_timezone(word)  # a bare city ("Moscow"): answer with "did you mean"
        if _is_zone_like(word):
            zone = parse_timezone(word)  # refuses unknown zones with their own reason
            raise DigestArgumentError(
                f"Say the time too: <code>/digest 09:00 {escape(zone)}</code>. The form is {USAGE}."
            )
        return DigestCommand("set", parse_digest_time(word))
    if len(words) == 2 and _is_zone_like(words[0]) and not _is_zone_like(words[1]):
        words.reverse()  # "/digest Europe/Berlin 08:30" is clear enough to accept
    at = parse_digest_time(words[0])
    return DigestCommand("set", at, parse_timezone(" ".join(words[1:])))


# --- when -----------------------------------------------------------------------------------


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


def _following(now: int, at: time, timezone: str) -> int:
    """The occurrence on the local day after the latest occurrence at or before `now` (the one
    just served). Never the fold's second 02:30: occurrences are computed per day, never by
    adding 24 hours to wall time."""
    zone = chat_zone(timezone)
    day = datetime.fromtimestamp(now, zone).date()
    served = day if _occurrence_at(day, at, zone) <= now else day - timedelta(days=1)
    day = served + timedelta(days=1)
    while (when := _occurrence_at(day, at, zone)) <= now:  # defensive; one pass in practice
        day += timedelta(days=1)
    return when


def after_send(now: int, at: time, timezone: str) -> int:
    return _following(now, at, timezone)


def after_skip(now: int, at: time, timezone: str) -> int:
    # Every missed day is skipped at once: the bot back after three days sends nothing old.
    return _following(now, at, timezone)


def schedule_for(chat: Chat, now: int) -> int | None:
    """When the chat's next digest goes out under its current settings (None: digest off).

    After a change of time or zone the next digest is on a later local day than the last
    one, so moving 09:00 to 21:00 after the morning digest does not send a second one today.
    """
    if not chat.digest_on:
        return None
    return next_digest_at(now, chat.digest_time, chat.timezone, last_digest_at=chat.last_digest_at)


# --- what -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DigestStory:
    id: int
    title: str
    link: str | None
    source: str | None
    published_at: int
    first_seen_at: int
    summary: str = ""
    cluster_size: int = 1  # how many sources covered the story
    brands: tuple[str, ...] = ()  # brand keys the story is about
    keywords: tuple[str, ...] = ()  # followed keywords it matched (normalized)


@dataclass(frozen=True)
class Section:
    key: str  # a brand key, or "kw:<keyword>"
    heading: str  # plain text: the brand's display name, or the keyword in quotes
    latest_command: str  # plain text: "/latest xiaomi", "/latest foldable phone"


_ENTITY_TAG = re.compile(r"<(?:a|b|i)[\s>]")


def _belongs(story: DigestStory, section: Section) -> bool:
    if section.key.startswith("kw:"):
        keyword = section.key[3:].casefold()
        return any(k.casefold() == keyword for k in story.keywords)
    return section.key in story.brands


def _rank_key(story: DigestStory) -> tuple[int, int, int]:
    return (-story.cluster_size, -story.published_at, -story.id)


def _one_sentence(summary: str) -> str:
    first = next(iter(sentences(summary)), "") if summary else ""
    return shorten(first, MAX_SUMMARY)


def _story_lines(story: DigestStory) -> str:
    title = escape(shorten(" ".join(story.title.split()) or "(untitled)", MAX_TITLE))
    href = escape(story.link.strip()) if story.link and is_http_url(story.link) else ""
    # Telegram drops links it cannot use; an absurdly long one would also eat the 32 KB budget.
    head = f'<a href="{href}">{title}</a>' if href and len(href) <= MAX_LINK else f"<b>{title}</b>"
    source = " ".join((story.source or "").split())
    line = f"• {head}" + (f" — {escape(shorten(source, MAX_SOURCE))}" if source else "")
    summary = _one_sentence(story.summary)
    return line + (f"\n{escape(summary)}" if summary else "")


@dataclass(frozen=True)
class _Measure:
    """What Telegram counts in a piece of a message."""

    visible: int
    entities: int
    raw: int

    @classmethod
    def of(cls, markup: str) -> _Measure:
        return cls(
            visible_length(markup), len(_ENTITY_TAG.findall(markup)), len(markup.encode("utf-8"))
        )

    def joined(self, separator: str, other: _Measure) -> _Measure:
        return _Measure(
            self.visible + utf16_len(separator) + other.visible,
            self.entities + other.entities,
            self.raw + len(separator.encode("utf-8")) + other.raw,
        )


_NOTHING = _Measure(0, 0, 0)
Part = tuple[str, _Measure]  # balanced HTML and its size


def _part(markup: str) -> Part:
    return markup, _Measure.of(markup)


def _section_parts(
    section: Section, ranked: list[DigestStory], line: Callable[[DigestStory], Part]
) -> list[Part]:
    """Heading, one part per shown story, and the "more" line. `ranked` is best first."""
    heading = f"<b>{escape(shorten(section.heading, MAX_HEADING))}</b>"
    parts = [_part(heading)] + [line(s) for s in ranked[:MAX_PER_SECTION]]
    if len(ranked) > MAX_PER_SECTION:
        more = shorten(section.latest_command, MAX_HEADING)
        parts.append(_part(f"and {len(ranked) - MAX_PER_SECTION} more — {escape(more)}"))
    return parts


def _fits(size: _Measure, separator: str, add: _Measure, limit: int) -> bool:
    total = size.joined(separator, add)
    return total.visible <= limit and total.entities <= MAX_ENTITIES and total.raw <= MAX_RAW_BYTES


def _pack(blocks: list[list[Part]], limit: int) -> list[str]:
    """Messages from blocks (a block is a list of parts joined by newlines); a blank line
    between blocks. Splits between blocks; a block too big for a message of its own is split
    between its parts, so no message ever cuts inside a tag (news.telegram_html.pack does the
    same for visible length; this also keeps Telegram's entity and raw-size limits)."""
    messages: list[str] = []
    current: list[str] = []
    size = _NOTHING

    def add(piece: str, measure: _Measure, separator: str) -> None:
        nonlocal current, size
        if current and not _fits(size, separator, measure, limit):
            messages.append("".join(current))
            current, size = [], _NOTHING
        if current:
            current += [separator, piece]
            size = size.joined(separator, measure)
        else:
            current, size = [piece], measure

    for block in blocks:
        whole = block[0][1]
        for _markup, measure in block[1:]:
            whole = whole.joined("\n", measure)
        if _fits(_NOTHING, "", whole, limit):
            add("\n".join(markup for markup, _ in block), whole, "\n\n")
        else:
            for i, (markup, measure) in enumerate(block):
                add(markup, measure, "\n\n" if i == 0 else "\n")
    if current:
        messages.append("".join(current))
    return messages


def _format_date(now: int, timezone: str) -> str:
    local = datetime.fromtimestamp(now, chat_zone(timezone))
    return f"{local.day} {local:%b %Y}"


def _messages(
    blocks: list[list[Part]], *, timezone: str, now: int, quiet: bool, limit: int
) -> list[str]:
    if not blocks:
        return [] if quiet else [NOTHING_NEW]
    header = _part(f"<b>Daily digest</b> · {_format_date(now, timezone)}")
    return _pack([[header], *blocks], limit)


def build_digest(
    sections: list[Section],
    stories: list[DigestStory],
    *,
    timezone: str,
    now: int,
    quiet: bool = DEFAULT_QUIET,
    limit: int = MAX_MESSAGE,
) -> list[str]:
    """The digest's messages, Telegram HTML; [] when there is nothing to send.

    `sections` are in the chat's subscription order; `stories` are those the digest covers
    (rule 5; storage selects them).
    """
    placed: dict[int, list[DigestStory]] = {i: [] for i in range(len(sections))}
    seen: set[int] = set()
    for story in stories:
        if story.id in seen:
            continue
        for i, section in enumerate(sections):
            if _belongs(story, section):
                placed[i].append(story)  # the first matching section only
                seen.add(story.id)
                break
    blocks = [
        _section_parts(sections[i], sorted(found, key=_rank_key), lambda s: _part(_story_lines(s)))
        for i, found in placed.items()
        if found
    ]
    return _messages(blocks, timezone=timezone, now=now, quiet=quiet, limit=limit)


# --- one tick's worth of digests -------------------------------------------------------------


def section_for(subscription: Subscription) -> Section:
    """A followed brand or keyword as a digest section."""
    if subscription.kind is SubscriptionKind.KEYWORD:
        return Section(
            f"kw:{subscription.value}", f"“{subscription.label}”", f"/latest {subscription.label}"
        )
    return Section(subscription.value, subscription.label, f"/latest {subscription.label}")


class DigestDay:
    """The stories of the last WINDOW, indexed by brand and keyword and ranked once, each
    rendered once, so thousands of chats due in the same minute each cost only a walk over
    the stories of what they follow. Composes exactly what build_digest would."""

    def __init__(self, stories: list[DigestStory]) -> None:
        self.stories = stories
        self.top_id = max((s.id for s in stories), default=0)
        by_key: dict[str, list[DigestStory]] = {}
        for story in stories:
            for brand in story.brands:
                by_key.setdefault(brand, []).append(story)
            for keyword in story.keywords:
                by_key.setdefault(f"kw:{keyword.casefold()}", []).append(story)
        self._ranked = {key: sorted(found, key=_rank_key) for key, found in by_key.items()}
        self._lines: dict[int, Part] = {}

    def _line(self, story: DigestStory) -> Part:
        line = self._lines.get(story.id)
        if line is None:
            line = self._lines[story.id] = _part(_story_lines(story))
        return line

    def compose(
        self,
        subscriptions: list[Subscription],
        *,
        after_id: int,
        timezone: str,
        now: int,
        quiet: bool = DEFAULT_QUIET,
    ) -> list[str]:
        """One chat's digest: stories newer than story `after_id` (the last one its previous
        digest covered) about what it follows, in the order of its subscriptions; a story
        about two of them under the first."""
        taken: set[int] = set()
        blocks = []
        for subscription in subscriptions:
            section = section_for(subscription)
            key = section.key.casefold() if section.key.startswith("kw:") else section.key
            ranked = [s for s in self._ranked.get(key, ()) if s.id > after_id and s.id not in taken]
            if ranked:
                taken.update(s.id for s in ranked)
                blocks.append(_section_parts(section, ranked, self._line))
        return _messages(blocks, timezone=timezone, now=now, quiet=quiet, limit=MAX_MESSAGE)
