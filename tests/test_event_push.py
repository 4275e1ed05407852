"""One push per event, end to end: three outlets report one announcement; a follower gets one
push, edited in place (one edit) to name the other outlets; /latest lists the event once.
The fake Bot API enforces Telegram's limits, edits included."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from bot import cli
from tests.fakes.feed_server import rss
from tests.harness import listed, poll_now, running_bot, with_desks

ALICE, BOB = 1001, 1002
HEADLINES = (
    "Apple releases iOS 17.0.3 with a fix for iPhone 15 Pro overheating",
    "Apple fixes iPhone 15 Pro overheating problems with the iOS 17.0.3 update",
    "iOS 17.0.3 is out for iPhone 15 Pro owners and fixes the overheating",
)
LEAD = (
    "Apple has released iOS 17.0.3, an update that addresses the overheating some iPhone 15"
    " Pro and iPhone 15 Pro Max owners saw, along with a security fix."
)


def item(n: int, title: str, *, desk: int) -> dict:
    return {
        "title": title,
        "link": f"https://desk{desk}.example.test/{n}",
        "guid": f"d{desk}-{n}",
        "description": f"<p>{LEAD}</p>",
        "pubDate": datetime.now(UTC) - timedelta(minutes=5),
    }


@pytest.fixture
def enforce_rate_limits() -> bool:
    return True


@pytest.fixture
def desks(settings, feeds, tmp_path):
    urls = [feeds.feed(f"/d{i}.xml", rss(f"Desk {i}", [])) for i in range(4)]
    return with_desks(settings, tmp_path, urls)


@pytest.fixture
async def bot(desks, telegram):
    async with running_bot(desks, telegram) as running:
        await poll_now(running)  # first polls: backlog, silent
        yield running
    assert running.errors == []
    assert telegram.violations == []


def pushes(telegram, chat_id):
    return [m for m in telegram.sent_to(chat_id) if m.text.startswith("<b><a href=")]


async def make_due_edits(bot) -> None:
    """The edit delay (storage.deliveries.EDIT_DELAY) has passed."""
    await bot.runtime.storage.conn.execute("UPDATE edits SET due_at = 0")
    await bot.runtime.storage.conn.commit()
    await bot.runtime.sender.run_edits()


async def test_three_outlets_of_one_event_give_one_push_edited_once_to_name_the_others(
    bot, telegram, feeds
):
    await bot.ask("/subscribe apple", chat_id=ALICE)
    feeds.feed("/d0.xml", rss("Desk 0", [item(1, HEADLINES[0], desk=0)]))
    await poll_now(bot)
    (push,) = pushes(telegram, ALICE)
    assert "Also:" not in push.plain_text
    for desk in (1, 2):
        feeds.feed(f"/d{desk}.xml", rss(f"Desk {desk}", [item(1, HEADLINES[desk], desk=desk)]))
        await poll_now(bot)
    assert len(pushes(telegram, ALICE)) == 1  # no second notification
    assert telegram.edits == []  # the edit waits for more outlets
    await make_due_edits(bot)
    assert len(telegram.edits) == 1  # two outlets, one edit
    state = telegram.message_state(ALICE, push.message_id)
    assert "Also: Desk 1 · Desk 2" in state.plain_text
    assert 'href="https://desk1.example.test/1"' in state.text
    await make_due_edits(bot)
    assert len(telegram.edits) == 1  # nothing left to edit


async def test_latest_lists_an_event_once_with_its_other_outlets(bot, telegram, feeds):
    for desk in range(3):
        feeds.feed(f"/d{desk}.xml", rss(f"Desk {desk}", [item(1, HEADLINES[desk], desk=desk)]))
        await poll_now(bot)
    page = await bot.ask("/latest apple", chat_id=BOB)
    (shown,) = listed(page)  # one line for the event
    assert shown in HEADLINES
    assert page.plain_text.split("\n")[1].endswith(" · +2")  # and two more outlets
    before = len(telegram.sent_to(BOB))
    await bot.press(page, dict(page.buttons())["1"])  # opened in full, the outlets are named
    (story,) = telegram.sent_to(BOB)[before:]
    assert "Also: Desk" in story.plain_text


async def pushed_then_reported_again(bot, feeds) -> None:
    """ALICE got Desk 0's push of the event; Desk 1 then reported it (an edit is waiting)."""
    await bot.ask("/subscribe apple", chat_id=ALICE)
    for desk in (0, 1):
        feeds.feed(f"/d{desk}.xml", rss(f"Desk {desk}", [item(1, HEADLINES[desk], desk=desk)]))
        await poll_now(bot)
    assert await bot.runtime.storage.deliveries.pending_edits() == 1


async def test_an_edit_that_finds_no_message_ends_quietly(bot, telegram, feeds):
    await pushed_then_reported_again(bot, feeds)
    telegram.fail_next(
        "editMessageText", status=400, description="Bad Request: message to edit not found"
    )
    await make_due_edits(bot)
    assert await bot.runtime.storage.deliveries.pending_edits() == 0  # not retried


async def test_a_5xx_on_an_edit_is_retried_a_few_times_then_given_up(bot, telegram, feeds):
    await pushed_then_reported_again(bot, feeds)
    for attempt in range(1, 6):
        telegram.fail_next("editMessageText", status=502, description="Bad Gateway")
        await make_due_edits(bot)
        assert await bot.runtime.storage.deliveries.pending_edits() == (attempt < 5)
    assert await bot.runtime.storage.deliveries.pending_edits() == 0
    assert telegram.edits == []


async def test_operators_list_multi_source_events_and_json_names_every_outlet(
    bot, telegram, feeds, desks, capsys
):
    for desk in range(2):
        feeds.feed(f"/d{desk}.xml", rss(f"Desk {desk}", [item(1, HEADLINES[desk], desk=desk)]))
        await poll_now(bot)
    events = await bot.runtime.storage.archive.events(since=0)
    (event,) = events
    assert event["size"] == 2
    assert [s["source"] for s in event["stories"]] == ["Desk 0", "Desk 1"]
    assert [s["title"] for s in event["stories"]] == list(HEADLINES[:2])
    ids = [s.id for s in (await bot.runtime.storage.stories.views([event["id"]])).values()]
    await cli.story_report(bot.runtime.storage, ids, as_json=True)
    (record,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [s["source"] for s in record["sources"]] == ["Desk 0", "Desk 1"]
    assert record["sources"][1]["link"] == "https://desk1.example.test/1"
