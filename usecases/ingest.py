"""The ingest use case: from a fetched feed body to stories stored and pushes enqueued.

In the shape of miniflux's RefreshFeed, one function reads top to bottom (`ingest`):
1. read the document (news.ingest.read_document: parse and normalize the entries that are
   not the last document's unchanged, summarize them; in a worker process, usecases.parsing);
2. ask storage which entries this source already has (a plain read);
3. prepare what is new or edited (news.ingest: brands and keywords, whether a story is
   pushable; in a thread, outside the write lock);
4. one unit of work (storage.stories.store): stories, sources, tags and outbox rows, committed
   together, so a push exists only for a story that exists;
5. a poll that was a burst (news.ingest rule 5: more pushable stories than BURST_PUSHES) is
   told to operators in one WARNING line: how many stories were archived without a push.
Fetching, the source's status and its schedule are the poller's (fetch.poller); read-also is
computed when a push is sent (usecases.related), not while other writers wait.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from fetch.http import FetchResult
from news.catalogue import Catalogue
from news.events import Terms
from news.feeds import ParsedFeed, split_fingerprints
from news.ingest import BURST_PUSHES, Tagger, prepare
from news.matching import Matcher, source_brand
from news.models import Source, StoryDraft
from storage import Storage
from storage.stories import StoreResult
from usecases.parsing import Reader

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Ingested:
    feed: ParsedFeed
    stored: StoreResult


class Tagging:
    """Tags stories with the catalogue and the keywords chats follow right now; the matcher is
    recompiled only when that set of keywords changed. A brand's own blog or newsroom
    (news.matching.source_brand) makes every story of the feed about that brand."""

    def __init__(self, storage: Storage, matcher: Matcher, catalogue: Catalogue) -> None:
        self._storage = storage
        self._matcher = matcher
        self._catalogue = catalogue
        self._keywords: frozenset[str] = frozenset()

    async def tagger(self, source: Source, feed_title: str | None) -> Tagger:
        keywords = await self._storage.subscriptions.keywords()
        if keywords != self._keywords:
            self._matcher = self._matcher.with_keywords(keywords)
            self._keywords = keywords
        matcher = self._matcher
        hint = source_brand(self._catalogue, source.title or feed_title)
        return lambda draft: matcher.match(draft.title, draft.text, hint)


async def ingest(
    storage: Storage,
    source: Source,
    fetched: FetchResult,
    *,
    tagging: Tagging | None,
    push_since: int,
    reader: Reader,
) -> Ingested:
    """Steps 1-4 for one fetched document. A document that is not a usable feed comes back
    with `feed.problem` set and nothing stored."""
    document = await reader.read(
        fetched.body, url=fetched.url, content_type=fetched.content_type, now=storage.now(),
        # a first poll that failed to store anything must read every entry again
        seen=split_fingerprints(source.entry_hashes) if source.backlog_done else frozenset(),
    )  # fmt: skip
    feed = document.feed
    if feed.problem or not feed.stories:
        return Ingested(feed, StoreResult())
    stored = await store_entries(
        storage,
        source.id,
        feed.stories,
        tag=await tagging.tagger(source, feed.title) if tagging is not None else None,
        backlog=not source.backlog_done,  # a source's first successful poll
        push_since=push_since,
        events=document.events,
    )
    if stored.archived:
        log.warning(
            "Source %s (%s) brought %d new stories in one poll: pushed the newest %d and"
            " archived %d without a push (searchable, in /latest)", source.id, source.url,
            len(stored.new), BURST_PUSHES, stored.archived,
        )  # fmt: skip
    return Ingested(feed, stored)


async def store_entries(
    storage: Storage,
    source_id: int,
    drafts: Sequence[StoryDraft],
    *,
    tag: Tagger | None,
    backlog: bool,
    push_since: int,
    events: Mapping[str, Terms] | None = None,
) -> StoreResult:
    """Steps 2-4: a source's parsed entries to stories, tags and outbox rows."""
    known = await storage.stories.content_hashes(source_id, [d.identity for d in drafts])
    incoming = await asyncio.to_thread(
        prepare, drafts, known, tag, backlog=backlog, push_since=push_since, events=events
    )
    return await storage.stories.store(source_id, incoming, backlog=backlog)
