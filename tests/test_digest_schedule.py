"""The digest schedule on a real SQLite file with a clock the tests move: the minute tick, the
outbox rows it writes (kind 'digest') and each chat's next_digest_at, across time zones, DST,
restarts, downtime, quiet days, /digest now and setting changes. No Telegram here: what the
sender does with the rows is tests/test_digest.py's business."""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.digests import DigestService
from news.catalogue import load_catalogue
from news.digest_schedule import following
from news.feeds import title_key
from news.matching import Matcher
from news.models import (
    DeliveryMode,
    SourceOrigin,
    StoryDraft,
    Subscription,
    SubscriptionKind,
)
from news.replies import NOTHING_NEW
from storage import Storage
from storage.digests import Plan
from storage.migrations import MIGRATIONS
from tests.clock import Clock
from usecases.ingest import Tagging, store_entries

CATALOGUE = load_catalogue()
MATCHER = Matcher(CATALOGUE)
XIAOMI = Subscription(SubscriptionKind.BRAND, "xiaomi", "Xiaomi")
APPLE = Subscription(SubscriptionKind.BRAND, "apple", "Apple")
START = datetime(2026, 1, 14, 12, 0, tzinfo=UTC)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local(zone: str, *args: int) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(zone))


def ts(moment: datetime) -> int:
    return int(moment.timestamp())


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def path(tmp_path):
    return tmp_path / "bot.sqlite3"


@pytest.fixture
async def storage(path, clock):
    s = await Storage.open(path, clock=clock)
    yield s
    await s.close()


@pytest.fixture
def service(storage) -> DigestService:
    return DigestService(storage)


async def new_chat(
    storage: Storage,
    chat_id: int,
    zone: str = "UTC",
    at: time = time(9, 0),
    follows: tuple[Subscription, ...] = (XIAOMI,),
    mode: DeliveryMode = DeliveryMode.BOTH,
):
    await storage.chats.touch(
        chat_id,
        type="private",
        title=None,
        language_code=None,
        language="en",
        default_timezone=zone,
    )
    if follows:
        await storage.subscriptions.add(chat_id, list(follows))
    return await storage.chats.set_digest(chat_id, at=at, timezone=zone, mode=mode)


async def source(storage: Storage, n: int = 1) -> int:
    found, _ = await storage.sources.add(
        f"https://feed{n}.example.test/rss", origin=SourceOrigin.CLI, title=f"Desk {n}"
    )
    return found.id


async def publish(
    storage: Storage,
    title: str,
    *,
    desk: int = 1,
    link: str | None = None,
    published: int | None = None,
    backlog: bool = False,
) -> None:
    """A story as a poll of source `desk` stores it, tagged by the real matcher."""
    link = link or f"https://news.example.test/{hashlib.sha1(title.encode()).hexdigest()[:12]}"
    text = f"{title}. The details follow in the article itself."
    draft = StoryDraft(
        identity=f"link:{link}",
        link=link,
        title=title,
        title_key=title_key(title),
        text=text,
        author=None,
        image_url=None,
        language="en",
        published_at=storage.now() if published is None else published,
        content_hash=hashlib.sha1(text.encode()).hexdigest(),
        summary=text,
    )
    source_id = await source(storage, desk)
    found = await storage.sources.get(source_id)
    tag = await Tagging(storage, MATCHER, CATALOGUE).tagger(found, None)
    await store_entries(storage, source_id, [draft], tag=tag, backlog=backlog, push_since=0)


async def digest_rows(storage: Storage, chat_id: int | None = None) -> list[tuple]:
    """(chat_id, digest_at, part, body) of every digest message queued, oldest first."""
    sql = "SELECT chat_id, digest_at, part, body FROM deliveries WHERE kind = 'digest'"
    params: tuple = ()
    if chat_id is not None:
        sql += " AND chat_id = ?"
        params = (chat_id,)
    async with storage.conn.execute(sql + " ORDER BY id", params) as c:
        return [tuple(row) async for row in c]


async def next_at(storage: Storage, chat_id: int) -> int | None:
    chat = await storage.chats.get(chat_id)
    assert chat is not None
    return chat.next_digest_at


async def tick_at(service: DigestService, clock: Clock, moment: datetime) -> None:
    clock.at(moment)
    await service.tick()


# --- when ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "zone",
    ["Europe/Moscow", "America/New_York", "Asia/Kolkata", "Australia/Sydney", "UTC"],
)
async def test_the_digest_is_queued_at_nine_local_in_each_zone(storage, service, clock, zone):
    clock.at(local(zone, 2026, 1, 15, 6, 0))
    await new_chat(storage, 1, zone)
    await publish(storage, "Xiaomi opens a store in the city")
    nine = local(zone, 2026, 1, 15, 9, 0)
    assert await next_at(storage, 1) == ts(nine)

    await tick_at(service, clock, nine - timedelta(minutes=1))
    assert await digest_rows(storage) == []
    await tick_at(service, clock, nine)
    ((chat_id, digest_at, part, body),) = await digest_rows(storage)
    assert (chat_id, digest_at, part) == (1, ts(nine), 0)
    assert body.startswith("<b>Daily digest</b> · 15 Jan 2026")
    assert "Xiaomi opens a store in the city" in body
    await tick_at(service, clock, nine + timedelta(seconds=30))
    await tick_at(service, clock, nine + timedelta(minutes=1))
    assert len(await digest_rows(storage)) == 1
    assert await next_at(storage, 1) == ts(local(zone, 2026, 1, 16, 9, 0))


@pytest.mark.parametrize(
    ("zone", "day", "expected_utc"),
    [
        ("Europe/Berlin", date(2026, 3, 29), utc(2026, 3, 29, 1, 0)),  # 03:00 CEST
        ("America/New_York", date(2026, 3, 8), utc(2026, 3, 8, 7, 0)),  # 03:00 EDT
    ],
)
async def test_spring_forward_sends_a_0230_digest_at_three(
    storage, service, clock, zone, day, expected_utc
):
    clock.at(expected_utc - timedelta(hours=12))
    await new_chat(storage, 1, zone, at=time(2, 30))
    await publish(storage, "Xiaomi ships a foldable phone")
    assert await next_at(storage, 1) == ts(expected_utc)

    first_row_at = None
    moment = expected_utc - timedelta(hours=2)
    while moment <= expected_utc + timedelta(hours=2):
        await tick_at(service, clock, moment)
        if first_row_at is None and await digest_rows(storage):
            first_row_at = moment
        moment += timedelta(minutes=1)
    assert first_row_at == expected_utc
    assert expected_utc.astimezone(ZoneInfo(zone)).time() == time(3, 0)
    ((_, digest_at, _, _),) = await digest_rows(storage)
    assert digest_at == ts(expected_utc)
    following = datetime.combine(day + timedelta(days=1), time(2, 30), ZoneInfo(zone))
    assert await next_at(storage, 1) == ts(following)


async def test_autumn_fold_sends_one_0230_digest_that_night(storage, service, clock):
    zone = "Europe/Berlin"
    clock.at(utc(2026, 10, 24, 12, 0))
    await new_chat(storage, 1, zone, at=time(2, 30))
    await publish(storage, "Xiaomi earnings beat forecasts")
    first_0230 = utc(2026, 10, 25, 0, 30)  # 02:30 CEST; 02:30 CET is 01:30 UTC
    assert await next_at(storage, 1) == ts(first_0230)

    moment = utc(2026, 10, 24, 22, 0)  # midnight local
    while moment <= utc(2026, 10, 25, 4, 0):
        if moment == utc(2026, 10, 25, 1, 0):  # news between the two 02:30s
            await publish(storage, "Xiaomi recalls a charger")
        await tick_at(service, clock, moment)
        moment += timedelta(minutes=1)

    rows = await digest_rows(storage)
    assert [(r[0], r[1]) for r in rows] == [(1, ts(first_0230))]
    assert "Xiaomi recalls a charger" not in rows[0][3]
    assert await next_at(storage, 1) == ts(local(zone, 2026, 10, 26, 2, 30))


async def test_ten_minute_ticks_over_three_days_give_one_digest_per_local_day(
    storage, service, clock
):
    # Kolkata is on a half-hour offset; New York changes to summer time on 8 March, and its
    # 07:45 falls between ticks (it goes out at the 07:50 tick, within the grace period).
    zones = {1: ("Asia/Kolkata", time(9, 0)), 2: ("America/New_York", time(7, 45))}
    start = utc(2026, 3, 5, 22, 0)
    clock.at(start)
    for chat_id, (zone, at) in zones.items():
        await new_chat(storage, chat_id, zone, at=at)
    moment, n = start, 0
    while moment < utc(2026, 3, 9, 0, 0):
        clock.at(moment)
        if moment.minute == 0 and moment.hour % 4 == 0:
            n += 1
            await publish(storage, f"Xiaomi story number {n}")
        await service.tick()
        moment += timedelta(minutes=10)

    days = [date(2026, 3, 6), date(2026, 3, 7), date(2026, 3, 8)]
    for chat_id, (zone, at) in zones.items():
        rows = await digest_rows(storage, chat_id)
        served = [datetime.fromtimestamp(r[1], ZoneInfo(zone)) for r in rows]
        assert [s.date() for s in served] == days, zone
        assert {s.time() for s in served} == {at}
        assert all(r[2] == 0 and "Xiaomi story number" in r[3] for r in rows)
    # No story is in two digests of the same chat.
    for chat_id in zones:
        bodies = [r[3] for r in await digest_rows(storage, chat_id)]
        for i in range(1, n + 1):
            assert sum(f"Xiaomi story number {i}<" in b for b in bodies) <= 1


# --- restarts and downtime -------------------------------------------------------------------


async def test_restarts_around_the_digest_minute_never_double_or_drop_it(path, clock):
    nine = utc(2026, 1, 15, 9, 0)
    clock.at(nine - timedelta(hours=2))
    storage = await Storage.open(path, clock=clock)
    await new_chat(storage, 1)
    await publish(storage, "Xiaomi opens a store in Minsk")

    async def restart(at: datetime) -> tuple[Storage, DigestService]:
        await storage.close()
        clock.at(at)
        reopened = await Storage.open(path, clock=clock)
        return reopened, DigestService(reopened)

    storage, service = await restart(nine - timedelta(seconds=30))  # before the minute
    await service.tick()
    assert await digest_rows(storage) == []
    storage, service = await restart(nine)  # back exactly at the minute
    await service.tick()
    assert len(await digest_rows(storage)) == 1
    storage, service = await restart(nine + timedelta(seconds=20))  # after the tick recorded
    await service.tick()
    storage, service = await restart(nine + timedelta(minutes=5))  # well after it
    await service.tick()
    clock.at(nine + timedelta(hours=1))
    await service.tick()
    rows = await digest_rows(storage)
    assert [(r[0], r[1]) for r in rows] == [(1, ts(nine))]
    assert await next_at(storage, 1) == ts(nine + timedelta(days=1))
    await storage.close()


async def test_a_crash_before_the_tick_commits_sends_the_digest_after_the_restart(
    path, clock, monkeypatch
):
    nine = utc(2026, 1, 15, 9, 0)
    clock.at(nine - timedelta(hours=2))
    storage = await Storage.open(path, clock=clock)
    await new_chat(storage, 1)
    await publish(storage, "Xiaomi opens a store in Minsk")
    clock.at(nine)

    async def crash(plans):
        raise RuntimeError("killed before the commit")

    monkeypatch.setattr(storage.digests, "record", crash)
    with pytest.raises(RuntimeError):
        await DigestService(storage).tick()
    await storage.close()

    clock.at(nine + timedelta(minutes=2))
    storage = await Storage.open(path, clock=clock)
    service = DigestService(storage)
    await service.tick()
    await service.tick()
    rows = await digest_rows(storage)
    assert [(r[0], r[1]) for r in rows] == [(1, ts(nine))]
    assert "Xiaomi opens a store in Minsk" in rows[0][3]
    await storage.close()


async def test_back_within_the_grace_period_sends_the_digest_once(storage, service, clock):
    zone = "Europe/Moscow"
    nine = local(zone, 2026, 1, 15, 9, 0)
    clock.at(nine - timedelta(hours=3))
    await new_chat(storage, 1, zone)
    await publish(storage, "Xiaomi opens a store in Moscow")
    await tick_at(service, clock, nine - timedelta(minutes=1))  # then the bot goes down
    await tick_at(service, clock, nine + timedelta(hours=5, minutes=59))
    await tick_at(service, clock, nine + timedelta(hours=6))
    rows = await digest_rows(storage)
    assert [(r[0], r[1]) for r in rows] == [(1, ts(nine))]
    assert "Xiaomi opens a store in Moscow" in rows[0][3]
    assert await next_at(storage, 1) == ts(local(zone, 2026, 1, 16, 9, 0))


async def test_back_beyond_the_grace_period_skips_and_the_next_digest_covers_24_hours(
    storage, service, clock
):
    zone = "Europe/Moscow"
    nine = local(zone, 2026, 1, 15, 9, 0)
    clock.at(nine - timedelta(hours=1))
    await new_chat(storage, 1, zone)
    clock.at(nine - timedelta(minutes=30))  # 24.5 hours before tomorrow's digest
    await publish(storage, "Xiaomi old news from yesterday morning")
    await tick_at(service, clock, nine - timedelta(minutes=1))  # then the bot goes down
    clock.at(nine + timedelta(minutes=30))  # a poller (or another process) still stores news
    await publish(storage, "Xiaomi news within the last day")

    await tick_at(service, clock, nine + timedelta(hours=6, minutes=1))
    assert await digest_rows(storage) == []
    tomorrow = local(zone, 2026, 1, 16, 9, 0)
    assert await next_at(storage, 1) == ts(tomorrow)

    await tick_at(service, clock, tomorrow)
    ((_, digest_at, _, body),) = await digest_rows(storage)
    assert digest_at == ts(tomorrow)
    assert "Xiaomi news within the last day" in body
    assert "Xiaomi old news from yesterday morning" not in body


# --- what ------------------------------------------------------------------------------------


async def test_a_day_without_news_sends_only_to_chats_that_asked(storage, service, clock):
    nine = utc(2026, 1, 15, 9, 0)
    clock.at(nine - timedelta(hours=3))
    await new_chat(storage, 1)  # quiet by default
    await new_chat(storage, 2)
    await storage.chats.set_digest_quiet(2, False)
    await new_chat(storage, 3, follows=())
    await new_chat(storage, 4, follows=())
    await storage.chats.set_digest_quiet(4, False)
    await publish(storage, "Apple ships a new iPad Pro")  # news, but not about Xiaomi

    await tick_at(service, clock, nine)
    rows = await digest_rows(storage)
    assert [(r[0], r[1], r[3]) for r in rows] == [(2, ts(nine), NOTHING_NEW)]
    for chat_id in (1, 2, 3, 4):  # every schedule moved on all the same
        assert await next_at(storage, chat_id) == ts(nine + timedelta(days=1))


async def test_each_story_is_in_one_digest_and_digest_now_takes_its_stories(
    storage, service, clock
):
    day1 = utc(2026, 1, 15, 9, 0)
    day2, day3 = day1 + timedelta(days=1), day1 + timedelta(days=2)
    clock.at(day1 - timedelta(hours=1))
    await new_chat(storage, 1)
    await publish(storage, "Xiaomi story A")
    await tick_at(service, clock, day1)
    clock.at(day1 + timedelta(hours=1))
    await publish(storage, "Xiaomi story B")
    await tick_at(service, clock, day2)

    clock.at(day2 + timedelta(hours=3))
    await publish(storage, "Xiaomi story C")
    clock.at(day2 + timedelta(hours=4))
    chat = await storage.chats.get(1)
    on_demand = await service.now(chat)
    assert on_demand.messages == 1 and on_demand.since_last
    assert await next_at(storage, 1) == ts(day3)  # /digest now leaves the schedule alone
    clock.at(day2 + timedelta(hours=5))
    await publish(storage, "Xiaomi story D")
    await tick_at(service, clock, day3)

    rows = await digest_rows(storage, 1)
    assert [r[1] for r in rows] == [ts(day1), ts(day2), -ts(day2 + timedelta(hours=4)), ts(day3)]
    contents = [{s for s in "ABCD" if f"Xiaomi story {s}<" in r[3]} for r in rows]
    assert contents == [{"A"}, {"B"}, {"C"}, {"D"}]
    assert await next_at(storage, 1) == ts(day3 + timedelta(days=1))


async def test_a_changed_time_during_the_tick_wins_over_the_stale_plan(
    storage, service, clock, monkeypatch
):
    nine = utc(2026, 1, 15, 9, 0)
    clock.at(nine - timedelta(hours=1))
    await new_chat(storage, 1)
    await publish(storage, "Xiaomi opens a store in Minsk")
    record = storage.digests.record

    async def user_changes_time_first(plans):
        # /digest 21:00 lands between due() and record(): the plans were read before it.
        await storage.chats.set_digest(1, at=time(21, 0), timezone=None, mode=DeliveryMode.BOTH)
        return await record(plans)

    monkeypatch.setattr(storage.digests, "record", user_changes_time_first)
    await tick_at(service, clock, nine)
    assert await digest_rows(storage) == []
    evening = utc(2026, 1, 15, 21, 0)
    assert await next_at(storage, 1) == ts(evening)

    monkeypatch.setattr(storage.digests, "record", record)
    await tick_at(service, clock, nine + timedelta(minutes=1))
    assert await digest_rows(storage) == []
    await tick_at(service, clock, evening)
    ((_, digest_at, _, body),) = await digest_rows(storage)
    assert digest_at == ts(evening)
    assert "Xiaomi opens a store in Minsk" in body


async def test_a_stale_plan_built_by_hand_is_not_applied(storage, clock):
    nine = utc(2026, 1, 15, 9, 0)
    clock.at(nine - timedelta(hours=1))
    await new_chat(storage, 1)
    clock.at(nine)
    (chat,) = await storage.digests.due(storage.now())
    plan = Plan(
        chat_id=1,
        expected_next_at=chat.next_digest_at,
        expected_covered=chat.digest_story_id,
        next_at=following(storage.now(), chat.digest_time, chat.timezone),
        messages=["<b>Daily digest</b> · stale"],
        digest_at=chat.next_digest_at,
        covered_id=0,
    )
    await storage.chats.set_digest(1, at=time(21, 0), timezone=None, mode=DeliveryMode.BOTH)
    assert await storage.digests.record([plan]) == (0, 0)
    assert await digest_rows(storage) == []
    assert await next_at(storage, 1) == ts(utc(2026, 1, 15, 21, 0))


async def test_digest_now_during_a_tick_does_not_repeat_its_stories(
    storage, service, clock, monkeypatch
):
    nine = utc(2026, 1, 15, 9, 0)
    clock.at(nine - timedelta(hours=1))
    await new_chat(storage, 1)
    await publish(storage, "Xiaomi opens a store in Minsk")
    record = storage.digests.record
    raced = []

    async def digest_now_first(plans):
        if not raced:
            raced.append(await service.now(await storage.chats.get(1)))
        return await record(plans)

    monkeypatch.setattr(storage.digests, "record", digest_now_first)
    await tick_at(service, clock, nine)  # the tick's plan is stale: /digest now covered it
    await tick_at(service, clock, nine + timedelta(minutes=1))
    rows = await digest_rows(storage)
    assert raced[0].messages == 1
    assert [r[1] for r in rows] == [-ts(nine)]  # only the on-demand one has the story
    assert sum("Xiaomi opens a store in Minsk" in r[3] for r in rows) == 1
    assert await next_at(storage, 1) == ts(nine + timedelta(days=1))


async def test_backlog_counts_only_when_published_in_the_window(storage, service, clock):
    nine = utc(2026, 1, 15, 9, 0)
    clock.at(nine - timedelta(hours=2))
    await new_chat(storage, 1)
    now = storage.now()
    await publish(storage, "Xiaomi archive story", desk=1, published=now - 3 * 86400, backlog=True)
    await publish(
        storage, "Xiaomi recent backlog story", desk=1, published=now - 3600, backlog=True
    )
    await tick_at(service, clock, nine)
    ((_, _, _, body),) = await digest_rows(storage)
    assert "Xiaomi recent backlog story" in body
    assert "Xiaomi archive story" not in body


async def test_a_story_from_three_sources_appears_once_and_ranks_first(storage, service, clock):
    nine = utc(2026, 1, 15, 9, 0)
    clock.at(nine - timedelta(hours=3))
    await new_chat(storage, 1)
    wire = "Xiaomi unveils a new electric car"
    await publish(storage, wire, desk=1, link="https://wire.example.test/car")
    await publish(storage, wire, desk=2, link="https://wire.example.test/car")  # same link
    clock.advance(timedelta(minutes=10))
    await publish(storage, wire + "!", desk=3, link="https://other.example.test/car")  # headline
    clock.advance(timedelta(hours=1))
    await publish(storage, "Xiaomi hires a new design chief", desk=1)  # newer, one source
    await tick_at(service, clock, nine)
    ((_, _, _, body),) = await digest_rows(storage)
    assert body.count(f">{wire}</a>") == 1  # the headline once (its summary repeats it)
    assert "other.example.test" not in body and f">{wire}!</a>" not in body
    assert body.index(wire) < body.index("Xiaomi hires a new design chief")


# --- settings --------------------------------------------------------------------------------


async def test_a_version_4_database_keeps_its_pending_pushes_and_gets_digest_defaults(path, clock):
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER"
            " NOT NULL)"
        )
        for version, sql in MIGRATIONS[:4]:
            db.executescript(sql)
            db.execute("INSERT INTO schema_migrations VALUES (?, 0)", (version,))
        db.execute(
            "INSERT INTO chats (id, type, title, language_code, timezone, mode, active,"
            " created_at, updated_at) VALUES (7, 'private', NULL, NULL, 'Europe/Berlin',"
            " 'both', 1, 0, 0)"
        )
        db.execute("INSERT INTO sources (url, added_at) VALUES ('https://f.example.test', 0)")
        db.execute(
            "INSERT INTO stories (id, cluster_id, link, title, title_key, published_at,"
            " first_seen_at, updated_at) VALUES (42, 42, 'https://n.example.test/1',"
            " 'Xiaomi story', 'xiaomi story', 0, 0, 0)"
        )
        db.execute(
            "INSERT INTO deliveries (id, chat_id, story_id, cluster_id, next_attempt_at,"
            " created_at) VALUES (5, 7, 42, 42, 0, 0)"
        )
    db.close()

    clock.at(utc(2026, 1, 15, 12, 0))  # 13:00 in Berlin: today's 09:00 has passed
    storage = await Storage.open(path, clock=clock)
    try:
        assert await storage.schema_version() == MIGRATIONS[-1][0]
        (pending,) = await storage.deliveries.pending(0)
        assert (pending.id, pending.chat_id, pending.story_id) == (5, 7, 42)
        async with storage.conn.execute(
            "SELECT kind, status, cluster_id FROM deliveries WHERE id = 5"
        ) as c:
            assert tuple(await c.fetchone()) == ("story", "pending", 42)
        async with storage.conn.execute(
            "SELECT digest_time, digest_quiet, next_digest_at, digest_story_id"
            " FROM chats WHERE id = 7"
        ) as c:
            assert tuple(await c.fetchone()) == ("09:00", 1, None, 0)

        # The first tick schedules the old chat's first digest; it sends nothing late.
        report = await DigestService(storage).tick()
        assert report.scheduled == 1
        assert await digest_rows(storage) == []
        assert await next_at(storage, 7) == ts(local("Europe/Berlin", 2026, 1, 16, 9, 0))
    finally:
        await storage.close()


async def test_instant_mode_has_no_digest_and_both_brings_it_back(storage, service, clock):
    nine = utc(2026, 1, 15, 9, 0)
    clock.at(nine - timedelta(hours=2))
    await new_chat(storage, 1, mode=DeliveryMode.DIGEST)
    assert await next_at(storage, 1) == ts(nine)

    chat = await storage.chats.set_mode(1, DeliveryMode.INSTANT)
    assert chat.next_digest_at is None
    assert await next_at(storage, 1) is None
    await tick_at(service, clock, nine)
    await tick_at(service, clock, nine + timedelta(minutes=1))
    assert await digest_rows(storage) == []

    clock.at(nine + timedelta(hours=1))
    chat = await storage.chats.set_mode(1, DeliveryMode.BOTH)
    tomorrow = nine + timedelta(days=1)
    assert chat.next_digest_at == ts(tomorrow)
    assert await next_at(storage, 1) == ts(tomorrow)
    await publish(storage, "Xiaomi opens a store in Minsk")
    await tick_at(service, clock, tomorrow)
    ((_, digest_at, _, body),) = await digest_rows(storage)
    assert digest_at == ts(tomorrow)
    assert "Xiaomi opens a store in Minsk" in body


async def test_moving_the_time_after_todays_digest_waits_for_tomorrow(storage, service, clock):
    nine = utc(2026, 1, 15, 9, 0)
    clock.at(nine - timedelta(hours=2))
    await new_chat(storage, 1)
    await publish(storage, "Xiaomi story one")
    await tick_at(service, clock, nine)
    assert len(await digest_rows(storage)) == 1

    clock.at(nine + timedelta(hours=1))
    await storage.chats.set_digest(1, at=time(21, 0), timezone=None, mode=DeliveryMode.BOTH)
    evening, tomorrow_evening = utc(2026, 1, 15, 21, 0), utc(2026, 1, 16, 21, 0)
    assert await next_at(storage, 1) == ts(tomorrow_evening)
    clock.at(evening - timedelta(hours=1))
    await publish(storage, "Xiaomi story two")  # news for the evening: still no digest today
    await tick_at(service, clock, evening)
    await tick_at(service, clock, evening + timedelta(minutes=1))
    assert len(await digest_rows(storage)) == 1
    clock.at(tomorrow_evening - timedelta(hours=2))
    await publish(storage, "Xiaomi story three")
    await tick_at(service, clock, tomorrow_evening)
    rows = await digest_rows(storage)
    assert [r[1] for r in rows] == [ts(nine), ts(tomorrow_evening)]
    assert "Xiaomi story three" in rows[1][3] and "Xiaomi story one" not in rows[1][3]
