"""Storage on a real SQLite file: migrations, chats, subscriptions."""

import asyncio
import sqlite3

import pytest

from news.models import DeliveryMode, Subscription, SubscriptionKind
from storage import Storage, StorageError
from storage.deliveries import enqueue_digest
from storage.migrations import MIGRATIONS

BRAND = SubscriptionKind.BRAND
KEYWORD = SubscriptionKind.KEYWORD


@pytest.fixture
async def storage(tmp_path):
    s = await Storage.open(tmp_path / "data" / "bot.sqlite3")
    yield s
    await s.close()


async def new_chat(storage, chat_id=1):
    return await storage.chats.touch(
        chat_id,
        type="private",
        title="Ann",
        language_code="en",
        language="en",
        default_timezone="Europe/Berlin",
    )


async def test_opening_creates_the_file_and_folder_in_wal_mode(tmp_path):
    path = tmp_path / "nested" / "dir" / "bot.sqlite3"
    s = await Storage.open(path)
    async with s.conn.execute("PRAGMA journal_mode") as c:
        assert (await c.fetchone())[0] == "wal"
    async with s.conn.execute("PRAGMA foreign_keys") as c:
        assert (await c.fetchone())[0] == 1
    assert await s.schema_version() == MIGRATIONS[-1][0]
    await s.close()
    assert path.is_file()


async def test_reopening_keeps_data_and_does_not_migrate_twice(tmp_path):
    path = tmp_path / "bot.sqlite3"
    s = await Storage.open(path)
    await new_chat(s)
    await s.subscriptions.add(1, [Subscription(BRAND, "xiaomi", "Xiaomi")])
    await s.close()
    s = await Storage.open(path)
    assert [x.value for x in await s.subscriptions.for_chat(1)] == ["xiaomi"]
    async with s.conn.execute("SELECT count(*) FROM schema_migrations") as c:
        assert (await c.fetchone())[0] == len(MIGRATIONS)
    await s.close()


async def test_a_database_from_a_newer_version_is_refused(tmp_path):
    path = tmp_path / "bot.sqlite3"
    await (await Storage.open(path)).close()
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO schema_migrations VALUES (9999, 0)")
    with pytest.raises(StorageError, match="newer"):
        await Storage.open(path)


async def test_new_chat_gets_defaults_and_first_timezone_sticks(storage):
    chat = await new_chat(storage)
    assert (chat.timezone, chat.mode, chat.active) == ("Europe/Berlin", DeliveryMode.BOTH, True)
    again = await storage.chats.touch(
        1, type="private", title="Ann B", language_code=None, language="en", default_timezone="UTC"
    )
    assert again.timezone == "Europe/Berlin"  # default applies only on creation
    assert again.language_code == "en"  # not erased by an update that lacks it
    assert again.title == "Ann B"


async def test_inactive_chat_comes_back_only_when_asked(storage):
    await new_chat(storage)
    assert await storage.chats.set_active(1, False)
    assert not (await new_chat(storage)).active
    chat = await storage.chats.touch(
        1,
        type="private",
        title=None,
        language_code=None,
        language="en",
        default_timezone="UTC",
        reactivate=True,
    )
    assert chat.active
    assert not await storage.chats.set_active(404, False)  # unknown chat: nothing to do


async def test_subscriptions_add_reports_new_and_existing(storage):
    await new_chat(storage)
    apple = Subscription(BRAND, "apple", "Apple")
    fusion = Subscription(KEYWORD, "fusion", "Fusion")
    added, existing = await storage.subscriptions.add(1, [apple, fusion])
    assert (added, existing) == ([apple, fusion], [])
    added, existing = await storage.subscriptions.add(1, [apple])
    assert (added, existing) == ([], [apple])
    listed = await storage.subscriptions.for_chat(1)
    assert [(s.kind, s.value) for s in listed] == [(BRAND, "apple"), (KEYWORD, "fusion")]
    assert await storage.subscriptions.count(1) == 2


async def test_chats_never_see_each_others_subscriptions(storage):
    await new_chat(storage, 1)
    await new_chat(storage, 2)
    await storage.subscriptions.add(1, [Subscription(BRAND, "apple", "Apple")])
    assert await storage.subscriptions.for_chat(2) == []
    first = (await storage.subscriptions.for_chat(1))[0]
    assert await storage.subscriptions.remove_by_id(2, first.id) is None  # not chat 2's
    assert await storage.subscriptions.remove_by_id(1, first.id) == first


async def test_remove_by_kind_and_value(storage):
    await new_chat(storage)
    await storage.subscriptions.add(1, [Subscription(KEYWORD, "fusion", "Fusion")])
    assert not await storage.subscriptions.remove(1, BRAND, "fusion")
    assert await storage.subscriptions.remove(1, KEYWORD, "fusion")
    assert await storage.subscriptions.for_chat(1) == []


async def test_a_failed_transaction_leaves_nothing_behind(storage):
    await new_chat(storage)
    with pytest.raises(RuntimeError):
        async with storage.transaction() as db:
            await db.execute("UPDATE chats SET mode = 'off' WHERE id = 1")
            raise RuntimeError("boom")
    assert (await storage.chats.get(1)).mode is DeliveryMode.BOTH


async def test_migrating_a_group_moves_its_subscriptions(storage):
    await new_chat(storage, -5)
    await storage.subscriptions.add(-5, [Subscription(BRAND, "apple", "Apple")])
    assert await storage.chats.migrate(-5, -1005)
    assert await storage.chats.get(-5) is None
    assert (await storage.chats.get(-1005)).type == "supergroup"
    assert [s.value for s in await storage.subscriptions.for_chat(-1005)] == ["apple"]
    assert not await storage.chats.migrate(-5, -1005)  # the second announcement is a no-op


async def test_migrating_into_a_known_chat_merges_subscriptions(storage):
    await new_chat(storage, -5)
    await new_chat(storage, -1005)
    await storage.subscriptions.add(-5, [Subscription(BRAND, "apple", "Apple")])
    await storage.subscriptions.add(-1005, [Subscription(BRAND, "apple", "Apple")])
    await storage.subscriptions.add(-1005, [Subscription(KEYWORD, "fusion", "fusion")])
    assert await storage.chats.migrate(-5, -1005)
    assert sorted(s.value for s in await storage.subscriptions.for_chat(-1005)) == [
        "apple",
        "fusion",
    ]
    assert await storage.subscriptions.for_chat(-5) == []


async def test_a_writer_cancelled_while_beginning_leaves_no_transaction_open(storage):
    """A worker stopped at shutdown in the middle of BEGIN must not leave the connection in a
    transaction nobody owns: the next write (the sender's final flush) has to succeed."""

    async def writer() -> None:
        async with storage.transaction() as db:
            await db.execute("UPDATE chats SET title = 'never'")

    task = asyncio.create_task(writer())
    await asyncio.sleep(0)  # the writer holds the lock and waits on BEGIN
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not storage.conn.in_transaction
    await storage.chats.touch(
        5, type="private", title="after", language_code=None, language="en", default_timezone="UTC"
    )
    assert (await storage.chats.get(5)).title == "after"


async def test_the_outbox_never_shows_rows_of_a_transaction_that_may_roll_back(storage):
    """All tasks share one connection, so a plain read would see another task's open
    transaction. The sender must not send a message whose row is then rolled back (a poll
    cancelled at shutdown), or it would be sent again when the story is polled again."""
    await new_chat(storage)
    written, release = asyncio.Event(), asyncio.Event()

    async def poll_that_fails() -> None:
        async with storage.transaction() as db:
            await enqueue_digest(db, chat_id=1, messages=["hello"], digest_at=60, now=60)
            written.set()
            await release.wait()
            raise RuntimeError("cancelled poll")

    writer = asyncio.create_task(poll_that_fails())
    await written.wait()
    reader = asyncio.create_task(storage.deliveries.pending(0))
    await asyncio.sleep(0.05)
    assert not reader.done()  # it waits for the transaction to end
    release.set()
    with pytest.raises(RuntimeError):
        await writer
    assert await reader == []
    assert await storage.deliveries.pending(0) == []


async def test_the_subscription_limit_holds_when_commands_race(storage):
    from news.models import Subscription, SubscriptionKind

    def words(start: int) -> list[Subscription]:
        return [
            Subscription(SubscriptionKind.KEYWORD, f"w{i}", f"w{i}")
            for i in range(start, start + 20)
        ]

    await new_chat(storage)  # chat 1
    results = await asyncio.gather(
        *(storage.subscriptions.add(1, words(20 * n), limit=100) for n in range(6))
    )
    assert sum(len(added) for added, _ in results) == 100
    assert await storage.subscriptions.count(1) == 100
