"""What people type for a time zone, read as they mean it. Pure: no I/O.

news.digest_command asks `read_zone` before the tz database's own names (its rule 3):
1. A UTC offset — "UTC+3", "GMT+3", "UTC+03:00", "+3", "-05:00", "UTC−3" — means that many
   hours ahead of (or behind) UTC. It is never turned into an `Etc/GMT±N` zone, whose POSIX
   sign is inverted (Etc/GMT+3 is three hours *behind*): the answer suggests the city zone
   people with that offset usually mean (Europe/Moscow for +3), which also knows daylight
   saving. Offsets no city uses are refused with no suggestion.
2. Abbreviations: those that name one zone (MSK, CET, EET, JST, PST ...) resolve to the city
   zone of that clock, daylight saving included (the tz database's own "EST" or "CET" are
   fixed offsets that would be an hour off all summer); those that name several (CST: US or
   China; IST: India, Israel or Ireland) are suggested, not taken.
3. City names in English ("Moscow", "new york", "Sao Paulo") resolve when the tz database has
   exactly one zone of that city; Russian names of Russia's cities and of the CIS capitals
   ("Москва", "Санкт-Петербург", "Алматы") resolve through CITIES_RU, with "ё" read as "е"
   and hyphens, spaces and case ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Rule 1: the zone people with a standard-time offset (minutes) usually mean.
BY_OFFSET = {
    -600: "Pacific/Honolulu", -540: "America/Anchorage", -480: "America/Los_Angeles",
    -420: "America/Denver", -360: "America/Chicago", -300: "America/New_York",
    -240: "America/Halifax", -180: "America/Sao_Paulo", -120: "Atlantic/South_Georgia",
    -60: "Atlantic/Azores", 0: "Europe/London", 60: "Europe/Berlin", 120: "Europe/Kyiv",
    180: "Europe/Moscow", 210: "Asia/Tehran", 240: "Asia/Dubai", 270: "Asia/Kabul",
    300: "Asia/Tashkent", 330: "Asia/Kolkata", 345: "Asia/Kathmandu", 360: "Asia/Omsk",
    390: "Asia/Yangon", 420: "Asia/Novosibirsk", 480: "Asia/Shanghai", 540: "Asia/Tokyo",
    570: "Australia/Adelaide", 600: "Australia/Sydney", 660: "Asia/Magadan",
    720: "Pacific/Auckland", 780: "Pacific/Tongatapu", 840: "Pacific/Kiritimati",
}  # fmt: skip

# Rule 2: abbreviations of one clock.
ABBREVIATIONS = {
    "msk": "Europe/Moscow", "msd": "Europe/Moscow", "cet": "Europe/Berlin",
    "cest": "Europe/Berlin", "met": "Europe/Berlin", "eet": "Europe/Kyiv",
    "eest": "Europe/Kyiv", "wet": "Europe/Lisbon", "west": "Europe/Lisbon",
    "bst": "Europe/London", "est": "America/New_York", "edt": "America/New_York",
    "mst": "America/Denver", "mdt": "America/Denver", "pst": "America/Los_Angeles",
    "pdt": "America/Los_Angeles", "akst": "America/Anchorage", "hst": "Pacific/Honolulu",
    "jst": "Asia/Tokyo", "kst": "Asia/Seoul", "hkt": "Asia/Hong_Kong", "sgt": "Asia/Singapore",
    "aest": "Australia/Sydney", "aedt": "Australia/Sydney", "nzst": "Pacific/Auckland",
    "samt": "Europe/Samara", "yekt": "Asia/Yekaterinburg", "omst": "Asia/Omsk",
    "novt": "Asia/Novosibirsk", "krat": "Asia/Krasnoyarsk", "irkt": "Asia/Irkutsk",
    "yakt": "Asia/Yakutsk", "vlat": "Asia/Vladivostok", "magt": "Asia/Magadan",
}  # fmt: skip
# ... and of several: the likeliest is suggested.
AMBIGUOUS = {"cst": "America/Chicago", "ist": "Asia/Kolkata", "ast": "America/Halifax"}

# Rule 3: Russian names of Russia's cities and the CIS capitals (keys as `_key` makes them).
CITIES_RU = {
    "москва": "Europe/Moscow", "санктпетербург": "Europe/Moscow", "питер": "Europe/Moscow",
    "спб": "Europe/Moscow", "казань": "Europe/Moscow", "нижнийновгород": "Europe/Moscow",
    "ростовнадону": "Europe/Moscow", "краснодар": "Europe/Moscow", "сочи": "Europe/Moscow",
    "воронеж": "Europe/Moscow", "ярославль": "Europe/Moscow", "тула": "Europe/Moscow",
    "мурманск": "Europe/Moscow", "архангельск": "Europe/Moscow", "симферополь": "Europe/Simferopol",
    "калининград": "Europe/Kaliningrad", "самара": "Europe/Samara", "ижевск": "Europe/Samara",
    "саратов": "Europe/Saratov", "волгоград": "Europe/Volgograd", "ульяновск": "Europe/Ulyanovsk",
    "астрахань": "Europe/Astrakhan", "киров": "Europe/Kirov",
    "екатеринбург": "Asia/Yekaterinburg", "челябинск": "Asia/Yekaterinburg",
    "уфа": "Asia/Yekaterinburg", "пермь": "Asia/Yekaterinburg", "тюмень": "Asia/Yekaterinburg",
    "оренбург": "Asia/Yekaterinburg", "омск": "Asia/Omsk", "новосибирск": "Asia/Novosibirsk",
    "барнаул": "Asia/Barnaul", "томск": "Asia/Tomsk", "кемерово": "Asia/Novokuznetsk",
    "новокузнецк": "Asia/Novokuznetsk", "красноярск": "Asia/Krasnoyarsk",
    "иркутск": "Asia/Irkutsk", "улан-удэ": "Asia/Irkutsk", "уланудэ": "Asia/Irkutsk",
    "чита": "Asia/Chita", "якутск": "Asia/Yakutsk", "хабаровск": "Asia/Vladivostok",
    "владивосток": "Asia/Vladivostok", "магадан": "Asia/Magadan",
    "южносахалинск": "Asia/Sakhalin", "петропавловсккамчатский": "Asia/Kamchatka",
    "минск": "Europe/Minsk", "киев": "Europe/Kyiv", "киів": "Europe/Kyiv",
    "кишинев": "Europe/Chisinau", "алматы": "Asia/Almaty", "алмаата": "Asia/Almaty",
    "астана": "Asia/Almaty", "ташкент": "Asia/Tashkent", "бишкек": "Asia/Bishkek",
    "душанбе": "Asia/Dushanbe", "ашхабад": "Asia/Ashgabat", "баку": "Asia/Baku",
    "ереван": "Asia/Yerevan", "тбилиси": "Asia/Tbilisi",
}  # fmt: skip

_OFFSET = re.compile(r"^(?:utc|gmt|z)?\s*([+\-−–])\s*(\d{1,2})(?:[:.h]?(\d{2}))?$", re.IGNORECASE)


@dataclass(frozen=True)
class ZoneReading:
    """What `read_zone` made of the text: a zone to use, or one to suggest (or neither)."""

    zone: str | None = None
    suggestion: str | None = None
    offset: int | None = None  # rule 1: minutes east of UTC, when the text was an offset


def _key(text: str) -> str:
    return re.sub(r"[\s\-_.]", "", text.casefold().replace("ё", "е"))


def read_offset(text: str) -> int | None:
    """Rule 1: minutes east of UTC ("UTC+3" -> 180, "-05:30" -> -330), or None."""
    found = _OFFSET.match(text.strip())
    if found is None:
        return None
    sign, hours, minutes = found.groups()
    total = int(hours) * 60 + int(minutes or 0)
    if int(hours) > 14 or int(minutes or 0) >= 60:
        return None
    return -total if sign in "-−–" else total


def read_zone(text: str, known: dict[str, str]) -> ZoneReading:
    """Rules 1-3. `known` maps the tz database's case-folded names to their spelling."""
    offset = read_offset(text)
    if offset is not None:
        return ZoneReading(suggestion=BY_OFFSET.get(offset), offset=offset)
    key = text.strip().casefold()
    if key in ABBREVIATIONS:
        return ZoneReading(zone=ABBREVIATIONS[key])
    if key in AMBIGUOUS:
        return ZoneReading(suggestion=AMBIGUOUS[key])
    city = CITIES_RU.get(_key(text))
    if city is not None:
        return ZoneReading(zone=city)
    wanted = key.replace(" ", "_")
    by_city = [name for folded, name in known.items() if folded.rsplit("/", 1)[-1] == wanted]
    if len(by_city) == 1 and "/" in by_city[0]:
        return ZoneReading(zone=by_city[0])
    return ZoneReading()
