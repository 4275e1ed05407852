"""The daily digest end to end: feed server -> poll -> archive -> minute tick -> outbox ->
paced sender -> fake Bot API, with a clock the test moves (news/digest.py's rules are tested
on their own in test_digest_rules.py; schedules across DST in test_digest_schedule.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from news.replies import NOTHING_NEW
from tests.clock import Clock
from tests.fakes.feed_server import rss
from tests.harness import poll_now, running_bot, with_desks

ALICE, BOB, CAROL = 1001, 1002, 1003
GROUP, ADMIN, MEMBER = -100700, 601, 602
START = datetime(2025, 11, 24, 7, 0, tzinfo=UTC)  # a Monday, 07:00 UTC (08:00 in Berlin)


@pytest.fixture
def enforce_rate_limits() -> bool:
    return True  # the sender's pace must never draw a 429 of its own making


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


def story(clock: Clock, n: int, title: str, *, age: timedelta = timedelta(minutes=5)) -> dict:
    return {
        "title": title,
        "link": f"https://news.example.test/{n}",
        "guid": f"g{n}",
        "description": f"<p>{title}. The details follow in the article itself.</p>",
        "pubDate": clock.datetime - age,
    }


@pytest.fixture
def digest_settings(settings, feeds, tmp_path, clock):
    urls = [
        feeds.feed(f"/d{i}.xml", rss(f"Desk {i}", [story(clock, 900 + i, f"Old story {i}")]))
        for i in range(3)
    ]
    return with_desks(settings, tmp_path, urls)


poll = poll_now


async def tick(bot) -> None:
    """The minute tick, then wait until the sender has delivered what it queued."""
    await bot.runtime.digests.tick()
    await bot.runtime.sender.drained()


def digests(telegram, chat_id) -> list:
    return [m for m in telegram.sent_to(chat_id) if m.plain_text.startswith("Daily digest ·")]


@pytest.fixture
async def bot(digest_settings, telegram, clock):
    async with running_bot(digest_settings, telegram, clock=clock) as running:
        await poll(running)  # the first poll of every source: backlog
        yield running
    assert running.errors == []


async def publish(
    bot, feeds, clock, stories_by_desk: dict[int, list[tuple[int, str]]], *, deliver=True
) -> None:
    """Put these (number, headline) stories on the desks' feeds and poll them."""
    for desk, items in stories_by_desk.items():
        feeds.feed(
            f"/d{desk}.xml", rss(f"Desk {desk}", [story(clock, n, title) for n, title in items])
        )
    await poll_now(bot, deliver=deliver)


XIAOMI = "Xiaomi opens a research centre in Dubai"
XIAOMI_2 = "Xiaomi starts selling its electric car in Europe"
APPLE = "Apple ships a new iPad Pro with a faster chip"


async def test_the_digest_arrives_at_the_local_time_once(bot, telegram, feeds, clock):
    reply = await bot.ask("/digest 08:30 Europe/Moscow", chat_id=ALICE)
    assert "Daily digest at 08:30 Europe/Moscow" in reply.plain_text
    await bot.ask("/subscribe xiaomi apple", chat_id=ALICE)
    await bot.ask("/mode digest", chat_id=ALICE)  # digest only: no instant pushes
    await publish(bot, feeds, clock, {0: [(1, XIAOMI), (2, APPLE)]})
    # The same news from a second desk, polled after the first: story 1 heads the cluster.
    # (Polled together, either desk may be stored first.)
    await publish(bot, feeds, clock, {1: [(3, XIAOMI + "!")]})
    assert telegram.sent_to(ALICE)[-1].plain_text.startswith("Delivery mode")  # no push

    clock.at(datetime(2025, 11, 24, 5, 29, tzinfo=UTC))  # 08:29 in Moscow (UTC+3)
    clock.advance(timedelta(hours=24))  # the next morning: 08:30 today had passed at START
    await tick(bot)
    assert digests(telegram, ALICE) == []
    clock.advance(timedelta(minutes=1))  # 08:30 Moscow
    await tick(bot)
    (digest,) = digests(telegram, ALICE)
    text = digest.plain_text
    assert text.startswith("Daily digest · 25 Nov 2025")
    # Sections in subscription order (brands alphabetically): Apple, then Xiaomi.
    assert text.index("Apple") < text.index("Xiaomi")
    assert text.count(XIAOMI) == 1  # two desks, one story
    assert "Desk 0" in text
    assert '<a href="https://news.example.test/1">' in digest.text
    await tick(bot)
    clock.advance(timedelta(minutes=30))
    await tick(bot)
    assert len(digests(telegram, ALICE)) == 1  # exactly once


async def test_stories_two_sources_covered_rank_first(bot, telegram, feeds, clock):
    await bot.ask("/subscribe xiaomi", chat_id=ALICE)
    await publish(bot, feeds, clock, {0: [(1, XIAOMI_2)]})
    clock.advance(timedelta(minutes=10))
    await publish(bot, feeds, clock, {1: [(2, XIAOMI)], 2: [(3, XIAOMI)]})  # newer, two desks
    clock.at(datetime(2025, 11, 24, 9, 0, tzinfo=UTC))  # 09:00 UTC, the default
    await tick(bot)
    (digest,) = digests(telegram, ALICE)
    assert digest.plain_text.index(XIAOMI) < digest.plain_text.index(XIAOMI_2)


async def test_quiet_days_send_nothing_unless_asked(bot, telegram, clock):
    await bot.ask("/subscribe xiaomi", chat_id=ALICE)
    await bot.ask("/subscribe xiaomi", chat_id=BOB)
    assert "short note" in (await bot.ask("/digest quiet off", chat_id=BOB)).plain_text
    assert "sends nothing" in (await bot.ask("/digest empty silent", chat_id=BOB)).plain_text
    assert "short note" in (await bot.ask("/digest empty note", chat_id=BOB)).plain_text
    before = len(telegram.sent_to(ALICE))
    clock.at(datetime(2025, 11, 24, 9, 0, tzinfo=UTC))
    await tick(bot)
    assert [m.plain_text for m in telegram.sent_to(BOB)][-1] == NOTHING_NEW
    assert len(telegram.sent_to(ALICE)) == before  # quiet by default: nothing at all


async def test_a_restart_around_the_digest_minute_neither_skips_nor_repeats(
    digest_settings, telegram, feeds, clock
):
    # Restarts seconds apart: a new process has no memory of the last one's per-chat pace, so
    # real Telegram may answer 429 here (handled: see test_push). Only the count matters here.
    telegram.enforce_rate_limits = False
    async with running_bot(digest_settings, telegram, clock=clock) as bot:
        await poll(bot)
        await bot.ask("/subscribe xiaomi", chat_id=ALICE)
        await bot.ask("/subscribe xiaomi", chat_id=BOB)
        await bot.ask("/digest 09:00", chat_id=BOB)
        await publish(bot, feeds, clock, {0: [(1, XIAOMI)]})
        await tick(bot)  # 07:00: not yet; the schedules are computed
    # Down from before the minute until after it: the digest goes out on return.
    clock.at(datetime(2025, 11, 24, 9, 20, tzinfo=UTC))
    async with running_bot(digest_settings, telegram, clock=clock) as bot:
        await tick(bot)
        assert len(digests(telegram, ALICE)) == 1
        # Composed and queued, then the bot stops before the sender gets to it.
        await bot.runtime.sender.stop()
        clock.at(datetime(2025, 11, 24, 9, 0, tzinfo=UTC) + timedelta(days=1))
        await publish(bot, feeds, clock, {0: [(2, XIAOMI_2)]}, deliver=False)
        await bot.runtime.digests.tick()
        assert len(digests(telegram, ALICE)) == 1
    async with running_bot(digest_settings, telegram, clock=clock) as bot:
        await bot.runtime.sender.drained()
        await tick(bot)
    async with running_bot(digest_settings, telegram, clock=clock) as bot:
        await tick(bot)  # after the minute: nothing again
        await bot.runtime.sender.drained()
    sent = digests(telegram, ALICE)
    assert [XIAOMI in m.plain_text for m in sent] == [True, False]
    assert [XIAOMI_2 in m.plain_text for m in sent] == [False, True]
    assert len(digests(telegram, BOB)) == 2


async def test_down_past_the_grace_period_skips_that_day(bot, telegram, feeds, clock):
    await bot.ask("/subscribe xiaomi", chat_id=ALICE)
    await bot.ask("/subscribe xiaomi", chat_id=BOB)
    await bot.ask("/digest 09:01", chat_id=BOB)
    await publish(bot, feeds, clock, {0: [(1, XIAOMI)]})  # 07:00
    clock.at(datetime(2025, 11, 24, 15, 1, tzinfo=UTC))  # the bot is back at 15:01
    await tick(bot)
    assert len(digests(telegram, BOB)) == 1  # 6 h late: still useful, sent
    assert digests(telegram, ALICE) == []  # 6 h 1 min late: skipped
    await publish(bot, feeds, clock, {1: [(2, XIAOMI_2)]})
    clock.at(datetime(2025, 11, 25, 9, 0, tzinfo=UTC))
    await tick(bot)
    (digest,) = digests(telegram, ALICE)
    assert XIAOMI_2 in digest.plain_text
    assert XIAOMI not in digest.plain_text.replace(XIAOMI_2, "")  # first seen 26 h before


async def test_digest_now_does_not_move_the_schedule_or_repeat(bot, telegram, feeds, clock):
    await bot.ask("/subscribe xiaomi", chat_id=ALICE)
    await publish(bot, feeds, clock, {0: [(1, XIAOMI)]})
    assert await bot.send("/digest now", chat_id=ALICE) == []  # the digest is the answer
    await bot.runtime.sender.drained()
    (first,) = digests(telegram, ALICE)
    assert XIAOMI in first.plain_text
    again = await bot.ask("/digest now", chat_id=ALICE)
    assert "No news" in again.plain_text and "since the last digest" in again.plain_text
    await publish(bot, feeds, clock, {1: [(2, XIAOMI_2)]})
    clock.at(datetime(2025, 11, 24, 9, 0, tzinfo=UTC))  # the scheduled one still comes
    await tick(bot)
    first, scheduled = digests(telegram, ALICE)
    assert XIAOMI_2 in scheduled.plain_text and XIAOMI not in scheduled.plain_text.replace(
        XIAOMI_2, ""
    )


async def test_digest_off_and_modes(bot, telegram, feeds, clock):
    await bot.ask("/subscribe xiaomi", chat_id=ALICE)
    await bot.ask("/digest 07:15", chat_id=ALICE)
    off = await bot.ask("/digest off", chat_id=ALICE)
    assert "Daily digest off" in off.plain_text and "Instant pushes continue" in off.plain_text
    assert "/digest on" in off.plain_text  # the way back keeps the chat's own time
    assert "instant" in (await bot.ask("/mode", chat_id=ALICE)).plain_text
    status = await bot.ask("/digest", chat_id=ALICE)
    assert "off" in status.plain_text
    await publish(bot, feeds, clock, {0: [(1, XIAOMI)]})
    clock.at(datetime(2025, 11, 24, 9, 0, tzinfo=UTC))
    await tick(bot)
    assert digests(telegram, ALICE) == []
    on = await bot.ask("/digest on", chat_id=ALICE)
    assert "Daily digest at 07:15 UTC" in on.plain_text and "on now" in on.plain_text
    assert "Daily digest at 07:15" in (await bot.ask("/digest on", chat_id=ALICE)).plain_text
    on = await bot.ask("/digest 10:00", chat_id=ALICE)
    assert "Daily digest at 10:00 UTC" in on.plain_text
    clock.at(datetime(2025, 11, 24, 10, 0, tzinfo=UTC))
    await tick(bot)
    assert len(digests(telegram, ALICE)) == 1


async def test_hostile_digest_arguments_get_the_form(bot):
    for argument in ("25:99", "08:30 Mars/Phobos", "<b>08:30</b>", "x" * 500, "9:00 ../../etc"):
        reply = await bot.ask(f"/digest {argument}", chat_id=ALICE)
        assert "/digest HH:MM Area/City" in reply.plain_text, argument
    status = await bot.ask("/digest", chat_id=ALICE)
    assert "Daily digest at 09:00 UTC" in status.plain_text  # nothing changed


async def test_timezone_command(bot):
    reply = await bot.ask("/timezone europe/berlin", chat_id=ALICE)
    assert "Time zone: Europe/Berlin" in reply.plain_text
    assert "Daily digest at 09:00 Europe/Berlin" in reply.plain_text
    bad = await bot.ask("/timezone Mars/Phobos", chat_id=ALICE)
    assert "/timezone Area/City" in bad.plain_text
    shown = await bot.ask("/timezone", chat_id=ALICE)
    assert "Europe/Berlin" in shown.plain_text


async def test_in_groups_only_admins_change_the_digest(bot, telegram, feeds, clock):
    telegram.set_admins(GROUP, [ADMIN])
    await bot.ask("/subscribe xiaomi", chat_id=GROUP, user_id=ADMIN)
    refused = await bot.ask("/digest 10:00", chat_id=GROUP, user_id=MEMBER)
    assert "only this group's admins" in refused.plain_text
    refused = await bot.ask("/timezone Asia/Tokyo", chat_id=GROUP, user_id=MEMBER)
    assert "only this group's admins" in refused.plain_text
    done = await bot.ask("/digest 10:00 Asia/Tokyo", chat_id=GROUP, user_id=ADMIN)
    assert "Daily digest at 10:00 Asia/Tokyo" in done.plain_text
    await publish(bot, feeds, clock, {0: [(1, XIAOMI)]})
    await bot.send("/digest now", chat_id=GROUP, user_id=MEMBER)  # anyone may ask for one
    await bot.runtime.sender.drained()
    assert len(digests(telegram, GROUP)) == 1


async def test_keywords_get_their_own_section(bot, telegram, feeds, clock):
    await bot.ask('/subscribe "solid-state battery"', chat_id=ALICE)
    title = "A phone maker says its solid-state battery is ready"
    await publish(bot, feeds, clock, {0: [(1, title)]})
    clock.at(datetime(2025, 11, 24, 9, 0, tzinfo=UTC))
    await tick(bot)
    (digest,) = digests(telegram, ALICE)
    assert "“solid-state battery”" in digest.plain_text and title in digest.plain_text


async def test_a_blocked_chat_is_not_retried_and_a_refused_digest_goes_as_plain_text(
    bot, telegram, feeds, clock
):
    await bot.ask("/subscribe xiaomi", chat_id=ALICE)
    await bot.ask("/subscribe xiaomi", chat_id=BOB)
    await bot.ask("/mode digest", chat_id=ALICE)
    await bot.ask("/digest 09:05", chat_id=BOB)
    await bot.ask("/mode digest", chat_id=BOB)
    await publish(bot, feeds, clock, {0: [(1, XIAOMI)]})
    telegram.fail_next("sendMessage", status=400, description="Bad Request: can't parse entities")
    clock.at(datetime(2025, 11, 24, 9, 0, tzinfo=UTC))
    await tick(bot)
    sent = telegram.sent_to(ALICE)[-1]
    assert sent.parse_mode is None and sent.text.startswith("Daily digest")
    assert XIAOMI in sent.text
    telegram.block(BOB)
    clock.at(datetime(2025, 11, 24, 9, 5, tzinfo=UTC))
    await tick(bot)
    assert (await bot.runtime.storage.chats.get(BOB)).active is False
    counts = await bot.runtime.storage.deliveries.counts()
    assert counts.get("pending", 0) == 0 and counts.get("failed", 0) == 0  # not retried


async def test_many_digests_at_once_do_not_starve_commands(bot, telegram, feeds, clock):
    chats = [5000 + i for i in range(40)]
    for chat_id in chats:
        await bot.ask("/subscribe xiaomi apple", chat_id=chat_id)
    await publish(bot, feeds, clock, {0: [(1, XIAOMI), (2, APPLE)]})
    await bot.runtime.sender.drained()
    clock.at(datetime(2025, 11, 24, 9, 0, tzinfo=UTC))
    report = await bot.runtime.digests.tick()
    assert report.messages == len(chats)
    reply = await bot.ask("/digest", chat_id=CAROL)  # answered while 40 digests are queued
    assert "Daily digest at" in reply.plain_text
    pending = await bot.runtime.storage.deliveries.counts()
    assert pending.get("pending", 0) > 0  # the reply did not wait for the whole broadcast
    await bot.runtime.sender.drained()
    assert all(len(digests(telegram, c)) == 1 for c in chats)


async def test_a_new_chat_sees_its_schedule_and_digest_now_needs_something_followed(bot):
    status = await bot.ask("/digest", chat_id=CAROL)
    # START is 07:00 UTC, so the first digest is today at 09:00.
    assert "Daily digest at 09:00 UTC, next today." in status.plain_text
    assert "nothing is sent" in status.plain_text
    mode = await bot.ask("/mode", chat_id=CAROL)
    assert "Daily digest at 09:00 UTC" in mode.plain_text
    now = await bot.ask("/digest now", chat_id=CAROL)
    assert "follows nothing yet" in now.plain_text
    await bot.ask("/mode instant", chat_id=CAROL)
    assert "off" in (await bot.ask("/digest", chat_id=CAROL)).plain_text
