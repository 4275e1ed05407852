"""Reading the archive: /latest, /search, and "Read also".

/latest returns one story per cluster (the newest of it), newest first, and pages with a
cursor (published_at, id) rather than an offset, so a page does not shift when stories arrive.
Related stories are computed once per story and stored: for a story being pushed, in the
transaction that stores it; for every other story, the first time it is shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from news.related import (
    LEAD,
    RELATED_CANDIDATES,
    RELATED_WINDOW,
    Candidate,
    overlap_score,
    pick_related,
    quote,
    related_terms,
    search_query,
)
from news.render import RelatedLink

if TYPE_CHECKING:
    import aiosqlite

    from storage.database import Storage

Cursor = tuple[int, int]  # (published_at, id) of the last story shown
_FAR_FUTURE: Cursor = (1 << 62, 1 << 62)
SEARCH_RECENT_DAYS = 30
HEADLINE_TERMS = 6


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
        self._window: tuple[int, int] | None = None  # (hour, first story id of the window)

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
        """bm25 ranking (headlines weigh 3x), newest first among equals. Every word must match;
        if nothing does, any word may. The last SEARCH_RECENT_DAYS are searched first and the
        whole archive only when they hold too few results: ranking every story that contains a
        common word in a million-story archive costs half a second."""
        since = self._s.now() - SEARCH_RECENT_DAYS * 86_400
        for any_word in (False, True):
            query = search_query(text, any_word=any_word)
            if query is None:
                return []
            ids = await self._search(query, limit, await self._recent_start_id(since))
            if len(ids) < limit:
                more = [i for i in await self._search(query, limit, 0) if i not in ids]
                ids += more[: limit - len(ids)]
            if ids:
                return ids
        return []

    async def _search(self, query: str, limit: int, from_id: int) -> list[int]:
        # Rank inside the FTS index first; only the best few rows are joined for their dates.
        async with self._s.conn.execute(
            """
            SELECT r.id FROM (
                SELECT rowid AS id, bm25(stories_fts, 3.0, 1.0) AS score FROM stories_fts
                WHERE stories_fts MATCH ? AND rowid >= ? ORDER BY score LIMIT ?
            ) AS r JOIN stories AS s ON s.id = r.id
            ORDER BY r.score, s.published_at DESC
            """,
            (query, from_id, limit),
        ) as c:
            return [row[0] async for row in c]

    # --- Read also ----------------------------------------------------------------------

    async def _recent_start_id(self, since: int) -> int:
        """The lowest story id published since `since`, cached for an hour: FTS5 can skip
        whole doclist ranges below a rowid, so a window costs less than ranking everything."""
        key = since // 3600
        if self._window is None or self._window[0] != key:
            async with self._s.conn.execute(
                "SELECT min(id) FROM stories WHERE published_at >= ?", (key * 3600,)
            ) as c:
                row = await c.fetchone()
            self._window = (key, row[0] if row and row[0] is not None else 1 << 62)
        return self._window[1]

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
        """Find and store the story's related reading. Runs inside the caller's transaction.

        See news.related for the rules: a story about brands is compared with the newest
        stories about the same brands (an index walk, then word overlap in Python); other
        stories go through FTS5 bm25 in the window of recent ids.
        """
        terms = related_terms(title, text)
        since = now - RELATED_WINDOW * 86_400
        candidates: list[Candidate] = []
        if terms and brands:
            marks = ",".join("?" * len(brands))
            async with db.execute(
                f"SELECT story_id FROM story_brands WHERE brand IN ({marks}) AND about = 1"
                " AND published_at >= ? ORDER BY published_at DESC LIMIT ?",
                (*sorted(brands), since, RELATED_CANDIDATES),
            ) as c:
                found = [row[0] async for row in c if row[0] != story_id]
            ids = list(dict.fromkeys(found))  # a story about two of the brands comes twice
            if ids:
                async with db.execute(
                    f"""
                    SELECT s.id, s.cluster_id, s.published_at, s.title, substr(s.text, 1, {LEAD}),
                           (SELECT group_concat(brand, ' ') FROM story_brands
                            WHERE story_id = s.id AND about = 1)
                    FROM stories AS s WHERE s.id IN ({",".join("?" * len(ids))}) AND s.cluster_id != ?
                    """,
                    (*ids, cluster_id),
                ) as c:
                    candidates = [
                        Candidate(
                            r[0],
                            r[1],
                            overlap_score(terms, r[3], r[4]),
                            r[2],
                            frozenset((r[5] or "").split()),
                        )
                        async for r in c
                    ]
        elif headline := related_terms(title, "")[:HEADLINE_TERMS]:
            # Without a brand to narrow the field, only the headline's words are searched:
            # lead words are common enough to match a third of a large archive.
            start = await self._recent_start_id(since)
            candidates = await self._scored(
                db, " OR ".join(quote(t) for t in headline), cluster_id,
                "stories_fts.rowid >= ? AND s.published_at >= ?", [start, since],
            )  # fmt: skip
        picked = pick_related(candidates, brands=brands, now=now)
        await db.execute("DELETE FROM related_stories WHERE story_id = ?", (story_id,))
        await db.executemany(
            "INSERT INTO related_stories (story_id, related_id, position) VALUES (?, ?, ?)",
            [(story_id, rid, i) for i, rid in enumerate(picked)],
        )
        await db.execute("UPDATE stories SET related_at = ? WHERE id = ?", (now, story_id))
        return picked

    @staticmethod
    async def _scored(
        db: aiosqlite.Connection, query: str, cluster_id: int, where: str, params: list
    ) -> list[Candidate]:
        async with db.execute(
            f"""
            SELECT s.id, s.cluster_id, bm25(stories_fts, 3.0, 1.0), s.published_at,
                   (SELECT group_concat(brand, ' ') FROM story_brands
                    WHERE story_id = s.id AND about = 1)
            FROM stories_fts JOIN stories AS s ON s.id = stories_fts.rowid
            WHERE stories_fts MATCH ? AND {where} AND s.cluster_id != ?
            ORDER BY bm25(stories_fts, 3.0, 1.0) LIMIT 40
            """,
            (query, *params, cluster_id),
        ) as c:
            return [
                Candidate(r[0], r[1], r[2], r[3], frozenset((r[4] or "").split())) async for r in c
            ]

    async def ensure_related(self, story_ids: Sequence[int]) -> None:
        """Stories not pushed at ingest get their related reading the first time they are shown."""
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
