"""Calm pushes (news/bundles.py), rule by rule, then end to end through the running bot: a
burst to one chat is one message, a feed gone wild pushes a handful, a night held by
`/quiet … hold` arrives as one message in the morning."""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from bot.sender import Sender
from news.bundles import CALM_PUSHES, CALM_WINDOW, plan, render_bundle, topics
from news.i18n import ENGLISH
from news.ingest import BURST_PUSHES
from news.limits import MAX_ENTITIES, MAX_MESSAGE
from news.render import Outlet, StoryView
from news.telegram_html import visible_length
from tests.clock import Clock
from tests.fakes.feed_server import rss
from tests.harness import poll_now, running_bot, with_desks

NOW = 1_800_000_000.0


# --- rules 1-2: when pushes go alone and when they wait -------------------------------------


@pytest.mark.parametrize(
    ("sent_ago", "waiting", "bundle", "wait"),
    [
        ((), 1, False, 0),  # a quiet chat: the push goes at once, alone
        ((), CALM_PUSHES, False, 0),  # up to three waiting go one by one
        ((), CALM_PUSHES + 1, True, 0),  # more at once: one bundle, now
        ((30, 20), 1, False, 0),  # two in the window: a third still goes alone
        ((300, 200, 100), 1, True, CALM_WINDOW - 300),  # three: wait for the oldest to leave
        ((900, 200, 100), 1, False, 0),  # the oldest is out of the window already
        ((500, 400, 300, 200, 100), 2, True, CALM_WINDOW - 300),  # the last three count
    ],
)
def test_rules_1_and_2_pushes_go_alone_while_calm_and_wait_as_one_bundle_after(
    sent_ago, waiting, bundle, wait
):
    decided = plan([NOW - ago for ago in sent_ago], waiting, NOW)
    assert decided.bundle is bundle
    assert decided.at == pytest.approx(NOW + wait)


def test_rule_2_a_chat_never_hears_more_than_three_pushes_in_ten_minutes():
    """A storm of a push every 20 s for an hour: every decision of `plan` followed."""
    sent: list[float] = []
    arrivals = [NOW + 20 * i for i in range(180)]
    waiting: list[float] = []
    clock, delivered = NOW, 0
    while arrivals or waiting:
        waiting += [a for a in arrivals if a <= clock]
        arrivals = [a for a in arrivals if a > clock]
        if waiting:
            decided = plan(sent, len(waiting), clock)
            if decided.at <= clock:
                sent.append(clock)
                delivered += len(waiting) if decided.bundle else 1
                waiting = [] if decided.bundle else waiting[1:]
        clock += 1
    assert delivered == 180  # nothing lost
    for start in sent:
        assert sum(start <= t < start + CALM_WINDOW for t in sent) <= CALM_PUSHES
    assert len(sent) < 30  # 180 stories, under 30 messages


def test_the_sender_remembers_a_chat_only_while_its_last_push_is_in_the_calm_window():
    # What rules 1-2 read is kept per chat; a chat whose last push left the window is
    # forgotten, so a fan-out to every chat does not keep them all (or scan them all).
    clock = [NOW]
    sender = Sender(SimpleNamespace(now=lambda: clock[0]), SimpleNamespace())
    for chat in (1, 2, 3):
        sender._story_sent(chat)
        clock[0] += 1
    clock[0] = NOW + 1 + CALM_WINDOW - 0.5  # chat 1's push (at NOW) has left the window
    sender._story_sent(2)
    assert dict(sender._recent) == {3: (NOW + 2,), 2: (NOW + 1, clock[0])}
    clock[0] += CALM_WINDOW
    sender._story_sent(4)
    assert dict(sender._recent) == {4: (clock[0],)}


# --- rules 4-5: what a bundle reads like -----------------------------------------------------


def view(n: int, **extra) -> StoryView:
    base = {
        "id": n, "title": f"Apple story number {n}", "link": f"https://x.test/{n}",
        "source": "The Verge", "published_at": int(NOW) - 60 * n, "summary": "Short.",
        "brands": ("apple",),
    }  # fmt: skip
    return StoryView(**(base | extra))


def test_rule_4_the_heading_names_the_followed_brands_the_stories_are_about():
    stories = [view(1), view(2, brands=("samsung",)), view(3, brands=("xiaomi",))]
    followed = [("apple", "Apple"), ("google", "Google"), ("samsung", "Samsung")]
    names = topics(stories, followed)
    assert names == ["Apple", "Samsung"]
    text = render_bundle(ENGLISH, stories, names, "UTC", int(NOW))
    assert text.startswith("<b>3 new stories about Apple and Samsung</b>\n")
    assert render_bundle(ENGLISH, stories, [], "UTC", int(NOW)).startswith("<b>3 new stories</b>\n")


def test_rule_4_a_line_per_story_headline_link_source_time_and_other_outlets():
    stories = [view(1, also=(Outlet("Engadget", None), Outlet("9to5Mac", None))), view(2)]
    lines = render_bundle(ENGLISH, stories, ["Apple"], "Europe/Moscow", int(NOW)).split("\n")[1:]
    local = datetime.fromtimestamp(NOW - 60, UTC) + timedelta(hours=3)
    assert lines[0] == (
        f'• <a href="https://x.test/1">Apple story number 1</a> — The Verge · {local:%H:%M} · +2'
    )
    assert lines[1].startswith('• <a href="https://x.test/2">Apple story number 2</a> — ')


def test_rule_4_feed_text_is_escaped_and_unusable_links_are_left_out():
    stories = [view(1, title="<script>", link="javascript:alert(1)"), view(2, source="A & B")]
    text = render_bundle(ENGLISH, stories, ["Apple"], "UTC", int(NOW))
    assert "&lt;script&gt;" in text and "javascript" not in text and "A &amp; B" in text


@pytest.mark.parametrize("count", [2, 30, 500])
def test_rule_5_a_bundle_fits_one_message_and_counts_the_rest(count):
    long = "A very long headline about Apple " * 6
    stories = [view(n, title=f"{long} {n}") for n in range(count)]
    text = render_bundle(ENGLISH, stories, ["Apple"], "UTC", int(NOW))
    assert visible_length(text) <= MAX_MESSAGE
    assert len(re.findall(r"<(?:a|b) ", text)) + text.count("<b>") <= MAX_ENTITIES
    shown = text.count("\n• ")
    more = re.search(r"and (\d+) more — /latest$", text)
    assert shown + (int(more.group(1)) if more else 0) == count
    assert (more is None) is (shown == count)


def test_rule_5_a_hundred_short_stories_stay_within_the_entity_limit():
    stories = [view(n, title=f"A{n}", source="") for n in range(150)]
    text = render_bundle(ENGLISH, stories, ["Apple"], "UTC", int(NOW))
    assert text.count("<a ") + text.count("<b>") <= MAX_ENTITIES
    assert "more — /latest" in text


# --- end to end --------------------------------------------------------------------------------

ALICE = 1001
MORNING = datetime(2025, 11, 25, 6, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> Clock:
    return Clock(MORNING)


@pytest.fixture
async def bot(settings, telegram, feeds, tmp_path, clock, monkeypatch):
    monkeypatch.setattr("bot.sender.HOLD_RECHECK", 0.2)  # held chats look again at once
    url = feeds.feed("/d.xml", rss("Desk", [{"title": "Old", "link": "https://x.test/0"}]))
    async with running_bot(with_desks(settings, tmp_path, [url]), telegram, clock=clock) as bot:
        await poll_now(bot)  # the backlog
        await bot.ask("/subscribe xiaomi", chat_id=ALICE)
        yield bot
    assert bot.errors == []


def items(clock: Clock, start: int, count: int, topic: str = "opens research centre") -> list:
    return [
        {"title": f"Xiaomi {topic} number {n} in city {n}", "link": f"https://x.test/{n}",
         "guid": f"g{n}", "pubDate": clock.datetime - timedelta(seconds=n - start)}
        for n in range(start, start + count)
    ]  # fmt: skip


def stories_in(telegram) -> list:
    """The story messages Alice got (pushes and bundles), not command replies."""
    return [m for m in telegram.sent_to(ALICE) if "x.test/" in m.text]


async def test_a_500_item_burst_is_one_message_and_the_archive_keeps_all(
    bot, telegram, feeds, clock, caplog
):
    feeds.feed("/d.xml", rss("Desk", items(clock, 1, 500)))
    with caplog.at_level(logging.WARNING):
        await poll_now(bot)
    (bundle,) = stories_in(telegram)
    assert bundle.plain_text.startswith(f"{BURST_PUSHES} new stories about Xiaomi\n")
    assert bundle.plain_text.count("\n• ") == BURST_PUSHES  # the newest ten, one line each
    assert "number 1 in city 1" in bundle.plain_text  # the newest first in the feed
    async with bot.runtime.storage.conn.execute("SELECT count(*) FROM stories") as c:
        assert (await c.fetchone())[0] == 501  # every item archived (and the old one)
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("500 new stories in one poll" in w and "archived 490" in w for w in warned)
    found = await bot.ask("/search city 250", chat_id=ALICE)
    assert "number 250 in city 250" in found.plain_text


async def test_more_than_three_pushes_in_ten_minutes_wait_and_arrive_as_one(
    bot, telegram, feeds, clock
):
    for n in range(1, 4):  # three polls, one story each: three pushes, each alone
        feeds.feed("/d.xml", rss("Desk", items(clock, n, 1, topic=f"topic {n} news")))
        await poll_now(bot)
    assert len(stories_in(telegram)) == 3
    feeds.feed("/d.xml", rss("Desk", items(clock, 10, 2, topic="later")))
    await poll_now(bot, deliver=False)
    clock.advance(timedelta(minutes=5))
    await asyncio.sleep(1.0)  # the held chat is looked at five times meanwhile
    assert len(stories_in(telegram)) == 3  # still inside the ten minutes: they wait
    clock.advance(timedelta(minutes=6))
    await bot.runtime.sender.drained()
    *_, bundle = stories_in(telegram)
    assert len(stories_in(telegram)) == 4, [m.plain_text[:60] for m in stories_in(telegram)]
    assert bundle.plain_text.startswith("2 new stories about Xiaomi\n")
    assert not bundle.params.get("disable_notification")
    async with bot.runtime.storage.conn.execute(
        "SELECT status, message_id FROM deliveries WHERE chat_id = ? ORDER BY id", (ALICE,)
    ) as c:
        rows = [tuple(r) for r in await c.fetchall()]
    assert [r[0] for r in rows] == ["sent"] * 5
    assert [r[1] is None for r in rows] == [False] * 3 + [True] * 2  # a bundle is never edited


async def test_a_night_held_by_quiet_hours_arrives_as_one_message_at_their_end(
    bot, telegram, feeds, clock
):
    clock.at(datetime(2025, 11, 25, 1, 0, tzinfo=UTC))
    reply = await bot.ask("/quiet 23:00-07:00 hold", chat_id=ALICE)
    assert "as one message" in reply.plain_text
    feeds.feed("/d.xml", rss("Desk", items(clock, 1, 2)))
    await poll_now(bot, deliver=False)
    feeds.feed("/d.xml", rss("Desk", items(clock, 1, 2) + items(clock, 20, 1, "ships a phone")))
    await poll_now(bot, deliver=False)
    await asyncio.sleep(1.0)  # the held chat is looked at five times meanwhile
    assert stories_in(telegram) == []  # nothing at night, not even silently
    assert "arrive as one message" in (await bot.ask("/quiet", chat_id=ALICE)).plain_text
    clock.at(datetime(2025, 11, 25, 7, 0, tzinfo=UTC))
    await bot.runtime.sender.drained()
    (morning,) = stories_in(telegram)
    assert morning.plain_text.startswith("3 new stories about Xiaomi\n")
    assert not morning.params.get("disable_notification")


async def test_one_push_held_by_the_night_arrives_as_a_push(bot, telegram, feeds, clock):
    clock.at(datetime(2025, 11, 25, 1, 0, tzinfo=UTC))
    await bot.ask("/quiet 23:00-07:00 hold", chat_id=ALICE)
    feeds.feed("/d.xml", rss("Desk", items(clock, 1, 1)))
    await poll_now(bot, deliver=False)
    await asyncio.sleep(0.5)
    assert stories_in(telegram) == []
    await bot.ask("/quiet off", chat_id=ALICE)  # released without waiting for the morning
    await bot.runtime.sender.drained()
    (push,) = stories_in(telegram)
    assert push.text.startswith('<b><a href="https://x.test/1">')


async def test_a_bundle_refused_with_429_goes_again_and_loses_nothing(bot, telegram, feeds, clock):
    telegram.rate_limit_next("sendMessage", retry_after=1)
    feeds.feed("/d.xml", rss("Desk", items(clock, 1, 5)))
    await poll_now(bot)
    (bundle,) = stories_in(telegram)
    assert bundle.plain_text.startswith("5 new stories about Xiaomi\n")
    assert bot.runtime.sender.stats["rate_limited"] == 1
    assert (await bot.runtime.storage.deliveries.counts()) == {"sent": 5}


async def test_a_digest_due_in_held_quiet_hours_still_goes_silently_and_pushes_wait(
    bot, telegram, feeds, clock
):
    clock.at(datetime(2025, 11, 25, 1, 0, tzinfo=UTC))
    await bot.ask("/quiet 23:00-07:00 hold", chat_id=ALICE)
    await bot.ask("/digest 02:00", chat_id=ALICE)
    feeds.feed("/d.xml", rss("Desk", items(clock, 1, 2)))
    await poll_now(bot, deliver=False)
    clock.at(datetime(2025, 11, 25, 2, 0, tzinfo=UTC))
    before = len(telegram.sent_to(ALICE))
    await bot.runtime.digests.tick()
    await telegram.wait_for_sent(before + 1, chat_id=ALICE, timeout=10)
    await asyncio.sleep(0.5)  # the pushes are looked at again meanwhile
    (night,) = stories_in(telegram)  # the digest, listing the night's stories; no push
    assert night.plain_text.startswith("Daily digest") and night.params["disable_notification"]
    clock.at(datetime(2025, 11, 25, 7, 0, tzinfo=UTC))
    await bot.runtime.sender.drained()
    *_, morning = stories_in(telegram)
    assert morning.plain_text.startswith("2 new stories about Xiaomi\n")
