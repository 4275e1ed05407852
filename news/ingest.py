"""What a poll's entries become before storage sees them. Pure: no I/O, no SQL.

The ingest use case (usecases/ingest.py) reads a fetched document with `read_document`
(the pure CPU work of a poll in one call, which usecases.parsing runs in a worker process:
parse and normalize the entries the last document did not have unchanged, news.feeds;
summarize them, news.summary; their event terms, news.events.terms), asks storage which of
the entries it already has, then hands them to `prepare`; what comes back is stored in one
transaction. In order:
1. An entry stored for this source (same identity) with the same content hash is a re-poll:
   dropped, neither tagged nor matched. (One the last document had field for field was not
   even read: news.feeds rule 7.)
2. An entry stored for this source with another content hash is an edit: summarized again
   (its words changed); its tags and pushes stay as they were.
3. Every other entry is new: summarized, tagged (news.matching: brands it is about, brands it
   mentions, followed keywords it names) and given the terms its event is decided by, so the
   store's transaction only compares. Entries given to `prepare` without them (a CLI import,
   a benchmark) get them there.
4. A new story is pushable unless it belongs to the source's backlog (the first successful
   poll of a source: stored and searchable, never pushed) or was published before
   `push_since` (NEWSBOT_PUSH_MAX_AGE): yesterday's news is not a notification.
5. A burst is archived, not pushed: of the pushable stories one poll brings, only the
   newest BURST_PUSHES (by published time, then feed order) stay pushable; the rest are
   stored and searchable like any story but never pushed (`Incoming.burst`), and the use case
   tells operators. A feed that suddenly carries hundreds of new items (a CMS re-export, a
   changed identity scheme, a spammer's source) thus costs each follower a handful of pushes,
   which the sender then sends as one bundle (bot.sender), not hours of messages. Ten is
   more than a busy outlet publishes between two polls, so ordinary polls never meet it.
Whether a pushable story reaches a chat is the outbox's rule (storage.deliveries): once per
chat per cluster, to chats in a push mode that follow one of its brands or keywords.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from news.events import Terms, terms
from news.feeds import ParsedFeed, parse_feed
from news.models import StoryDraft
from news.summary import summarize

BURST_PUSHES = 10  # rule 5: pushable stories kept per poll


class Tags(Protocol):
    """What a tagger says about a story (news.matching.MatchResult has this shape)."""

    about: frozenset[str]
    mentions: frozenset[str]
    keywords: frozenset[str]


Tagger = Callable[[StoryDraft], Tags]


@dataclass(frozen=True)
class Incoming:
    """An entry ready to store: summarized, and for a new story tagged (rules 2-4)."""

    draft: StoryDraft
    tags: Tags | None = None  # None for an edit, or when nothing tags stories (a CLI poll)
    pushable: bool = False
    edit: bool = False  # rule 2: the source had this entry with other content
    event: Terms | None = None  # rule 3: what news.events compares (None for an edit)
    burst: bool = False  # rule 5: pushable by rule 4, archived because the poll was a burst


def is_pushable(draft: StoryDraft, *, backlog: bool, push_since: int) -> bool:
    """Rule 4."""
    return not backlog and draft.published_at >= push_since


@dataclass(frozen=True)
class Document:
    """A fetched document, read: its feed with the entries summarized, and their event terms
    by identity."""

    feed: ParsedFeed
    events: Mapping[str, Terms]


def read_document(
    body: bytes,
    *,
    url: str,
    content_type: str | None = None,
    now: int | None = None,
    seen: frozenset[bytes] = frozenset(),
) -> Document:
    """The CPU work of one document (see the module docstring). Never raises for bad input."""
    feed = parse_feed(body, url=url, content_type=content_type, now=now, seen=seen)
    feed.stories = [
        dataclasses.replace(d, summary=summarize(d.title, d.text, d.language)) for d in feed.stories
    ]
    return Document(feed, {d.identity: terms(d.title, d.text) for d in feed.stories})


def prepare(
    drafts: Sequence[StoryDraft],
    known: Mapping[str, str],
    tag: Tagger | None,
    *,
    backlog: bool,
    push_since: int,
    events: Mapping[str, Terms] | None = None,
) -> list[Incoming]:
    """Rules 1-5. `known` maps this source's stored identities to their content hashes;
    `events`, the terms `read_document` computed."""
    ready: list[Incoming] = []
    for draft in drafts:
        stored_hash = known.get(draft.identity)
        if stored_hash == draft.content_hash:
            continue  # rule 1
        if not draft.summary:
            draft = dataclasses.replace(
                draft, summary=summarize(draft.title, draft.text, draft.language)
            )
        if stored_hash is not None:
            ready.append(Incoming(draft, edit=True))  # rule 2
            continue
        ready.append(
            Incoming(
                draft,
                tags=tag(draft) if tag is not None else None,
                event=(events or {}).get(draft.identity) or terms(draft.title, draft.text),
                pushable=is_pushable(draft, backlog=backlog, push_since=push_since),
            )
        )
    return archive_burst(ready)


def archive_burst(ready: list[Incoming]) -> list[Incoming]:
    """Rule 5: keep the newest BURST_PUSHES pushable stories pushable, archive the rest."""
    pushable = [i for i, item in enumerate(ready) if item.pushable]
    if len(pushable) <= BURST_PUSHES:
        return ready
    # newest first; among equal times the feed's own order (newest on top, as feeds list)
    newest = sorted(pushable, key=lambda i: (-ready[i].draft.published_at, i))[:BURST_PUSHES]
    keep = set(newest)
    return [
        dataclasses.replace(item, pushable=False, burst=True)
        if item.pushable and i not in keep
        else item
        for i, item in enumerate(ready)
    ]
