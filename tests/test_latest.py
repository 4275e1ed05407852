"""/latest, /search and "Read also": the archive answers, in the chat and on the command line."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import sqlite3
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest

import storage.archive
from news.models import SourceOrigin
from news.opml import OpmlSource, write_opml
from storage import Storage
from tests.drafts import drafts
from tests.fakes.feed_server import rss
from tests.harness import listed, running_bot
from tests.test_cli import clean_env
from usecases.ingest import store_entries

NOW = datetime.now(UTC)


def item(n: int, title: str, text: str, hours_ago: float, link: str | None = None) -> dict:
    return {
        "title": title,
        "link": link or f"https://news.example.test/{n}",
        "guid": f"s{n}",
        "description": f"<p>{text}</p>",
        "pubDate": NOW - timedelta(hours=hours_ago),
    }


ITEMS = [
    item(1, "Xiaomi opens its first store in Moscow",
         "Xiaomi opened its first official store in Moscow on Saturday. Xiaomi fans queued for hours.", 30),
    item(2, "A Belarusian photo app goes viral",
         "A photo editing app made in Minsk tops the charts. The app turns selfies into paintings.", 20),
    item(3, "Xiaomi plans to open an office in Russia",
         "Chinese smartphone maker Xiaomi plans to open an office in Russia. Xiaomi already runs a store in Moscow.", 10),
    item(4, "Apple ships a new iPad Pro",
         "Apple began selling the new iPad Pro. The tablet has a faster chip.", 5),
    item(5, "Xiaomi shows a foldable phone",
         "Xiaomi showed a foldable phone with a bigger battery. The foldable phone ships in spring.", 2),
    item(6, "Xiaomi earnings beat forecasts",
         "Xiaomi reported higher quarterly revenue. Xiaomi phone shipments grew.", 1),
]  # fmt: skip


@pytest.fixture
def archive_settings(settings, feeds, tmp_path):
    url = feeds.feed("/tech.xml", rss("Tech Desk", ITEMS))
    path = tmp_path / "feeds.opml"
    path.write_text(write_opml([OpmlSource(url, "Tech Desk")]), encoding="utf-8")
    return dataclasses.replace(settings, sources=path)


@pytest.fixture
async def bot(archive_settings, telegram):
    async with running_bot(archive_settings, telegram) as running:
        await running.runtime.scheduler.tick()
        await running.runtime.scheduler.idle()
        yield running
    assert running.errors == []


def headline(message) -> str:
    return message.plain_text.split("\n", 1)[0]


def button(message, text: str) -> str:
    """The callback data of the message's button labelled `text` (as edited so far)."""
    return dict(message.buttons())[text]


def now_showing(bot, message):
    return bot.telegram.message_state(message.chat_id, message.message_id)


async def test_latest_is_one_message_newest_first_with_a_button_per_story(bot):
    page = await bot.ask("/latest xiaomi 2")
    assert headline(page) == "Latest about Xiaomi"
    assert listed(page) == ["Xiaomi earnings beat forecasts", "Xiaomi shows a foldable phone"]
    lines = page.plain_text.split("\n")
    assert lines[1].startswith("1. Xiaomi earnings beat forecasts — Tech Desk · ")
    assert lines[2] == "Xiaomi reported higher quarterly revenue."  # the first sentence
    assert '<a href="https://news.example.test/6">' in page.text
    assert [text for text, _ in page.buttons()] == ["1", "2", "Older ›"]
    assert all(len(data.encode()) <= 64 for _, data in page.buttons())


async def test_older_edits_the_message_in_place_and_newest_goes_back(bot):
    page = await bot.ask("/latest xiaomi 2")
    sent = len(bot.telegram.sent_to(1001))
    await bot.press(page, button(page, "Older ›"))
    older = now_showing(bot, page)
    assert headline(older) == "Older stories about Xiaomi"
    assert listed(older) == [
        "Xiaomi plans to open an office in Russia",
        "Xiaomi opens its first store in Moscow",
    ]
    assert [text for text, _ in older.buttons()] == ["1", "2", "« Newest"]  # the last page
    await bot.press(older, button(older, "« Newest"))
    assert listed(now_showing(bot, page)) == listed(page)
    assert len(bot.telegram.sent_to(1001)) == sent  # no new message at any step


async def test_a_double_tap_on_older_shows_the_page_once(bot):
    page = await bot.ask("/latest xiaomi 2")
    sent = len(bot.telegram.sent_to(1001))
    data = button(page, "Older ›")
    first = bot.telegram.user_presses(page, data)
    second = bot.telegram.user_presses(page, data)  # before the first is answered
    await bot.handled(first)
    await bot.handled(second)
    assert listed(now_showing(bot, page))[0] == "Xiaomi plans to open an office in Russia"
    assert len(bot.telegram.sent_to(1001)) == sent
    assert bot.telegram.unanswered_callback_queries == []


async def test_a_page_that_can_no_longer_be_edited_comes_as_a_new_message(bot):
    page = await bot.ask("/latest xiaomi 2")
    bot.telegram.fail_next(
        "editMessageText", status=400, description="Bad Request: message can't be edited"
    )
    update = bot.telegram.user_presses(page, button(page, "Older ›"))
    await bot.handled(update)
    (fresh,) = bot.telegram.sent_to(1001)[-1:]
    assert fresh.message_id != page.message_id
    assert headline(fresh) == "Older stories about Xiaomi"


async def test_latest_orders_by_publication_not_by_arrival(bot, feeds):
    # A feed that lists an older story after a newer one, polled later: dates decide.
    late = [
        item(
            7,
            "Xiaomi recalls a charger",
            "Xiaomi recalled a charger model. Xiaomi said no one was hurt.",
            40,
        ),
        item(
            8,
            "Xiaomi hires a new design chief",
            "Xiaomi named a new design chief. Xiaomi did not give a start date.",
            0.5,
        ),
    ]
    feeds.feed("/tech.xml", rss("Tech Desk", late + ITEMS))
    await bot.runtime.storage.conn.execute("UPDATE sources SET next_check_at = 0")
    await bot.runtime.scheduler.tick()
    await bot.runtime.scheduler.idle()
    page = await bot.ask("/latest xiaomi 2")
    assert listed(page) == ["Xiaomi hires a new design chief", "Xiaomi earnings beat forecasts"]
    async with bot.runtime.storage.conn.execute(
        "SELECT count(*) FROM story_brands WHERE published_at = 0"
    ) as c:
        assert (await c.fetchone())[0] == 0


async def test_older_survives_a_restart(archive_settings, telegram):
    async with running_bot(archive_settings, telegram) as bot:
        await bot.runtime.scheduler.tick()
        await bot.runtime.scheduler.idle()
        page = await bot.ask("/latest xiaomi 3")
    async with running_bot(archive_settings, telegram) as bot:
        await bot.press(page, button(page, "Older ›"))
        assert listed(now_showing(bot, page)) == ["Xiaomi opens its first store in Moscow"]


async def test_a_story_opens_in_full_with_read_also(bot):
    page = await bot.ask("/latest xiaomi 3")
    number = listed(page).index("Xiaomi plans to open an office in Russia") + 1
    before = len(bot.telegram.sent_to(1001))
    await bot.press(page, button(page, str(number)))
    (office,) = bot.telegram.sent_to(1001)[before:]
    assert headline(office) == "Xiaomi plans to open an office in Russia"
    assert "Read also:" in office.plain_text
    read_also = office.plain_text.split("Read also:", 1)[1]
    assert "Xiaomi opens its first store in Moscow" in read_also
    assert "Belarusian photo app" not in read_also  # similar place, other company: not related
    assert "office in Russia" not in read_also  # never the story itself


async def test_a_story_gone_from_the_archive_says_so(bot):
    page = await bot.ask("/latest xiaomi 1")
    story_id = int(button(page, "1").split(":")[1])
    await bot.runtime.storage.conn.execute("DELETE FROM stories WHERE id = ?", (story_id,))
    await bot.runtime.storage.conn.commit()
    before = len(bot.telegram.sent_to(1001))
    await bot.press(page, button(page, "1"))
    assert len(bot.telegram.sent_to(1001)) == before
    (answer,) = [c for c in bot.telegram.calls_to("answerCallbackQuery")][-1:]
    assert "no longer in the archive" in answer.params.get("text", "")


async def test_latest_count_is_capped_and_said(bot):
    replies = await bot.send("/latest apple 500")
    assert "Showing 20" in replies[0].plain_text
    assert listed(replies[1]) == ["Apple ships a new iPad Pro"]


async def test_twenty_long_stories_fit_one_message(bot, feeds):
    long = "Xiaomi said " + "a great deal, and more, " * 20 + "about its plans. " + "More. " * 40
    many = [item(100 + i, f"Xiaomi long report number {i}", long, 0.01 * i) for i in range(25)]
    feeds.feed("/tech.xml", rss("Tech Desk", many + ITEMS))
    await bot.runtime.storage.conn.execute("UPDATE sources SET next_check_at = 0")
    await bot.runtime.scheduler.tick()
    await bot.runtime.scheduler.idle()
    page = await bot.ask("/latest xiaomi 20")  # the fake refuses anything over Telegram's limits
    shown = listed(page)
    assert 5 <= len(shown) < 20 and shown[0] == "Xiaomi long report number 0"  # as many as fit
    assert [t for t, _ in page.buttons()][-1] == "Older ›"
    await bot.press(page, button(page, "Older ›"))
    assert listed(now_showing(bot, page))[0] == f"Xiaomi long report number {len(shown)}"


@pytest.mark.parametrize(
    ("command", "answer"),
    [
        ("/latest xiaomy", "did you mean Xiaomi?"),
        ("/latest nokia", "No stories about Nokia yet."),
        ("/latest quantumfoam", "No stories about “quantumfoam” yet."),
        ("/latest apple 0", "Usage: /latest BRAND [N]"),
        ("/latest", "follows nothing yet"),
        ("/search", "Usage: /search WORDS"),
        ("/search zeppelin", "Nothing found for “zeppelin”."),
    ],
)
async def test_latest_and_search_always_answer(bot, command, answer):
    reply = await bot.ask(command)
    assert answer in reply.plain_text


async def test_latest_suggestion_button_shows_the_brand(bot):
    reply = await bot.ask("/latest xiaomy 1")
    await bot.press(reply, reply.buttons()[0][1])
    assert listed(now_showing(bot, reply)) == ["Xiaomi earnings beat forecasts"]


async def test_latest_keyword_and_latest_for_the_chat(bot):
    reply = await bot.ask("/latest foldable phone 1")
    assert listed(reply) == ["Xiaomi shows a foldable phone"]
    await bot.ask("/subscribe apple")
    assert listed(await bot.ask("/latest 1")) == ["Apple ships a new iPad Pro"]


@pytest.mark.parametrize(
    "text", ["/latest apple, xiaomi", "/latest apple xiaomi", "/latest Apple, foldable phone"]
)
async def test_several_names_get_one_button_each(bot, text):
    reply = await bot.ask(text)
    assert "one name at a time" in reply.plain_text
    labels = [label for label, _ in reply.buttons()]
    assert labels[0] == "Latest about Apple" and len(labels) == 2
    await bot.press(reply, reply.buttons()[0][1])
    assert listed(now_showing(bot, reply)) == ["Apple ships a new iPad Pro"]


async def test_search_ranks_and_lists(bot):
    reply = await bot.ask("/search store Moscow")
    lines = reply.plain_text.split("\n")
    assert lines[0] == "Search: “store Moscow”"
    assert lines[1].startswith("1. Xiaomi opens its first store in Moscow — Tech Desk")


async def test_search_pages_with_older_by_editing(bot, feeds):
    more = [item(200 + i, f"Xiaomi briefing number {i}", "Xiaomi said little.", 0.1 * i)
            for i in range(8)]  # fmt: skip
    feeds.feed("/tech.xml", rss("Tech Desk", more + ITEMS))
    await bot.runtime.storage.conn.execute("UPDATE sources SET next_check_at = 0")
    await bot.runtime.scheduler.tick()
    await bot.runtime.scheduler.idle()
    page = await bot.ask("/search xiaomi")
    first = listed(page)
    assert len(first) == 5 and [t for t, _ in page.buttons()][-1] == "Older ›"
    await bot.press(page, button(page, "Older ›"))
    second = now_showing(bot, page)
    numbered = [line for line in second.plain_text.split("\n") if line[:1].isdigit()]
    assert "from 6" in headline(second) and numbered[0].startswith("6. ")
    assert not set(listed(second)) & set(first)
    await bot.press(second, button(second, "Older ›"))
    third = now_showing(bot, page)
    assert [t for t, _ in third.buttons()][-1] == "« Newest"  # 12 results: the last page
    assert len(set(first) | set(listed(second)) | set(listed(third))) == 12
    await bot.press(third, button(third, "« Newest"))
    assert listed(now_showing(bot, page)) == first


async def test_search_understands_brand_names_prefixes_exclusions_and_phrases(bot):
    page = await bot.ask("/search Сяоми")
    assert "also searching Xiaomi" in page.plain_text
    assert "Xiaomi earnings beat forecasts" in listed(page)
    assert "Xiaomi shows a foldable phone" in listed(await bot.ask("/search fold*"))
    excluded = listed(await bot.ask("/search xiaomi -moscow"))
    assert excluded and not any("Moscow" in title for title in excluded)
    phrase = await bot.ask('/search "store in Moscow"')
    assert phrase.plain_text.startswith("Search: “store in Moscow”\n")  # once, not twice
    assert "Xiaomi opens its first store in Moscow" in listed(phrase)
    assert "Nothing found" in (await bot.ask('/search "Moscow in store"')).plain_text
    assert listed(await bot.ask("/search Moscow in store"))  # as words, in any order


@pytest.mark.parametrize(
    "hostile",
    [
        '"); DROP TABLE stories; --',
        "NEAR(xiaomi moscow)",
        "xiaomi*",
        "title:xiaomi",
        '"""',
        "AND OR NOT",
        "^xiaomi",
    ],
)
async def test_search_input_is_always_words(bot, hostile):
    reply = await bot.ask(f"/search {hostile}")
    assert reply.plain_text  # an answer, never an error
    assert await bot.runtime.storage.stories.count() == len(ITEMS)  # nothing was dropped


async def newsbot(*args, env, cwd):
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, env=env, cwd=cwd,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    return proc.returncode, out.decode(), err.decode()


async def test_cli_latest_and_search_json(archive_settings, tmp_path):
    env = clean_env(
        NEWSBOT_DATABASE=str(archive_settings.database),
        NEWSBOT_SOURCES=str(archive_settings.sources),
    )
    code, _, err = await newsbot("poll", "--once", env=env, cwd=tmp_path)
    assert code == 0, err
    code, out, _ = await newsbot("latest", "xiaomi", "-n", "2", "--json", env=env, cwd=tmp_path)
    records = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [r["title"] for r in records] == [
        "Xiaomi earnings beat forecasts",
        "Xiaomi shows a foldable phone",
    ]
    assert set(records[0]) == {
        "title",
        "link",
        "source",
        "published",
        "brands",
        "mentions",
        "summary",
        "read_also",
        "sources",  # the event's outlets (news.events)
    }
    assert records[0]["brands"] == ["xiaomi"] and records[0]["published"].endswith("Z")
    assert records[0]["summary"].startswith("Xiaomi reported higher quarterly revenue.")
    # A reader beside a running bot: read-also is computed for the output, never stored.
    assert records[1]["read_also"], "the CLI shows read-also even where none is stored"
    with sqlite3.connect(archive_settings.database) as db:
        ((stored,),) = db.execute("SELECT count(*) FROM stories WHERE related_at IS NOT NULL")
    assert stored == 0
    code, out, _ = await newsbot("search", "foldable", "--json", env=env, cwd=tmp_path)
    assert json.loads(out.splitlines()[0])["title"] == "Xiaomi shows a foldable phone"
    code, _, err = await newsbot("latest", "xiaomy", env=env, cwd=tmp_path)
    assert code == 2 and "did you mean 'xiaomi'" in err
    code, _, err = await newsbot("latest", "apple", "-n", "5000", env=env, cwd=tmp_path)
    assert code == 2 and "-n must be between 1 and 1000" in err


@pytest.mark.parametrize("pool", [5, 6])
async def test_search_ranks_the_last_days_matches_alone_only_when_they_are_a_pool(
    tmp_path, monkeypatch, pool
):
    """storage.archive: a day holding SEARCH_POOL matches answers with the best of them; a day
    holding fewer leaves the ranking to the month, where a better match from last week wins."""
    monkeypatch.setattr(storage.archive, "SEARCH_POOL", pool)
    now = int(time.time())
    db = await Storage.open(tmp_path / "s.sqlite3", clock=lambda: now)
    try:
        strong = "Tesla battery recall: Tesla recalls battery packs in a battery recall"
        today = [f"Tesla battery recall widens to market {n}" for n in range(5)]
        for n, (titles, age) in enumerate([([strong], 10 * 86_400), (today, 3600)]):
            source, _ = await db.sources.add(f"https://x{n}.test/f", origin=SourceOrigin.CLI)
            entries = [
                dataclasses.replace(d, link=f"https://x{n}.test/{i}")
                for i, d in enumerate(drafts(titles, newest=now - age))
            ]  # stored in time order, as polls store them
            await store_entries(db, source.id, entries, tag=None, backlog=True, push_since=0)
        (best,) = await db.archive.search("tesla battery recall", 1)
        title = (await db.stories.views([best]))[best].title
        assert (title == strong) is (pool > len(today))
    finally:
        await db.close()
