"""Deliveries: the outbox. Two kinds of row, one sender.

- story: a push, one per chat and story cluster. Written by `enqueue` inside the transaction
  that stores a story and its tags. UNIQUE (chat_id, cluster_id) is the "once per chat per
  story" rule: a second source, a second matching brand or a re-poll cannot add a second row.
- digest: one message of a daily digest, its text rendered when the digest was composed.
  Written by `enqueue_digest` inside the transaction that moves the chat's digest schedule
  on; UNIQUE (chat_id, digest_at, part) means one occurrence can never be queued twice.

The sender (bot.sender) reads pending rows in id order and marks each sent (with the id of
the Telegram message it became), retried, failed, or skipped (the chat blocked the bot).

Edits (table `edits`): when a story joins an event (news.events) whose push a chat already
got, `queue_edits` asks for that push to be edited to list the new outlet. One row per push:
a row already waiting takes the next outlets along (it is due EDIT_DELAY after the first
one), so a burst of outlets is one edit. Only pushes sent in the last EDIT_MAX_AGE are
edited. The sender deletes the row once the edit is made or ends (`finish_edit`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from news.i18n import chat_language
from news.models import PUSH_MODES, DeliveryMode
from news.quiet import QuietHours
from storage.sql import marks

if TYPE_CHECKING:
    import aiosqlite

    from storage.database import Storage


EDIT_DELAY = 600  # seconds an edit waits for more outlets of the event
EDIT_MAX_AGE = 48 * 3600  # older pushes are left as they are (Telegram's limit for deletes)


@dataclass(frozen=True)
class Edit:
    """A sent push to edit, with its chat as the pending row found it."""

    delivery_id: int
    chat_id: int
    story_id: int
    message_id: int
    sent_at: int
    attempts: int
    chat_active: bool
    chat_mode: DeliveryMode
    chat_timezone: str
    chat_previews: bool = True
    chat_language: str = "en"


@dataclass(frozen=True)
class Delivery:
    """A pending outbox row, with what the sender needs of its chat read in the same query."""

    id: int
    chat_id: int
    story_id: int | None  # None for a digest message
    attempts: int
    next_attempt_at: int
    body: str | None = None  # a digest message's text (Telegram HTML)
    chat_active: bool = True
    chat_mode: DeliveryMode = DeliveryMode.BOTH
    chat_timezone: str = "UTC"
    chat_revision: int = 0  # storage.chats.revision when the chat was read
    chat_quiet: QuietHours | None = None  # news/quiet.py
    chat_previews: bool = True  # news.render.preview_for
    chat_language: str = "en"  # news.i18n


_SELECT = """
SELECT d.id, d.chat_id, d.story_id, d.attempts, d.next_attempt_at, d.body,
       coalesce(c.active, 0) AS active, coalesce(c.mode, 'off') AS mode,
       coalesce(c.timezone, 'UTC') AS timezone, c.quiet_start, c.quiet_end,
       coalesce(c.quiet_hold, 0) AS quiet_hold, coalesce(c.previews, 1) AS previews,
       c.language, c.language_code
FROM deliveries AS d LEFT JOIN chats AS c ON c.id = d.chat_id
"""


async def enqueue(
    db: aiosqlite.Connection,
    *,
    story_id: int,
    cluster_id: int,
    brands: Sequence[str],
    keywords: Sequence[str],
    now: int,
) -> int:
    """Queue the story for every active push chat that follows one of its brands or keywords.

    Runs inside the caller's transaction. Returns how many deliveries were added.
    """
    if not brands and not keywords:
        return 0
    conditions, params = [], []
    if brands:
        conditions.append(f"(s.kind = 'brand' AND s.value IN ({marks(len(brands))}))")
        params += brands
    if keywords:
        conditions.append(f"(s.kind = 'keyword' AND s.value IN ({marks(len(keywords))}))")
        params += keywords
    cursor = await db.execute(
        f"""
        INSERT INTO deliveries (chat_id, story_id, cluster_id, next_attempt_at, created_at)
        SELECT DISTINCT s.chat_id, ?, ?, ?, ?
        FROM subscriptions AS s JOIN chats AS c ON c.id = s.chat_id
        WHERE c.active = 1 AND c.mode IN ({marks(len(PUSH_MODES))})
          AND ({" OR ".join(conditions)})
        ON CONFLICT (chat_id, cluster_id) DO NOTHING
        """,
        (story_id, cluster_id, now, now, *sorted(PUSH_MODES), *params),
    )
    return max(cursor.rowcount, 0)


async def queue_edits(db: aiosqlite.Connection, cluster_ids: Iterable[int], *, now: int) -> int:
    """Ask for the sent pushes of these events to be edited (see the module docstring). Runs
    inside the caller's transaction; returns how many edits were added."""
    clusters = sorted(set(cluster_ids))
    if not clusters:
        return 0
    cursor = await db.execute(
        f"""
        INSERT INTO edits (delivery_id, due_at, created_at)
        SELECT d.id, ?, ? FROM deliveries AS d
        WHERE d.kind = 'story' AND d.cluster_id IN ({marks(len(clusters))})
          AND d.status = 'sent' AND d.message_id IS NOT NULL AND d.sent_at >= ?
        ON CONFLICT (delivery_id) DO NOTHING
        """,
        (now + EDIT_DELAY, now, *clusters, now - EDIT_MAX_AGE),
    )
    return max(cursor.rowcount, 0)


async def enqueue_digest(
    db: aiosqlite.Connection, *, chat_id: int, messages: Sequence[str], digest_at: int, now: int
) -> int:
    """Queue a digest's messages, in order. Runs inside the caller's transaction; returns how
    many were added (0 when this occurrence was queued already)."""
    return await enqueue_digest_rows(
        db, [(chat_id, text, digest_at, part, now, now) for part, text in enumerate(messages)]
    )


async def enqueue_digest_rows(
    db: aiosqlite.Connection, rows: Sequence[tuple[int, str, int, int, int, int]]
) -> int:
    """Many digests' messages at once: (chat_id, body, digest_at, part, next_attempt_at,
    created_at) rows, in the order they should go out."""
    if not rows:
        return 0
    cursor = await db.executemany(
        "INSERT INTO deliveries (chat_id, kind, body, digest_at, part, next_attempt_at,"
        " created_at) VALUES (?, 'digest', ?, ?, ?, ?, ?)"
        " ON CONFLICT (chat_id, digest_at, part) DO NOTHING",
        rows,
    )
    return max(cursor.rowcount, 0)


class DeliveryStore:
    def __init__(self, storage: Storage) -> None:
        self._s = storage

    async def pending(self, after_id: int, limit: int = 5000) -> list[Delivery]:
        return await self._committed(
            f"{_SELECT} WHERE d.status = 'pending' AND d.id > ? ORDER BY d.id LIMIT ?",
            (after_id, limit),
        )

    async def pending_for_chat(self, chat_id: int) -> list[Delivery]:
        return await self._committed(
            f"{_SELECT} WHERE d.status = 'pending' AND d.chat_id = ? ORDER BY d.id", (chat_id,)
        )

    async def _committed(self, sql: str, params: tuple) -> list[Delivery]:
        """Committed rows only (Storage.committed): a message sent from a poll's transaction
        that then rolls back (a poll cancelled at shutdown) would be sent again after the
        re-poll."""
        async with self._s.committed() as db:
            revision = self._s.chats.revision
            rows = await db.execute_fetchall(sql, params)
        return [
            Delivery(
                id=r["id"],
                chat_id=r["chat_id"],
                story_id=r["story_id"],
                attempts=r["attempts"],
                next_attempt_at=r["next_attempt_at"],
                body=r["body"],
                chat_active=bool(r["active"]),
                chat_mode=DeliveryMode(r["mode"]),
                chat_timezone=r["timezone"],
                chat_revision=revision,
                chat_quiet=QuietHours.from_minutes(
                    r["quiet_start"], r["quiet_end"], bool(r["quiet_hold"])
                ),
                chat_previews=bool(r["previews"]),
                chat_language=chat_language(r["language"], r["language_code"]),
            )
            for r in rows
        ]

    async def skip(self, delivery_id: int, *, reason: str) -> None:
        """One delivery that will not be sent (its chat left push mode, its story is gone)."""
        async with self._s.transaction() as db:
            await db.execute(
                "UPDATE deliveries SET status = 'skipped', error = ? WHERE id = ?",
                (reason[:300], delivery_id),
            )

    async def mark_sent(self, sent: Iterable[tuple[int, int | None]]) -> None:
        """(delivery id, Telegram message id) pairs."""
        now = self._s.now()
        async with self._s.transaction() as db:
            await db.executemany(
                "UPDATE deliveries SET status = 'sent', sent_at = ?, attempts = attempts + 1,"
                " error = NULL, message_id = ? WHERE id = ?",
                [(now, message_id, i) for i, message_id in sent],
            )

    async def due_edits(self, limit: int = 500) -> list[Edit]:
        """Committed edits that are due, oldest first."""
        async with self._s.committed() as db:
            rows = await db.execute_fetchall(
                """
                SELECT e.delivery_id, e.attempts, d.chat_id, d.story_id, d.message_id,
                       d.sent_at, coalesce(c.active, 0) AS active,
                       coalesce(c.mode, 'off') AS mode, coalesce(c.timezone, 'UTC') AS timezone,
                       coalesce(c.previews, 1) AS previews, c.language, c.language_code
                FROM edits AS e JOIN deliveries AS d ON d.id = e.delivery_id
                LEFT JOIN chats AS c ON c.id = d.chat_id
                WHERE e.due_at <= ? ORDER BY e.due_at, e.delivery_id LIMIT ?
                """,
                (self._s.now(), limit),
            )
        return [
            Edit(
                delivery_id=r["delivery_id"],
                chat_id=r["chat_id"],
                story_id=r["story_id"],
                message_id=r["message_id"],
                sent_at=r["sent_at"] or 0,
                attempts=r["attempts"],
                chat_active=bool(r["active"]),
                chat_mode=DeliveryMode(r["mode"]),
                chat_timezone=r["timezone"],
                chat_previews=bool(r["previews"]),
                chat_language=chat_language(r["language"], r["language_code"]),
            )
            for r in rows
        ]

    async def edit_later(self, delivery_id: int, *, at: int, error: str, attempt: bool) -> None:
        async with self._s.transaction() as db:
            await db.execute(
                "UPDATE edits SET due_at = ?, error = ?, attempts = attempts + ? "
                " WHERE delivery_id = ?",
                (at, error[:300], int(attempt), delivery_id),
            )

    async def finish_edit(self, delivery_id: int) -> None:
        async with self._s.transaction() as db:
            await db.execute("DELETE FROM edits WHERE delivery_id = ?", (delivery_id,))

    async def pending_edits(self) -> int:
        async with self._s.conn.execute("SELECT count(*) FROM edits") as c:
            row = await c.fetchone()
        return int(row[0]) if row else 0

    async def retry_later(self, delivery_id: int, *, at: int, error: str) -> None:
        async with self._s.transaction() as db:
            await db.execute(
                "UPDATE deliveries SET attempts = attempts + 1, next_attempt_at = ?, error = ?"
                " WHERE id = ?",
                (at, error[:300], delivery_id),
            )

    async def give_up(self, delivery_id: int, *, error: str) -> None:
        async with self._s.transaction() as db:
            await db.execute(
                "UPDATE deliveries SET status = 'failed', attempts = attempts + 1, error = ?"
                " WHERE id = ?",
                (error[:300], delivery_id),
            )

    async def skip_chat(self, chat_id: int, *, reason: str) -> int:
        """The chat is gone (blocked the bot, kicked it): drop its pending deliveries."""
        async with self._s.transaction() as db:
            cursor = await db.execute(
                "UPDATE deliveries SET status = 'skipped', error = ?"
                " WHERE chat_id = ? AND status = 'pending'",
                (reason[:300], chat_id),
            )
            return cursor.rowcount

    async def counts(self) -> dict[str, int]:
        async with self._s.conn.execute(
            "SELECT status, count(*) FROM deliveries GROUP BY status"
        ) as c:
            return {row[0]: row[1] async for row in c}
