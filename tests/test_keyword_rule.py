"""One keyword rule: what a keyword push matched, /latest KEYWORD and the digest find too.

Pushes, the digest and /latest all decide "does this story name the keyword" with
news.matching's rule (plurals, phrases, CJK substrings, whole words), end to end through the
real bot: feed server -> poll -> push; /latest KEYWORD; /digest now.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from news.matching import names_keyword
from tests.fakes.feed_server import rss
from tests.harness import listed, poll_now, running_bot, with_desks

ALICE = 1001


def story(n: int, title: str, text: str = "", *, hours_ago: float = 0.1) -> dict:
    return {
        "title": title,
        "link": f"https://news.example.test/{n}",
        "guid": f"k{n}",
        "description": f"<p>{text or title}. More details follow in the article.</p>",
        "pubDate": datetime.now(UTC) - timedelta(hours=hours_ago),
    }


BACKLOG = [
    story(1, "Foldable phones are back, and cheaper", hours_ago=30),
    story(2, "Apple explains its app store rules", hours_ago=29),
]
FRESH = [
    story(10, "Samsung shows two foldable phones"),
    story(11, "Honor's foldable phone ships in spring"),
    story(12, "A phone that folds: foldable-phone sales double"),
    story(13, "Xiaomi unveils a tablet", "Nothing here about phones that fold."),
]


@pytest.fixture
def desk_settings(settings, feeds, tmp_path):
    return with_desks(settings, tmp_path, [feeds.feed("/k.xml", rss("Desk 0", BACKLOG))])


@pytest.fixture
async def bot(desk_settings, telegram):
    async with running_bot(desk_settings, telegram) as running:
        await poll_now(running)  # the backlog: stored, never pushed
        yield running
    assert running.errors == []


def headlines(messages) -> list[str]:
    return [m.plain_text.split("\n", 1)[0] for m in messages if m.text.startswith("<b><a href=")]


@pytest.mark.parametrize(
    ("keyword", "title", "named"),
    [
        ("foldable phone", "Samsung shows two foldable phones", True),  # plural
        ("foldable phone", "foldable-phone sales double", True),  # punctuation is a space
        ("foldable phone", "A phone that is foldable", False),  # a phrase, in order
        ("app", "Apple explains its rules", False),  # whole words only
        ("app", "The app store rules", True),
        ("xbox", "Two Xboxes at once", True),  # "es" plural
        ("小米", "小米发布了新手机", True),  # CJK: a substring
    ],
)
def test_the_keyword_rule(keyword, title, named):
    assert names_keyword(keyword, title, "") is named


async def test_every_story_pushed_for_a_keyword_is_in_latest_and_in_the_digest(
    bot, telegram, feeds
):
    await bot.ask('/subscribe "foldable phone"', chat_id=ALICE)
    feeds.feed("/k.xml", rss("Desk 0", BACKLOG + FRESH))
    await poll_now(bot)
    pushed = headlines(telegram.sent_to(ALICE))
    assert sorted(pushed) == sorted(
        [
            "Samsung shows two foldable phones",
            "Honor's foldable phone ships in spring",
            "A phone that folds: foldable-phone sales double",
        ]
    )
    latest = listed(await bot.ask("/latest foldable phone 10", chat_id=ALICE))
    assert set(pushed) <= set(latest)
    assert "Foldable phones are back, and cheaper" in latest  # stored before it was followed
    assert "Xiaomi unveils a tablet" not in latest
    before = len(telegram.sent_to(ALICE))
    await bot.send("/digest now", chat_id=ALICE)
    await bot.runtime.sender.drained()
    digest = "\n".join(m.plain_text for m in telegram.sent_to(ALICE)[before:])
    assert "“foldable phone”" in digest
    for title in pushed:
        assert title in digest


async def test_a_keyword_followed_later_finds_older_stories_by_the_same_rule(bot):
    latest = listed(await bot.ask("/latest app 10", chat_id=ALICE))
    assert latest == ["Apple explains its app store rules"]  # "app", never "Apple" alone
    assert listed(await bot.ask("/latest foldable phone", chat_id=ALICE)) == [
        "Foldable phones are back, and cheaper"
    ]


async def test_the_digest_covers_a_keyword_followed_after_its_stories_arrived(bot, telegram, feeds):
    feeds.feed("/k.xml", rss("Desk 0", BACKLOG + FRESH))
    await poll_now(bot)  # nobody follows the keyword yet: no hits are recorded
    await bot.ask('/subscribe "foldable phone"', chat_id=ALICE)
    before = len(telegram.sent_to(ALICE))
    await bot.send("/digest now", chat_id=ALICE)
    await bot.runtime.sender.drained()
    digest = "\n".join(m.plain_text for m in telegram.sent_to(ALICE)[before:])
    assert "Samsung shows two foldable phones" in digest
    assert "Xiaomi unveils a tablet" not in digest


async def test_a_new_keyword_finds_every_story_of_the_window_past_one_batch(tmp_path):
    """usecases.keywords reads candidates a batch at a time: none is lost at a boundary, and
    a candidate the rule refuses is not recorded."""
    import time

    from news.models import SourceOrigin
    from storage import Storage
    from tests.drafts import drafts
    from usecases.ingest import store_entries
    from usecases.keywords import BATCH, record_recent_hits

    now = int(time.time())
    storage = await Storage.open(tmp_path / "k.sqlite3", clock=lambda: now)
    try:
        source, _ = await storage.sources.add("https://x.test/feed", origin=SourceOrigin.CLI)
        titles = [f"Foldable phones, part {i}" for i in range(BATCH + 7)]
        titles += ["A phone that is foldable", "Phones: foldable ones"]  # not the phrase
        entries = drafts(titles, newest=now)
        await store_entries(storage, source.id, entries, tag=None, backlog=False, push_since=0)
        assert await record_recent_hits(storage, ["foldable phone"]) == BATCH + 7
        rows = await storage.archive.keyword_rows("foldable phone", 1000, None)
        assert len(rows) == BATCH + 7
    finally:
        await storage.close()
