"""news/zones.py's rules, table by table, and through /timezone and /digest."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime

import pytest

from news import replies, zones
from news.digest_command import DigestArgumentError, DigestProblem, parse_timezone
from news.i18n import ENGLISH
from news.zones import read_offset


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("UTC+3", 180), ("GMT+3", 180), ("utc+03:00", 180), ("+3", 180), ("+03:00", 180),
     ("GMT-5", -300), ("UTC−3", -180), ("-05:30", -330), ("UTC+5:30", 330), ("utc + 3", 180),
     ("UTC+0530", 330), ("UTC", None), ("3", None), ("UTC+15", None), ("+3:75", None),
     ("Europe/Moscow", None)],
)  # fmt: skip
def test_rule_1_an_offset_is_that_many_hours_ahead_of_utc(text, minutes):
    assert read_offset(text) == minutes


@pytest.mark.parametrize(
    ("text", "suggested"),
    [("GMT+3", "Europe/Moscow"), ("UTC+3", "Europe/Moscow"), ("UTC+03:00", "Europe/Moscow"),
     ("+1", "Europe/Berlin"), ("GMT-5", "America/New_York"), ("UTC+5:30", "Asia/Kolkata"),
     ("UTC+9", "Asia/Tokyo"), ("UTC+3:17", None)],
)  # fmt: skip
def test_rule_1_an_offset_suggests_the_city_zone_and_never_an_inverted_etc_zone(text, suggested):
    with pytest.raises(DigestArgumentError) as refused:
        parse_timezone(text, command="timezone")
    error = refused.value
    assert error.problem is DigestProblem.OFFSET and error.suggestion == suggested
    message = replies.digest_argument_error(ENGLISH, error)
    assert "Etc/" not in message
    if suggested:
        assert f"did you mean <code>{suggested}</code>" in message
        # the suggestion really has that offset (in January, standard time)
        winter = datetime(2026, 1, 15, 12, tzinfo=UTC).astimezone(zoneinfo.ZoneInfo(suggested))
        assert winter.utcoffset().total_seconds() / 60 == read_offset(text)
    ahead = "ahead of" if read_offset(text) > 0 else "behind"
    assert ahead in message


@pytest.mark.parametrize(
    ("text", "zone"),
    [("MSK", "Europe/Moscow"), ("msk", "Europe/Moscow"), ("CET", "Europe/Berlin"),
     ("EST", "America/New_York"), ("PST", "America/Los_Angeles"), ("JST", "Asia/Tokyo"),
     ("EET", "Europe/Kyiv")],
)  # fmt: skip
def test_rule_2_an_abbreviation_of_one_clock_resolves_to_its_city_zone(text, zone):
    assert parse_timezone(text) == zone


@pytest.mark.parametrize(
    ("text", "suggested"), [("CST", "America/Chicago"), ("IST", "Asia/Kolkata")]
)
def test_rule_2_an_abbreviation_of_several_clocks_is_only_suggested(text, suggested):
    with pytest.raises(DigestArgumentError) as refused:
        parse_timezone(text)
    assert refused.value.suggestion == suggested


@pytest.mark.parametrize(
    ("text", "zone"),
    [("Москва", "Europe/Moscow"), ("москва", "Europe/Moscow"), ("Санкт-Петербург", "Europe/Moscow"),
     ("Новосибирск", "Asia/Novosibirsk"), ("Екатеринбург", "Asia/Yekaterinburg"),
     ("Кишинёв", "Europe/Chisinau"), ("Алматы", "Asia/Almaty"), ("Минск", "Europe/Minsk"),
     ("Moscow", "Europe/Moscow"), ("new york", "America/New_York"), ("Tokyo", "Asia/Tokyo"),
     ("Sao Paulo", "America/Sao_Paulo")],
)  # fmt: skip
def test_rule_3_city_names_in_english_and_russian_resolve(text, zone):
    assert parse_timezone(text) == zone


def test_every_zone_the_tables_name_exists_in_the_tz_database():
    available = zoneinfo.available_timezones()
    named = {*zones.BY_OFFSET.values(), *zones.ABBREVIATIONS.values(),
             *zones.AMBIGUOUS.values(), *zones.CITIES_RU.values()}  # fmt: skip
    assert named <= available, named - available


async def test_timezone_and_digest_read_offsets_and_cities_end_to_end(settings, telegram):
    from tests.harness import running_bot

    async with running_bot(settings, telegram) as bot:
        reply = await bot.ask("/timezone GMT+3")
        assert "3 hours ahead of UTC" in reply.plain_text and "Europe/Moscow" in reply.plain_text
        assert (await bot.runtime.storage.chats.get(1001)).timezone == settings.timezone
        assert "Europe/Moscow" in (await bot.ask("/timezone Москва")).plain_text
        assert (await bot.runtime.storage.chats.get(1001)).timezone == "Europe/Moscow"
        reply = await bot.ask("/digest 08:30 MSK")
        assert "08:30" in reply.plain_text and "Europe/Moscow" in reply.plain_text
        reply = await bot.ask("/digest 08:30 UTC+3")
        assert "3 hours ahead of UTC" in reply.plain_text
