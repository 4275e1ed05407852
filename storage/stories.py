"""Stories: every article stored once, whichever sources carry it.

`store` is the ingest use case's unit of work (usecases/ingest.py): entries arrive summarized,
tagged and with their pushability decided (news.ingest), and one transaction persists them
with a handful of set-based lookups, not a round trip per entry per question:
1. Entries whose (source, identity) is stored are re-polls: an edit (other content hash)
   refreshes the story's words; the same content is left alone.
2. Entries whose canonical link is already stored (another source had the article) become
   one more source of that story: not new.
3. The rest are new stories. Each joins the event (cluster) news.events says it reports, or
   starts its own; the outbox pushes once per cluster. The event index is a cache of the
   last window's stories, brought up to date inside this transaction (the rows committed
   since it last looked, by id), so two sources' stories of one event, stored one poll after
   the other, always see each other. Each new story enters the index as it is inserted, so
   the next entry of the same poll sees it (one story per source per event); if the
   transaction rolls back, they are taken out again. The decision is news.events', storage
   only asks.
4. A story that joined an event asks for the pushes of that event already sent to be
   edited to name its outlet (storage.deliveries.queue_edits).
5. A new story's tags are stored (story_brands: about and mentions; story_keywords: the
   followed keywords it names), and a pushable one is queued in the outbox
   (storage.deliveries.enqueue) for the chats that follow its brands or keywords.
Only the lookups that must be atomic with the inserts run here; summaries and matching ran
before the transaction, outside the write lock.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from news.events import LEAD, WINDOW, EventIndex, Story, terms
from news.ingest import Incoming
from news.models import StoryDraft
from news.render import Outlet, StoryView
from storage.deliveries import enqueue, queue_edits
from storage.sql import about_brands, brand_list, chunked, first_source, marks

if TYPE_CHECKING:
    import aiosqlite

    from storage.database import Storage

EVENT_HORIZON = 2 * WINDOW  # stories published before now minus this leave the event index
FORGET_EVERY = 600  # seconds between sweeps of the index
_EVENT_ROWS = f"""
    SELECT s.id, s.cluster_id, s.published_at, s.title, substr(s.text, 1, {LEAD}) AS lead,
           {about_brands("s.id")} AS brands,
           (SELECT ss.source_id FROM story_sources AS ss WHERE ss.story_id = s.id
            ORDER BY ss.first_seen_at, ss.source_id LIMIT 1) AS source_id
    FROM stories AS s WHERE {{where}} ORDER BY s.id
"""


@dataclass
class StoreResult:
    new: list[int] = field(default_factory=list)  # ids of stories first seen in this poll
    updated: int = 0  # known stories whose content changed
    queued: int = 0  # push deliveries enqueued
    joined: list[tuple[int, int]] = field(default_factory=list)  # (story, event) it joined
    edits: int = 0  # sent pushes of those events queued for an edit
    archived: int = 0  # new stories stored without a push: the poll was a burst (news.ingest)
    brands: dict[str, int] = field(default_factory=dict)  # new stories about each brand


async def _lookup(
    db: aiosqlite.Connection, sql: str, fixed: Sequence, keys: Sequence[str]
) -> dict[str, tuple]:
    """Run `sql` (with one `{marks}` placeholder) for keys in chunks; map first column -> rest."""
    found: dict[str, tuple] = {}
    for chunk in chunked(keys):
        async with db.execute(sql.format(marks=marks(len(chunk))), (*fixed, *chunk)) as c:
            async for row in c:
                found.setdefault(row[0], tuple(row)[1:])
    return found


def _event_story(row: aiosqlite.Row) -> Story:
    return Story(
        id=row["id"],
        cluster_id=row["cluster_id"],
        source_id=row["source_id"] or 0,
        published_at=row["published_at"],
        brands=frozenset(brand_list(row["brands"])),
        terms=terms(row["title"], row["lead"]),
    )


class StoryStore:
    def __init__(self, storage: Storage) -> None:
        self._s = storage
        self._events = EventIndex()
        self._forgotten_at = 0
        self._loaded = False
        self._seen = 0  # the newest story id the index has looked at

    async def load_events(self) -> int:
        """Fill the event index with the stories of the last window, their words computed in
        a worker thread: at start-up, so that the first poll's transaction does not do it."""
        rows = await self._event_rows(self._s.conn, self._s.now())
        for start in range(0, len(rows), 1000):  # a chunk's sets at a time, not the window's
            chunk = rows[start : start + 1000]
            for story in await asyncio.to_thread(lambda c=chunk: [_event_story(r) for r in c]):
                self._events.add(story)
        return len(rows)

    async def _event_rows(self, db: aiosqlite.Connection, now: int) -> list[aiosqlite.Row]:
        """The stories the index has not seen: on the first call those published in the
        window (an index walk), later every row newer than the last one it saw (a rowid
        range), so a backlog story dated last year does not make the next call read it again."""
        if self._loaded:
            async with db.execute(_EVENT_ROWS.format(where="s.id > ?"), (self._seen,)) as c:
                rows = list(await c.fetchall())
        else:
            async with db.execute("SELECT coalesce(max(id), 0) FROM stories") as c:
                top = (await c.fetchone())[0]
            async with db.execute(
                _EVENT_ROWS.format(where="s.published_at >= ? AND s.id <= ?"),
                (now - EVENT_HORIZON, top),
            ) as c:
                rows = list(await c.fetchall())
            self._seen, self._loaded = top, True
        if rows:
            self._seen = max(self._seen, rows[-1]["id"])
        horizon = now - EVENT_HORIZON
        return [r for r in rows if r["published_at"] >= horizon]

    async def _sync_events(self, db: aiosqlite.Connection, now: int) -> None:
        """Rule 3: the stories committed since the index last looked (inside the transaction,
        so nothing committed before it began is missed)."""
        for row in await self._event_rows(db, now):
            self._events.add(_event_story(row))
        if now - self._forgotten_at >= FORGET_EVERY:
            self._events.forget_before(now - EVENT_HORIZON)
            self._forgotten_at = now

    async def content_hashes(self, source_id: int, identities: Sequence[str]) -> dict[str, str]:
        """identity -> content hash of the entries this source already has (a plain read:
        the transaction in `store` looks again before it writes)."""
        found = await _lookup(
            self._s.conn,
            "SELECT identity, content_hash FROM story_sources"
            " WHERE source_id = ? AND identity IN ({marks})",
            (source_id,),
            identities,
        )
        return {identity: row[0] for identity, row in found.items()}

    async def store(
        self, source_id: int, incoming: Sequence[Incoming], *, backlog: bool
    ) -> StoreResult:
        """Persist a poll's prepared entries in one transaction (rules 1-5 above)."""
        result = StoreResult()
        if not incoming:
            return result
        now = self._s.now()
        try:
            return await self._store(source_id, incoming, backlog, now, result)
        except BaseException:
            self._events.remove(result.new)  # rolled back: the index forgets them too
            if result.new:  # their ids will be given out again
                self._seen = min(self._seen, min(result.new) - 1)
            raise

    async def _store(
        self,
        source_id: int,
        incoming: Sequence[Incoming],
        backlog: bool,
        now: int,
        result: StoreResult,
    ) -> StoreResult:
        async with self._s.transaction() as db:
            known = await _lookup(
                db,
                "SELECT identity, story_id, content_hash FROM story_sources"
                " WHERE source_id = ? AND identity IN ({marks})",
                (source_id,),
                [i.draft.identity for i in incoming],
            )
            changed = [
                i.draft
                for i in incoming
                if i.draft.identity in known and known[i.draft.identity][1] != i.draft.content_hash
            ]
            if changed:
                await self._update(db, source_id, changed, known, now)
                result.updated = len(changed)
            fresh = [i for i in incoming if i.draft.identity not in known and not i.edit]
            by_link = await _lookup(
                db,
                "SELECT link, id FROM stories WHERE link IN ({marks})",
                (),
                [i.draft.link for i in fresh if i.draft.link],
            )
            if fresh:
                await self._sync_events(db, now)
            links: list[tuple] = []
            placed: list[tuple[Incoming, int, int]] = []
            next_id = await self._next_id(db) if fresh else 0
            for item in fresh:
                draft = item.draft
                story_id = by_link.get(draft.link, (None,))[0] if draft.link else None
                if story_id is None:
                    story_id, next_id = next_id, next_id + 1
                    placed.append((item, story_id, self._place(source_id, item, story_id, now,
                                                               result)))  # fmt: skip
                    if draft.link:
                        by_link[draft.link] = (story_id,)  # a later entry of this poll links here
                links.append((source_id, draft.identity, story_id, draft.content_hash, now))
            await self._insert(db, placed, backlog, now, result)
            await db.executemany(
                "INSERT INTO story_sources (source_id, identity, story_id, content_hash,"
                " first_seen_at) VALUES (?, ?, ?, ?, ?)",
                links,
            )
            if result.joined:
                result.edits = await queue_edits(db, [c for _, c in result.joined], now=now)
        return result

    @staticmethod
    async def _next_id(db: aiosqlite.Connection) -> int:
        """The id SQLite would give the next story (the largest plus one). Inside the write
        transaction nothing else inserts, so a poll's new stories can be numbered up front
        and written in one batch instead of a round trip or three each."""
        async with db.execute("SELECT coalesce(max(id), 0) + 1 FROM stories") as cursor:
            return (await cursor.fetchone())[0]

    def _place(
        self, source_id: int, item: Incoming, story_id: int, now: int, result: StoreResult
    ) -> int:
        """Rule 3 for one new story: the event it joins (or its own); returns the cluster id.
        It enters the index at once, so the poll's next entry sees it."""
        draft = item.draft
        story_terms = item.event or terms(draft.title, draft.text)  # prepared outside the lock
        match = self._events.match(
            story_terms,
            source_id=source_id,
            published_at=draft.published_at,
            brands=item.tags.about if item.tags is not None else (),
        )
        cluster_id = match.cluster_id if match else story_id
        self._seen = max(self._seen, story_id)
        if draft.published_at >= now - EVENT_HORIZON:  # as _event_rows: older ones match nothing
            brands = frozenset(item.tags.about) if item.tags is not None else frozenset()
            self._events.add(Story(story_id, cluster_id, source_id, draft.published_at, brands,
                                   story_terms))  # fmt: skip
        if match is not None:
            result.joined.append((story_id, cluster_id))
        result.new.append(story_id)
        result.archived += item.burst
        if item.tags is not None:
            for brand in item.tags.about:
                result.brands[brand] = result.brands.get(brand, 0) + 1
        return cluster_id

    @staticmethod
    async def _insert(
        db: aiosqlite.Connection,
        placed: Sequence[tuple[Incoming, int, int]],
        backlog: bool,
        now: int,
        result: StoreResult,
    ) -> None:
        """Rule 5: the placed stories (item, story id, cluster id), their tags and pushes."""
        if not placed:
            return
        stories: list[tuple] = []
        brands: list[tuple] = []
        keywords: list[tuple] = []
        for item, story_id, cluster_id in placed:
            d = item.draft
            stories.append((story_id, cluster_id, d.link, d.title, d.title_key, d.text, d.author,
                            d.image_url, d.language, d.published_at, now, now, int(backlog),
                            d.summary))  # fmt: skip
            # published_at is copied so /latest can walk (brand, about, published_at) and
            # (keyword, published_at) alone.
            tags, when = item.tags, d.published_at
            if tags is not None:
                brands += [(story_id, b, 1, when) for b in sorted(tags.about)]
                brands += [(story_id, b, 0, when) for b in sorted(tags.mentions - tags.about)]
                keywords += [(k, story_id, when) for k in sorted(tags.keywords)]
        await db.executemany(
            """
            INSERT INTO stories (id, cluster_id, link, title, title_key, text, author,
                                 image_url, language, published_at, first_seen_at, updated_at,
                                 backlog, summary)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            stories,
        )
        if brands:
            await db.executemany(
                "INSERT OR REPLACE INTO story_brands (story_id, brand, about, published_at)"
                " VALUES (?, ?, ?, ?)",
                brands,
            )
        if keywords:
            await db.executemany(
                "INSERT OR IGNORE INTO story_keywords (keyword, story_id, published_at)"
                " VALUES (?, ?, ?)",
                keywords,
            )
        for item, story_id, cluster_id in placed:
            if item.tags is not None and item.pushable:
                result.queued += await enqueue(
                    db,
                    story_id=story_id,
                    cluster_id=cluster_id,
                    brands=sorted(item.tags.about),
                    keywords=sorted(item.tags.keywords),
                    now=now,
                )

    @staticmethod
    async def _update(
        db: aiosqlite.Connection,
        source_id: int,
        changed: list[StoryDraft],
        known: dict[str, tuple],
        now: int,
    ) -> None:
        """An edited story keeps its id, time and cluster; its words are refreshed."""
        await db.executemany(
            "UPDATE stories SET title = ?, title_key = ?, text = ?, summary = ?,"
            " author = coalesce(?, author), image_url = coalesce(?, image_url), updated_at = ?"
            " WHERE id = ?",
            [
                (d.title, d.title_key, d.text, d.summary, d.author, d.image_url, now,
                 known[d.identity][0])
                for d in changed
            ],
        )  # fmt: skip
        await db.executemany(
            "UPDATE story_sources SET content_hash = ? WHERE source_id = ? AND identity = ?",
            [(d.content_hash, source_id, d.identity) for d in changed],
        )

    async def views(
        self, story_ids: Sequence[int], *, related: bool = True
    ) -> dict[int, StoryView]:
        """What rendering needs, for several stories at once: the story, its summary, the name
        of the source that carried it first, the brands it is about, and (unless `related` is
        false, as for /search's compact list) its stored read-also links, and the other
        outlets that carried its event (`also`). A pure read: a story
        whose read-also was never computed has `read_also=None` (usecases.related decides
        whether to compute it)."""
        read_also = await self._s.archive.read_also(story_ids) if related else {}
        found: dict[int, StoryView] = {}
        for chunk in chunked(list(story_ids)):
            async with self._s.conn.execute(
                f"""
                SELECT st.id, st.cluster_id, st.title, st.link, st.summary, st.published_at,
                       st.related_at, st.image_url, {first_source("st.id")} AS source,
                       {about_brands("st.id")} AS brands
                FROM stories AS st WHERE st.id IN ({marks(len(chunk))})
                """,
                chunk,
            ) as c:
                rows = await c.fetchall()
            outlets = await self.outlets({row["cluster_id"] for row in rows})
            for row in rows:
                computed = related and row["related_at"] is not None
                found[row["id"]] = StoryView(
                    id=row["id"],
                    title=row["title"],
                    link=row["link"],
                    source=row["source"],
                    published_at=row["published_at"],
                    summary=row["summary"],
                    image=row["image_url"],
                    brands=brand_list(row["brands"]),
                    read_also=read_also.get(row["id"], ()) if computed else None,
                    also=tuple(
                        outlet
                        for story_id, outlet in outlets.get(row["cluster_id"], ())
                        if story_id != row["id"] and outlet.name != row["source"]
                    ),
                )
        return found

    async def outlets(self, clusters: Iterable[int]) -> dict[int, list[tuple[int, Outlet]]]:
        """cluster id -> its stories as (story id, Outlet), first seen first."""
        found: dict[int, list[tuple[int, Outlet]]] = {}
        ids = sorted(set(clusters))
        for chunk in chunked(ids):
            async with self._s.conn.execute(
                f"""
                SELECT st.cluster_id, st.id, st.link, {first_source("st.id")} AS source
                FROM stories AS st WHERE st.cluster_id IN ({marks(len(chunk))})
                ORDER BY st.first_seen_at, st.id
                """,
                chunk,
            ) as c:
                async for row in c:
                    found.setdefault(row["cluster_id"], []).append(
                        (row["id"], Outlet(row["source"] or "", row["link"]))
                    )
        return found

    async def count(self) -> int:
        async with self._s.conn.execute("SELECT count(*) FROM stories") as c:
            row = await c.fetchone()
        return int(row[0]) if row else 0
