"""Subscriptions: the brands and keywords each chat follows."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from news.models import Subscription, SubscriptionKind
from storage.sql import chunked, marks

if TYPE_CHECKING:
    from storage.database import Storage


def _subscription(row: Mapping) -> Subscription:
    return Subscription(
        kind=SubscriptionKind(row["kind"]), value=row["value"], label=row["label"], id=row["id"]
    )


class SubscriptionStore:
    def __init__(self, storage: Storage) -> None:
        self._s = storage

    async def add(
        self, chat_id: int, items: Iterable[Subscription], *, limit: int | None = None
    ) -> tuple[list[Subscription], list[Subscription]]:
        """Add what is new; return (added, already followed), in the order given. With
        `limit`, the chat's count is checked in the same transaction as the inserts, so
        commands racing each other can never take a chat past it: what would is left out
        (neither added nor existing)."""
        added: list[Subscription] = []
        existing: list[Subscription] = []
        now = self._s.now()
        async with self._s.transaction() as db:
            count = 0
            if limit is not None:
                async with db.execute(
                    "SELECT count(*) FROM subscriptions WHERE chat_id = ?", (chat_id,)
                ) as c:
                    count = (await c.fetchone())[0]
            for item in items:
                if limit is not None and count >= limit:
                    async with db.execute(
                        "SELECT 1 FROM subscriptions WHERE chat_id = ? AND kind = ? AND value = ?",
                        (chat_id, item.kind.value, item.value),
                    ) as c:
                        if await c.fetchone():
                            existing.append(item)
                    continue
                cur = await db.execute(
                    "INSERT INTO subscriptions (chat_id, kind, value, label, created_at)"
                    " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    (chat_id, item.kind.value, item.value, item.label, now),
                )
                (added if cur.rowcount else existing).append(item)
                count += max(cur.rowcount, 0)
        return added, existing

    async def remove(self, chat_id: int, kind: SubscriptionKind, value: str) -> bool:
        async with self._s.transaction() as db:
            cur = await db.execute(
                "DELETE FROM subscriptions WHERE chat_id = ? AND kind = ? AND value = ?",
                (chat_id, kind.value, value),
            )
            return cur.rowcount > 0

    async def remove_by_id(self, chat_id: int, subscription_id: int) -> Subscription | None:
        """Remove one subscription of this chat by id (inline buttons carry the id)."""
        async with (
            self._s.transaction() as db,
            db.execute(
                "DELETE FROM subscriptions WHERE chat_id = ? AND id = ?"
                " RETURNING id, kind, value, label",
                (chat_id, subscription_id),
            ) as c,
        ):
            row = await c.fetchone()
        return _subscription(row) if row else None

    async def for_chat(self, chat_id: int) -> list[Subscription]:
        """Brands first, then keywords, each alphabetically by what the user sees."""
        async with self._s.conn.execute(
            "SELECT id, kind, value, label FROM subscriptions WHERE chat_id = ?"
            " ORDER BY kind = 'keyword', label COLLATE NOCASE",
            (chat_id,),
        ) as c:
            return [_subscription(row) async for row in c]

    async def for_chats(self, chat_ids: Iterable[int]) -> dict[int, list[Subscription]]:
        """for_chat for many chats at once (the digest tick); chats following nothing are
        absent."""
        found: dict[int, list[Subscription]] = {}
        ids = list(chat_ids)
        for chunk in chunked(ids):
            async with self._s.conn.execute(
                "SELECT chat_id, id, kind, value, label FROM subscriptions"
                f" WHERE chat_id IN ({marks(len(chunk))})"
                " ORDER BY chat_id, kind = 'keyword', label COLLATE NOCASE",
                chunk,
            ) as c:
                async for row in c:
                    found.setdefault(row["chat_id"], []).append(_subscription(row))
        return found

    async def keywords(self) -> frozenset[str]:
        """Every keyword some chat follows (normalized): what the matcher must look for."""
        async with self._s.conn.execute(
            "SELECT DISTINCT value FROM subscriptions WHERE kind = 'keyword'"
        ) as c:
            return frozenset([row[0] async for row in c])

    async def count(self, chat_id: int) -> int:
        async with self._s.conn.execute(
            "SELECT count(*) FROM subscriptions WHERE chat_id = ?", (chat_id,)
        ) as c:
            row = await c.fetchone()
        return int(row[0]) if row else 0
