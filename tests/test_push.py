"""Instant push end to end: feed server -> poll -> match -> outbox -> paced sender -> fake Bot API.

The fake enforces Telegram's documented rate limits here, so a test also proves the sender's
pace never draws a 429 of its own making.
"""

from __future__ import annotations

import dataclasses
import itertools
from datetime import UTC, datetime, timedelta

import pytest

from news.models import Subscription, SubscriptionKind
from tests.fakes.feed_server import rss
from tests.harness import poll_now, running_bot, with_desks

ALICE, BOB = 1001, 1002
GROUP = -100500
ADMIN = 501


def story(n: int, title: str, text: str = "", *, age: timedelta = timedelta(minutes=5), link=None):
    return {
        "title": title,
        "link": link or f"https://news.example.test/{n}",
        "guid": f"g{n}",
        "description": f"<p>{text or title}. More details follow in the article.</p>",
        "pubDate": datetime.now(UTC) - age,
    }


XIAOMI = "Xiaomi opens a research centre in Dubai"
APPLE = "Apple ships a new iPad Pro with a faster chip"


@pytest.fixture
def enforce_rate_limits() -> bool:
    return True  # the sender's pace must never draw a 429 of its own making


@pytest.fixture
def push_settings(settings, feeds, tmp_path):
    urls = [
        feeds.feed(f"/f{i}.xml", rss(f"Desk {i}", [story(100 + i, f"Old story {i}")]))
        for i in range(3)
    ]
    return with_desks(settings, tmp_path, urls)


poll = poll_now


def pushes(telegram, chat_id):
    return [m for m in telegram.sent_to(chat_id) if m.text.startswith("<b><a href=")]


@pytest.fixture
async def bot(push_settings, telegram):
    async with running_bot(push_settings, telegram) as running:
        await poll(running)  # the first poll of every source: backlog, silent
        yield running
    assert running.errors == []


async def test_a_new_story_reaches_exactly_its_followers_once(bot, telegram, feeds):
    await bot.ask("/subscribe xiaomi", chat_id=ALICE)
    await bot.ask("/subscribe apple", chat_id=BOB)
    feeds.feed("/f0.xml", rss("Desk 0", [story(1, XIAOMI), story(100, "Old story 0")]))
    await poll(bot)
    (push,) = pushes(telegram, ALICE)
    assert pushes(telegram, BOB) == []
    assert push.text.startswith('<b><a href="https://news.example.test/1">')  # story link first
    assert (
        XIAOMI in push.plain_text and "#xiaomi" in push.plain_text and "Desk 0" in push.plain_text
    )
    assert push.link_preview_options == {"is_disabled": True}
    await poll(bot)  # polled again: nothing new, nothing sent
    assert len(pushes(telegram, ALICE)) == 1


async def test_backlog_and_stale_stories_are_silent(bot, telegram, feeds):
    await bot.ask("/subscribe xiaomi", chat_id=ALICE)
    assert pushes(telegram, ALICE) == []  # the backlog (first poll) was not pushed
    old = story(2, "Xiaomi reports record sales", age=timedelta(hours=72))
    feeds.feed("/f0.xml", rss("Desk 0", [old, story(100, "Old story 0")]))
    await poll(bot)
    assert pushes(telegram, ALICE) == []  # older than NEWSBOT_PUSH_MAX_AGE (48 h)
    assert await bot.runtime.storage.stories.count() == 4  # stored all the same


async def test_two_followed_brands_one_message(bot, telegram, feeds):
    await bot.ask("/subscribe xiaomi apple", chat_id=ALICE)
    feeds.feed(
        "/f0.xml", rss("Desk 0", [story(3, "Xiaomi and Apple trade blows over phone prices")])
    )
    await poll(bot)
    assert len(pushes(telegram, ALICE)) == 1


async def test_the_same_story_from_three_sources_is_one_message(bot, telegram, feeds):
    await bot.ask("/subscribe xiaomi", chat_id=ALICE)
    same_link = story(4, XIAOMI, link="https://news.example.test/dubai")
    feeds.feed("/f0.xml", rss("Desk 0", [same_link]))
    feeds.feed("/f1.xml", rss("Desk 1", [dict(same_link, guid="other")]))
    feeds.feed("/f2.xml", rss("Desk 2", [story(5, XIAOMI.upper() + "!")]))  # same headline
    await poll(bot)
    assert len(pushes(telegram, ALICE)) == 1


async def test_keywords_are_pushed_too(bot, telegram, feeds):
    await bot.ask('/subscribe "solid-state battery"', chat_id=ALICE)
    text = "A maker of phones says its solid-state battery is ready"
    feeds.feed("/f0.xml", rss("Desk 0", [story(6, "Battery breakthrough promised", text)]))
    await poll(bot)
    assert len(pushes(telegram, ALICE)) == 1


async def test_mode_digest_or_off_means_no_instant_push(bot, telegram, feeds):
    await bot.ask("/subscribe xiaomi", chat_id=ALICE)
    await bot.ask("/subscribe xiaomi", chat_id=BOB)
    assert "digest" in (await bot.ask("/mode digest", chat_id=ALICE)).plain_text
    await bot.ask("/mode off", chat_id=BOB)
    feeds.feed("/f0.xml", rss("Desk 0", [story(7, XIAOMI)]))
    await poll(bot)
    assert pushes(telegram, ALICE) == [] and pushes(telegram, BOB) == []
    assert "instant" in (await bot.ask("/mode instant", chat_id=ALICE)).plain_text
    feeds.feed("/f0.xml", rss("Desk 0", [story(8, "Xiaomi shows a new tablet")]))
    await poll(bot)
    assert len(pushes(telegram, ALICE)) == 1


async def test_pushes_already_queued_stop_when_the_chat_turns_instant_off(
    bot, telegram, feeds, monkeypatch
):
    """The sender reads the chat's mode with the pending rows; a change made meanwhile (here
    /mode digest while pushes wait for the chat's calm window, news.bundles) still stops
    them."""
    monkeypatch.setattr("bot.sender.HOLD_RECHECK", 0.2)
    await bot.ask("/subscribe xiaomi", chat_id=ALICE)
    for i in range(3):  # three stories in three polls: three pushes, the calm limit
        feeds.feed("/f0.xml", rss("Desk 0", [story(40 + i, f"Xiaomi news number {i}")]))
        await poll(bot)
    assert len(pushes(telegram, ALICE)) == 3
    waiting = [story(50 + i, f"Xiaomi later news {i}") for i in range(2)]
    feeds.feed("/f0.xml", rss("Desk 0", waiting))
    await poll(bot, deliver=False)  # these wait: three pushes in the last ten minutes
    await bot.ask("/mode digest", chat_id=ALICE)
    await bot.runtime.sender.drained()
    assert len(pushes(telegram, ALICE)) == 3
    assert not any("later news" in m.plain_text for m in telegram.sent_to(ALICE))
    async with bot.runtime.storage.conn.execute(
        "SELECT count(*) FROM deliveries WHERE chat_id = ? AND status = 'skipped'"
        " AND error = 'instant push turned off'",
        (ALICE,),
    ) as c:
        ((skipped,),) = await c.fetchall()
    assert skipped == len(waiting)


async def test_a_burst_to_one_chat_arrives_in_order_and_paced(bot, telegram, feeds):
    await bot.ask("/subscribe xiaomi", chat_id=ALICE)
    items = [
        story(20 + i, f"Xiaomi update number {i}", age=timedelta(minutes=30 - i)) for i in range(3)
    ]
    feeds.feed("/f0.xml", rss("Desk 0", items))
    await poll(bot)
    got = pushes(telegram, ALICE)
    assert [m.plain_text.split("\n")[0] for m in got] == [
        f"Xiaomi update number {i}" for i in range(3)
    ]
    gaps = [b.date - a.date for a, b in itertools.pairwise(got)]
    assert all(gap >= 0.9 for gap in gaps), gaps  # about one per second per private chat


async def test_429_pauses_and_retries_never_drops(bot, telegram, feeds):
    await bot.ask("/subscribe xiaomi", chat_id=ALICE)
    telegram.rate_limit_next("sendMessage", retry_after=1)
    feeds.feed("/f0.xml", rss("Desk 0", [story(9, XIAOMI)]))
    await poll(bot)
    (push,) = pushes(telegram, ALICE)
    refused = [c for c in telegram.calls_to("sendMessage") if c.status == 429]
    assert len(refused) == 1 and push.date - refused[0].at >= 0.9
    # The sender requeued it itself (its worker moved on to other chats); the pacer did not
    # sleep on it: python-telegram-bot drops a rate_limit_args of 0 before the pacer sees it.
    assert bot.runtime.sender.stats["rate_limited"] == 1


async def test_blocked_chat_is_deactivated_and_keeps_its_subscriptions(bot, telegram, feeds):
    await bot.ask("/subscribe xiaomi", chat_id=ALICE)
    telegram.block(ALICE)
    feeds.feed("/f0.xml", rss("Desk 0", [story(10, XIAOMI), story(11, "Xiaomi shows a tablet")]))
    await poll(bot)
    storage = bot.runtime.storage
    assert not (await storage.chats.get(ALICE)).active
    assert [s.value for s in await storage.subscriptions.for_chat(ALICE)] == ["xiaomi"]
    assert (await storage.deliveries.counts()).get("skipped") == 2
    forbidden = [c for c in telegram.calls_to("sendMessage") if c.status == 403]
    assert len(forbidden) == 1  # it stopped after the first refusal
    # /start brings the chat back, and later stories reach it again.
    telegram.unblock(ALICE)
    await bot.ask("/start", chat_id=ALICE)
    feeds.feed("/f0.xml", rss("Desk 0", [story(12, "Xiaomi cuts prices")]))
    await poll(bot)
    assert len(pushes(telegram, ALICE)) == 1


async def test_a_chat_telegram_no_longer_knows_goes_inactive_on_the_second_answer(
    bot, telegram, feeds
):
    await bot.ask("/subscribe xiaomi", chat_id=ALICE)
    telegram.fail_method("sendMessage", status=400, description="Bad Request: chat not found")
    feeds.feed("/f0.xml", rss("Desk 0", [story(60, XIAOMI)]))
    await poll(bot)
    assert (await bot.runtime.storage.chats.get(ALICE)).active  # once may be a glitch
    feeds.feed("/f0.xml", rss("Desk 0", [story(61, APPLE + " and Xiaomi"), story(60, XIAOMI)]))
    await poll(bot)
    assert not (await bot.runtime.storage.chats.get(ALICE)).active
    refused = [c for c in telegram.calls_to("sendMessage") if c.status == 400]
    assert len(refused) == 2  # no plain-text resend to a chat that does not exist
    feeds.feed("/f0.xml", rss("Desk 0", [story(62, "Xiaomi opens a store in Paris")]))
    await poll(bot)
    assert len([c for c in telegram.calls_to("sendMessage") if c.status == 400]) == 2


async def test_an_answer_the_client_cannot_read_is_retried_a_few_times_then_failed(
    bot, telegram, feeds, monkeypatch
):
    """Telegram (or a proxy) sends the message but answers something python-telegram-bot
    cannot parse: the sender cannot know the message went out, so it tries a bounded number
    of times and then records the failure, instead of resending without end."""
    import bot.sender as sender_module

    monkeypatch.setattr(sender_module, "RETRY_BASE", 0.2)  # keep the backoff short
    await bot.ask("/subscribe xiaomi", chat_id=ALICE)
    telegram.garble_next("sendMessage", times=100)
    feeds.feed("/f0.xml", rss("Desk 0", [story(70, XIAOMI)]))
    await poll(bot)
    assert len(pushes(telegram, ALICE)) == sender_module.UNEXPECTED_ATTEMPTS
    async with bot.runtime.storage.conn.execute(
        "SELECT status, error FROM deliveries WHERE chat_id = ? AND kind = 'story'", (ALICE,)
    ) as c:
        ((status, error),) = await c.fetchall()
    assert status == "failed" and "internal error" in error
    telegram.garble_next("sendMessage", times=0)


async def test_a_migrated_group_gets_its_push_at_the_new_id(bot, telegram, feeds):
    telegram.set_admins(-4010, [ADMIN])
    await bot.ask("/subscribe xiaomi", chat_id=-4010, chat_type="group", user_id=ADMIN)
    telegram.migrate(-4010, GROUP, announce=False)
    feeds.feed("/f0.xml", rss("Desk 0", [story(13, XIAOMI)]))
    await poll(bot)
    assert len(pushes(telegram, GROUP)) == 1
    assert [s.value for s in await bot.runtime.storage.subscriptions.for_chat(GROUP)] == ["xiaomi"]


async def test_a_group_migrating_into_a_known_supergroup_gets_each_story_once(bot, telegram, feeds):
    telegram.set_admins(-4020, [ADMIN])
    await bot.ask("/subscribe xiaomi", chat_id=-4020, chat_type="group", user_id=ADMIN)
    await bot.ask("/brands", chat_id=GROUP, user_id=ADMIN)  # the supergroup is already known
    telegram.migrate(-4020, GROUP, announce=False)
    items = [story(30 + i, f"Xiaomi news item {i}", age=timedelta(minutes=9 - i)) for i in range(3)]
    feeds.feed("/f0.xml", rss("Desk 0", items))
    await poll(bot)
    titles = [m.plain_text.split("\n")[0] for m in pushes(telegram, GROUP)]
    assert titles == [f"Xiaomi news item {i}" for i in range(3)]


async def test_a_refused_message_is_resent_once_as_plain_text(bot, telegram, feeds, caplog):
    await bot.ask("/subscribe xiaomi", chat_id=ALICE)
    telegram.fail_next(
        "sendMessage", status=400, description="Bad Request: can't parse entities: x"
    )
    feeds.feed("/f0.xml", rss("Desk 0", [story(14, XIAOMI)]))
    await poll(bot)
    sent = telegram.sent_to(ALICE)
    assert sent[-1].parse_mode is None and sent[-1].text.startswith(XIAOMI)
    assert any("story" in r.getMessage() and "plain text" in r.getMessage() for r in caplog.records)


async def test_a_command_is_answered_during_a_large_fan_out(push_settings, telegram, feeds):
    async with running_bot(push_settings, telegram) as bot:
        await poll(bot)
        storage = bot.runtime.storage
        await follow_xiaomi(storage, range(5000, 5300))  # about ten seconds of sending
        feeds.feed("/f0.xml", rss("Desk 0", [story(15, XIAOMI)]))
        await storage.conn.execute("UPDATE sources SET next_check_at = 0")
        await bot.runtime.scheduler.tick()
        await bot.runtime.scheduler.idle()
        await telegram.wait_for_sent(20, timeout=10)  # the fan-out is under way
        reply = await bot.ask("/subscriptions", chat_id=ALICE)
        assert "follows nothing yet" in reply.plain_text
        pending = (await storage.deliveries.counts()).get("pending", 0)
        assert pending > 100  # answered long before the broadcast finished
        await bot.runtime.sender.stop()


async def follow_xiaomi(storage, chat_ids) -> None:
    """Private chats that follow Xiaomi, as if each had sent /subscribe xiaomi."""
    xiaomi = Subscription(SubscriptionKind.BRAND, "xiaomi", "Xiaomi")
    for chat_id in chat_ids:
        await storage.chats.touch(
            chat_id,
            type="private",
            title=None,
            language_code=None,
            language="en",
            default_timezone="UTC",
        )
        await storage.subscriptions.add(chat_id, [xiaomi])


async def test_deliveries_survive_a_restart(push_settings, telegram, feeds):
    """Stopped mid-fan-out, restarted: every follower gets the story exactly once."""
    followers = range(6000, 6060)
    async with running_bot(push_settings, telegram) as bot:
        await poll(bot)
        storage = bot.runtime.storage
        await follow_xiaomi(storage, followers)
        feeds.feed("/f0.xml", rss("Desk 0", [story(16, XIAOMI)]))
        await storage.conn.execute("UPDATE sources SET next_check_at = 0")
        await bot.runtime.scheduler.tick()
        await bot.runtime.scheduler.idle()
        await telegram.wait_for_sent(10, timeout=10)
    partial = sum(len(pushes(telegram, c)) for c in followers)
    assert 0 < partial < len(followers)  # the stop came mid-fan-out
    async with running_bot(push_settings, telegram) as bot:
        await bot.runtime.sender.drained()
    assert [len(pushes(telegram, c)) for c in followers] == [1] * len(followers)


async def test_link_previews_when_the_operator_enables_them(push_settings, telegram, feeds):
    settings = dataclasses.replace(push_settings, link_previews=True)
    async with running_bot(settings, telegram) as bot:
        await poll(bot)
        await bot.ask("/subscribe xiaomi", chat_id=ALICE)
        feeds.feed("/f0.xml", rss("Desk 0", [story(17, XIAOMI)]))
        await poll(bot)
    (push,) = pushes(telegram, ALICE)
    assert push.link_preview_options == {
        "url": "https://news.example.test/17",
        "is_disabled": False,
    }


async def test_mode_command_usage_and_bad_input(bot):
    reply = await bot.ask("/mode", chat_id=ALICE)
    assert "both" in reply.plain_text and len(reply.buttons()) == 4
    await bot.press(reply, dict(reply.buttons())["instant"], user_id=ALICE)
    assert (await bot.runtime.storage.chats.get(ALICE)).mode.value == "instant"
    bad = await bot.ask("/mode <b>loud</b>", chat_id=ALICE)
    assert "is not a mode" in bad.plain_text


async def test_paid_broadcasts_when_the_operator_turns_them_on(push_settings, telegram, feeds):
    """NEWSBOT_PAID_BROADCAST: pushes go with allow_paid_broadcast, past the free 30 a second
    (the fake enforces both limits), and none is refused; a command's reply stays free."""
    followers = range(7000, 7120)
    settings = dataclasses.replace(push_settings, paid_broadcast=True)
    async with running_bot(settings, telegram) as bot:
        await poll(bot)
        await follow_xiaomi(bot.runtime.storage, followers)
        reply = await bot.ask("/subscribe xiaomi", chat_id=ALICE)
        feeds.feed("/f0.xml", rss("Desk 0", [story(18, XIAOMI)]))
        feeds.feed("/f1.xml", rss("Desk 1", [story(19, XIAOMI + " today")]))
        await poll(bot)
        await bot.runtime.sender.drained()
    assert [len(pushes(telegram, c)) for c in followers] == [1] * len(followers)
    sends = telegram.calls_to("sendMessage")
    paid = [c for c in sends if c.params.get("allow_paid_broadcast") is True]
    assert len(paid) == len(followers) + 1 == telegram.paid_broadcasts  # Alice's push too
    assert "allow_paid_broadcast" not in next(
        c.params for c in sends if c.params.get("text") == reply.text
    )
    assert telegram.rate_limited == 0


async def test_pushes_are_free_unless_the_operator_pays(bot, telegram, feeds):
    await bot.ask("/subscribe xiaomi", chat_id=ALICE)
    feeds.feed("/f0.xml", rss("Desk 0", [story(20, XIAOMI)]))
    await poll(bot)
    assert len(pushes(telegram, ALICE)) == 1
    assert all("allow_paid_broadcast" not in c.params for c in telegram.calls_to("sendMessage"))
    assert telegram.paid_broadcasts == 0
