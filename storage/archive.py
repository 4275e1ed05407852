"""Reading the archive: /latest, /search, and "Read also".

/latest returns one story per cluster (the newest of it), newest first, and pages with a
cursor (published_at, id) rather than an offset, so a page does not shift when stories arrive.
Related stories are computed once per story and stored; stories stored as backlog get theirs
the first time they are shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from news.related import RELATED_WINDOW, Candidate, pick_related, quote, related_query, search_query
from news.render import RelatedLink

if TYPE_CHECKING:
    import aiosqlite

    from storage.database import Storage

Cursor = tuple[int, int]  # (published_at, id) of the last story shown
_FAR_FUTURE: Cursor = (1 << 62, 1 << 62)


@dataclass(frozen=True)
class Page:
    ids: list[int]
    more: Cursor | None  # where the next page starts, when there is one


def _page(rows: list[tuple[int, int, int]], limit: int) -> Page:
    """rows: (id, published_at, cluster_id) newest first -> one per cluster, `limit` of them."""
    ids: list[int] = []
    seen: set[int] = set()
    last: Cursor | None = None
    for story_id, published_at, cluster_id in rows:
        if cluster_id in seen:
            continue
        if len(ids) == limit:
            return Page(ids, last)
        seen.add(cluster_id)
        ids.append(story_id)
        last = (published_at, story_id)
    return Page(ids, None)


class Archive:
    def __init__(self, storage: Storage) -> None:
        self._s = storage

    async def latest_for_brand(self, brand: str, limit: int, before: Cursor | None = None) -> Page:
        published, story = before or _FAR_FUTURE
        async with self._s.conn.execute(
            """
            SELECT b.story_id, b.published_at, s.cluster_id
            FROM story_brands AS b JOIN stories AS s ON s.id = b.story_id
            WHERE b.brand = ? AND b.about = 1 AND (b.published_at, b.story_id) < (?, ?)
            ORDER BY b.published_at DESC, b.story_id DESC LIMIT ?
            """,
            (brand, published, story, limit * 3 + 1),
        ) as c:
            rows = [tuple(r) async for r in c]
        return _page(rows, limit)

    async def latest_for_keyword(
        self, keyword: str, limit: int, before: Cursor | None = None
    ) -> Page:
        published, story = before or _FAR_FUTURE
        return _page(await self._keyword_rows(keyword, limit, published, story), limit)

    async def _keyword_rows(
        self, keyword: str, limit: int, published: int, story: int
    ) -> list[tuple[int, int, int]]:
        """Stories whose title or text has the keyword (as a phrase), newest first."""
        async with self._s.conn.execute(
            """
            SELECT s.id, s.published_at, s.cluster_id
            FROM stories_fts JOIN stories AS s ON s.id = stories_fts.rowid
            WHERE stories_fts MATCH ? AND (s.published_at, s.id) < (?, ?)
            ORDER BY s.published_at DESC, s.id DESC LIMIT ?
            """,
            (quote(keyword), published, story, limit * 3 + 1),
        ) as c:
            return [tuple(r) async for r in c]

    async def latest_for_chat(self, chat_id: int, limit: int, before: Cursor | None = None) -> Page:
        """The newest stories about any brand the chat follows (keywords through the index)."""
        published, story = before or _FAR_FUTURE
        async with self._s.conn.execute(
            """
            SELECT b.story_id, b.published_at, s.cluster_id
            FROM subscriptions AS sub
            JOIN story_brands AS b ON b.brand = sub.value AND b.about = 1
            JOIN stories AS s ON s.id = b.story_id
            WHERE sub.chat_id = ? AND sub.kind = 'brand' AND (b.published_at, b.story_id) < (?, ?)
            ORDER BY b.published_at DESC, b.story_id DESC LIMIT ?
            """,
            (chat_id, published, story, limit * 3 + 1),
        ) as c:
            rows = [tuple(r) async for r in c]
        for sub in await self._s.subscriptions.for_chat(chat_id):
            if sub.kind.value == "keyword":
                rows += await self._keyword_rows(sub.value, limit, published, story)
        rows = sorted(set(rows), key=lambda r: (r[1], r[0]), reverse=True)
        return _page(rows, limit)

    async def search(self, text: str, limit: int = 10) -> list[int]:
        """bm25 ranking (headlines weigh more), newest first among equals. Every word must
        match; if nothing does, any word may."""
        for any_word in (False, True):
            query = search_query(text, any_word=any_word)
            if query is None:
                return []
            async with self._s.conn.execute(
                """
                SELECT s.id FROM stories_fts JOIN stories AS s ON s.id = stories_fts.rowid
                WHERE stories_fts MATCH ?
                ORDER BY bm25(stories_fts, 3.0, 1.0), s.published_at DESC LIMIT ?
                """,
                (query, limit),
            ) as c:
                ids = [row[0] async for row in c]
            if ids:
                return ids
        return []

    # --- Read also ----------------------------------------------------------------------

    async def compute_related(
        self,
        db: aiosqlite.Connection,
        *,
        story_id: int,
        cluster_id: int,
        title: str,
        text: str,
        brands: frozenset[str],
        now: int,
    ) -> list[int]:
        """Find and store the story's related reading. Runs inside the caller's transaction."""
        query = related_query(title, text)
        if query is None:
            await db.execute("UPDATE stories SET related_at = ? WHERE id = ?", (now, story_id))
            return []
        async with db.execute(
            """
            SELECT s.id, s.cluster_id, bm25(stories_fts, 3.0, 1.0), s.published_at,
                   (SELECT group_concat(brand, ' ') FROM story_brands
                    WHERE story_id = s.id AND about = 1)
            FROM stories_fts JOIN stories AS s ON s.id = stories_fts.rowid
            WHERE stories_fts MATCH ? AND s.published_at >= ? AND s.cluster_id != ?
            ORDER BY bm25(stories_fts, 3.0, 1.0) LIMIT 40
            """,
            (query, now - RELATED_WINDOW * 86_400, cluster_id),
        ) as c:
            candidates = [
                Candidate(r[0], r[1], r[2], r[3], frozenset((r[4] or "").split())) async for r in c
            ]
        picked = pick_related(candidates, brands=brands, now=now)
        await db.execute("DELETE FROM related_stories WHERE story_id = ?", (story_id,))
        await db.executemany(
            "INSERT INTO related_stories (story_id, related_id, position) VALUES (?, ?, ?)",
            [(story_id, rid, i) for i, rid in enumerate(picked)],
        )
        await db.execute("UPDATE stories SET related_at = ? WHERE id = ?", (now, story_id))
        return picked

    async def ensure_related(self, story_ids: Sequence[int]) -> None:
        """Backlog stories get their related reading the first time they are shown."""
        if not story_ids:
            return
        marks = ",".join("?" * len(story_ids))
        async with self._s.conn.execute(
            f"""
            SELECT s.id, s.cluster_id, s.title, s.text,
                   (SELECT group_concat(brand, ' ') FROM story_brands WHERE story_id = s.id AND about = 1)
            FROM stories AS s WHERE s.id IN ({marks}) AND s.related_at IS NULL
            """,
            list(story_ids),
        ) as c:
            missing = [tuple(r) async for r in c]
        if not missing:
            return
        now = self._s.now()
        async with self._s.transaction() as db:
            for story_id, cluster_id, title, text, brands in missing:
                await self.compute_related(
                    db, story_id=story_id, cluster_id=cluster_id, title=title, text=text,
                    brands=frozenset((brands or "").split()), now=now,
                )  # fmt: skip

    async def mentions(self, story_ids: Sequence[int]) -> dict[int, list[str]]:
        """Brands each story only mentions (stored, never pushed)."""
        found: dict[int, list[str]] = {}
        if not story_ids:
            return found
        marks = ",".join("?" * len(story_ids))
        async with self._s.conn.execute(
            f"SELECT story_id, brand FROM story_brands WHERE about = 0 AND story_id IN ({marks})"
            " ORDER BY story_id, brand",
            list(story_ids),
        ) as c:
            async for story_id, brand in c:
                found.setdefault(story_id, []).append(brand)
        return found

    async def read_also(self, story_ids: Sequence[int]) -> dict[int, tuple[RelatedLink, ...]]:
        found: dict[int, list[RelatedLink]] = {}
        if not story_ids:
            return {}
        marks = ",".join("?" * len(story_ids))
        async with self._s.conn.execute(
            f"""
            SELECT r.story_id, s.title, s.link FROM related_stories AS r
            JOIN stories AS s ON s.id = r.related_id
            WHERE r.story_id IN ({marks}) AND s.link IS NOT NULL
            ORDER BY r.story_id, r.position
            """,
            list(story_ids),
        ) as c:
            async for story_id, title, link in c:
                found.setdefault(story_id, []).append(RelatedLink(title, link))
        return {k: tuple(v) for k, v in found.items()}
