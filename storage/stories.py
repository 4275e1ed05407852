"""Stories: every article stored once, whichever sources carry it.

`store` is the ingest use case's unit of work (usecases/ingest.py): entries arrive summarized,
tagged and with their pushability decided (news.ingest), and one transaction persists them
with a handful of set-based lookups, not a round trip per entry per question:
1. Entries whose (source, identity) is stored are re-polls: an edit (other content hash)
   refreshes the story's words; the same content is left alone.
2. Entries whose canonical link is already stored (another source had the article) become
   one more source of that story: not new.
3. The rest are new stories. A story whose normalized headline matches one first seen in the
   last CLUSTER_WINDOW joins that story's cluster (the same wire story from several outlets),
   so a push goes out once per cluster.
4. A new story's tags are stored (story_brands: about and mentions; story_keywords: the
   followed keywords it names), and a pushable one is queued in the outbox
   (storage.deliveries.enqueue) for the chats that follow its brands or keywords.
Only the lookups that must be atomic with the inserts run here; summaries and matching ran
before the transaction, outside the write lock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from news.ingest import Incoming, Tags
from news.models import StoryDraft
from news.render import StoryView
from storage.deliveries import enqueue
from storage.sql import about_brands, brand_list, chunked, first_source, marks

if TYPE_CHECKING:
    import aiosqlite

    from storage.database import Storage

CLUSTER_WINDOW = 3 * 86_400


@dataclass
class StoreResult:
    new: list[int] = field(default_factory=list)  # ids of stories first seen in this poll
    updated: int = 0  # known stories whose content changed
    queued: int = 0  # push deliveries enqueued


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


class StoryStore:
    def __init__(self, storage: Storage) -> None:
        self._s = storage

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
        """Persist a poll's prepared entries in one transaction (rules 1-4 above)."""
        result = StoreResult()
        if not incoming:
            return result
        now = self._s.now()
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
            clusters = await _lookup(
                db,
                "SELECT title_key, cluster_id FROM stories"
                " WHERE first_seen_at >= ? AND title_key IN ({marks}) ORDER BY id",
                (now - CLUSTER_WINDOW,),
                [i.draft.title_key for i in fresh if i.draft.title_key],
            )
            links: list[tuple] = []
            for item in fresh:
                draft = item.draft
                story_id = by_link.get(draft.link, (None,))[0] if draft.link else None
                if story_id is None:
                    story_id = await self._new_story(db, item, clusters, backlog, now, result)
                    if draft.link:
                        by_link[draft.link] = (story_id,)  # a later entry of this poll links here
                links.append((source_id, draft.identity, story_id, draft.content_hash, now))
            await db.executemany(
                "INSERT INTO story_sources (source_id, identity, story_id, content_hash,"
                " first_seen_at) VALUES (?, ?, ?, ?, ?)",
                links,
            )
        return result

    async def _new_story(
        self,
        db: aiosqlite.Connection,
        item: Incoming,
        clusters: dict[str, tuple],
        backlog: bool,
        now: int,
        result: StoreResult,
    ) -> int:
        """Rules 3 and 4 for one new story; returns its id."""
        story_id, cluster_id = await self._insert(db, item.draft, clusters, backlog, now)
        result.new.append(story_id)
        if item.tags is not None:
            await self._tag(db, item.draft, story_id, item.tags)
            if item.pushable:
                result.queued += await enqueue(
                    db,
                    story_id=story_id,
                    cluster_id=cluster_id,
                    brands=sorted(item.tags.about),
                    keywords=sorted(item.tags.keywords),
                    now=now,
                )
        return story_id

    async def _insert(
        self,
        db: aiosqlite.Connection,
        draft: StoryDraft,
        clusters: dict[str, tuple],
        backlog: bool,
        now: int,
    ) -> tuple[int, int]:
        """Insert a new story; returns (story id, cluster id)."""
        cluster = clusters.get(draft.title_key, (None,))[0] if draft.title_key else None
        async with db.execute(
            """
            INSERT INTO stories (cluster_id, link, title, title_key, text, author, image_url,
                                 language, published_at, first_seen_at, updated_at, backlog,
                                 summary)
            VALUES (coalesce(?, 0), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            RETURNING id
            """,
            (cluster, draft.link, draft.title, draft.title_key, draft.text, draft.author,
             draft.image_url, draft.language, draft.published_at, now, now, int(backlog),
             draft.summary),
        ) as c:  # fmt: skip
            row = await c.fetchone()
        story_id = row["id"]
        if cluster is None:
            cluster = story_id
            await db.execute("UPDATE stories SET cluster_id = id WHERE id = ?", (story_id,))
            if draft.title_key:
                clusters[draft.title_key] = (story_id,)
        return story_id, cluster

    @staticmethod
    async def _tag(db: aiosqlite.Connection, draft: StoryDraft, story_id: int, tags: Tags) -> None:
        # published_at is copied so /latest can walk (brand, about, published_at) and
        # (keyword, published_at) alone.
        when = draft.published_at
        rows = [(story_id, b, 1, when) for b in sorted(tags.about)]
        rows += [(story_id, b, 0, when) for b in sorted(tags.mentions - tags.about)]
        if rows:
            await db.executemany(
                "INSERT OR REPLACE INTO story_brands (story_id, brand, about, published_at)"
                " VALUES (?, ?, ?, ?)",
                rows,
            )
        if tags.keywords:
            await db.executemany(
                "INSERT OR IGNORE INTO story_keywords (keyword, story_id, published_at)"
                " VALUES (?, ?, ?)",
                [(k, story_id, when) for k in sorted(tags.keywords)],
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
        false, as for /search's compact list) its stored read-also links. A pure read: a story
        whose read-also was never computed has `read_also=None` (usecases.related decides
        whether to compute it)."""
        read_also = await self._s.archive.read_also(story_ids) if related else {}
        found: dict[int, StoryView] = {}
        for chunk in chunked(list(story_ids)):
            async with self._s.conn.execute(
                f"""
                SELECT st.id, st.title, st.link, st.summary, st.published_at, st.related_at,
                       {first_source("st.id")} AS source, {about_brands("st.id")} AS brands
                FROM stories AS st WHERE st.id IN ({marks(len(chunk))})
                """,
                chunk,
            ) as c:
                async for row in c:
                    computed = related and row["related_at"] is not None
                    found[row["id"]] = StoryView(
                        id=row["id"],
                        title=row["title"],
                        link=row["link"],
                        source=row["source"],
                        published_at=row["published_at"],
                        summary=row["summary"],
                        brands=brand_list(row["brands"]),
                        read_also=read_also.get(row["id"], ()) if computed else None,
                    )
        return found

    async def count(self) -> int:
        async with self._s.conn.execute("SELECT count(*) FROM stories") as c:
            row = await c.fetchone()
        return int(row[0]) if row else 0
