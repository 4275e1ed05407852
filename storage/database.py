"""The one object that owns the SQLite connection.

SQLite allows one writer at a time; inside this process writes are serialized by an asyncio
lock so two handlers never interleave their transactions on the shared connection. WAL lets the
CLI read the same file while the bot runs. The connection is opened in the application's
`post_init` and closed in `post_shutdown`; handlers reach it through the application.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite

from news.errors import NewsbotError
from storage.archive import Archive
from storage.chats import ChatStore
from storage.deliveries import DeliveryStore
from storage.digests import DigestStore
from storage.migrations import MIGRATIONS
from storage.sources import SourceStore
from storage.stories import StoryStore
from storage.subscriptions import SubscriptionStore

log = logging.getLogger(__name__)

Clock = Callable[[], float]


class StorageError(NewsbotError, RuntimeError):
    """The database cannot be used (newer schema, unreadable file)."""


class Storage:
    def __init__(self, conn: aiosqlite.Connection, clock: Clock) -> None:
        self.conn = conn
        self.clock = clock
        self._write_lock = asyncio.Lock()
        self.chats = ChatStore(self)
        self.subscriptions = SubscriptionStore(self)
        self.sources = SourceStore(self)
        self.stories = StoryStore(self)
        self.deliveries = DeliveryStore(self)
        self.digests = DigestStore(self)
        self.archive = Archive(self)

    @classmethod
    async def open(cls, path: Path | str, *, clock: Clock = time.time) -> Storage:
        """Open (creating the file and its folder) and migrate to the current schema."""
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: no implicit transactions; `transaction()` says BEGIN itself.
        conn = await aiosqlite.connect(str(path), isolation_level=None)
        conn.row_factory = aiosqlite.Row  # columns by name (and still by position)
        try:
            await conn.execute("PRAGMA journal_mode = WAL")
            await conn.execute("PRAGMA busy_timeout = 5000")
            await conn.execute("PRAGMA foreign_keys = ON")
            await conn.execute("PRAGMA synchronous = NORMAL")  # safe with WAL, much faster
            storage = cls(conn, clock)
            await storage._migrate()
        except BaseException:
            await conn.close()
            raise
        return storage

    async def close(self) -> None:
        async with self._write_lock:  # let a running transaction finish first
            await self.conn.close()

    def now(self) -> int:
        return int(self.clock())

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """A write transaction: committed on success, rolled back on any exception."""
        async with self._write_lock:
            # aiosqlite runs each statement on its own thread, and cancelling the await does not
            # stop the statement. A task cancelled while BEGIN is under way (a worker stopped at
            # shutdown) would leave a transaction open that no one owns, and the next BEGIN
            # would fail; so BEGIN always completes here, and is undone if we were cancelled.
            begin = asyncio.ensure_future(self.conn.execute("BEGIN IMMEDIATE"))
            try:
                await asyncio.shield(begin)
            except asyncio.CancelledError:
                with contextlib.suppress(Exception):
                    await begin
                    await self.conn.execute("ROLLBACK")
                raise
            try:
                yield self.conn
            except BaseException:
                await self.conn.execute("ROLLBACK")
                raise
            await self.conn.execute("COMMIT")

    @asynccontextmanager
    async def committed(self) -> AsyncIterator[aiosqlite.Connection]:
        """Reads that see committed data only. Every task shares this one connection, so a
        plain read would also see another task's open transaction, whose rows may yet roll
        back; holding the write lock means no transaction is open. Use it for reads that
        decide what to send (the outbox, a digest's stories), not for every read."""
        async with self._write_lock:
            yield self.conn

    async def schema_version(self) -> int:
        async with self.conn.execute(
            "SELECT coalesce(max(version), 0) FROM schema_migrations"
        ) as c:
            row = await c.fetchone()
        return int(row[0]) if row else 0

    async def _migrate(self) -> None:
        await self.conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)"
        )
        current = await self.schema_version()
        latest = MIGRATIONS[-1][0]
        if current > latest:
            raise StorageError(
                f"the database is at schema version {current}, newer than this newsbot knows"
                f" ({latest}); upgrade newsbot or point NEWSBOT_DATABASE at another file"
            )
        for version, sql in MIGRATIONS:
            if version <= current:
                continue
            log.info("Migrating database to schema version %d", version)
            # executescript runs the whole migration and its record as one transaction.
            try:
                await self.conn.executescript(
                    f"BEGIN;\n{sql}\n;INSERT INTO schema_migrations (version, applied_at)"
                    f" VALUES ({version}, {self.now()});\nCOMMIT;"
                )
            except BaseException:
                if self.conn.in_transaction:
                    await self.conn.execute("ROLLBACK")
                raise
