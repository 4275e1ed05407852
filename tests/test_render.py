"""The one renderer: valid Telegram HTML, story link first, within 4096, in the chat's zone."""

import pytest

from news.i18n import ENGLISH
from news.render import RelatedLink, StoryView, render_plain, render_story
from news.replies import format_time
from news.telegram_html import visible_length
from tests.fakes.telegram_html import check_html, parse_html

TS = 1_795_564_800  # 2026-11-25 00:00 UTC


def view(**changes) -> StoryView:
    base = {
        "id": 1,
        "title": "Xiaomi opens a <lab> & a store",
        "link": "https://news.example.test/a?x=1&y=2",
        "source": "Desk <B>",
        "published_at": TS,
        "summary": "Xiaomi opened a lab. It is big & new.",
        "brands": ("xiaomi",),
        "read_also": (RelatedLink("Older <story>", "https://news.example.test/b"),),
    }
    return StoryView(**(base | changes))


def test_html_is_valid_and_escaped_and_the_story_link_comes_first():
    html = render_story(ENGLISH, view(), "UTC")
    assert check_html(html) is None
    plain, entities = parse_html(html)
    assert plain.startswith("Xiaomi opens a <lab> & a store")
    links = [e["url"] for e in entities if e["type"] == "text_link"]
    assert links == ["https://news.example.test/a?x=1&y=2", "https://news.example.test/b"]
    assert "#xiaomi" in plain and "Read also:" in plain and "Desk <B>" in plain


@pytest.mark.parametrize(
    "changes",
    [
        {"summary": "Word " * 3000},
        {"title": "T" * 5000, "summary": "S. " * 3000},
        {
            "read_also": tuple(
                RelatedLink("R" * 500, "https://x.test/" + "p" * 500) for _ in range(3)
            )
        },
        {"summary": "👍" * 5000},
    ],
)
def test_oversized_parts_are_shortened_to_fit_one_message(changes):
    html = render_story(ENGLISH, view(**changes), "UTC")
    assert check_html(html) is None
    assert visible_length(html) <= 4096
    assert html.startswith('<b><a href="https://news.example.test/a?x=1&amp;y=2">')


@pytest.mark.parametrize(
    ("zone", "shown"),
    [
        ("UTC", "25 Nov 2026, 00:00 UTC"),
        ("Europe/Moscow", "25 Nov 2026, 03:00 MSK"),
        ("America/New_York", "24 Nov 2026, 19:00 EST"),
    ],
)
def test_time_is_shown_in_the_chats_zone(zone, shown):
    assert format_time(ENGLISH, TS, zone) == shown
    assert shown in render_story(ENGLISH, view(), zone)


def test_plain_fallback_has_no_markup():
    text = render_plain(ENGLISH, view(), "UTC")
    assert text.startswith("Xiaomi opens a <lab> & a store\nhttps://news.example.test/a?x=1&y=2")
    assert "<b>" not in text


def test_a_story_without_link_or_summary_still_renders():
    html = render_story(ENGLISH, view(link=None, summary="", brands=(), read_also=()), "UTC")
    assert check_html(html) is None and html.startswith("<b>Xiaomi")
