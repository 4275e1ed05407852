"""The one object that owns the SQLite connection.

SQLite allows one writer at a time; inside this process writes are serialized by an asyncio
lock so two handlers never interleave their transactions on the shared connection. WAL lets the
CLI read the same file while the bot runs. The connection is opened in the application's
`post_init` and closed in `post_shutdown`; handlers reach it through the application.

When a write cannot be made, callers get one exception, DatabaseUnavailable, never a raw
sqlite3 error:
1. Another process holds the write lock: the transaction waits for it, up to WRITE_PATIENCE
   seconds in all (SQLite's busy timeout, retried), then gives up as "locked".
2. The disk is full, the file or its folder became read-only, or the disk fails: "full",
   "read-only", "I/O error", at once (waiting does not help).
3. The first failure is a WARNING line naming the problem, the recovery an INFO line; in
   between nothing more is logged (no traceback per update). `write_problem` says what is
   wrong now (health, /sources).
4. Opening refuses what it cannot use, with one StorageError line: a folder or file it cannot
   create or open, a file that is not SQLite, a schema newer than this code, and (unless
   opened read-only, as the CLI's reading commands do) a database it cannot write.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
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
from storage.meta import MetaStore
from storage.migrations import MIGRATIONS
from storage.sources import SourceStore
from storage.stories import StoryStore
from storage.subscriptions import SubscriptionStore

log = logging.getLogger(__name__)

Clock = Callable[[], float]


WRITE_PATIENCE = 30.0  # seconds a write waits for another process's lock (rule 1)
BUSY_TIMEOUT_MS = 5000  # SQLite's own wait, per attempt

# What SQLite says -> the problem as operators and users are told it (rules 1-2).
_PROBLEMS = (
    ("locked", "locked"),
    ("busy", "locked"),
    ("disk is full", "full"),
    ("readonly", "read-only"),
    ("read-only", "read-only"),
    ("disk i/o error", "I/O error"),
)


class StorageError(NewsbotError, RuntimeError):
    """The database cannot be used (newer schema, unreadable file)."""


class DatabaseUnavailable(StorageError):
    """A write could not be made (rules 1-2); `problem` is "locked", "full", "read-only" or
    "I/O error"."""

    def __init__(self, problem: str, detail: str) -> None:
        super().__init__(f"the database cannot be written ({problem}: {detail})")
        self.problem = problem
        self.detail = detail


def write_problem(exc: BaseException) -> str | None:
    """The problem a sqlite3 error is (rules 1-2), or None for any other error (a bug)."""
    if not isinstance(exc, sqlite3.OperationalError | sqlite3.DatabaseError):
        return None
    text = str(exc).lower()
    return next((problem for needle, problem in _PROBLEMS if needle in text), None)


def _target(path: Path | str, read_only: bool) -> tuple[str, bool]:
    """What to hand sqlite3.connect: (the path or a read-only URI, whether it is a URI),
    once a plain connection has opened it and read its header (rule 4), so that what cannot
    be used is one StorageError here rather than a failure inside aiosqlite's thread."""
    where = str(path)
    if where == ":memory:":
        return where, False
    try:
        if read_only:
            if not Path(path).is_file():
                raise StorageError(f"no database at {where} (the bot creates it on its first run)")
            target, uri = f"{Path(path).resolve().as_uri()}?mode=ro", True
        else:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            target, uri = where, False
        probe = sqlite3.connect(target, uri=uri)
        try:
            probe.execute("PRAGMA schema_version").fetchone()  # reads the header
        finally:
            probe.close()
    except OSError as exc:
        raise StorageError(
            f"cannot create or open the database at {where}: {exc.strerror or exc}"
        ) from None
    except sqlite3.Error as exc:
        raise StorageError(f"cannot open the database at {where}: {exc}") from None
    return target, uri


class Storage:
    def __init__(self, conn: aiosqlite.Connection, clock: Clock, path: str = ":memory:") -> None:
        self.conn = conn
        self.clock = clock
        self.path = path
        self._write_lock = asyncio.Lock()
        self.chats = ChatStore(self)
        self.subscriptions = SubscriptionStore(self)
        self.sources = SourceStore(self)
        self.stories = StoryStore(self)
        self.deliveries = DeliveryStore(self)
        self.digests = DigestStore(self)
        self.archive = Archive(self)
        self.meta = MetaStore(self)
        self.write_problem: str | None = None  # rule 3: what keeps writes from working now

    @classmethod
    async def open(
        cls, path: Path | str, *, clock: Clock = time.time, read_only: bool = False
    ) -> Storage:
        """Open (creating the file and its folder) and migrate to the current schema; with
        `read_only`, open an existing database for reading only: nothing is created, migrated
        or written. Raises StorageError with one line when the database cannot be used
        (rule 4)."""
        where = str(path)
        target, uri = await asyncio.to_thread(_target, path, read_only)
        # isolation_level=None: no implicit transactions; `transaction()` says BEGIN itself.
        conn = await aiosqlite.connect(target, uri=uri, isolation_level=None)
        conn.row_factory = aiosqlite.Row  # columns by name (and still by position)
        try:
            if not read_only:
                await conn.execute("PRAGMA journal_mode = WAL")
            await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            await conn.execute("PRAGMA foreign_keys = ON")
            await conn.execute("PRAGMA synchronous = NORMAL")  # safe with WAL, much faster
            storage = cls(conn, clock, where)
            if read_only:
                await storage._check_schema()
            else:
                await storage._migrate()
                await storage._probe()
        except sqlite3.Error as exc:
            await conn.close()
            problem = write_problem(exc)
            what = "write" if problem else "use"
            raise StorageError(f"cannot {what} the database at {where}: {exc}") from None
        except BaseException:
            await conn.close()
            raise
        return storage

    async def _probe(self) -> None:
        """Rule 4: a real write, committed, so a read-only file or a full disk is found at
        the start and not at the first user's command."""
        await self.conn.execute("BEGIN IMMEDIATE")
        try:
            await self.conn.execute(
                "INSERT INTO meta (key, value) VALUES ('opened_at', ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (str(self.now()),),
            )
            await self.conn.execute("COMMIT")
        except BaseException:
            if self.conn.in_transaction:
                await self.conn.execute("ROLLBACK")
            raise

    async def close(self) -> None:
        async with self._write_lock:  # let a running transaction finish first
            await self.conn.close()

    def now(self) -> int:
        return int(self.clock())

    def size_bytes(self) -> int:
        """The database file and its -wal, as on disk (0 for an in-memory one)."""
        total = 0
        for suffix in ("", "-wal"):
            path = Path(f"{self.path}{suffix}")
            if self.path != ":memory:" and path.exists():
                total += path.stat().st_size
        return total

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """A write transaction: committed on success, rolled back on any exception; a write
        the database refuses raises DatabaseUnavailable (rules 1-3)."""
        async with self._write_lock:
            await self._begin()
            try:
                yield self.conn
                await self.conn.execute("COMMIT")
            except BaseException as exc:
                if self.conn.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        await self.conn.execute("ROLLBACK")
                problem = write_problem(exc)
                if problem is None:
                    raise
                raise self._unavailable(problem, exc) from exc
        self._recovered()

    async def _begin(self) -> None:
        """BEGIN IMMEDIATE, waiting out another process's write lock up to WRITE_PATIENCE."""
        deadline = time.monotonic() + WRITE_PATIENCE
        while True:
            # aiosqlite runs each statement on its own thread, and cancelling the await does
            # not stop the statement. A task cancelled while BEGIN is under way (a worker
            # stopped at shutdown) would leave a transaction open that no one owns, and the
            # next BEGIN would fail; so BEGIN always completes here, and is undone if we were
            # cancelled.
            begin = asyncio.ensure_future(self.conn.execute("BEGIN IMMEDIATE"))
            try:
                await asyncio.shield(begin)
                return
            except asyncio.CancelledError:
                with contextlib.suppress(Exception):
                    await begin
                    await self.conn.execute("ROLLBACK")
                raise
            except sqlite3.Error as exc:
                problem = write_problem(exc)
                if problem is None:
                    raise
                if problem != "locked" or time.monotonic() >= deadline:
                    raise self._unavailable(problem, exc) from exc
                await asyncio.sleep(0.1)  # SQLite waited BUSY_TIMEOUT_MS already

    def _unavailable(self, problem: str, exc: BaseException) -> DatabaseUnavailable:
        if self.write_problem != problem:
            log.warning(
                "The database cannot be written (%s: %s): commands that change anything are"
                " answered \"could not save\", pushes and polls wait", problem, exc,
            )  # fmt: skip
            self.write_problem = problem
        return DatabaseUnavailable(problem, str(exc))

    def _recovered(self) -> None:
        if self.write_problem is not None:
            log.info("The database can be written again (it was: %s)", self.write_problem)
            self.write_problem = None

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

    async def _check_schema(self) -> None:
        """Read-only: the schema must be this code's, since nothing may be migrated."""
        async with self.conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE name = 'schema_migrations'"
        ) as c:
            row = await c.fetchone()
        current = await self.schema_version() if row and row[0] else 0
        latest = MIGRATIONS[-1][0]
        if current != latest:
            newer = "newer" if current > latest else "older"
            raise StorageError(
                f"the database is at schema version {current}, {newer} than this newsbot's"
                f" ({latest}); run `newsbot run` once to bring it up to date"
                if current < latest
                else f"the database is at schema version {current}, newer than this"
                f" newsbot's ({latest}); upgrade newsbot"
            )

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
        if current < latest:
            log.info(
                "Creating the database (schema version %d)" if current == 0
                else "Migrating the database to schema version %d", latest,
            )  # fmt: skip
        for version, sql in MIGRATIONS:
            if version <= current:
                continue
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
