"""usecases.parsing, rule by rule: feeds read in worker processes, a worker that dies, stop."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from news.ingest import read_document
from news.models import SourceStatus
from tests.fakes.feed_server import rss
from tests.harness import poll_now, running_bot, with_desks
from tests.test_push import story
from usecases.parsing import DIED, MAX_WORKERS, Reader, default_workers

ROOT = Path(__file__).resolve().parents[1]
ALICE = 1001
NOW = int(datetime.now(UTC).timestamp())


def dies_on_poison(body: bytes, **kwargs):
    """A document reader whose process dies on one document, as a worker killed by the
    kernel's out-of-memory killer would (module level: workers import it by name)."""
    if b"POISON" in body:
        os._exit(9)
    return read_document(body, **kwargs)


def where_read(body: bytes, **kwargs):
    document = read_document(body, **kwargs)
    document.feed.title = f"{document.feed.title} (pid {os.getpid()})"
    return document


async def test_rule_1_a_bot_reads_its_feeds_in_a_worker_process_and_pushes_as_usual(
    settings, telegram, feeds, tmp_path
):
    url = feeds.feed("/f.xml", rss("Desk", [story(1, "Old story")]))
    settings = dataclasses.replace(with_desks(settings, tmp_path, [url]), parse_workers=1)
    async with running_bot(settings, telegram) as bot:
        await poll_now(bot)  # the backlog, silent
        await bot.ask("/subscribe xiaomi", chat_id=ALICE)
        feeds.feed("/f.xml", rss("Desk", [story(2, "Xiaomi opens a store in Dubai"),
                                         story(1, "Old story")]))  # fmt: skip
        await poll_now(bot)
        reader = bot.runtime.poller.reader
        assert reader.workers == 1
        workers = reader.pids()
        assert workers and os.getpid() not in workers
    pushed = [m.text for m in telegram.sent_to(ALICE) if "Dubai" in m.text]
    assert len(pushed) == 1
    assert all(not _alive(pid) for pid in workers)  # rule 3: stopped with the bot


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is gone for every purpose but its entry in the process table
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ")[-1][0] != "Z"
    except FileNotFoundError:
        return False


async def test_rule_1_with_workers_a_document_is_read_in_another_process():
    reader = Reader(1, read=where_read)
    try:
        document = await reader.read(
            rss("Desk", [story(1, "A story")]).encode(), url="https://f.test/", content_type=None,
            now=NOW,
        )  # fmt: skip
    finally:
        await reader.aclose()
    assert document.feed.problem is None and len(document.feed.stories) == 1
    assert document.feed.title != f"Desk (pid {os.getpid()})"
    assert document.feed.stories[0].summary  # summarized there, with the rest of the work


async def test_rule_1_with_no_workers_a_document_is_read_in_a_thread_of_the_bot():
    reader = Reader(0, read=where_read)
    document = await reader.read(
        rss("Desk", [story(1, "A story")]).encode(), url="https://f.test/", content_type=None,
        now=NOW,
    )  # fmt: skip
    assert document.feed.title == f"Desk (pid {os.getpid()})" and reader.pids() == []


@pytest.mark.parametrize(
    ("cpus", "workers"), [(1, 0), (2, 1), (3, 2), (5, MAX_WORKERS), (64, MAX_WORKERS)]
)
def test_rule_1_by_default_one_worker_less_than_the_cpus_at_most_max_workers(
    cpus, workers, monkeypatch
):
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: set(range(cpus)), raising=False)
    assert default_workers() == workers


async def test_rule_2_a_worker_that_dies_fails_its_document_and_the_next_one_is_read():
    reader = Reader(1, read=dies_on_poison)
    try:
        died = await reader.read(
            rss("POISON", [story(1, "A story")]).encode(), url="https://f.test/a",
            content_type=None, now=NOW,
        )  # fmt: skip
        after = await reader.read(
            rss("Desk", [story(2, "Another story")]).encode(), url="https://f.test/b",
            content_type=None, now=NOW,
        )  # fmt: skip
    finally:
        await reader.aclose()
    assert (died.feed.problem, died.feed.stories) == (DIED, [])
    assert after.feed.problem is None and len(after.feed.stories) == 1


async def test_rule_2_the_source_whose_document_killed_a_worker_records_it_and_recovers(
    settings, telegram, feeds, tmp_path, caplog
):
    url = feeds.feed("/f.xml", rss("POISON", [story(1, "Old story")]))
    settings = dataclasses.replace(with_desks(settings, tmp_path, [url]), parse_workers=1)
    async with running_bot(settings, telegram) as bot:
        bot.runtime.poller.reader = Reader(1, read=dies_on_poison)
        await poll_now(bot)
        (source,) = await bot.runtime.storage.sources.all()
        assert (source.status, source.last_error) == (SourceStatus.ERROR, DIED)
        feeds.feed("/f.xml", rss("Desk", [story(1, "Old story")]))
        await poll_now(bot)
        (source,) = await bot.runtime.storage.sources.all()
        assert (source.status, source.last_error) == (SourceStatus.OK, None)
        await bot.runtime.poller.reader.aclose()
    assert "Traceback" not in caplog.text


KILLED_BOT = """
import asyncio, os, signal, sys
from usecases.parsing import Reader
from tests.fakes.feed_server import rss

async def main():
    reader = Reader(1)
    body = rss("Desk", [{"title": "A story", "link": "https://x.test/1"}]).encode()
    await reader.read(body, url="https://f.test/", content_type=None, now=1_800_000_000)
    os.kill(reader.pids()[0], signal.SIGINT)  # Ctrl-C in a terminal reaches the workers too
    await reader.read(body, url="https://f.test/", content_type=None, now=1_800_000_000)
    print(*reader.pids(), flush=True)
    os.kill(os.getpid(), signal.SIGKILL)

if __name__ == "__main__":
    asyncio.run(main())
"""


@pytest.mark.skipif(sys.platform != "linux", reason="PR_SET_PDEATHSIG is Linux's")
async def test_rule_4_workers_ignore_ctrl_c_and_die_with_a_bot_killed_outright(tmp_path):
    script = tmp_path / "bot.py"
    script.write_text(KILLED_BOT, encoding="utf-8")
    proc = await asyncio.create_subprocess_exec(
        sys.executable, str(script), cwd=ROOT, env=os.environ | {"PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    # the pipes close when every process holding them (the bot, its workers) has ended
    out, err = await asyncio.wait_for(proc.communicate(), timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert "Traceback" not in err.decode() and "KeyboardInterrupt" not in err.decode()
    (worker,) = map(int, out.split())
    for _ in range(50):
        if not _alive(worker):
            break
        await asyncio.sleep(0.1)
    assert not _alive(worker)
