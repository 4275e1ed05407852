"""Plain data the domain, the storage and the handlers pass between them (no I/O here)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class SubscriptionKind(StrEnum):
    BRAND = "brand"
    KEYWORD = "keyword"


class DeliveryMode(StrEnum):
    """How a chat wants its news: a message per story, a daily digest, both, or nothing."""

    INSTANT = "instant"
    DIGEST = "digest"
    BOTH = "both"
    OFF = "off"


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
