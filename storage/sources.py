"""Sources: the feeds the bot polls, their HTTP cache validators, status and schedule.

A failing source records its error on its own row (miniflux's habit): a poll never raises.
Removal is a soft delete, so the operator's OPML sync does not bring back what an admin removed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from news.models import Source, SourceOrigin, SourceStatus

if TYPE_CHECKING:
    from news.opml import OpmlSource
    from storage.database import Storage

_COLUMNS = (
    "id, url, title, site_url, origin, status, last_error, error_count, failing_since, alerted,"
    " etag, last_modified, last_checked_at, last_success_at, next_check_at, backlog_done,"
    " body_hash, entry_hashes"
)


def _source(row: Mapping) -> Source:
    return Source(
        id=row["id"],
        url=row["url"],
        title=row["title"],
        site_url=row["site_url"],
        origin=SourceOrigin(row["origin"]),
        status=SourceStatus(row["status"]),
        last_error=row["last_error"],
        error_count=row["error_count"],
        failing_since=row["failing_since"],
        alerted=bool(row["alerted"]),
        etag=row["etag"],
        last_modified=row["last_modified"],
        last_checked_at=row["last_checked_at"],
        last_success_at=row["last_success_at"],
        next_check_at=row["next_check_at"],
        backlog_done=bool(row["backlog_done"]),
        body_hash=row["body_hash"],
        entry_hashes=row["entry_hashes"],
    )


class SourceStore:
    def __init__(self, storage: Storage) -> None:
        self._s = storage

    async def sync(
        self, entries: Iterable[OpmlSource], *, origin: SourceOrigin = SourceOrigin.FILE
    ) -> tuple[int, int]:
        """Add new URLs and refresh titles; delete nothing. Returns (added, updated).

        URLs an admin removed stay removed unless `origin` is an explicit command (CLI import).
        """
        added = updated = 0
        now = self._s.now()
        async with self._s.transaction() as db:
            for entry in entries:
                async with db.execute(
                    "SELECT id, title, site_url, removed_at FROM sources WHERE url = ?",
                    (entry.url,),
                ) as c:
                    row = await c.fetchone()
                if row is None:
                    await db.execute(
                        "INSERT INTO sources (url, title, site_url, origin, added_at, next_check_at)"
                        " VALUES (?, ?, ?, ?, ?, ?)",
                        (entry.url, entry.title, entry.site_url, origin.value, now, now),
                    )
                    added += 1
                    continue
                revive = row[3] is not None and origin is not SourceOrigin.FILE
                title = entry.title or row[1]
                site_url = entry.site_url or row[2]
                if (title, site_url) != (row[1], row[2]) or revive:
                    await db.execute(
                        "UPDATE sources SET title = ?, site_url = ?,"
                        " removed_at = CASE WHEN ? THEN NULL ELSE removed_at END WHERE id = ?",
                        (title, site_url, revive, row[0]),
                    )
                    updated += 1
        return added, updated

    async def add(
        self, url: str, *, origin: SourceOrigin, title: str | None = None
    ) -> tuple[Source, bool]:
        """Add one source, due at once. Returns (source, False) when it is already there;
        a source that was removed comes back as if new."""
        now = self._s.now()
        async with self._s.transaction() as db:
            async with db.execute("SELECT id, removed_at FROM sources WHERE url = ?", (url,)) as c:
                row = await c.fetchone()
            if row is None:
                cursor = await db.execute(
                    "INSERT INTO sources (url, title, origin, added_at, next_check_at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (url, title, origin.value, now, now),
                )
                source_id, created = cursor.lastrowid, True
            else:
                source_id, created = row[0], row[1] is not None
                if created:
                    await db.execute(
                        "UPDATE sources SET removed_at = NULL, next_check_at = ?,"
                        " title = coalesce(?, title) WHERE id = ?",
                        (now, title, source_id),
                    )
        source = await self.get(source_id)
        assert source is not None
        return source, created

    async def remove(self, source_id: int) -> Source | None:
        source = await self.get(source_id)
        if source is None:
            return None
        async with self._s.transaction() as db:
            await db.execute(
                "UPDATE sources SET removed_at = ? WHERE id = ?", (self._s.now(), source_id)
            )
        return source

    async def get(self, source_id: int) -> Source | None:
        async with self._s.conn.execute(
            f"SELECT {_COLUMNS} FROM sources WHERE id = ? AND removed_at IS NULL", (source_id,)
        ) as c:
            row = await c.fetchone()
        return _source(row) if row else None

    async def removed(self, source_id: int) -> Source | None:
        """A source that was removed (its stories stay), or None."""
        async with self._s.conn.execute(
            f"SELECT {_COLUMNS} FROM sources WHERE id = ? AND removed_at IS NOT NULL",
            (source_id,),
        ) as c:
            row = await c.fetchone()
        return _source(row) if row else None

    async def ever_added(self) -> int:
        """How many sources this database has had, removed ones included (0: a new one)."""
        async with self._s.conn.execute("SELECT count(*) FROM sources") as c:
            row = await c.fetchone()
        return int(row[0]) if row else 0

    async def next_due_at(self) -> int | None:
        """When the next source falls due (None when there is none to poll)."""
        async with self._s.conn.execute(
            "SELECT min(next_check_at) FROM sources WHERE removed_at IS NULL"
        ) as c:
            row = await c.fetchone()
        return int(row[0]) if row and row[0] is not None else None

    async def all(self) -> list[Source]:
        async with self._s.conn.execute(
            f"SELECT {_COLUMNS} FROM sources WHERE removed_at IS NULL ORDER BY id"
        ) as c:
            return [_source(row) async for row in c]

    async def story_counts(self) -> dict[int, int]:
        async with self._s.conn.execute(
            "SELECT source_id, count(*) FROM story_sources GROUP BY source_id"
        ) as c:
            return {row[0]: row[1] async for row in c}

    async def due(
        self, now: int, *, exclude: Iterable[int] = (), limit: int = 1000
    ) -> list[Source]:
        skip = set(exclude)
        async with self._s.conn.execute(
            f"SELECT {_COLUMNS} FROM sources WHERE removed_at IS NULL AND next_check_at <= ?"
            " ORDER BY next_check_at LIMIT ?",
            (now, limit + len(skip)),
        ) as c:
            rows = [_source(row) async for row in c]
        return [s for s in rows if s.id not in skip][:limit]

    async def record_success(
        self,
        source_id: int,
        *,
        status: SourceStatus,
        next_check_at: int,
        etag: str | None = None,
        last_modified: str | None = None,
        title: str | None = None,
        site_url: str | None = None,
        body_hash: str | None = None,
        entry_hashes: bytes | None = None,
    ) -> None:
        """A 200 with a feed, or a 304 (or the same document again): errors reset, validators,
        the document's digest and its entries' fingerprints kept for the next poll."""
        now = self._s.now()
        async with self._s.transaction() as db:
            await db.execute(
                """
                UPDATE sources SET
                    status = ?, last_error = NULL, error_count = 0, failing_since = NULL,
                    alerted = 0, last_checked_at = ?, last_success_at = ?, next_check_at = ?,
                    etag = coalesce(?, etag), last_modified = coalesce(?, last_modified),
                    title = coalesce(title, ?), site_url = coalesce(site_url, ?),
                    body_hash = coalesce(?, body_hash),
                    entry_hashes = coalesce(?, entry_hashes),
                    backlog_done = CASE WHEN ? = 'ok' THEN 1 ELSE backlog_done END
                WHERE id = ?
                """,
                (status.value, now, now, next_check_at, etag, last_modified, title, site_url,
                 body_hash, entry_hashes, status.value, source_id),
            )  # fmt: skip

    async def record_failure(self, source_id: int, *, error: str, next_check_at: int) -> Source:
        now = self._s.now()
        async with self._s.transaction() as db:
            await db.execute(
                """
                UPDATE sources SET
                    status = 'error', last_error = ?, error_count = error_count + 1,
                    failing_since = coalesce(failing_since, ?), last_checked_at = ?,
                    next_check_at = ?
                WHERE id = ?
                """,
                (error[:500], now, now, next_check_at, source_id),
            )
        source = await self.get(source_id)
        assert source is not None
        return source

    async def mark_alerted(self, source_id: int) -> None:
        async with self._s.transaction() as db:
            await db.execute("UPDATE sources SET alerted = 1 WHERE id = ?", (source_id,))
