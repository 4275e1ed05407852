"""SQL pieces more than one query uses: one definition each.

- `marks(n)`: the "?, ?, ?" of an IN (...) list; `chunked` keeps each list under CHUNK values,
  well below SQLite's limit on bound parameters.
- `about_brands(story)`: the brands a story is ABOUT, as one space-separated string.
- `first_source(story)`: the name of the source that carried the story first.
- `brand_list(value)`: that string read back as a sorted tuple of brand keys.
Rows are read by column name (the connection's row factory is aiosqlite.Row), so the
fragments are always given an alias (`AS brands`, `AS source`) by the query that uses them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

CHUNK = 400  # bound parameters per IN (...) query

T = TypeVar("T")


def marks(n: int) -> str:
    return ", ".join("?" * n)


def chunked(values: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


def about_brands(story: str) -> str:
    return (
        f"(SELECT group_concat(brand, ' ') FROM story_brands"
        f" WHERE story_id = {story} AND about = 1)"
    )


def first_source(story: str) -> str:
    return (
        "(SELECT coalesce(so.title, so.url) FROM story_sources AS ss"
        f" JOIN sources AS so ON so.id = ss.source_id WHERE ss.story_id = {story}"
        " ORDER BY ss.first_seen_at, so.id LIMIT 1)"
    )


def brand_list(value: str | None) -> tuple[str, ...]:
    return tuple(sorted(value.replace(",", " ").split())) if value else ()
