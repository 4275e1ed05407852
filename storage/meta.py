"""Small facts about the bot kept in the database (table `meta`): the heartbeat the running
bot writes every minute (bot.jobs), so another process (`newsbot health`) can tell whether
the bot is alive and what it did lately; and the opening probe (storage.database rule 4)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from storage.database import Storage


class MetaStore:
    def __init__(self, storage: Storage) -> None:
        self._s = storage

    async def put(self, key: str, value: dict[str, Any]) -> None:
        async with self._s.transaction() as db:
            await db.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, json.dumps(value, separators=(",", ":"))),
            )

    async def get(self, key: str) -> dict[str, Any] | None:
        async with self._s.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)) as c:
            row = await c.fetchone()
        if row is None:
            return None
        try:
            value = json.loads(row[0])
        except ValueError:
            return None  # the probe's plain timestamp, or a damaged row
        return value if isinstance(value, dict) else None
