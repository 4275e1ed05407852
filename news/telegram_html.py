"""Small, pure helpers for Telegram's HTML parse mode (the limits are news.limits').

Telegram measures text in UTF-16 code units after entity parsing (an emoji outside the BMP
counts two), so lengths here are measured the same way.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from news.limits import MAX_ENTITIES, MAX_MESSAGE, MAX_RAW_BYTES

_TAG = re.compile(r"<[^>]*>")
_ENTITY_TAG = re.compile(r"<(?:a|b|i|code)[\s>]")


def escape(text: str) -> str:
    """Escape feed or user text for HTML parse mode (<, >, & and quotes)."""
    return html.escape(text, quote=True)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def visible_length(markup: str) -> int:
    """Length Telegram counts for an HTML message: tags dropped, entities decoded."""
    return utf16_len(html.unescape(_TAG.sub("", markup)))


def plain_text(markup: str) -> str:
    """Our own HTML as plain text, for a resend when Telegram refused the markup. Tags are
    dropped (a link keeps its visible title) and entities decoded; the result is within the
    message limit."""
    return shorten(html.unescape(_TAG.sub("", markup)), MAX_MESSAGE)


def shorten(text: str, limit: int, ellipsis: str = "…") -> str:
    """Plain text cut to at most `limit` UTF-16 units, at a word boundary when one is near."""
    if utf16_len(text) <= limit:
        return text
    budget = limit - utf16_len(ellipsis)
    used = end = 0
    for end, ch in enumerate(text):  # noqa: B007 - `end` is used after the loop
        width = 2 if ord(ch) > 0xFFFF else 1
        if used + width > budget:
            break
        used += width
    cut = text[:end]
    space = cut.rfind(" ")
    if space > budget * 0.6:
        cut = cut[:space]
    return cut.rstrip() + ellipsis


def quoted(term: str, limit: int = 64) -> str:
    """User input echoed back: shortened, escaped, in typographic quotes."""
    return f"“{escape(shorten(term, limit))}”"


def pack(blocks: list[str], limit: int = MAX_MESSAGE, separator: str = "\n") -> list[str]:
    """Join HTML blocks into as few messages as fit, splitting only between blocks.

    Each block must itself be balanced HTML shorter than the limit: splitting between blocks
    is what keeps every message's tags closed.
    """
    messages: list[str] = []
    current: list[str] = []
    size = 0
    sep = visible_length(separator)
    for block in blocks:
        length = visible_length(block)
        if current and size + sep + length > limit:
            messages.append(separator.join(current))
            current, size = [], 0
        size += (sep if current else 0) + length
        current.append(block)
    if current:
        messages.append(separator.join(current))
    return messages


@dataclass(frozen=True)
class Measure:
    """What Telegram counts in a piece of a message: visible length (UTF-16), formatting
    entities, raw UTF-8 bytes as sent."""

    visible: int
    entities: int
    raw: int

    @classmethod
    def of(cls, markup: str) -> Measure:
        return cls(
            visible_length(markup), len(_ENTITY_TAG.findall(markup)), len(markup.encode("utf-8"))
        )

    def joined(self, separator: str, other: Measure) -> Measure:
        return Measure(
            self.visible + utf16_len(separator) + other.visible,
            self.entities + other.entities,
            self.raw + len(separator.encode("utf-8")) + other.raw,
        )


NOTHING = Measure(0, 0, 0)
Part = tuple[str, Measure]  # balanced HTML and its size


def part(markup: str) -> Part:
    return markup, Measure.of(markup)


def fits(size: Measure, separator: str, add: Measure, limit: int = MAX_MESSAGE) -> bool:
    """Whether `add`, joined to a message of `size` with `separator`, keeps it within all of
    Telegram's limits for one message."""
    total = size.joined(separator, add)
    return total.visible <= limit and total.entities <= MAX_ENTITIES and total.raw <= MAX_RAW_BYTES
