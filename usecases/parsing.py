"""Where fetched documents are read (news.ingest.read_document): off the event loop, and on
the other cores when the machine has them.

Reading a document (parse, normalize, summarize, event terms) is pure CPU work, most of a
first poll's. In a thread it holds the interpreter's lock with the event loop, so a bot
polling a thousand sources used one core of two. The rules:
1. With `workers` >= 1 (NEWSBOT_PARSE_WORKERS; by default one less than the CPUs, at most
   MAX_WORKERS), documents are read in that many worker processes, started on first use as
   fresh interpreters (never a fork of the bot, which runs threads; about half a second
   each) and replaced after TASKS_PER_WORKER documents, so a worker's memory never stays at
   the peak of the largest feed it once read. With 0 (a one-CPU machine), in a thread.
2. A worker that dies (killed, out of memory) fails only the documents it was given: each
   comes back as a problem (`Document.feed.problem`), so the poller records it on its
   source and tries again on the source's schedule; the pool is replaced for the next one.
3. `aclose` stops the workers: documents waiting for one are dropped (their polls end with
   the bot), the few being read are finished.
4. Workers never outlive the bot nor answer its signals: Ctrl-C (SIGINT, sent to the whole
   terminal's process group) is the bot's to handle, and a bot killed outright (SIGKILL)
   takes its workers with it (Linux: PR_SET_PDEATHSIG; a fork server would stand between
   them and keep them alive), so no orphan keeps its log open.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from news.feeds import ParsedFeed
from news.ingest import Document, read_document

log = logging.getLogger(__name__)

MAX_WORKERS = 4  # the event loop's own work (matching, storage) bounds a poll beyond this
TASKS_PER_WORKER = 500
DIED = "internal error: the parser process stopped while reading this document"


def default_workers() -> int:
    """Rule 1: one less than the CPUs this process may run on, at most MAX_WORKERS."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(0, min(MAX_WORKERS, cpus - 1))


class Reader:
    """Reads documents in worker processes (or a thread: rule 1)."""

    def __init__(self, workers: int | None, read: Callable[..., Document] = read_document) -> None:
        self.workers = default_workers() if workers is None else workers  # None: rule 1's
        self._read = read  # a module-level function: workers import it by name
        self._pool: ProcessPoolExecutor | None = None

    async def read(
        self,
        body: bytes,
        *,
        url: str,
        content_type: str | None,
        now: int,
        seen: frozenset[bytes] = frozenset(),
    ) -> Document:
        work = functools.partial(
            self._read, body, url=url, content_type=content_type, now=now, seen=seen
        )
        if self.workers == 0:
            return await asyncio.to_thread(work)
        pool = self._running()
        try:
            return await asyncio.get_running_loop().run_in_executor(pool, work)
        except BrokenProcessPool:  # rule 2
            if self._pool is pool:
                log.error("A document reader process stopped; starting another (%s)", url)
                self._pool = None
                pool.shutdown(wait=False, cancel_futures=True)
            return Document(ParsedFeed(problem=DIED), {})

    def _running(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                self.workers, mp_context=multiprocessing.get_context("spawn"),
                max_tasks_per_child=TASKS_PER_WORKER, initializer=_worker_started,
                initargs=(os.getpid(),),
            )  # fmt: skip
        return self._pool

    def pids(self) -> list[int]:
        """The worker processes running now (for benchmarks and tests)."""
        processes = getattr(self._pool, "_processes", None) or {}
        return [p.pid for p in processes.values() if p.pid is not None]

    async def aclose(self) -> None:
        """Rule 3."""
        pool, self._pool = self._pool, None
        if pool is not None:
            await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)


def _worker_started(bot: int) -> None:
    """Rule 4, in each worker as it starts."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform == "linux":
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None).prctl(pr_set_pdeathsig, signal.SIGKILL)
        if os.getppid() != bot:  # the bot died before the line above
            os._exit(0)
