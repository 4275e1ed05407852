"""A push's picture (news/render.py preview_for, rules 1-3), and /preview, end to end."""

from __future__ import annotations

import pytest

from news.render import Preview, StoryView, preview_for
from tests.fakes.feed_server import rss
from tests.harness import poll_now, running_bot, with_desks

IMAGE = "https://img.example.test/phone.jpg"


def view(**changes) -> StoryView:
    base = {"id": 1, "title": "Xiaomi shows a phone", "link": "https://x.test/1",
            "source": "Desk", "published_at": 0, "summary": "", "image": IMAGE}  # fmt: skip
    return StoryView(**(base | changes))


@pytest.mark.parametrize(
    ("changes", "images", "link_previews", "expected"),
    [
        ({}, True, False, Preview(IMAGE, large_above=True)),  # rule 1
        ({}, True, True, Preview(IMAGE, large_above=True)),  # the picture wins
        ({}, False, True, Preview("https://x.test/1", large_above=False)),  # rule 2
        ({"image": None}, True, True, Preview("https://x.test/1", large_above=False)),
        ({"image": None}, True, False, None),  # rule 3
        ({}, False, False, None),
        ({"image": "javascript:alert(1)"}, True, False, None),  # only http(s) pictures
        ({"image": "https://x.test/" + "a" * 3000}, True, False, None),
    ],
)
def test_rules_1_to_3_which_preview_a_push_asks_for(changes, images, link_previews, expected):
    assert preview_for(view(**changes), images=images, link_previews=link_previews) == expected


ALICE = 1001


@pytest.fixture
async def bot(settings, telegram, feeds, tmp_path):
    url = feeds.feed("/d.xml", rss("Desk", [{"title": "Old", "link": "https://x.test/0"}]))
    async with running_bot(with_desks(settings, tmp_path, [url]), telegram) as bot:
        await poll_now(bot)
        await bot.ask("/subscribe xiaomi", chat_id=ALICE)
        yield bot
    assert bot.errors == []


def story(n: int, *, picture: bool) -> dict:
    body = f'<p><img src="{IMAGE}" width="800" height="600"></p>' if picture else ""
    return {"title": f"Xiaomi shows phone number {n}", "link": f"https://x.test/{n}",
            "guid": f"g{n}", "description": body + "<p>Xiaomi showed a phone.</p>"}  # fmt: skip


async def pushed(bot, telegram, feeds, n: int, *, picture: bool):
    feeds.feed("/d.xml", rss("Desk", [story(n, picture=picture)]))
    await poll_now(bot)
    return [m for m in telegram.sent_to(ALICE) if f"x.test/{n}" in m.text][-1]


async def test_a_push_shows_its_storys_picture_large_above_the_text(bot, telegram, feeds):
    push = await pushed(bot, telegram, feeds, 1, picture=True)
    assert push.params["link_preview_options"] == {
        "url": IMAGE, "is_disabled": False, "prefer_large_media": True, "show_above_text": True,
    }  # fmt: skip


async def test_a_story_without_a_picture_is_text_only(bot, telegram, feeds):
    push = await pushed(bot, telegram, feeds, 2, picture=False)
    assert push.params["link_preview_options"] == {"is_disabled": True}


async def test_preview_off_sends_text_only_and_mode_says_so(bot, telegram, feeds):
    assert "picture" in (await bot.ask("/preview", chat_id=ALICE)).plain_text
    assert (
        "without the story's picture" in (await bot.ask("/preview off", chat_id=ALICE)).plain_text
    )
    push = await pushed(bot, telegram, feeds, 3, picture=True)
    assert push.params["link_preview_options"] == {"is_disabled": True}
    assert "without the story's picture" in (await bot.ask("/mode", chat_id=ALICE)).plain_text
    assert "neither on nor off" in (await bot.ask("/preview maybe", chat_id=ALICE)).plain_text
    await bot.ask("/preview on", chat_id=ALICE)
    push = await pushed(bot, telegram, feeds, 4, picture=True)
    assert push.params["link_preview_options"]["url"] == IMAGE
    assert "/preview" in (await bot.ask("/help", chat_id=ALICE)).plain_text
