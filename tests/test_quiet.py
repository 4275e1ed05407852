"""Quiet hours (news/quiet.py), rule by rule, then end to end: /quiet, pushes that arrive
without a sound inside the hours and with one outside them, /mode, groups, bad input."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from news.quiet import (
    QuietArgumentError,
    QuietHours,
    QuietProblem,
    is_quiet,
    parse_quiet,
    quiet_end,
)
from tests.clock import Clock
from tests.fakes.feed_server import rss
from tests.harness import poll_now, running_bot, with_desks

NIGHT = QuietHours(time(23, 0), time(8, 0))


@pytest.mark.parametrize(
    ("argument", "start", "end"),
    [("23:00-08:00", (23, 0), (8, 0)), ("23:00 - 08:00", (23, 0), (8, 0)),
     ("22.30–7.15", (22, 30), (7, 15)), ("23-8", (23, 0), (8, 0)),
     ("1:00 to 6:00", (1, 0), (6, 0)), ("12:00-13:30", (12, 0), (13, 30))],
)  # fmt: skip
def test_rule_1_hours_are_a_range_of_wall_clock_times(argument, start, end):
    command = parse_quiet(argument)
    assert command.kind == "set"
    assert command.hours == QuietHours(time(*start), time(*end))


@pytest.mark.parametrize(
    ("argument", "problem"),
    [("23:00", QuietProblem.FORMAT), ("25:00-08:00", QuietProblem.FORMAT),
     ("23:60-08:00", QuietProblem.FORMAT), ("night", QuietProblem.FORMAT),
     ("-1-5", QuietProblem.FORMAT), ("23:00-08:00-09:00", QuietProblem.FORMAT),
     ("x" * 3000, QuietProblem.FORMAT), ("08:00-08:00", QuietProblem.EMPTY)],
)  # fmt: skip
def test_rules_1_and_3_anything_else_is_refused_with_the_reason(argument, problem):
    with pytest.raises(QuietArgumentError) as refused:
        parse_quiet(argument)
    assert refused.value.problem is problem


@pytest.mark.parametrize(("argument", "kind"), [("", "show"), ("  ", "show"), ("off", "off"),
                                                ("OFF", "off"), ("none", "off")])  # fmt: skip
def test_no_argument_shows_and_off_removes(argument, kind):
    assert parse_quiet(argument).kind == kind


@pytest.mark.parametrize(
    ("local", "zone", "quiet"),
    [("2026-01-10 23:00", "UTC", True), ("2026-01-10 07:59", "UTC", True),
     ("2026-01-10 08:00", "UTC", False), ("2026-01-10 22:59", "UTC", False),
     ("2026-01-10 03:00", "UTC", True),
     # rule 4: the chat's own wall clock, daylight saving included (Berlin: UTC+1, summer +2)
     ("2026-01-10 22:30", "Europe/Berlin", True), ("2026-07-10 21:30", "Europe/Berlin", True),
     ("2026-07-10 20:30", "Europe/Berlin", False)],
)  # fmt: skip
def test_rules_2_and_4_the_start_is_quiet_the_end_is_not_on_the_chats_clock(local, zone, quiet):
    # `local` is given in UTC: 22:30 UTC is 23:30 in Berlin in January
    at = datetime.fromisoformat(local).replace(tzinfo=UTC).timestamp()
    assert is_quiet(NIGHT, at, zone) is quiet


@pytest.mark.parametrize(
    ("argument", "hold"),
    [("23:00-08:00 hold", True), ("23-8 HOLD", True), ("23:00-08:00 later", True),
     ("23:00 - 08:00 bundle", True), ("23:00-08:00", False)],
)  # fmt: skip
def test_rule_6_hold_after_the_hours_holds_pushes_back(argument, hold):
    assert parse_quiet(argument).hours == QuietHours(time(23, 0), time(8, 0), hold)


@pytest.mark.parametrize("argument", ["hold", "23:00-08:00 hold hold", "hold 23:00-08:00"])
def test_rule_6_hold_alone_or_in_the_wrong_place_is_refused(argument):
    with pytest.raises(QuietArgumentError):
        parse_quiet(argument)


@pytest.mark.parametrize(
    ("now", "zone", "end"),
    [("2026-01-10 23:30", "UTC", "2026-01-11 08:00"),  # over midnight: tomorrow's 08:00
     ("2026-01-11 03:00", "UTC", "2026-01-11 08:00"),  # after midnight: today's
     ("2026-01-11 07:59", "UTC", "2026-01-11 08:00"),
     ("2026-01-11 12:00", "UTC", "2026-01-11 12:00"),  # not quiet: now
     ("2026-01-10 22:30", "Europe/Berlin", "2026-01-11 07:00"),  # 08:00 in Berlin (UTC+1)
     # the night the clocks go forward (29 March 2026, 02:00 -> 03:00 in Berlin)
     ("2026-03-28 23:00", "Europe/Berlin", "2026-03-29 06:00"),
     # a quiet end inside the skipped hour: the first minute that exists and is not quiet
     ("2026-03-29 00:30", "Europe/Berlin:01:00-02:30", "2026-03-29 01:00")],
)  # fmt: skip
def test_rule_6_held_pushes_wait_for_the_first_minute_after_the_hours(now, zone, end):
    hours = NIGHT
    if ":" in zone:  # "Zone:HH:MM-HH:MM" for hours other than 23:00-08:00
        zone, _, spec = zone.partition(":")
        hours = parse_quiet(spec).hours
    at = datetime.fromisoformat(now).replace(tzinfo=UTC).timestamp()
    expected = datetime.fromisoformat(end).replace(tzinfo=UTC).timestamp()
    assert quiet_end(hours, at, zone) == expected
    assert not is_quiet(hours, expected, zone)


def test_hours_within_one_day_and_none_at_all():
    lunch = QuietHours(time(12, 0), time(13, 0))
    noon = datetime(2026, 1, 10, 12, 30, tzinfo=UTC).timestamp()
    assert is_quiet(lunch, noon, "UTC") and not is_quiet(lunch, noon + 3600, "UTC")
    assert not is_quiet(None, noon, "UTC")


# --- end to end ---------------------------------------------------------------------------

ALICE, GROUP, MEMBER, ADMIN = 1001, -100700, 701, 702
NIGHT_UTC = datetime(2025, 11, 24, 23, 30, tzinfo=UTC)


@pytest.fixture
def clock() -> Clock:
    return Clock(NIGHT_UTC)


@pytest.fixture
async def bot(settings, telegram, feeds, tmp_path, clock):
    url = feeds.feed("/d.xml", rss("Desk", [{"title": "Old", "link": "https://x.test/0"}]))
    async with running_bot(with_desks(settings, tmp_path, [url]), telegram, clock=clock) as bot:
        await poll_now(bot)  # the backlog
        yield bot
    assert bot.errors == []


def push_of(clock, n: int) -> dict:
    return {"title": f"Xiaomi opens research centre number {n} in Dubai",
            "link": f"https://x.test/{n}", "pubDate": clock.datetime}  # fmt: skip


async def test_inside_quiet_hours_a_push_is_silent_and_outside_it_is_not(bot, telegram, feeds,
                                                                         clock):  # fmt: skip
    await bot.ask("/subscribe xiaomi", chat_id=ALICE)
    reply = await bot.ask("/quiet 23:00-08:00", chat_id=ALICE)
    assert "Quiet hours: 23:00–08:00 UTC" in reply.plain_text
    feeds.feed("/d.xml", rss("Desk", [push_of(clock, 1)]))
    await poll_now(bot)
    night = telegram.sent_to(ALICE)[-1]
    assert "centre number 1" in night.plain_text and night.params["disable_notification"]
    clock.at(datetime(2025, 11, 25, 9, 0, tzinfo=UTC))
    feeds.feed("/d.xml", rss("Desk", [push_of(clock, 2)]))
    await poll_now(bot)
    day = telegram.sent_to(ALICE)[-1]
    assert "centre number 2" in day.plain_text and not day.params.get("disable_notification")


async def test_quiet_off_and_mode_show_the_hours(bot, telegram):
    await bot.ask("/quiet 22:30-07:00", chat_id=ALICE)
    assert "Quiet hours: 22:30–07:00" in (await bot.ask("/mode", chat_id=ALICE)).plain_text
    assert "22:30–07:00" in (await bot.ask("/quiet", chat_id=ALICE)).plain_text
    assert "No quiet hours" in (await bot.ask("/quiet off", chat_id=ALICE)).plain_text
    assert "Quiet hours" not in (await bot.ask("/mode", chat_id=ALICE)).plain_text
    assert "/quiet" in (await bot.ask("/help", chat_id=ALICE)).plain_text


async def test_bad_hours_get_a_clear_answer_and_change_nothing(bot, telegram):
    await bot.ask("/quiet 23:00-08:00", chat_id=ALICE)
    for bad, says in (("25:00-08:00", "is not a range of hours"),
                      ("08:00-08:00", "starts and ends at the same time"),
                      ("<b>x</b>", "is not a range of hours")):  # fmt: skip
        reply = await bot.ask(f"/quiet {bad}", chat_id=ALICE)
        assert says in reply.plain_text and "/quiet 23:00-08:00" in reply.plain_text
    assert (await bot.runtime.storage.chats.get(ALICE)).quiet == NIGHT


async def test_in_a_group_only_admins_set_quiet_hours(bot, telegram):
    telegram.set_admins(GROUP, [ADMIN])
    refused = await bot.ask("/quiet 23:00-08:00", chat_id=GROUP, user_id=MEMBER)
    assert "admins" in refused.plain_text
    assert (await bot.runtime.storage.chats.get(GROUP)).quiet is None
    await bot.ask("/quiet 23:00-08:00", chat_id=GROUP, user_id=ADMIN)
    assert (await bot.runtime.storage.chats.get(GROUP)).quiet == NIGHT
