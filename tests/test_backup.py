"""`newsbot backup FILE` beside the running bot, and restoring from it."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from collections import Counter

from tests.fakes.feed_server import rss
from tests.harness import poll_now, running_bot, with_desks
from tests.test_cli import clean_env, run_cli

CHATS = range(5001, 5061)


def backup_env(settings) -> dict[str, str]:
    return clean_env(NEWSBOT_DATABASE=str(settings.database))


async def test_a_backup_mid_fan_out_restores_to_a_bot_that_resumes_without_repeats_or_losses(
    settings, telegram, feeds, tmp_path
):
    url = feeds.feed("/d.xml", rss("Desk", [{"title": "Old", "link": "https://x.test/0"}]))
    desks = with_desks(settings, tmp_path, [url])
    copy = tmp_path / "backup.sqlite3"
    held = 50  # of the 60 pushes, these meet a 429 asking for 60 s: still pending at the backup
    async with running_bot(desks, telegram) as bot:
        await poll_now(bot)
        for chat in CHATS:
            await bot.ask("/subscribe xiaomi", chat_id=chat)
        for _ in range(held):
            telegram.rate_limit_next("sendMessage", retry_after=60)
        feeds.feed("/d.xml", rss("Desk", [{"title": "Xiaomi opens a lab in Paris",
                                           "link": "https://x.test/1", "guid": "g1"}]))  # fmt: skip
        await poll_now(bot, deliver=False)
        await telegram.wait_for_call("sendMessage", count=len(CHATS) * 2, timeout=30)
        await asyncio.sleep(0.2)  # the sent ones' marks are committed (every 50 ms)
        result = await asyncio.to_thread(
            run_cli, ["backup", str(copy)], backup_env(desks), tmp_path
        )
        assert result.returncode == 0, result.stderr
        assert "integrity ok" in result.stdout
    # The machine is lost here: the held pushes never went. Restore: copy back, start.
    with sqlite3.connect(copy) as db:
        counts = dict(db.execute("SELECT status, count(*) FROM deliveries GROUP BY status"))
    assert counts == {"sent": len(CHATS) - held, "pending": held}  # taken mid-fan-out

    def pushes() -> Counter[int]:
        return Counter(
            m.chat_id for c in CHATS for m in telegram.sent_to(c) if "x.test/1" in m.text
        )

    assert sum(pushes().values()) == len(CHATS) - held
    database = desks.database
    for suffix in ("-wal", "-shm"):
        database.with_name(database.name + suffix).unlink(missing_ok=True)
    shutil.copyfile(copy, database)
    async with running_bot(desks, telegram) as bot:
        await bot.runtime.sender.drained()
    assert pushes() == Counter(dict.fromkeys(CHATS, 1))  # every chat once: no repeat, no loss


def test_backup_refuses_to_overwrite_and_says_why(settings, tmp_path):
    target = tmp_path / "exists.sqlite3"
    target.write_text("keep me")
    result = run_cli(["backup", str(target)], backup_env(settings), tmp_path)
    assert result.returncode == 2 and "exists" in result.stderr
    assert target.read_text() == "keep me"
    missing = run_cli(["backup", str(tmp_path / "new.sqlite3")], clean_env(
        NEWSBOT_DATABASE=str(tmp_path / "none.sqlite3")), tmp_path)  # fmt: skip
    assert missing.returncode == 2 and "no database" in missing.stderr
