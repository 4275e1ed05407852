"""Reading the archive: /latest, /search, and the inputs and results of "Read also".

/latest returns one story per cluster (the newest of it), newest first, and pages with a
cursor (published_at, id) rather than an offset, so a page does not shift when stories arrive.
Every method here answers a query or persists what it is given; which stories get read-also,
and which candidates a keyword really names, is decided in usecases/ and news/.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from news.related import (
    LEAD,
    RELATED_CANDIDATES,
    RELATED_WINDOW,
    Candidate,
    keyword_query,
    overlap_score,
    quote,
    related_terms,
    search_query,
)
from news.render import RelatedLink
from storage.sql import about_brands, brand_list, chunked, first_source, marks

if TYPE_CHECKING:
    from storage.database import Storage

Cursor = tuple[int, int]  # (published_at, id) of the last story shown
FAR_FUTURE: Cursor = (1 << 62, 1 << 62)
SEARCH_RECENT_DAYS = 30
SEARCH_WINDOWS = (1, 7)  # days: narrower windows ranked alone when they hold a pool
SEARCH_POOL = 300  # matches a narrower window must hold: the best of them are good answers
HEADLINE_TERMS = 6
Row = tuple[int, int, int]  # (story id, published_at, cluster id), what a page is cut from


@dataclass(frozen=True)
class Page:
    ids: list[int]
    more: Cursor | None  # where the next page starts, when there is one


def page_of(rows: Sequence[Row], limit: int) -> Page:
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


@dataclass(frozen=True)
class KeywordCandidate:
    """A story the FTS index found for a keyword, with the words the keyword rule reads."""

    id: int
    published_at: int
    cluster_id: int
    title: str
    text: str


@dataclass(frozen=True)
class RelatedInput:
    """What "Read also" is computed from, for one story."""

    id: int
    cluster_id: int
    title: str
    text: str
    brands: frozenset[str]


class Archive:
    def __init__(self, storage: Storage) -> None:
        self._s = storage
        self._windows: dict[int, int] = {}  # an hour -> the first story id published since

    async def _rows(self, sql: str, params: Sequence) -> list[Row]:
        async with self._s.conn.execute(sql, params) as c:
            return [(r[0], r[1], r[2]) async for r in c]

    async def latest_for_brand(self, brand: str, limit: int, before: Cursor | None = None) -> Page:
        return page_of(await self.brand_rows([brand], limit * 3 + 1, before), limit)

    async def brand_rows(
        self, brands: Sequence[str], limit: int, before: Cursor | None
    ) -> list[Row]:
        """Stories ABOUT any of the brands, newest first: one index walk per brand, merged.
        (One query with `brand IN (...)` sorts every matching row: 0.4 s for two popular
        brands in a million-story archive, against 0.02 ms a walk.)"""
        published, story = before or FAR_FUTURE
        rows: set[Row] = set()
        for brand in dict.fromkeys(brands):
            rows.update(
                await self._rows(
                    """
                    SELECT b.story_id, b.published_at, s.cluster_id
                    FROM story_brands AS b JOIN stories AS s ON s.id = b.story_id
                    WHERE b.brand = ? AND b.about = 1 AND (b.published_at, b.story_id) < (?, ?)
                    ORDER BY b.published_at DESC, b.story_id DESC LIMIT ?
                    """,
                    (brand, published, story, limit),
                )
            )
        return sorted(rows, key=lambda r: (r[1], r[0]), reverse=True)[:limit]

    async def keyword_rows(self, keyword: str, limit: int, before: Cursor | None) -> list[Row]:
        """Stories the keyword rule found the keyword in at ingest, newest first."""
        published, story = before or FAR_FUTURE
        return await self._rows(
            """
            SELECT k.story_id, k.published_at, s.cluster_id
            FROM story_keywords AS k JOIN stories AS s ON s.id = k.story_id
            WHERE k.keyword = ? AND (k.published_at, k.story_id) < (?, ?)
            ORDER BY k.published_at DESC, k.story_id DESC LIMIT ?
            """,
            (keyword, published, story, limit),
        )

    async def keyword_candidates(
        self, keyword: str, limit: int, before: Cursor | None, *, since: int = 0
    ) -> list[KeywordCandidate]:
        """Stories the FTS index narrows the keyword to (news.related.keyword_query), newest
        first, published at or after `since`: candidates for the keyword rule, not answers."""
        query = keyword_query(keyword)
        if query is None:
            return []
        published, story = before or FAR_FUTURE
        async with self._s.conn.execute(
            """
            SELECT s.id, s.published_at, s.cluster_id, s.title, s.text
            FROM stories_fts JOIN stories AS s ON s.id = stories_fts.rowid
            WHERE stories_fts MATCH ? AND (s.published_at, s.id) < (?, ?) AND s.published_at >= ?
            ORDER BY s.published_at DESC, s.id DESC LIMIT ?
            """,
            (query, published, story, since, limit),
        ) as c:
            return [KeywordCandidate(*row) async for row in c]

    async def add_keyword_hits(self, keyword: str, story_ids: Sequence[int]) -> None:
        """Record that these stories name the keyword (found after they were stored)."""
        if not story_ids:
            return
        async with self._s.transaction() as db:
            for chunk in chunked(story_ids):
                await db.execute(
                    "INSERT OR IGNORE INTO story_keywords (keyword, story_id, published_at)"
                    f" SELECT ?, id, published_at FROM stories WHERE id IN ({marks(len(chunk))})",
                    (keyword, *chunk),
                )

    async def search(
        self, text: str, limit: int = 10, *, synonyms: tuple[str, ...] = ()
    ) -> list[int]:
        """bm25 ranking (headlines weigh 3x), newest first among equals. Every word must match;
        if nothing does, any word may. The last SEARCH_RECENT_DAYS are ranked, and the whole
        archive fills what they leave; but when the last day, or else the last week, holds
        SEARCH_POOL matches, the best of those are the answer (SEARCH_WINDOWS). Ranking reads
        every match in its window besides each word's whole index entry, and a common word
        is in a third of a million-story archive; counting whether a window holds a pool
        costs a millisecond. `synonyms`: the other names of the brand `text` names (news.
        related rule e)."""
        now = self._s.now()
        month = await self._recent_start_id(now - SEARCH_RECENT_DAYS * 86_400)
        for any_word in (False, True):
            query = search_query(text, any_word=any_word, synonyms=synonyms)
            if query is None:
                return []
            for days in SEARCH_WINDOWS:
                recent = await self._recent_start_id(now - days * 86_400)
                if await self._holds(query, recent, max(SEARCH_POOL, limit)):
                    return await self._search(query, limit, recent)
            if await self._holds(query, month, limit):
                return await self._search(query, limit, month)
            # The month's few first, then the archive's best: one ranking (one pass over the
            # words' index entries), which is cheap when the words match so little.
            if ids := await self._search(query, limit, 0, recent_first=month):
                return ids
        return []

    async def _holds(self, query: str, from_id: int, count: int) -> bool:
        """Whether `count` stories from `from_id` on match (no ranking: a millisecond)."""
        async with self._s.conn.execute(
            "SELECT count(*) FROM (SELECT rowid FROM stories_fts WHERE stories_fts MATCH ?"
            " AND rowid >= ? LIMIT ?)",
            (query, from_id, count),
        ) as c:
            return (await c.fetchone())[0] >= count

    async def _search(
        self, query: str, limit: int, from_id: int, *, recent_first: int | None = None
    ) -> list[int]:
        """The best `limit` matches from `from_id` on; with `recent_first`, those from that id
        on before the others."""
        # Rank inside the FTS index first; only the best few rows are joined for their dates.
        async with self._s.conn.execute(
            """
            SELECT r.id FROM (
                SELECT rowid AS id, bm25(stories_fts, 3.0, 1.0) AS score, rowid >= ? AS recent
                FROM stories_fts WHERE stories_fts MATCH ? AND rowid >= ?
                ORDER BY recent DESC, score LIMIT ?
            ) AS r JOIN stories AS s ON s.id = r.id
            ORDER BY r.recent DESC, r.score, s.published_at DESC
            """,
            (from_id if recent_first is None else recent_first, query, from_id, limit),
        ) as c:
            return [row[0] async for row in c]

    async def _recent_start_id(self, since: int) -> int:
        """The lowest story id published since `since`, cached for an hour: FTS5 can skip
        whole doclist ranges below a rowid, so a window costs less than ranking everything."""
        key = since // 3600
        if key not in self._windows:
            if len(self._windows) > 8:  # the windows of the hours before are done with
                self._windows.clear()
            async with self._s.conn.execute(
                "SELECT min(id) FROM stories WHERE published_at >= ?", (key * 3600,)
            ) as c:
                row = await c.fetchone()
            self._windows[key] = row[0] if row and row[0] is not None else 1 << 62
        return self._windows[key]

    # --- Read also ----------------------------------------------------------------------

    async def related_inputs(self, story_ids: Sequence[int]) -> list[RelatedInput]:
        """The stories among these whose read-also was never computed."""
        found: list[RelatedInput] = []
        for chunk in chunked(list(story_ids)):
            async with self._s.conn.execute(
                f"""
                SELECT s.id, s.cluster_id, s.title, s.text, {about_brands("s.id")} AS brands
                FROM stories AS s WHERE s.id IN ({marks(len(chunk))}) AND s.related_at IS NULL
                """,
                chunk,
            ) as c:
                found += [
                    RelatedInput(r["id"], r["cluster_id"], r["title"], r["text"],
                                 frozenset(brand_list(r["brands"])))
                    async for r in c
                ]  # fmt: skip
        return found

    async def lacking_related(self, since: int, limit: int) -> list[int]:
        """The newest stories first seen since `since` whose read-also was never computed."""
        async with self._s.conn.execute(
            "SELECT id FROM stories WHERE first_seen_at >= ? AND related_at IS NULL"
            " ORDER BY id DESC LIMIT ?",
            (since, limit),
        ) as c:
            return [row[0] async for row in c]

    async def related_candidates(self, story: RelatedInput, now: int) -> list[Candidate]:
        """The stories news.related.pick_related chooses from (rule 1 there): for a story
        about brands, the newest stories about the same brands with their word overlap;
        otherwise FTS5 bm25 over the headline's words in the window of recent ids."""
        terms = related_terms(story.title, story.text)
        since = now - RELATED_WINDOW * 86_400
        if terms and story.brands:
            return await self._same_brands(story, terms, since)
        if headline := related_terms(story.title, "")[:HEADLINE_TERMS]:
            # Without a brand to narrow the field, only the headline's words are searched:
            # lead words are common enough to match a third of a large archive.
            return await self._similar_words(
                " OR ".join(quote(t) for t in headline),
                story.cluster_id,
                await self._recent_start_id(since),
                since,
            )
        return []

    async def _same_brands(
        self, story: RelatedInput, terms: list[str], since: int
    ) -> list[Candidate]:
        brands = sorted(story.brands)
        async with self._s.conn.execute(
            f"SELECT story_id FROM story_brands WHERE brand IN ({marks(len(brands))}) AND about = 1"
            " AND published_at >= ? ORDER BY published_at DESC LIMIT ?",
            (*brands, since, RELATED_CANDIDATES),
        ) as c:
            found = [row[0] async for row in c if row[0] != story.id]
        ids = list(dict.fromkeys(found))  # a story about two of the brands comes twice
        if not ids:
            return []
        async with self._s.conn.execute(
            f"""
            SELECT s.id, s.cluster_id, s.published_at, s.title, substr(s.text, 1, {LEAD}) AS lead,
                   {about_brands("s.id")} AS brands
            FROM stories AS s WHERE s.id IN ({marks(len(ids))}) AND s.cluster_id != ?
            """,
            (*ids, story.cluster_id),
        ) as c:
            return [
                Candidate(r["id"], r["cluster_id"], overlap_score(terms, r["title"], r["lead"]),
                          r["published_at"], frozenset(brand_list(r["brands"])))
                async for r in c
            ]  # fmt: skip

    async def _similar_words(
        self, query: str, cluster_id: int, start_id: int, since: int
    ) -> list[Candidate]:
        async with self._s.conn.execute(
            f"""
            SELECT s.id, s.cluster_id, bm25(stories_fts, 3.0, 1.0) AS score, s.published_at,
                   {about_brands("s.id")} AS brands
            FROM stories_fts JOIN stories AS s ON s.id = stories_fts.rowid
            WHERE stories_fts MATCH ? AND stories_fts.rowid >= ? AND s.published_at >= ?
              AND s.cluster_id != ?
            ORDER BY bm25(stories_fts, 3.0, 1.0) LIMIT 40
            """,
            (query, start_id, since, cluster_id),
        ) as c:
            return [
                Candidate(r["id"], r["cluster_id"], r["score"], r["published_at"],
                          frozenset(brand_list(r["brands"])))
                async for r in c
            ]  # fmt: skip

    async def save_related(self, picked: Mapping[int, Sequence[int]]) -> None:
        """Store each story's read-also (story id -> related ids, best first)."""
        if not picked:
            return
        now = self._s.now()
        async with self._s.transaction() as db:
            for story_id, related in picked.items():
                await db.execute("DELETE FROM related_stories WHERE story_id = ?", (story_id,))
                await db.executemany(
                    "INSERT INTO related_stories (story_id, related_id, position) VALUES (?, ?, ?)",
                    [(story_id, rid, i) for i, rid in enumerate(related)],
                )
            await db.executemany(
                "UPDATE stories SET related_at = ? WHERE id = ?", [(now, i) for i in picked]
            )

    async def links(self, story_ids: Sequence[int]) -> dict[int, RelatedLink]:
        """Headline and link of each story (those without a link are left out)."""
        found: dict[int, RelatedLink] = {}
        for chunk in chunked(list(story_ids)):
            async with self._s.conn.execute(
                f"SELECT id, title, link FROM stories WHERE id IN ({marks(len(chunk))})"
                " AND link IS NOT NULL",
                chunk,
            ) as c:
                async for row in c:
                    found[row["id"]] = RelatedLink(row["title"], row["link"])
        return found

    async def mentions(self, story_ids: Sequence[int]) -> dict[int, list[str]]:
        """Brands each story only mentions (stored, never pushed)."""
        found: dict[int, list[str]] = {}
        for chunk in chunked(list(story_ids)):
            async with self._s.conn.execute(
                "SELECT story_id, brand FROM story_brands WHERE about = 0"
                f" AND story_id IN ({marks(len(chunk))}) ORDER BY story_id, brand",
                chunk,
            ) as c:
                async for story_id, brand in c:
                    found.setdefault(story_id, []).append(brand)
        return found

    async def read_also(self, story_ids: Sequence[int]) -> dict[int, tuple[RelatedLink, ...]]:
        """The stored read-also of each story, best first."""
        found: dict[int, list[RelatedLink]] = {}
        for chunk in chunked(list(story_ids)):
            async with self._s.conn.execute(
                f"""
                SELECT r.story_id, s.title, s.link FROM related_stories AS r
                JOIN stories AS s ON s.id = r.related_id
                WHERE r.story_id IN ({marks(len(chunk))}) AND s.link IS NOT NULL
                ORDER BY r.story_id, r.position
                """,
                chunk,
            ) as c:
                async for story_id, title, link in c:
                    found.setdefault(story_id, []).append(RelatedLink(title, link))
        return {k: tuple(v) for k, v in found.items()}

    async def events(self, *, since: int, min_sources: int = 2) -> list[dict]:
        """Events (clusters) first seen since `since` that several sources reported, newest
        first: id, size (sources), first_seen (ISO UTC) and their stories (source, title,
        link, published), first seen first. A pure read (`newsbot clusters`)."""
        rows = await self._s.conn.execute_fetchall(
            f"""
            SELECT s.cluster_id, s.id, s.title, s.link, s.published_at, s.first_seen_at,
                   {first_source("s.id")} AS source
            FROM stories AS s
            WHERE s.cluster_id IN (
                SELECT h.id FROM stories AS h WHERE h.first_seen_at >= ? AND h.id = h.cluster_id
                  AND (SELECT count(*) FROM stories AS m WHERE m.cluster_id = h.id) >= ?)
            ORDER BY s.cluster_id, s.first_seen_at, s.id
            """,
            (since, min_sources),
        )
        events: dict[int, dict] = {}
        for r in rows:
            event = events.setdefault(
                r["cluster_id"],
                {"id": r["cluster_id"], "first_seen": _iso(r["first_seen_at"]), "stories": []},
            )
            event["stories"].append(
                {"source": r["source"], "title": r["title"], "link": r["link"],
                 "published": _iso(r["published_at"])}
            )  # fmt: skip
        found = []
        for event in events.values():
            event["size"] = len({s["source"] for s in event["stories"]})
            if event["size"] >= min_sources:
                found.append(event)
        return sorted(found, key=lambda e: e["first_seen"], reverse=True)


def _iso(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")
