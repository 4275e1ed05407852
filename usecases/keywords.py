"""A keyword followed for the first time: the stories of the digest window that name it.

Keyword hits are stored at ingest for the keywords followed then (storage.stories), and the
digest reads them. A keyword nobody followed when a story arrived has no hit for it; so when
a chat starts following a keyword, the stories published in the last two WINDOWs (what the
next digest can cover, with a day's margin for stories first seen late) are looked up
through the FTS index, decided by the keyword rule (news.matching.names_keyword), and
recorded. /latest needs no such step: it applies the rule
to older stories itself (usecases.latest).
"""

from __future__ import annotations

from collections.abc import Iterable

from news.digest_schedule import WINDOW
from news.matching import names_keyword
from storage import Storage

MAX_CANDIDATES = 5000  # two days of news seldom hold more stories naming one keyword
BATCH = 200


async def record_recent_hits(storage: Storage, keywords: Iterable[str]) -> int:
    """Record the window's stories that name each keyword; returns how many hits. The
    candidates are read BATCH at a time (each with its text), at most MAX_CANDIDATES."""
    # Published up to a day before the window: a story may be first seen late.
    since = storage.now() - 2 * WINDOW
    found = 0
    for keyword in keywords:
        hits: list[int] = []
        cursor = None
        for _ in range(MAX_CANDIDATES // BATCH):
            candidates = await storage.archive.keyword_candidates(
                keyword, BATCH, cursor, since=since
            )
            hits += [c.id for c in candidates if names_keyword(keyword, c.title, c.text)]
            if len(candidates) < BATCH:
                break
            cursor = (candidates[-1].published_at, candidates[-1].id)
        await storage.archive.add_keyword_hits(keyword, hits)
        found += len(hits)
    return found
