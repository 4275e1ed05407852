"""Chats: who talks to the bot, and each chat's settings (time zone, delivery mode, active)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import time
from typing import TYPE_CHECKING

from news.digest_schedule import schedule_for
from news.i18n import chat_language
from news.models import Chat, DeliveryMode
from news.quiet import QuietHours

if TYPE_CHECKING:
    import aiosqlite

    from storage.database import Storage

CHAT_COLUMNS = (
    "id, type, title, language_code, timezone, mode, active,"
    " digest_time, digest_quiet, next_digest_at, last_digest_at, digest_story_id,"
    " quiet_start, quiet_end, quiet_hold, previews, language"
)


def chat_from_row(row: Mapping) -> Chat:
    return Chat(
        id=row["id"],
        type=row["type"],
        title=row["title"],
        language_code=row["language_code"],
        timezone=row["timezone"],
        mode=DeliveryMode(row["mode"]),
        active=bool(row["active"]),
        digest_time=time.fromisoformat(row["digest_time"]),
        digest_quiet=bool(row["digest_quiet"]),
        next_digest_at=row["next_digest_at"],
        last_digest_at=row["last_digest_at"],
        digest_story_id=row["digest_story_id"],
        quiet=QuietHours.from_minutes(
            row["quiet_start"], row["quiet_end"], bool(row["quiet_hold"])
        ),
        previews=bool(row["previews"]),
        language=chat_language(row["language"], row["language_code"]),
    )


class ChatStore:
    """Chat rows. `revision` counts the changes this process made to chats' delivery settings
    (mode, time zone, active): the sender, which reads them with each pending delivery, asks
    `changed_since` before it sends and reads the chat again only when it changed."""

    def __init__(self, storage: Storage) -> None:
        self._s = storage
        self.revision = 0
        self._changed_at: dict[int, int] = {}

    def _changed(self, *chat_ids: int) -> None:
        self.revision += 1
        for chat_id in chat_ids:
            self._changed_at[chat_id] = self.revision

    def changed_since(self, chat_id: int, revision: int) -> bool:
        return self._changed_at.get(chat_id, 0) > revision

    async def touch(
        self,
        chat_id: int,
        *,
        type: str,
        title: str | None,
        language_code: str | None,
        default_timezone: str,
        language: str,
        reactivate: bool = False,
    ) -> Chat:
        """Create the chat on first contact, refresh what Telegram tells us about it.

        The time zone and the language are set only on creation (the user may change it later); a chat marked
        inactive (it blocked the bot) becomes active again only when `reactivate` is true,
        i.e. on /start, the user's explicit way back.
        """
        now = self._s.now()
        async with self._s.transaction() as db:
            await db.execute(
                """
                INSERT INTO chats (id, type, title, language_code, language, timezone,
                                   created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET
                    type = excluded.type,
                    title = excluded.title,
                    language_code = coalesce(excluded.language_code, chats.language_code),
                    active = CASE WHEN ? THEN 1 ELSE chats.active END,
                    updated_at = excluded.updated_at
                """,
                (
                    chat_id,
                    type,
                    title,
                    language_code,
                    language,
                    default_timezone,
                    now,
                    now,
                    reactivate,
                ),
            )
            async with db.execute(
                f"SELECT {CHAT_COLUMNS} FROM chats WHERE id = ?", (chat_id,)
            ) as c:
                row = await c.fetchone()
            assert row is not None
            chat = chat_from_row(row)
            if reactivate:
                self._changed(chat_id)
            if chat.digest_on and chat.next_digest_at is None:
                # A new chat (or one from before the digest existed): schedule its first
                # digest now, so it does not depend on when the next tick runs.
                chat = await self._reschedule(db, chat_id, now)
        return chat

    async def get(self, chat_id: int) -> Chat | None:
        async with self._s.conn.execute(
            f"SELECT {CHAT_COLUMNS} FROM chats WHERE id = ?", (chat_id,)
        ) as c:
            row = await c.fetchone()
        return chat_from_row(row) if row else None

    async def set_active(self, chat_id: int, active: bool) -> bool:
        """Mark a chat (in)active; its subscriptions stay. False when the chat is unknown."""
        async with self._s.transaction() as db:
            cur = await db.execute(
                "UPDATE chats SET active = ?, updated_at = ? WHERE id = ?",
                (int(active), self._s.now(), chat_id),
            )
            self._changed(chat_id)
            return cur.rowcount > 0

    async def set_mode(self, chat_id: int, mode: DeliveryMode) -> Chat:
        return await self._update(chat_id, "mode = ?", (mode.value,))

    async def set_digest(
        self, chat_id: int, *, at: time, timezone: str | None, mode: DeliveryMode
    ) -> Chat:
        """/digest HH:MM [zone]: the time, the zone when given, and a mode that includes it."""
        return await self._update(
            chat_id,
            "digest_time = ?, timezone = coalesce(?, timezone), mode = ?",
            (at.strftime("%H:%M"), timezone, mode.value),
        )

    async def set_timezone(self, chat_id: int, timezone: str) -> Chat:
        return await self._update(chat_id, "timezone = ?", (timezone,))

    async def set_digest_quiet(self, chat_id: int, quiet: bool) -> Chat:
        return await self._update(chat_id, "digest_quiet = ?", (int(quiet),))

    async def set_previews(self, chat_id: int, on: bool) -> Chat:
        """/preview on|off."""
        return await self._update(chat_id, "previews = ?", (int(on),))

    async def set_language(self, chat_id: int, language: str) -> Chat:
        """/language ru|en."""
        return await self._update(chat_id, "language = ?", (language,))

    async def set_quiet(self, chat_id: int, hours: QuietHours | None) -> Chat:
        """/quiet HH:MM-HH:MM [hold] or /quiet off."""
        start, end = hours.minutes if hours is not None else (None, None)
        hold = int(hours is not None and hours.hold)
        return await self._update(
            chat_id, "quiet_start = ?, quiet_end = ?, quiet_hold = ?", (start, end, hold)
        )

    async def _update(self, chat_id: int, assignments: str, params: tuple) -> Chat:
        """Change settings and, in the same transaction, move the digest schedule to match,
        so no tick can see the new time with the old schedule."""
        now = self._s.now()
        async with self._s.transaction() as db:
            await db.execute(
                f"UPDATE chats SET {assignments}, updated_at = ? WHERE id = ?",
                (*params, now, chat_id),
            )
            self._changed(chat_id)
            return await self._reschedule(db, chat_id, now)

    async def _reschedule(self, db: aiosqlite.Connection, chat_id: int, now: int) -> Chat:
        """The chat as stored, its digest schedule brought in line with its settings. Handlers
        record the chat before changing it, so an unknown id here is a bug: LookupError."""
        async with db.execute(f"SELECT {CHAT_COLUMNS} FROM chats WHERE id = ?", (chat_id,)) as c:
            row = await c.fetchone()
        if row is None:
            raise LookupError(f"chat {chat_id} is not stored")
        chat = chat_from_row(row)
        next_at = schedule_for(chat, now)
        if next_at != chat.next_digest_at:
            await db.execute("UPDATE chats SET next_digest_at = ? WHERE id = ?", (next_at, chat_id))
        return dataclasses.replace(chat, next_digest_at=next_at)

    async def migrate(self, old_id: int, new_id: int) -> bool:
        """A group became a supergroup with a new id: move the chat and all it owns.

        If the new id is already known (the bot saw the supergroup first), the old chat's
        subscriptions and deliveries are merged into it. Returns False when the old chat is unknown.
        """
        async with self._s.transaction() as db:
            self._changed(old_id, new_id)  # under the write lock, like the rows it describes
            async with db.execute("SELECT 1 FROM chats WHERE id = ?", (old_id,)) as c:
                if await c.fetchone() is None:
                    return False
            async with db.execute("SELECT 1 FROM chats WHERE id = ?", (new_id,)) as c:
                new_exists = await c.fetchone() is not None
            if new_exists:
                await db.execute(
                    "INSERT OR IGNORE INTO subscriptions (chat_id, kind, value, label, created_at)"
                    " SELECT ?, kind, value, label, created_at FROM subscriptions"
                    " WHERE chat_id = ?",
                    (new_id, old_id),
                )
                await db.execute(
                    "INSERT OR IGNORE INTO deliveries (chat_id, kind, story_id, cluster_id,"
                    " body, digest_at, part, status, attempts, next_attempt_at, created_at,"
                    " sent_at, error)"
                    " SELECT ?, kind, story_id, cluster_id, body, digest_at, part, status,"
                    " attempts, next_attempt_at, created_at, sent_at, error"
                    " FROM deliveries WHERE chat_id = ?",
                    (new_id, old_id),
                )
                await db.execute("DELETE FROM chats WHERE id = ?", (old_id,))
            else:
                # Foreign keys are ON UPDATE CASCADE: the subscriptions follow the chat.
                await db.execute(
                    "UPDATE chats SET id = ?, type = 'supergroup', updated_at = ? WHERE id = ?",
                    (new_id, self._s.now(), old_id),
                )
        return True
