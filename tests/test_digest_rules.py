"""Daily digest rules (news.digest_schedule, news.digest_command, news.digest), table-driven, with explicit epoch seconds and no real clock.

Expected instants are written as UTC wall times worked out by hand from each zone's offsets
(CET +1 / CEST +2, EST -5 / EDT -4, MSK +3, LHST +10:30 / LHDT +11), never computed with the
code under test.
"""

import calendar
import itertools
import random
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from news import replies
from news.digest import (
    MAX_PER_SECTION,
    DigestDay,
    DigestStory,
    Section,
    section_for,
)
from news.digest_command import (
    DigestArgumentError,
    DigestCommand,
    parse_digest_command,
    parse_digest_time,
    parse_timezone,
)
from news.digest_schedule import (
    GRACE,
    due_action,
    following,
    local_occurrence,
    next_digest_at,
)
from news.i18n import ENGLISH
from news.models import DEFAULT_DIGEST_TIME, Subscription, SubscriptionKind
from news.telegram_html import MAX_MESSAGE, visible_length
from tests.fakes.telegram_html import (
    check_entity_count,
    check_html,
    check_raw_size,
    html_to_plain,
    parse_html,
)

DAY = 86400
HOUR = 3600


def U(text: str) -> int:
    """'2026-03-29 01:00' read as UTC -> epoch seconds."""
    return calendar.timegm(datetime.strptime(text, "%Y-%m-%d %H:%M").timetuple())


def test_the_epoch_helper_is_what_it_claims():
    assert U("2026-03-29 01:00") == 1_774_746_000
    assert U("1970-01-02 00:00") == DAY


# --- when -----------------------------------------------------------------------------------

NEXT_CASES = [
    # (zone, at, now (UTC), expected next digest (UTC), why)
    ("UTC", "09:00", "2026-11-25 08:59", "2026-11-25 09:00", "later today"),
    ("UTC", "09:00", "2026-11-25 09:00", "2026-11-26 09:00", "strictly after now"),
    ("UTC", "00:00", "2026-12-31 23:59", "2027-01-01 00:00", "midnight, new year"),
    ("Europe/Moscow", "09:00", "2026-06-01 05:00", "2026-06-01 06:00", "MSK is +3 in summer"),
    ("Europe/Moscow", "09:00", "2026-12-01 07:00", "2026-12-02 06:00", "and in winter"),
    ("Europe/Moscow", "02:30", "2026-03-28 12:00", "2026-03-28 23:30", "no DST in Moscow"),
    ("Europe/Moscow", "23:30", "2026-03-28 21:00", "2026-03-29 20:30", "evening"),
    # Europe, spring forward on 29 March 2026 at 01:00 UTC (02:00 CET -> 03:00 CEST)
    ("Europe/Berlin", "09:00", "2026-03-28 09:00", "2026-03-29 07:00", "09:00 CEST"),
    ("Europe/Berlin", "09:00", "2026-03-28 07:00", "2026-03-28 08:00", "09:00 CET the day before"),
    ("Europe/Berlin", "02:30", "2026-03-28 12:00", "2026-03-29 01:00", "gap: 03:00 CEST"),
    ("Europe/Berlin", "02:00", "2026-03-28 12:00", "2026-03-29 01:00", "gap starts at 02:00"),
    ("Europe/Berlin", "02:59", "2026-03-28 12:00", "2026-03-29 01:00", "gap's last minute"),
    ("Europe/Berlin", "03:00", "2026-03-28 12:00", "2026-03-29 01:00", "first minute after"),
    ("Europe/Berlin", "01:59", "2026-03-28 12:00", "2026-03-29 00:59", "before the gap"),
    ("Europe/Berlin", "02:30", "2026-03-29 01:00", "2026-03-30 00:30", "next day is normal"),
    # Europe, fall back on 25 October 2026 at 01:00 UTC (03:00 CEST -> 02:00 CET)
    ("Europe/Berlin", "02:30", "2026-10-24 12:00", "2026-10-25 00:30", "fold: first 02:30"),
    ("Europe/Berlin", "02:30", "2026-10-25 00:30", "2026-10-26 01:30", "not the second 02:30"),
    ("Europe/Berlin", "02:30", "2026-10-25 01:30", "2026-10-26 01:30", "asked during the 2nd"),
    ("Europe/Berlin", "09:00", "2026-10-24 12:00", "2026-10-25 08:00", "09:00 CET"),
    ("Europe/Berlin", "09:00", "2026-10-24 06:00", "2026-10-24 07:00", "09:00 CEST the eve"),
    # US, spring forward on 8 March 2026 at 07:00 UTC (02:00 EST -> 03:00 EDT)
    ("America/New_York", "02:30", "2026-03-07 12:00", "2026-03-08 07:00", "gap: 03:00 EDT"),
    ("America/New_York", "09:00", "2026-03-07 12:00", "2026-03-07 14:00", "09:00 EST"),
    ("America/New_York", "09:00", "2026-03-07 14:00", "2026-03-08 13:00", "09:00 EDT"),
    ("America/New_York", "02:30", "2026-03-08 07:00", "2026-03-09 06:30", "after the gap day"),
    # US, fall back on 1 November 2026 at 06:00 UTC (02:00 EDT -> 01:00 EST)
    ("America/New_York", "01:30", "2026-10-31 12:00", "2026-11-01 05:30", "fold: first 01:30"),
    ("America/New_York", "01:30", "2026-11-01 05:30", "2026-11-02 06:30", "once on that day"),
    ("America/New_York", "01:30", "2026-11-01 06:30", "2026-11-02 06:30", "asked in the 2nd"),
    ("America/New_York", "02:30", "2026-10-31 12:00", "2026-11-01 07:30", "02:30 EST, once"),
    ("America/New_York", "02:30", "2026-11-01 07:30", "2026-11-02 07:30", "and the day after"),
    # A half-hour DST shift: on 4 October 2026 02:00 LHST -> 02:30 LHDT (15:30 UTC on the 3rd)
    ("Australia/Lord_Howe", "02:15", "2026-10-03 12:00", "2026-10-03 15:30", "gap of 30 min"),
]


@pytest.mark.parametrize(("zone", "at", "now", "expected", "why"), NEXT_CASES)
def test_next_digest_at(zone, at, now, expected, why):
    hour, minute = map(int, at.split(":"))
    assert next_digest_at(U(now), time(hour, minute), zone) == U(expected), why


@pytest.mark.parametrize(
    ("day", "at", "zone", "wall", "fold"),
    [
        (date(2026, 3, 29), time(2, 30), "Europe/Berlin", "2026-03-29 03:00", 0),
        (date(2026, 10, 25), time(2, 30), "Europe/Berlin", "2026-10-25 02:30", 0),
        (date(2026, 3, 8), time(2, 30), "America/New_York", "2026-03-08 03:00", 0),
        (date(2026, 11, 1), time(1, 30), "America/New_York", "2026-11-01 01:30", 0),
        (date(2026, 10, 4), time(2, 15), "Australia/Lord_Howe", "2026-10-04 02:30", 0),
    ],
)
def test_local_occurrence_wall_time(day, at, zone, wall, fold):
    moment = local_occurrence(day, at, ZoneInfo(zone))
    assert moment.strftime("%Y-%m-%d %H:%M") == wall
    assert moment.fold == fold
    assert moment.tzinfo is not None


def test_the_default_time_is_nine():
    assert time(9, 0) == DEFAULT_DIGEST_TIME


@pytest.mark.parametrize(
    ("now", "action"),
    [
        (-HOUR, "wait"),
        (-60, "wait"),
        (-1, "wait"),
        (0, "send"),  # at the minute
        (59, "send"),
        (HOUR, "send"),  # the bot came back an hour late
        (GRACE, "send"),  # exactly six hours late still counts
        (GRACE + 1, "skip"),
        (DAY, "skip"),
        (3 * DAY, "skip"),
    ],
)
def test_due_action(now, action):
    next_at = U("2026-11-25 09:00")
    assert due_action(next_at + now, next_at) == action


def test_grace_is_six_hours():
    assert GRACE == 6 * HOUR


ZONES = ["UTC", "Europe/Moscow", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe"]
TIMES = [time(0, 0), time(1, 30), time(2, 0), time(2, 30), time(3, 0), time(9, 0), time(23, 30)]


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("at", TIMES)
@pytest.mark.parametrize("late", [0, 60, 2 * HOUR, GRACE])
def test_the_next_digest_never_serves_the_same_local_date_twice(zone, at, late):
    """A year of digests (every DST change of 2026), each sent `late` seconds after its time."""
    tz = ZoneInfo(zone)
    next_at = next_digest_at(U("2025-12-30 00:00"), at, zone)
    served: list[date] = []
    while next_at < U("2027-01-02 00:00"):
        now = next_at + late
        assert due_action(now, next_at) == "send"
        after = following(now, at, zone)
        assert after > now
        served_day = datetime.fromtimestamp(next_at, tz).date()
        assert datetime.fromtimestamp(after, tz).date() > served_day
        # Sending late (even across midnight) never skips the next day's digest.
        assert (datetime.fromtimestamp(after, tz).date() - served_day).days == 1
        assert after == next_digest_at(now, at, zone)
        served.append(served_day)
        next_at = after
    assert len(served) == len(set(served))
    assert len([d for d in served if d.year == 2026]) == 365  # not one day missed


@pytest.mark.parametrize(
    ("zone", "at", "start", "end"),
    [
        ("Europe/Berlin", time(2, 30), "2026-10-24 12:00", "2026-10-27 12:00"),
        ("Europe/Berlin", time(2, 30), "2026-03-28 12:00", "2026-03-31 12:00"),
        ("America/New_York", time(1, 30), "2026-10-31 12:00", "2026-11-03 12:00"),
        ("America/New_York", time(2, 30), "2026-03-07 12:00", "2026-03-10 12:00"),
    ],
)
def test_a_minute_tick_sends_exactly_once_per_local_day_across_dst(zone, at, start, end):
    tz = ZoneInfo(zone)
    next_at = next_digest_at(U(start), at, zone)
    sent: list[int] = []
    for now in range(U(start), U(end), 60):
        action = due_action(now, next_at)
        if action == "send":
            sent.append(now)
            next_at = following(now, at, zone)
        elif action == "skip":
            next_at = following(now, at, zone)
    days = [datetime.fromtimestamp(t, tz).date() for t in sent]
    assert len(days) == len(set(days)) == 3
    for t in sent:  # each at the wall time, or at 03:00 on a spring-forward day
        local = datetime.fromtimestamp(t, tz)
        assert local.time() in (at, time(3, 0))


def test_the_fall_back_digest_goes_out_at_the_first_0230_only():
    zone = "Europe/Berlin"
    first, second = U("2026-10-25 00:30"), U("2026-10-25 01:30")  # 02:30 CEST, 02:30 CET
    next_at = next_digest_at(U("2026-10-24 12:00"), time(2, 30), zone)
    assert next_at == first
    after = following(first, time(2, 30), zone)
    assert after == U("2026-10-26 01:30")
    assert due_action(second, after) == "wait"


def test_the_spring_forward_digest_goes_out_at_three():
    next_at = next_digest_at(U("2026-03-28 12:00"), time(2, 30), "Europe/Berlin")
    assert next_at == U("2026-03-29 01:00")  # 03:00 CEST
    assert due_action(U("2026-03-29 00:59"), next_at) == "wait"
    assert due_action(U("2026-03-29 01:00"), next_at) == "send"


@pytest.mark.parametrize(
    ("now", "expected", "why"),
    [
        ("2026-11-25 10:00", "2026-11-25 23:00", "within grace before midnight"),
        ("2026-11-26 04:59", "2026-11-26 23:00", "back after midnight, within grace"),
    ],
)
def test_a_late_send_across_midnight_keeps_the_next_day(now, expected, why):
    # The 23:00 UTC digest of 25 November, sent late.
    assert due_action(U("2026-11-26 04:59"), U("2026-11-25 23:00")) == "send"
    assert following(U(now), time(23, 0), "UTC") == U(expected), why


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        ("2026-11-25 15:01", "2026-11-26 09:00"),  # beyond grace: skip to tomorrow
        ("2026-11-28 12:00", "2026-11-29 09:00"),  # down for days: every missed day skipped
        ("2026-11-28 08:00", "2026-11-28 09:00"),  # back just before today's time
    ],
)
def test_following_after_a_skip(now, expected):
    assert due_action(U(now), U("2026-11-25 09:00")) == "skip"
    assert following(U(now), time(9, 0), "UTC") == U(expected)


@pytest.mark.parametrize(
    ("now", "last", "expected"),
    [
        # Berlin, 25 November: the 09:00 digest (08:00 UTC) went out; at 10:00 the chat moves
        # its digest to 21:00 (20:00 UTC): not a second one today.
        ("2026-11-25 09:00", "2026-11-25 08:00", "2026-11-26 20:00"),
        ("2026-11-25 09:00", None, "2026-11-25 20:00"),
        ("2026-11-25 09:00", "2026-11-24 08:00", "2026-11-25 20:00"),
    ],
)
def test_changing_the_time_after_todays_digest(now, last, expected):
    last_at = None if last is None else U(last)
    assert next_digest_at(U(now), time(21, 0), "Europe/Berlin", last_digest_at=last_at) == U(
        expected
    )


def test_a_zone_the_system_no_longer_knows_is_read_as_utc():
    assert next_digest_at(U("2026-11-25 08:00"), time(9, 0), "Gone/Nowhere") == U(
        "2026-11-25 09:00"
    )


# --- arguments ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argument", "command"),
    [
        ("", DigestCommand("show")),
        ("   ", DigestCommand("show")),
        ("now", DigestCommand("now")),
        ("NOW", DigestCommand("now")),
        ("off", DigestCommand("off")),
        ("quiet off", DigestCommand("quiet_off")),
        ("empty note", DigestCommand("quiet_off")),
        ("EMPTY silent", DigestCommand("quiet_on")),
        ("empty nothing", DigestCommand("quiet_on")),
        ("on", DigestCommand("on")),
        ("Quiet ON", DigestCommand("quiet_on")),
        ("08:30", DigestCommand("set", time(8, 30))),
        ("8:30", DigestCommand("set", time(8, 30))),
        ("0:00", DigestCommand("set", time(0, 0))),
        ("23:59", DigestCommand("set", time(23, 59))),
        ("08：30", DigestCommand("set", time(8, 30))),  # a phone's fullwidth colon
        ("08:30 Europe/Moscow", DigestCommand("set", time(8, 30), "Europe/Moscow")),
        ("08:30 europe/moscow", DigestCommand("set", time(8, 30), "Europe/Moscow")),
        ("Europe/Moscow 08:30", DigestCommand("set", time(8, 30), "Europe/Moscow")),
        ("7:05 america/new_york", DigestCommand("set", time(7, 5), "America/New_York")),
        ("7:05 America/New York", DigestCommand("set", time(7, 5), "America/New_York")),
        ("07:00 UTC", DigestCommand("set", time(7, 0), "UTC")),
        ("07:00 utc", DigestCommand("set", time(7, 0), "UTC")),
        ("07:00 GMT", DigestCommand("set", time(7, 0), "GMT")),
        ("\u200b09:00\u200e", DigestCommand("set", time(9, 0))),  # invisible characters
    ],
)
def test_parse_digest_command(argument, command):
    assert parse_digest_command(argument) == command


@pytest.mark.parametrize(
    ("argument", "says"),
    [
        ("25:99", "hour 25"),
        ("24:00", "hour 24"),
        ("9:60", "minute 60"),
        ("-1:00", "1 hour behind UTC"),  # an offset: answered as one, with a zone to use
        ("noon", "not a time"),
        ("8.30", "not a time"),
        ("830", "not a time"),
        ("08:30:00", "not a time"),
        ("٠٨:٣٠", "not a time"),  # Arabic-Indic digits are not read as a time
        ("Mars/Phobos", "time zone “Mars/Phobos”"),
        ("08:30 Mars/Phobos", "time zone “Mars/Phobos”"),
        ("08:30 ../../etc/passwd", "time zone “../../etc/passwd”"),
        ("../../etc/passwd", "time zone “../../etc/passwd”"),
        ("08:30 /etc/localtime", "time zone"),
        ("08:30 localtime", "time zone"),
        ("08:30 posix/Europe/Berlin", "time zone"),
        ("08:30 Europe/Moskow", "Did you mean <code>Europe/Moscow</code>"),
        ("Moscow", "Say the time too: <code>/digest 09:00 Europe/Moscow</code>"),
        ("Europe/Berlin", "Say the time too"),
        ("9" * 500, "too long"),
        ("08:30 " + "A/" * 250, "too long"),
        ("quiet", "/digest empty note"),
        ("quiet maybe", "/digest empty note"),
        ("empty", "/digest empty silent"),
        ("on please", "takes nothing"),
        ("now please", "takes nothing"),
        ("08:30 <b>x</b>", "“&lt;b&gt;x&lt;/b&gt;”"),  # echoed escaped
    ],
)
def test_hostile_arguments_get_a_clear_answer_with_the_form(argument, says):
    with pytest.raises(DigestArgumentError) as caught:
        parse_digest_command(argument)
    message = replies.digest_argument_error(ENGLISH, caught.value)
    assert says in message
    assert "/digest HH:MM Area/City" in message
    assert check_html(message) is None
    assert len(message) < 600


@pytest.mark.parametrize("text", ["25:99", "9:60", "-1:00", "noon", "", "1:2"])
def test_parse_digest_time_refuses(text):
    with pytest.raises(DigestArgumentError) as caught:
        parse_digest_time(text)
    assert "/digest HH:MM Area/City" in replies.digest_argument_error(ENGLISH, caught.value)


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("europe/moscow", "Europe/Moscow"),
        ("EUROPE/BERLIN", "Europe/Berlin"),
        ("Asia/Tokyo", "Asia/Tokyo"),
        ("america/argentina/buenos_aires", "America/Argentina/Buenos_Aires"),
        ("UTC", "UTC"),
        ("gmt", "GMT"),
    ],
)
def test_parse_timezone(text, zone):
    assert parse_timezone(text) == zone
    ZoneInfo(zone)  # and it loads


@pytest.mark.parametrize(
    "text", ["Mars/Phobos", "../../etc/passwd", "/etc/passwd", "Factory", "x" * 500, "", "+03:00"]
)
def test_parse_timezone_refuses(text):
    with pytest.raises(DigestArgumentError) as caught:
        parse_timezone(text)
    assert "/digest HH:MM Area/City" in replies.digest_argument_error(ENGLISH, caught.value)
    with pytest.raises(DigestArgumentError) as caught:
        parse_timezone(text, command="timezone")
    assert "/timezone Area/City" in replies.digest_argument_error(ENGLISH, caught.value)


# --- building the digest ----------------------------------------------------------------------

NOW = U("2026-11-25 06:00")
XIAOMI = Section("xiaomi", "Xiaomi", "/latest xiaomi")
APPLE = Section("apple", "Apple", "/latest apple")
FOLDABLE = Section("kw:foldable phone", "“foldable phone”", "/latest foldable phone")


def story(id: int, **changes) -> DigestStory:
    base = {
        "id": id,
        "title": f"Story {id}",
        "link": f"https://news.example.test/{id}",
        "source": "Example News",
        "published_at": NOW - id * 60,
        "first_seen_at": NOW - id * 60,
        "summary": f"Summary of story {id}. A second sentence that is not shown.",
        "cluster_size": 1,
        "brands": ("xiaomi",),
        "keywords": (),
    }
    return DigestStory(**(base | changes))


def build_digest(sections, stories, *, timezone, now, quiet=True, limit=MAX_MESSAGE):
    """One chat's digest from these stories, as the tick composes it (nothing covered yet)."""
    day = DigestDay(stories)
    return day.compose(
        ENGLISH, sections, after_id=-1, timezone=timezone, now=now, quiet=quiet, limit=limit
    )


def plain(messages: list[str]) -> str:
    for message in messages:
        assert check_html(message) is None, message
        assert visible_length(message) <= MAX_MESSAGE
    return "\n".join(html_to_plain(m) for m in messages)


def test_first_line_is_the_date_in_the_chats_zone():
    stories = [story(1)]
    # 23:30 UTC on 24 November is already the 25th in Moscow, still the 24th in New York.
    late = U("2026-11-24 23:30")
    moscow = build_digest([XIAOMI], stories, timezone="Europe/Moscow", now=late)
    new_york = build_digest([XIAOMI], stories, timezone="America/New_York", now=late)
    assert moscow[0].split("\n")[0] == "<b>Daily digest</b> · 25 Nov 2026"
    assert new_york[0].split("\n")[0] == "<b>Daily digest</b> · 24 Nov 2026"


def test_a_story_line_is_link_source_and_one_sentence():
    [message] = build_digest([XIAOMI], [story(1)], timezone="UTC", now=NOW)
    assert message == (
        "<b>Daily digest</b> · 25 Nov 2026\n\n"
        "<b>Xiaomi</b>\n"
        '• <a href="https://news.example.test/1">Story 1</a> — Example News\n'
        "Summary of story 1."
    )


def test_a_story_about_two_followed_brands_appears_once_under_the_first_section():
    both = story(1, title="Xiaomi sues Apple", brands=("apple", "xiaomi"))
    stories = [both, story(2, brands=("apple",)), story(3)]
    text = plain(build_digest([XIAOMI, APPLE], stories, timezone="UTC", now=NOW))
    assert text.count("Xiaomi sues Apple") == 1
    xiaomi, apple = text.index("\nXiaomi\n"), text.index("\nApple\n")
    assert xiaomi < text.index("Xiaomi sues Apple") < apple
    # The chat's order decides, not the story's: Apple first puts it under Apple.
    text = plain(build_digest([APPLE, XIAOMI], stories, timezone="UTC", now=NOW))
    assert text.index("\nApple\n") < text.index("Xiaomi sues Apple") < text.index("\nXiaomi\n")


def test_keyword_sections_and_brand_and_keyword_overlap():
    stories = [
        story(1, title="A Xiaomi foldable", keywords=("foldable phone",)),
        story(2, title="Someone's foldable", brands=(), keywords=("foldable phone",)),
        story(3, title="Unfollowed", brands=("nokia",)),
    ]
    text = plain(build_digest([XIAOMI, FOLDABLE], stories, timezone="UTC", now=NOW))
    assert text.count("A Xiaomi foldable") == 1 and text.count("Someone's foldable") == 1
    assert text.index("A Xiaomi foldable") < text.index("“foldable phone”")
    assert text.index("“foldable phone”") < text.index("Someone's foldable")
    assert "Unfollowed" not in text


def test_sections_without_news_are_left_out():
    text = plain(build_digest([APPLE, XIAOMI], [story(1)], timezone="UTC", now=NOW))
    assert "Apple" not in text and "Xiaomi" in text


def test_ranking_by_cluster_size_then_recency():
    stories = [
        story(1, title="Fresh solo", cluster_size=1, published_at=NOW - 60),
        story(2, title="Big older", cluster_size=4, published_at=NOW - 5 * HOUR),
        story(3, title="Big newer", cluster_size=4, published_at=NOW - 2 * HOUR),
        story(4, title="Medium", cluster_size=2, published_at=NOW - HOUR),
        story(5, title="Old solo", cluster_size=1, published_at=NOW - 9 * HOUR),
    ]
    text = plain(build_digest([XIAOMI], stories, timezone="UTC", now=NOW))
    order = ["Big newer", "Big older", "Medium", "Fresh solo", "Old solo"]
    positions = [text.index(title) for title in order]
    assert positions == sorted(positions)


def test_at_most_five_per_section_then_and_n_more():
    stories = [story(i, cluster_size=10 - i) for i in range(1, 9)]
    [message] = build_digest([XIAOMI], stories, timezone="UTC", now=NOW)
    text = plain([message])
    assert MAX_PER_SECTION == 5
    assert [f"Story {i}" in text for i in range(1, 9)] == [True] * 5 + [False] * 3
    assert message.endswith("\nand 3 more — /latest xiaomi")
    # Exactly five: no "more" line.
    [message] = build_digest([XIAOMI], stories[:5], timezone="UTC", now=NOW)
    assert "more —" not in message
    # A keyword's command as given.
    many = [story(i, brands=(), keywords=("foldable phone",)) for i in range(1, 8)]
    [message] = build_digest([FOLDABLE], many, timezone="UTC", now=NOW)
    assert message.endswith("and 2 more — /latest foldable phone")


@pytest.mark.parametrize(
    ("sections", "stories"),
    [
        ([XIAOMI, APPLE], []),
        ([], [story(1)]),
        ([APPLE], [story(1)]),  # news, but not about anything this chat follows
    ],
)
def test_nothing_new_sends_nothing_unless_the_chat_opted_in(sections, stories):
    assert build_digest(sections, stories, timezone="UTC", now=NOW) == []
    assert build_digest(sections, stories, timezone="UTC", now=NOW, quiet=True) == []
    assert build_digest(sections, stories, timezone="UTC", now=NOW, quiet=False) == [
        "No news about your brands today."
    ]


def test_quiet_off_changes_nothing_when_there_is_news():
    loud = build_digest([XIAOMI], [story(1)], timezone="UTC", now=NOW, quiet=False)
    assert loud == build_digest([XIAOMI], [story(1)], timezone="UTC", now=NOW)


def test_hostile_feed_text_is_escaped():
    hostile = story(
        1,
        title="<script>alert(1)</script> & <b>Bold</b> &amp; co",
        link='https://news.example.test/a?x=1&y="2"',
        source="A&B <i>News</i>",
        summary='x < y & z > "w". Second sentence.',
    )
    heading = Section("xiaomi", "Xi<a>omi & Co", "/latest x&y")
    stories = [hostile] + [story(i) for i in range(2, 8)]
    [message] = build_digest([heading], stories, timezone="UTC", now=NOW)
    assert check_html(message) is None
    text, entities = parse_html(message)
    assert "<script>alert(1)</script> & <b>Bold</b> &amp; co" in text
    assert "A&B <i>News</i>" in text and 'x < y & z > "w".' in text
    assert "Xi<a>omi & Co" in text and "and 2 more — /latest x&y" in text
    assert "Second sentence" not in text
    links = [e["url"] for e in entities if e["type"] == "text_link"]
    assert links[0] == 'https://news.example.test/a?x=1&y="2"'
    assert {e["type"] for e in entities} <= {"bold", "italic", "text_link"}


@pytest.mark.parametrize(
    "link", [None, "", "javascript:alert(1)", "/relative/path", "https://x.test/" + "a" * 5000]
)
def test_an_unusable_link_leaves_a_bold_title(link):
    [message] = build_digest([XIAOMI], [story(1, link=link)], timezone="UTC", now=NOW)
    assert check_html(message) is None
    assert "<a " not in message and "<b>Story 1</b>" in message


def test_missing_source_and_summary_and_long_summary_sentence():
    stories = [
        story(1, source=None, summary=""),
        story(2, summary="word " * 400 + "end. Next."),
    ]
    [message] = build_digest([XIAOMI], stories, timezone="UTC", now=NOW)
    lines = message.split("\n")
    assert '• <a href="https://news.example.test/1">Story 1</a>' in lines
    summary = lines[
        lines.index('• <a href="https://news.example.test/2">Story 2</a> — Example News') + 1
    ]
    assert summary.endswith("…") and visible_length(summary) <= 200


def _long_story(section: int, i: int, scale: int = 10) -> DigestStory:
    """scale 10 reaches every cap (title, summary, source); scale 2 is a wordy real story."""
    return story(
        section * 10 + i,
        title=f"S{section} story {i} " + "headline words " * 3 * scale,
        summary="A single very long sentence " + "with many clauses " * 8 * scale + ". More.",
        source="A source with a long name " * 5,
        brands=(f"brand{section}",),
        cluster_size=1 + i,
    )


def _check_messages(messages: list[str]) -> None:
    for message in messages:
        assert check_html(message) is None, message[:200]
        assert visible_length(message) <= MAX_MESSAGE
        plain_text, entities = parse_html(message)
        assert check_entity_count(entities) is None
        assert check_raw_size(message) is None
        assert plain_text.strip()


@pytest.mark.parametrize(("scale", "per_message"), [(10, 1), (2, 2)])
def test_forty_sections_of_long_stories_split_at_section_boundaries(scale, per_message):
    sections = [Section(f"brand{n}", f"Brand {n}", f"/latest brand{n}") for n in range(40)]
    stories = [_long_story(n, i, scale) for n in range(40) for i in range(MAX_PER_SECTION)]
    messages = build_digest(sections, stories, timezone="UTC", now=NOW)
    assert 5 < len(messages) <= 40
    _check_messages(messages)
    # Messages are filled: as many whole sections as fit.
    assert max(m.count("<b>Brand ") for m in messages) >= per_message
    for first, second in itertools.pairwise(messages):
        # A message ends only where the next section (up to its blank line) would not fit.
        next_section = second.split("\n\n", 1)[0]
        assert visible_length(first) + 2 + visible_length(next_section) > MAX_MESSAGE
    assert messages[0].startswith("<b>Daily digest</b> · 25 Nov 2026\n\n<b>Brand 0</b>")
    for n in range(40):
        holding = [m for m in messages if f"<b>Brand {n}</b>" in m]
        assert len(holding) == 1  # each section whole in one message
        assert all(f">S{n} story {i} " in holding[0] for i in range(MAX_PER_SECTION))
    # Every message after the first starts with a section heading.
    assert all(m.startswith("<b>Brand ") for m in messages[1:])
    text = plain(messages)
    headings = [text.index(f"\nBrand {n}\n") for n in range(40)]
    assert headings == sorted(headings)  # the chat's order


def test_a_section_too_big_for_one_message_splits_between_stories():
    stories = [_long_story(0, i) for i in range(MAX_PER_SECTION + 2)]
    section = Section("brand0", "Brand 0", "/latest brand0")
    limit = 700  # a small limit stands in for a section longer than 4096
    messages = build_digest([section], stories, timezone="UTC", now=NOW, limit=limit)
    assert len(messages) > 2
    for message in messages:
        assert check_html(message) is None
        assert visible_length(message) <= limit
    text = plain(messages)
    # The five biggest clusters (stories 2-6), in order, then the "more" line.
    positions = [text.index(f"S0 story {i} ") for i in (6, 5, 4, 3, 2)]
    assert positions == sorted(positions)
    assert "S0 story 1 " not in text and "S0 story 0 " not in text
    assert text.endswith("and 2 more — /latest brand0")
    assert messages[0].startswith("<b>Daily digest</b> · 25 Nov 2026\n\n<b>Brand 0</b>\n• ")


def test_many_short_stories_stay_within_the_entity_limit():
    sections = [Section(f"b{n}", f"B{n}", f"/latest b{n}") for n in range(40)]
    stories = [
        story(n * 10 + i, title="T", source=None, summary="", brands=(f"b{n}",))
        for n in range(40)
        for i in range(MAX_PER_SECTION)
    ]
    messages = build_digest(sections, stories, timezone="UTC", now=NOW)
    assert len(messages) >= 3  # 240 entities do not fit in one message
    _check_messages(messages)


def test_long_links_stay_within_the_raw_size_limit():
    # 627 characters, 1227 escaped: about 68 such stories fit in 4096 visible characters,
    # but only about 26 in 32 KB of raw text.
    link = "https://news.example.test/?" + "q=1&" * 150
    sections = [Section(f"b{n}", f"B{n}", f"/latest b{n}") for n in range(40)]
    stories = [
        story(n * 10 + i, link=link + str(i), brands=(f"b{n}",))
        for n in range(40)
        for i in range(MAX_PER_SECTION)
    ]
    messages = build_digest(sections, stories, timezone="UTC", now=NOW)
    _check_messages(messages)
    assert len(messages) >= 8  # split by raw size, each well under 4096 visible characters
    assert sum(m.count("<a href=") for m in messages) == 200


def test_emoji_count_twice_toward_the_limit():
    sections = [Section(f"b{n}", f"B{n}", f"/latest b{n}") for n in range(40)]
    stories = [
        story(n * 10 + i, title="📱" * 150, summary="🔥" * 150 + ".", brands=(f"b{n}",))
        for n in range(40)
        for i in range(MAX_PER_SECTION)
    ]
    messages = build_digest(sections, stories, timezone="UTC", now=NOW)
    _check_messages(messages)


def test_a_story_passed_twice_is_shown_once():
    text = plain(build_digest([XIAOMI], [story(1), story(1)], timezone="UTC", now=NOW))
    assert text.count("Story 1") == 1


def test_utc_helper_agrees_with_zoneinfo_for_the_expected_values():
    # A guard on the hand-written table: its instants read back as the intended wall times.
    tz = ZoneInfo("Europe/Berlin")
    assert datetime.fromtimestamp(U("2026-03-29 01:00"), tz).strftime("%H:%M %Z") == "03:00 CEST"
    assert datetime.fromtimestamp(U("2026-10-25 00:30"), tz).strftime("%H:%M %Z") == "02:30 CEST"
    assert datetime.fromtimestamp(U("2026-10-25 01:30"), tz).strftime("%H:%M %Z") == "02:30 CET"
    assert (
        datetime.fromtimestamp(U("2026-11-01 05:30"), UTC)
        .astimezone(ZoneInfo("America/New_York"))
        .strftime("%H:%M %Z")
        == "01:30 EDT"
    )


@pytest.mark.parametrize("seed", range(20))
def test_composing_twice_from_one_day_gives_the_same_digest(seed):
    """DigestDay caches ranking and lines for every chat of a tick: the cache changes nothing,
    and a digest after `after_id` is the digest of the stories after it."""
    rng = random.Random(seed)
    brands = ["xiaomi", "apple", "samsung", "nvidia", "huawei"]
    keywords = ["foldable phone", "battery"]
    stories = [
        story(
            i,
            title=f"Story {i} " + "word " * rng.randrange(0, 60),
            cluster_size=rng.randrange(1, 5),
            published_at=NOW - rng.randrange(0, 86_400),
            brands=tuple(rng.sample(brands, rng.randrange(0, 3))),
            keywords=tuple(rng.sample(keywords, rng.randrange(0, 2))),
        )
        for i in range(1, rng.randrange(2, 120))
    ]
    follows = [Subscription(SubscriptionKind.BRAND, b, b.title()) for b in rng.sample(brands, 3)]
    follows += [Subscription(SubscriptionKind.KEYWORD, k, k) for k in keywords[: rng.randrange(3)]]
    sections = [section_for(ENGLISH, s) for s in follows]
    after_id = rng.choice([0, 0, len(stories) // 2])
    quiet = rng.random() < 0.5
    day = DigestDay(stories)
    first = day.compose(
        ENGLISH, sections, after_id=after_id, timezone="Europe/Berlin", now=NOW, quiet=quiet
    )
    again = day.compose(
        ENGLISH, sections, after_id=after_id, timezone="Europe/Berlin", now=NOW, quiet=quiet
    )
    fresh = build_digest(
        sections, [s for s in stories if s.id > after_id], timezone="Europe/Berlin", now=NOW,
        quiet=quiet,
    )  # fmt: skip
    assert first == again == fresh
