"""Telegram HTML helpers: escaping, lengths as Telegram counts them, packing into messages."""

import pytest

from news.telegram_html import escape, pack, quoted, shorten, utf16_len, visible_length


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("<b>", "&lt;b&gt;"),
        ("AT&T", "AT&amp;T"),
        ('say "hi"', "say &quot;hi&quot;"),
        ("Сяоми", "Сяоми"),
    ],
)
def test_escape(raw, escaped):
    assert escape(raw) == escaped


@pytest.mark.parametrize(("text", "units"), [("abc", 3), ("小米", 2), ("👍", 2), ("Я👍", 3)])
def test_utf16_length(text, units):
    assert utf16_len(text) == units


def test_visible_length_ignores_tags_and_decodes_entities():
    assert visible_length('<b>AT&amp;T</b> <a href="https://x.org/?a=1&amp;b=2">go</a>') == len(
        "AT&T go"
    )


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("short", 10, "short"),
        ("the quick brown fox jumps", 12, "the quick…"),
        ("x" * 20, 5, "xxxx…"),
        ("👍👍👍", 5, "👍👍…"),
    ],
)
def test_shorten(text, limit, expected):
    out = shorten(text, limit)
    assert out == expected and utf16_len(out) <= limit


def test_quoted_escapes_and_shortens_user_input():
    out = quoted("<script>" + "a" * 3000)
    assert out.startswith("“&lt;script&gt;") and "<" not in out
    assert visible_length(out) <= 66


def test_pack_splits_only_between_blocks_and_respects_the_limit():
    blocks = [f"<b>{i}</b> " + "x" * 90 for i in range(100)]
    messages = pack(blocks, limit=1000)
    assert len(messages) > 1
    assert all(visible_length(m) <= 1000 for m in messages)
    assert "\n".join(messages) == "\n".join(blocks)  # nothing lost, order kept
