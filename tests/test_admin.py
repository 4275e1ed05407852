"""Operator commands in Telegram and the polling job inside the running bot."""

from __future__ import annotations

import dataclasses

import pytest

from bot.jobs import PollScheduler
from fetch.http import Fetcher
from fetch.poller import Poller
from news.models import SourceOrigin
from news.opml import OpmlSource, write_opml
from news.schedule import DAY
from storage import Storage
from tests.conftest import OPERATOR_ID
from tests.fakes.feed_server import rss
from tests.harness import running_bot

ADMIN = {"chat_id": OPERATOR_ID}


@pytest.fixture
def opml_settings(settings, feeds, tmp_path):
    good = feeds.feed(
        "/good.xml", rss("Good Feed", [{"title": "Xiaomi opens a lab", "link": "https://x.test/1"}])
    )
    bad = feeds.status("/bad.xml", 500)
    path = tmp_path / "feeds.opml"
    path.write_text(
        write_opml([OpmlSource(good, "Good"), OpmlSource(bad, "Bad")]), encoding="utf-8"
    )
    return dataclasses.replace(settings, sources=path)


async def test_the_running_bot_polls_its_sources(opml_settings, telegram, feeds):
    async with running_bot(opml_settings, telegram) as bot:
        scheduler = bot.runtime.scheduler
        await bot.runtime.scheduler.tick()
        await scheduler.idle()
        assert await bot.runtime.storage.stories.count() == 1
        assert await scheduler.tick() == 0  # nothing due again so soon

        reply = await bot.ask("/sources", **ADMIN)
        text = reply.plain_text
        assert "2 sources, 1 failing" in text
        assert "Good" in text and "1 story" in text
        assert "HTTP 500" in text


async def test_operator_commands_are_refused_to_others(bot):
    for command in ("/sources", "/addsource https://example.org/feed", "/removesource 1"):
        reply = await bot.ask(command, chat_id=4242)
        assert "for the bot's operators" in reply.plain_text


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/feed.xml",
        "http://localhost/feed",
        "http://10.1.2.3/feed",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/feed",
        "http://2130706433/feed",
        "file:///etc/passwd",
        "gopher://example.org/",
        "http://0177.0.0.1/x",  # octal loopback: not even a URL httpx will parse
        "http://[zz::1]/feed",
    ],
)
async def test_addsource_refuses_private_and_odd_addresses(bot, url):
    reply = await bot.ask(f"/addsource {url}", **ADMIN)
    assert reply.plain_text.startswith("Refused:")
    assert url not in {s.url for s in await bot.runtime.storage.sources.all()}


async def test_addsource_and_removesource_usage(bot):
    assert "Usage" in (await bot.ask("/addsource", **ADMIN)).plain_text
    assert "Usage" in (await bot.ask("/removesource abc", **ADMIN)).plain_text
    assert "No source #999" in (await bot.ask("/removesource 999", **ADMIN)).plain_text
    huge = "9" * 30  # beyond SQLite's integers: an answer, not an OverflowError
    assert "Usage" in (await bot.ask(f"/removesource {huge}", **ADMIN)).plain_text


async def test_removesource_stops_polling_but_keeps_stories(opml_settings, telegram):
    async with running_bot(opml_settings, telegram) as bot:
        await bot.runtime.scheduler.tick()
        await bot.runtime.scheduler.idle()
        good = next(s for s in await bot.runtime.storage.sources.all() if s.title == "Good")
        reply = await bot.ask(f"/removesource {good.id}", **ADMIN)
        assert "Removed" in reply.plain_text and "stay in the archive" in reply.plain_text
        assert good.id not in {s.id for s in await bot.runtime.storage.sources.all()}
        assert await bot.runtime.storage.stories.count() == 1
    # A restart re-reads the OPML file, but what an admin removed stays removed.
    async with running_bot(opml_settings, telegram) as bot:
        assert good.url not in {s.url for s in await bot.runtime.storage.sources.all()}


async def test_admins_are_told_once_in_their_language_when_a_source_fails_for_a_day(
    tmp_path, feeds
):
    now = [1_795_564_800.0]
    storage = await Storage.open(tmp_path / "db.sqlite3", clock=lambda: now[0])
    fetcher = Fetcher(connect_timeout=1, read_timeout=1, deadline=3)
    sent: list[tuple[int, str]] = []

    async def notify(chat_id: int, text: str) -> None:
        sent.append((chat_id, text))

    scheduler = PollScheduler(
        Poller(storage, fetcher, interval=300), admins=frozenset({1, 2}), notify=notify
    )
    await storage.sources.add(feeds.status("/down.xml", 503), origin=SourceOrigin.CLI)
    await storage.chats.touch(  # operator 2 talks to the bot in Russian; 1 never wrote to it
        2, type="private", title=None, language_code="ru", language="ru", default_timezone="UTC"
    )
    try:
        for _ in range(4):  # a failure now, then every 12 hours
            await scheduler.tick()
            await scheduler.idle()
            await storage.conn.execute("UPDATE sources SET next_check_at = 0")
            now[0] += DAY / 2
    finally:
        await fetcher.aclose()
        await storage.close()
    assert [chat for chat, _ in sent] == [1, 2]  # each admin once, not at every failure
    assert "has failed for a day" in sent[0][1] and "/removesource" in sent[0][1]
    assert "не работает уже сутки" in sent[1][1] and "/removesource" in sent[1][1]


async def test_sources_shows_each_url_and_status_in_words(opml_settings, telegram):
    async with running_bot(opml_settings, telegram) as bot:
        await bot.runtime.scheduler.tick()
        await bot.runtime.scheduler.idle()
        text = "\n".join(m.plain_text for m in await bot.send("/sources", **ADMIN))
        for source in await bot.runtime.storage.sources.all():
            assert source.url in text
        assert "working" in text and "failing" in text and "not_modified" not in text


async def test_addsource_reads_a_bare_address_as_https_and_says_so(bot):
    reply = await bot.ask("/addsource 10.1.2.3/feed.xml", **ADMIN)
    assert "Reading it as https://10.1.2.3/feed.xml" in reply.plain_text
    assert "Refused:" in reply.plain_text  # and the guard still judges it


async def test_removing_a_removed_source_says_it_was_removed_already(bot):
    source, _ = await bot.runtime.storage.sources.add(
        "https://example.org/f.xml", origin=SourceOrigin.CLI
    )
    assert "Removed" in (await bot.ask(f"/removesource {source.id}", **ADMIN)).plain_text
    again = await bot.ask(f"/removesource {source.id}", **ADMIN)
    assert "was removed already" in again.plain_text


async def test_an_operators_help_lists_the_operator_commands_and_nobody_elses_does(bot):
    mine = (await bot.ask("/help", **ADMIN)).plain_text
    assert all(c in mine for c in ("/sources", "/addsource", "/removesource"))
    theirs = (await bot.ask("/help", chat_id=4242)).plain_text
    assert "/addsource" not in theirs


async def test_many_sources_are_one_message_a_page_failing_first(bot):
    storage = bot.runtime.storage
    for i in range(30):
        await storage.sources.add(f"https://feeds{i}.example.org/rss.xml", origin=SourceOrigin.CLI)
    bad, _ = await storage.sources.add(
        "https://broken.example.org/rss.xml", origin=SourceOrigin.CLI
    )
    await storage.sources.record_failure(bad.id, error="HTTP 500", next_check_at=2**40)
    before = len(bot.telegram.sent_to(OPERATOR_ID))
    (first,) = await bot.send("/sources", **ADMIN)
    assert len(bot.telegram.sent_to(OPERATOR_ID)) == before + 1  # one message, not a flood
    assert "page 1 of" in first.plain_text
    lines = first.plain_text.split("\n")
    assert "broken.example.org" in lines[2]  # failing first, right under the totals
    await bot.press(first, dict(first.buttons())["›"])
    second = bot.telegram.message_state(OPERATOR_ID, first.message_id)
    assert "page 2 of" in second.plain_text and "broken.example.org" not in second.plain_text
    stranger = bot.telegram.user_presses(second, dict(second.buttons())["‹"], user_id=4242)
    await bot.handled(stranger)
    assert "page 2 of" in bot.telegram.message_state(OPERATOR_ID, first.message_id).plain_text
