"""A database that cannot be used or written (storage/database.py rules 1-4): refused at the
start with one line, and while running every changing command is answered "could not save",
nothing is lost and the operator reads one WARNING, not a traceback per update."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading

import pytest

from storage import Storage, StorageError
from storage import database as database_module
from storage.database import DatabaseUnavailable, write_problem
from tests.fakes.feed_server import rss
from tests.harness import poll_now, running_bot, with_desks
from tests.test_cli import clean_env, run_cli

ALICE = 1001
COULD_NOT_SAVE = "Could not save that"


# --- rule 1-2: which SQLite errors are which problem -------------------------------------------


@pytest.mark.parametrize(
    ("error", "problem"),
    [
        (sqlite3.OperationalError("database is locked"), "locked"),
        (sqlite3.OperationalError("database is busy"), "locked"),
        (sqlite3.OperationalError("database or disk is full"), "full"),
        (sqlite3.OperationalError("attempt to write a readonly database"), "read-only"),
        (sqlite3.OperationalError("disk I/O error"), "I/O error"),
        (sqlite3.OperationalError("no such table: stories"), None),  # a bug: a traceback
        (ValueError("database is locked"), None),  # not SQLite's
    ],
)
def test_rules_1_and_2_what_sqlite_says_is_one_named_problem(error, problem):
    assert write_problem(error) == problem


# --- rule 4: what the start refuses ------------------------------------------------------------


def _text_file(tmp_path):
    path = tmp_path / "notes.sqlite3"
    path.write_text("these are my notes, not a database\n" * 100, encoding="utf-8")
    return path


def _corrupt_file(tmp_path):
    path = tmp_path / "corrupt.sqlite3"
    path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4080)
    return path


def _directory(tmp_path):
    path = tmp_path / "a-folder"
    path.mkdir()
    return path


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (_text_file, "not a database"),
        (_corrupt_file, "cannot"),
        (_directory, "cannot"),
        (lambda _tmp: "/proc/newsbot/db.sqlite3", "cannot create or open"),
    ],
    ids=["text file", "corrupt file", "a directory", "uncreatable path"],
)
async def test_rule_4_a_database_that_cannot_be_used_is_one_clear_error(tmp_path, make, says):
    path = make(tmp_path)
    with pytest.raises(StorageError) as refused:
        await Storage.open(path)
    message = str(refused.value)
    assert says in message and str(path) in message and "\n" not in message


async def test_rule_4_read_only_opening_creates_and_writes_nothing(tmp_path):
    path = tmp_path / "absent.sqlite3"
    with pytest.raises(StorageError, match="no database at"):
        await Storage.open(path, read_only=True)
    assert not path.exists()
    storage = await Storage.open(path)
    await storage.close()
    before = path.read_bytes()
    reader = await Storage.open(path, read_only=True)
    with pytest.raises(DatabaseUnavailable):
        async with reader.transaction() as db:
            await db.execute("DELETE FROM chats")
    await reader.close()
    assert path.read_bytes() == before


@pytest.mark.parametrize("make", [_text_file, _directory], ids=["text file", "a directory"])
def test_run_and_the_cli_refuse_an_unusable_database_with_exit_2_and_one_line(tmp_path, make):
    env = clean_env(TELEGRAM_BOT_TOKEN="123456:" + "a" * 35, NEWSBOT_DATABASE=str(make(tmp_path)),
                    TELEGRAM_API_URL="http://127.0.0.1:9/bot")  # fmt: skip
    for command in (["run"], ["sources", "list"], ["latest", "apple"]):
        result = run_cli(command, env, tmp_path)
        assert result.returncode == 2, (command, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "database" in lines[0], (command, result.stderr)
        assert "Traceback" not in result.stderr


# --- rules 1-3 while running -----------------------------------------------------------------


@pytest.fixture
async def bot(settings, telegram, feeds, tmp_path):
    url = feeds.feed("/d.xml", rss("Desk", [{"title": "Old", "link": "https://x.test/0"}]))
    async with running_bot(with_desks(settings, tmp_path, [url]), telegram) as bot:
        await poll_now(bot)  # the backlog
        yield bot
    # what reached the error handler is only the refused writes, each answered there
    assert all(isinstance(e, DatabaseUnavailable) for e in bot.errors), bot.errors


class Locker:
    """Another process's writer: a second connection holding BEGIN EXCLUSIVE in a thread."""

    def __init__(self, path) -> None:
        self.path = path
        self.locked = threading.Event()
        self.release = threading.Event()

    def _hold(self) -> None:
        conn = sqlite3.connect(self.path, isolation_level=None, timeout=30)
        conn.execute("BEGIN EXCLUSIVE")
        self.locked.set()
        self.release.wait(60)
        conn.execute("ROLLBACK")
        conn.close()

    async def __aenter__(self) -> Locker:
        self.thread = threading.Thread(target=self._hold, daemon=True)
        self.thread.start()
        await asyncio.to_thread(self.locked.wait, 10)
        return self

    async def __aexit__(self, *exc_info) -> None:
        self.release.set()
        await asyncio.to_thread(self.thread.join, 10)


async def followed(bot) -> list[str]:
    return [s.value for s in await bot.runtime.storage.subscriptions.for_chat(ALICE)]


async def test_a_lock_shorter_than_the_patience_is_waited_out(bot, settings, monkeypatch):
    monkeypatch.setattr(database_module, "WRITE_PATIENCE", 20.0)
    async with Locker(settings.database) as locker:
        asking = asyncio.create_task(bot.ask("/subscribe xiaomi", chat_id=ALICE))
        await asyncio.sleep(1.5)
        assert not asking.done()  # waiting for the other writer
        locker.release.set()
        reply = await asking
    assert "Xiaomi" in reply.plain_text and COULD_NOT_SAVE not in reply.plain_text
    assert await followed(bot) == ["xiaomi"]


async def test_a_lock_held_too_long_is_answered_could_not_save_then_it_works_again(
    bot, settings, monkeypatch, caplog
):
    monkeypatch.setattr(database_module, "WRITE_PATIENCE", 0.5)
    monkeypatch.setattr(database_module, "BUSY_TIMEOUT_MS", 100)
    await bot.runtime.storage.conn.execute("PRAGMA busy_timeout = 100")
    with caplog.at_level(logging.INFO):
        async with Locker(settings.database):
            replies = [await bot.ask(f"/subscribe {b}", chat_id=ALICE) for b in ("xiaomi", "apple")]
        assert all(COULD_NOT_SAVE in r.plain_text for r in replies)
        assert await followed(bot) == []  # nothing half-saved
        assert "Xiaomi" in (await bot.ask("/subscribe xiaomi", chat_id=ALICE)).plain_text
    assert await followed(bot) == ["xiaomi"]
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len([w for w in warnings if "cannot be written (locked" in w.getMessage()]) == 1
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert any("can be written again" in r.getMessage() for r in caplog.records)


async def test_a_database_that_became_read_only_answers_reads_and_refuses_changes(bot, caplog):
    await bot.ask("/subscribe xiaomi", chat_id=ALICE)
    await bot.runtime.storage.conn.execute("PRAGMA query_only = ON")  # SQLITE_READONLY
    with caplog.at_level(logging.WARNING):
        listed = await bot.ask("/list", chat_id=ALICE)
        assert "Xiaomi" in listed.plain_text  # reading still works
        refused = await bot.ask("/unsubscribe xiaomi", chat_id=ALICE)
        assert COULD_NOT_SAVE in refused.plain_text
        assert "Could not save" in (await bot.ask("/mode digest", chat_id=ALICE)).plain_text
    assert bot.runtime.storage.write_problem == "read-only"
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    await bot.runtime.storage.conn.execute("PRAGMA query_only = OFF")
    assert await followed(bot) == ["xiaomi"]  # the refused change was not half made


async def test_a_full_disk_loses_no_story_the_poll_stores_them_when_there_is_room(
    bot, telegram, feeds, caplog
):
    await bot.ask("/subscribe xiaomi", chat_id=ALICE)
    conn = bot.runtime.storage.conn
    async with conn.execute("PRAGMA page_count") as c:
        (pages,) = await c.fetchone()
    await conn.execute(f"PRAGMA max_page_count = {pages}")  # SQLITE_FULL on the next page
    stories = [{"title": f"Xiaomi shows phone number {n} with a long report", "guid": f"g{n}",
                "link": f"https://x.test/{n}", "description": "Xiaomi. " + "Words. " * 400}
               for n in range(1, 4)]  # fmt: skip
    feeds.feed("/d.xml", rss("Desk", stories))
    with caplog.at_level(logging.WARNING):
        await poll_now(bot)
    assert bot.runtime.storage.write_problem == "full"
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    async with conn.execute("SELECT count(*) FROM stories") as c:
        assert (await c.fetchone())[0] == 1  # nothing half-stored: only the old story
    await conn.execute("PRAGMA max_page_count = 1073741823")
    await conn.execute("UPDATE sources SET next_check_at = 0")
    await poll_now(bot)
    assert bot.runtime.storage.write_problem is None
    got = [m for m in telegram.sent_to(ALICE) if "x.test/" in m.text]
    assert sorted(m.plain_text.split("\n")[0] for m in got) == [
        f"Xiaomi shows phone number {n} with a long report" for n in range(1, 4)
    ]


async def test_marks_that_cannot_be_committed_wait_and_nothing_is_sent_twice(
    bot, telegram, feeds, monkeypatch
):
    await bot.ask("/subscribe xiaomi", chat_id=ALICE)
    deliveries = bot.runtime.storage.deliveries
    real = deliveries.mark_sent
    refusals = 0

    async def full_twice(sent):
        nonlocal refusals
        if refusals < 2:
            refusals += 1
            raise DatabaseUnavailable("full", "database or disk is full")
        await real(sent)

    monkeypatch.setattr(deliveries, "mark_sent", full_twice)
    feeds.feed("/d.xml", rss("Desk", [{"title": "Xiaomi opens a store in Paris",
                                       "link": "https://x.test/9", "guid": "g9"}]))  # fmt: skip
    await poll_now(bot)
    assert refusals == 2
    assert (await deliveries.counts()).get("sent") == 1
    assert len([m for m in telegram.sent_to(ALICE) if "x.test/9" in m.text]) == 1
