"""What a poll's entries become before storage sees them. Pure: no I/O, no SQL.

The ingest use case (usecases/ingest.py) asks storage which of the entries it already has,
then hands them here; what comes back is stored in one transaction. In order:
1. An entry stored for this source (same identity) with the same content hash is a re-poll:
   dropped before any work, neither summarized nor matched.
2. An entry stored for this source with another content hash is an edit: summarized again
   (its words changed); its tags and pushes stay as they were.
3. Every other entry is new: summarized (news.summary), tagged (news.matching: brands it
   is about, brands it mentions, followed keywords it names) and given the terms its event
   is decided by (news.events.terms), so the store's transaction only compares.
4. A new story is pushable unless it belongs to the source's backlog (the first successful
   poll of a source: stored and searchable, never pushed) or was published before
   `push_since` (NEWSBOT_PUSH_MAX_AGE): yesterday's news is not a notification.
Whether a pushable story reaches a chat is the outbox's rule (storage.deliveries): once per
chat per cluster, to chats in a push mode that follow one of its brands or keywords.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from news.events import Terms, terms
from news.models import StoryDraft
from news.summary import summarize


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


def is_pushable(draft: StoryDraft, *, backlog: bool, push_since: int) -> bool:
    """Rule 4."""
    return not backlog and draft.published_at >= push_since


def prepare(
    drafts: Sequence[StoryDraft],
    known: Mapping[str, str],
    tag: Tagger | None,
    *,
    backlog: bool,
    push_since: int,
) -> list[Incoming]:
    """Rules 1-4. `known` maps this source's stored identities to their content hashes."""
    ready: list[Incoming] = []
    for draft in drafts:
        stored_hash = known.get(draft.identity)
        if stored_hash == draft.content_hash:
            continue  # rule 1
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
                event=terms(draft.title, draft.text),
                pushable=is_pushable(draft, backlog=backlog, push_since=push_since),
            )
        )
    return ready
