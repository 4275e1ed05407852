"""Stories: every article stored once, whichever sources carry it.

Storing one poll's entries is one transaction with a handful of set-based queries, not a
round trip per entry per question:
1. Entries whose (source, identity) is known are re-polls: updated only if their content
   changed (an edited headline), otherwise untouched.
2. Entries whose canonical link is already stored (another source had the article) become
   one more source of that story: not new.
3. The rest are new stories. A story whose normalized headline matches one first seen in the
   last CLUSTER_WINDOW joins that story's cluster (the same wire story from several outlets),
   so a push goes out once per cluster.
A source's first successful poll is its backlog: stored and searchable, flagged never to push.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from news.models import StoryDraft
from news.render import StoryView
from storage.deliveries import enqueue

if TYPE_CHECKING:
    import aiosqlite

    from storage.database import Storage

CLUSTER_WINDOW = 3 * 86_400
_CHUNK = 400  # bound parameters per IN (...) query, well under SQLite's limit


class Tags(Protocol):
    """What a tagger says about a story (news.matching.MatchResult has this shape)."""

    about: frozenset[str]
    mentions: frozenset[str]
    keywords: frozenset[str]


Tagger = Callable[[StoryDraft], Tags]


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
    for i in range(0, len(keys), _CHUNK):
        chunk = keys[i : i + _CHUNK]
        marks = ",".join("?" * len(chunk))
        async with db.execute(sql.format(marks=marks), (*fixed, *chunk)) as c:
            async for row in c:
                found.setdefault(row[0], tuple(row[1:]))
    return found


class StoryStore:
    def __init__(self, storage: Storage) -> None:
        self._s = storage

    async def store(
        self,
        source_id: int,
        drafts: Iterable[StoryDraft],
        *,
        backlog: bool,
        tag: Tagger | None = None,
        push_since: int = 0,
    ) -> StoreResult:
        """Store a poll's entries. New stories are tagged with `tag` and, unless they are
        backlog or published before `push_since`, queued for push, all in one transaction."""
        drafts = list(drafts)
        result = StoreResult()
        if not drafts:
            return result
        now = self._s.now()
        async with self._s.transaction() as db:
            known = await _lookup(
                db,
                "SELECT identity, story_id, content_hash FROM story_sources"
                " WHERE source_id = ? AND identity IN ({marks})",
                (source_id,),
                [d.identity for d in drafts],
            )
            changed = [
                d for d in drafts if d.identity in known and known[d.identity][1] != d.content_hash
            ]
            if changed:
                await self._update(db, source_id, changed, known, now)
                result.updated = len(changed)

            fresh = [d for d in drafts if d.identity not in known]
            by_link = await _lookup(
                db,
                "SELECT link, id FROM stories WHERE link IN ({marks})",
                (),
                [d.link for d in fresh if d.link],
            )
            clusters = await _lookup(
                db,
                "SELECT title_key, cluster_id FROM stories"
                " WHERE first_seen_at >= ? AND title_key IN ({marks}) ORDER BY id",
                (now - CLUSTER_WINDOW,),
                [d.title_key for d in fresh if d.title_key],
            )
            links: list[tuple] = []
            for draft in fresh:
                story_id = by_link.get(draft.link, (None,))[0] if draft.link else None
                if story_id is None:
                    story_id, cluster_id = await self._insert(db, draft, clusters, backlog, now)
                    result.new.append(story_id)
                    tags = tag(draft) if tag is not None else None
                    queued = 0
                    if tags is not None:
                        pushable = not backlog and draft.published_at >= push_since
                        queued = await self._tag(
                            db, draft, story_id, cluster_id, tags, pushable, now
                        )
                        result.queued += queued
                    if queued:
                        # A story about to be pushed gets its read-also now; every other story
                        # gets it the first time it is shown (Archive.ensure_related), once.
                        await self._s.archive.compute_related(
                            db, story_id=story_id, cluster_id=cluster_id, title=draft.title,
                            text=draft.text, brands=tags.about, now=now,
                        )  # fmt: skip
                    if draft.link:
                        by_link[draft.link] = (story_id,)  # a later entry of this poll links here
                links.append((source_id, draft.identity, story_id, draft.content_hash, now))
            await db.executemany(
                "INSERT INTO story_sources (source_id, identity, story_id, content_hash,"
                " first_seen_at) VALUES (?, ?, ?, ?, ?)",
                links,
            )
        return result

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
        story_id = row[0]
        if cluster is None:
            cluster = story_id
            await db.execute("UPDATE stories SET cluster_id = id WHERE id = ?", (story_id,))
            if draft.title_key:
                clusters[draft.title_key] = (story_id,)
        return story_id, cluster

    async def _tag(
        self,
        db: aiosqlite.Connection,
        draft: StoryDraft,
        story_id: int,
        cluster_id: int,
        tags: Tags,
        pushable: bool,
        now: int,
    ) -> int:
        # published_at is copied so /latest can walk (brand, about, published_at) alone.
        when = draft.published_at
        rows = [(story_id, b, 1, when) for b in sorted(tags.about)]
        rows += [(story_id, b, 0, when) for b in sorted(tags.mentions - tags.about)]
        if rows:
            await db.executemany(
                "INSERT OR REPLACE INTO story_brands (story_id, brand, about, published_at)"
                " VALUES (?, ?, ?, ?)",
                rows,
            )
        if not pushable:
            return 0
        return await enqueue(
            db,
            story_id=story_id,
            cluster_id=cluster_id,
            brands=sorted(tags.about),
            keywords=sorted(tags.keywords),
            now=now,
        )

    async def _update(
        self,
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
                (
                    d.title,
                    d.title_key,
                    d.text,
                    d.summary,
                    d.author,
                    d.image_url,
                    now,
                    known[d.identity][0],
                )
                for d in changed
            ],
        )
        await db.executemany(
            "UPDATE story_sources SET content_hash = ? WHERE source_id = ? AND identity = ?",
            [(d.content_hash, source_id, d.identity) for d in changed],
        )

    async def views(
        self, story_ids: Sequence[int], *, related: bool = True
    ) -> dict[int, StoryView]:
        """What rendering needs, for several stories at once: the story, its summary, the name
        of the source that carried it first, the brands it is about, and (unless `related` is
        false, as for /search's compact list) its read-also links."""
        read_also = {}
        if related:
            await self._s.archive.ensure_related(story_ids)
            read_also = await self._s.archive.read_also(story_ids)
        found: dict[int, StoryView] = {}
        for i in range(0, len(story_ids), _CHUNK):
            chunk = list(story_ids[i : i + _CHUNK])
            marks = ",".join("?" * len(chunk))
            async with self._s.conn.execute(
                f"""
                SELECT st.id, st.title, st.link, st.summary, st.published_at,
                       (SELECT coalesce(so.title, so.url) FROM story_sources AS ss
                        JOIN sources AS so ON so.id = ss.source_id
                        WHERE ss.story_id = st.id ORDER BY ss.first_seen_at, so.id LIMIT 1),
                       (SELECT group_concat(brand, ' ') FROM story_brands
                        WHERE story_id = st.id AND about = 1)
                FROM stories AS st WHERE st.id IN ({marks})
                """,
                chunk,
            ) as c:
                async for row in c:
                    found[row[0]] = StoryView(
                        id=row[0],
                        title=row[1],
                        link=row[2],
                        source=row[5],
                        published_at=row[4],
                        summary=row[3],
                        brands=tuple(sorted((row[6] or "").split())),
                        read_also=read_also.get(row[0], ()),
                    )
        return found

    async def count(self) -> int:
        async with self._s.conn.execute("SELECT count(*) FROM stories") as c:
            row = await c.fetchone()
        return int(row[0]) if row else 0
