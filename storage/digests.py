"""The daily digest's storage side: which chats are due, the window's stories, and recording a
digest so it goes out exactly once.

Exactly once rests on one transaction per batch of chats: the digest's messages enter the
outbox (storage.deliveries) together with the move of the chat's `next_digest_at` to its
next occurrence. A restart before that commit finds the chat still due and composes the
digest again; after it, the chat is no longer due and the sender delivers what is queued.
The update is conditional on the schedule the tick read (compare and set), so a chat that
changed its time or asked for /digest now while the tick was composing keeps its change and
is looked at again by the next tick.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from news.digest import DigestStory
from news.models import DIGEST_MODES, Chat, DeliveryMode
from storage.chats import CHAT_COLUMNS, chat_from_row
from storage.deliveries import enqueue_digest, enqueue_digest_rows
from storage.sql import brand_list, first_source, marks

if TYPE_CHECKING:
    from storage.database import Storage

_DIGEST_ON = "mode IN ('digest', 'both')"
assert {DeliveryMode.DIGEST, DeliveryMode.BOTH} == DIGEST_MODES, "update _DIGEST_ON and the index"


# A story per cluster first seen in the window: the cluster's first story, how many sources
# carried the cluster, the brands any of its stories is about and the followed keywords any of
# them names (both tagged at ingest), the source that had it first.
_WINDOW_QUERY = f"""
SELECT h.id, h.title, h.link, h.summary, h.published_at, h.first_seen_at,
       (SELECT count(DISTINCT ss.source_id) FROM stories AS m
        JOIN story_sources AS ss ON ss.story_id = m.id WHERE m.cluster_id = h.id) AS sources,
       (SELECT group_concat(DISTINCT b.brand) FROM stories AS m
        JOIN story_brands AS b ON b.story_id = m.id
        WHERE m.cluster_id = h.id AND b.about = 1) AS brands,
       (SELECT json_group_array(DISTINCT k.keyword) FROM stories AS m
        JOIN story_keywords AS k ON k.story_id = m.id WHERE m.cluster_id = h.id) AS keywords,
       {first_source("h.id")} AS source
FROM stories AS h
WHERE h.first_seen_at >= ? AND h.id = h.cluster_id
  AND (h.backlog = 0 OR h.published_at >= ?)
ORDER BY h.id
"""


@dataclass(frozen=True)
class Plan:
    """What the tick decided for one chat: its new schedule and the messages to queue."""

    chat_id: int
    expected_next_at: int | None  # the schedule the decision was based on
    expected_covered: int  # and the coverage (digest_story_id) it was based on
    next_at: int
    messages: Sequence[str] = ()
    digest_at: int | None = None  # the occurrence served (None: no digest now)
    covered_id: int | None = None  # the newest story the digest covered


class DigestStore:
    def __init__(self, storage: Storage) -> None:
        self._s = storage

    async def due(self, now: int) -> list[Chat]:
        """Active chats with the digest on whose time has come, or whose schedule is not
        computed yet (chats from before the digest existed)."""
        # Written out exactly as in the partial index chats_digest_due (migration 5): SQLite
        # uses a partial index only when the query repeats its WHERE terms, and the two
        # halves let it search the index for both conditions instead of scanning chats.
        where = f"active = 1 AND {_DIGEST_ON}"
        async with self._s.conn.execute(
            f"""
            SELECT {CHAT_COLUMNS} FROM chats WHERE {where} AND next_digest_at <= ?
            UNION ALL
            SELECT {CHAT_COLUMNS} FROM chats WHERE {where} AND next_digest_at IS NULL
            """,
            (now,),
        ) as c:
            return [chat_from_row(row) async for row in c]

    async def window(self, since: int) -> list[DigestStory]:
        """Stories first seen at or after `since`, one per cluster (the cluster's first story,
        so a story the previous digest showed does not come back when another outlet runs it
        too), with how many sources covered the cluster, the brands it is about and the
        followed keywords it names.

        A source's first poll (its backlog) counts only for stories published in the window:
        adding a source must not pour its archive into tomorrow's digest.
        """
        # Committed stories only (Storage.committed): if a poll rolled back, the ids of its
        # stories (SQLite reuses them) would later count as covered and be skipped.
        async with self._s.committed() as db:
            rows = await db.execute_fetchall(_WINDOW_QUERY, (since, since))
        return [
            DigestStory(
                id=row["id"],
                title=row["title"],
                link=row["link"],
                source=row["source"],
                published_at=row["published_at"],
                first_seen_at=row["first_seen_at"],
                summary=row["summary"],
                cluster_size=max(1, row["sources"]),
                brands=brand_list(row["brands"]),
                keywords=tuple(sorted(k for k in json.loads(row["keywords"]) if k)),
            )
            for row in rows
        ]

    async def record(self, plans: Sequence[Plan]) -> tuple[int, int]:
        """Apply the tick's decisions in one transaction; returns (chats moved on, messages
        queued). A chat whose schedule or coverage changed since it was read (a new time, a
        /digest now) is left alone: the next tick looks at it again. Callers pass a few
        hundred plans at a time, so the write lock is held briefly."""
        if not plans:
            return 0, 0
        now = self._s.now()
        async with self._s.transaction() as db:
            ids = [p.chat_id for p in plans]
            async with db.execute(
                "SELECT id, next_digest_at, digest_story_id FROM chats"
                f" WHERE id IN ({marks(len(ids))})",
                ids,
            ) as c:
                current = {row[0]: (row[1], row[2]) async for row in c}
            # Read and written under the same write transaction: a compare and set.
            fresh = [
                p
                for p in plans
                if current.get(p.chat_id) == (p.expected_next_at, p.expected_covered)
            ]
            await db.executemany(
                "UPDATE chats SET next_digest_at = ?,"
                " last_digest_at = coalesce(?, last_digest_at),"
                " digest_story_id = max(digest_story_id, coalesce(?, 0)) WHERE id = ?",
                [(p.next_at, p.digest_at, p.covered_id, p.chat_id) for p in fresh],
            )
            rows = [
                (p.chat_id, text, p.digest_at, part, now, now)
                for p in fresh
                if p.digest_at is not None
                for part, text in enumerate(p.messages)
            ]
            queued = await enqueue_digest_rows(db, rows)
        return len(fresh), queued

    async def record_now(
        self, chat_id: int, *, messages: Sequence[str], after_id: int, covered_id: int
    ) -> bool:
        """/digest now: queue the messages and move the chat's coverage on, leaving its
        schedule alone. False when another digest covered the same stories meanwhile."""
        now = self._s.now()
        async with self._s.transaction() as db:
            cursor = await db.execute(
                "UPDATE chats SET digest_story_id = ? WHERE id = ? AND digest_story_id = ?",
                (max(covered_id, after_id), chat_id, after_id),
            )
            if cursor.rowcount == 0:
                return False
            if messages:
                # A negative digest_at marks an on-demand digest: it can never collide with
                # a scheduled occurrence in the outbox's UNIQUE (chat_id, digest_at, part).
                await enqueue_digest(
                    db, chat_id=chat_id, messages=messages, digest_at=-now, now=now
                )
        return True
