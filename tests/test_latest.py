"""/latest, /search and "Read also": the archive answers, in the chat and on the command line."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import sqlite3
import sys
from datetime import UTC, datetime, timedelta

import pytest

from news.opml import OpmlSource, write_opml
from tests.fakes.feed_server import rss
from tests.harness import running_bot
from tests.test_cli import clean_env

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


async def test_latest_brand_newest_first_with_more_button(bot):
    replies = await bot.send("/latest xiaomi 2")
    assert [headline(m) for m in replies[:2]] == [
        "Xiaomi earnings beat forecasts",
        "Xiaomi shows a foldable phone",
    ]
    assert replies[0].text.startswith('<b><a href="https://news.example.test/6">')
    more = replies[2]
    assert "More stories about Xiaomi" in more.plain_text
    ((_, data),) = more.buttons()
    assert len(data.encode()) <= 64
    await bot.press(more, data)
    page2 = bot.telegram.sent_to(1001)[len(replies) :]
    assert [headline(m) for m in page2[:2]] == [
        "Xiaomi plans to open an office in Russia",
        "Xiaomi opens its first store in Moscow",
    ]


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
    replies = await bot.send("/latest xiaomi 2")
    assert [headline(m) for m in replies[:2]] == [
        "Xiaomi hires a new design chief",
        "Xiaomi earnings beat forecasts",
    ]
    async with bot.runtime.storage.conn.execute(
        "SELECT count(*) FROM story_brands WHERE published_at = 0"
    ) as c:
        assert (await c.fetchone())[0] == 0


async def test_more_button_survives_a_restart(archive_settings, telegram):
    async with running_bot(archive_settings, telegram) as bot:
        await bot.runtime.scheduler.tick()
        await bot.runtime.scheduler.idle()
        replies = await bot.send("/latest xiaomi 3")
    more = replies[-1]
    async with running_bot(archive_settings, telegram) as bot:
        before = len(telegram.sent_to(1001))
        await bot.press(more, more.buttons()[0][1])
        assert headline(telegram.sent_to(1001)[before]) == "Xiaomi opens its first store in Moscow"


async def test_read_also_links_related_stories_of_the_same_brand(bot):
    replies = await bot.send("/latest xiaomi 3")
    office = next(m for m in replies if headline(m) == "Xiaomi plans to open an office in Russia")
    assert "Read also:" in office.plain_text
    read_also = office.plain_text.split("Read also:", 1)[1]
    assert "Xiaomi opens its first store in Moscow" in read_also
    assert "Belarusian photo app" not in read_also  # similar place, other company: not related
    assert "office in Russia" not in read_also  # never the story itself


async def test_latest_count_is_capped_and_said(bot):
    replies = await bot.send("/latest apple 500")
    assert "Showing 20" in replies[0].plain_text
    assert headline(replies[1]) == "Apple ships a new iPad Pro"


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
    before = len(bot.telegram.sent_to(1001))
    await bot.press(reply, reply.buttons()[0][1])
    assert headline(bot.telegram.sent_to(1001)[before]) == "Xiaomi earnings beat forecasts"


async def test_latest_keyword_and_latest_for_the_chat(bot):
    reply = (await bot.send("/latest foldable phone 1"))[0]
    assert headline(reply) == "Xiaomi shows a foldable phone"
    await bot.ask("/subscribe apple")
    replies = await bot.send("/latest 1")
    assert headline(replies[0]) == "Apple ships a new iPad Pro"


async def test_search_ranks_and_lists(bot):
    reply = await bot.ask("/search store Moscow")
    lines = reply.plain_text.split("\n")
    assert lines[0] == "Search: “store Moscow”"
    assert lines[1].startswith("1. Xiaomi opens its first store in Moscow — Tech Desk")


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
