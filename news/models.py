"""Plain data the domain, the storage and the handlers pass between them (no I/O here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from enum import StrEnum

from news.quiet import QuietHours


class SubscriptionKind(StrEnum):
    BRAND = "brand"
    KEYWORD = "keyword"


class DeliveryMode(StrEnum):
    """How a chat wants its news: a message per story, a daily digest, both, or nothing."""

    INSTANT = "instant"
    DIGEST = "digest"
    BOTH = "both"
    OFF = "off"


# The modes that receive instant pushes (the outbox query and the sender both ask).
PUSH_MODES = frozenset({DeliveryMode.INSTANT, DeliveryMode.BOTH})
# The modes that receive the daily digest (the digest tick and /digest ask).
DIGEST_MODES = frozenset({DeliveryMode.DIGEST, DeliveryMode.BOTH})

DEFAULT_DIGEST_TIME = time(9, 0)  # also the chats.digest_time column default (migration 5)


@dataclass(frozen=True)
class Subscription:
    """One thing a chat follows. `value` is the brand key or the normalized keyword;
    `label` is what the user sees (a brand's display name, or the keyword as typed)."""

    kind: SubscriptionKind
    value: str
    label: str
    id: int | None = None


@dataclass(frozen=True)
class Chat:
    id: int
    type: str
    title: str | None
    language_code: str | None
    timezone: str
    mode: DeliveryMode
    active: bool
    digest_time: time = DEFAULT_DIGEST_TIME  # local wall-clock time in `timezone`
    digest_quiet: bool = True  # a day without news sends nothing
    next_digest_at: int | None = None  # UTC seconds; None until the digest tick computes it
    last_digest_at: int | None = None  # the scheduled occurrence last served
    digest_story_id: int = 0  # the newest story a digest (scheduled or /digest now) covered
    quiet: QuietHours | None = None  # pushes arrive silently then (news/quiet.py)
    previews: bool = True  # a push shows its story's image (news.render.preview_for)
    language: str = "en"  # what the bot writes in, to this chat (news.i18n)

    @property
    def digest_on(self) -> bool:
        return self.mode in DIGEST_MODES


class SourceOrigin(StrEnum):
    FILE = "file"  # the operator's OPML file
    CLI = "cli"  # `newsbot sources add`
    CHAT = "chat"  # /addsource: untrusted, fetched only from public addresses


class SourceStatus(StrEnum):
    NEW = "new"
    OK = "ok"
    NOT_MODIFIED = "not_modified"
    ERROR = "error"


@dataclass(frozen=True)
class Source:
    id: int
    url: str
    title: str | None
    site_url: str | None
    origin: SourceOrigin
    status: SourceStatus
    last_error: str | None
    error_count: int
    failing_since: int | None
    alerted: bool
    etag: str | None
    last_modified: str | None
    last_checked_at: int | None
    last_success_at: int | None
    next_check_at: int
    backlog_done: bool
    body_hash: str | None = None  # of the last document ingested (fetch.poller: unchanged)
    entry_hashes: bytes | None = None  # its entries' fingerprints (news.feeds rule 7)


@dataclass(frozen=True)
class StoryDraft:
    """A feed entry, normalized, before it is stored.

    `identity` is the story's identity within its source: "guid:…", else "link:…", else
    "hash:…" of title and text. `content_hash` changes when the publisher edits the story.
    """

    identity: str
    link: str | None
    title: str
    title_key: str
    text: str
    author: str | None
    image_url: str | None
    language: str | None
    published_at: int
    content_hash: str
    summary: str = ""  # computed once, for new and edited entries only (news.ingest)
