"""Pacing every request to Telegram: one limiter for command replies and pushes alike.

python-telegram-bot lets an application plug in a rate limiter. Its own AIORateLimiter
stalls *all* requests while any one of them waits out a 429, and has no per-private-chat
limit; this one keeps a 429 local to the request that drew it.

- Messages (sendMessage and friends, and edits of them) go through GCRA buckets: one global and one per chat,
  at the rates and bursts of news.limits (30/s overall, 1/s in a private chat, 20/min in a
  group or channel). Slots are handed out in order, so waiting is fair; but the push
  sender's messages (CALLER_RETRIES) take a global slot one at a time and only when the
  bucket is at its steady rate, so a command's reply is never queued behind a fan-out.
- The push sender does not keep intervals of its own: it asks `chat_wait(chat_id)` when a
  chat may have its next message, so replies and pushes share each chat's bucket. Pushes
  keep to the steady rate (1 s apart in a private chat, 3 s in a group); the burst is left
  to command replies.
- A message sent with `allow_paid_broadcast` (the push sender's, with NEWSBOT_PAID_BROADCAST
  on) takes its global slot from a bucket of its own at PAID_RATE: Telegram lets paid
  broadcasts past the 30/s limit, up to 1,000/s. Per-chat limits still hold.
- Other methods (getUpdates, answerCallbackQuery, getChatMember ...) are not paced.
- A command's reply (a message method called without `rate_limit_args`) is not lost to a
  429 storm or a 5xx window: a 429 is retried after the time Telegram asks, a network error
  or 5xx after REPLY_RETRY_BASE, doubling up to REPLY_RETRY_MAX, for up to REPLY_DEADLINE in
  all; then it is dropped with a warning. Only that request waits. (A timeout may have
  reached Telegram: a reply can then arrive twice, which beats not at all.)
- A caller that passes `rate_limit_args` gets that many 429 retries and no others (the push
  sender passes CALLER_RETRIES, none: it requeues the message itself, so a worker never
  sleeps on one chat); other methods MAX_RETRIES 429 retries.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.ext import BaseRateLimiter

from news import limits
from news.limits import (
    GLOBAL_BURST,
    GLOBAL_RATE,
    GROUP_PER_MINUTE,
    PAID_BURST,
    PAID_RATE,
    PRIVATE_RATE,
)

log = logging.getLogger(__name__)

MAX_RETRIES = 3
# `rate_limit_args` of a caller that retries by itself (the push sender): none here. Not 0:
# python-telegram-bot drops a falsy rate_limit_args before it reaches the limiter.
CALLER_RETRIES = -1
REPLY_DEADLINE = 120.0  # seconds a command's reply keeps being retried
REPLY_RETRY_BASE = 1.0  # seconds before the first retry after a network error or 5xx
REPLY_RETRY_MAX = 30.0
MESSAGE_METHODS = frozenset(
    [
        "sendmessage",
        "sendphoto",
        "sendvideo",
        "sendanimation",
        "sendaudio",
        "senddocument",
        "sendsticker",
        "sendvoice",
        "sendvideonote",
        "sendmediagroup",
        "sendlocation",
        "sendvenue",
        "sendcontact",
        "sendpoll",
        "senddice",
        "copymessage",
        "copymessages",
        "forwardmessage",
        "forwardmessages",
        "editmessagetext",  # edits count against the same limits
        "editmessagecaption",
    ]
)


def retry_seconds(exc: RetryAfter) -> float:
    """How long Telegram asked us to wait. (`retry_after` is an int today and a timedelta in
    PTB's next major version; reading it warns. The private timedelta is stable in 22.x.)"""
    return exc._retry_after.total_seconds()


class Gcra:
    """Generic cell rate algorithm: a token bucket expressed as one timestamp."""

    __slots__ = ("_tat", "clock", "interval", "tolerance")

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic):
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.tolerance = max(0, burst - 1) * self.interval
        self.clock = clock
        self._tat = 0.0  # the theoretical arrival time of the next request

    def reserve(self) -> float:
        """Take the next slot; return how long to wait for it."""
        if not self.interval:
            return 0.0
        now = self.clock()
        tat = max(self._tat, now)
        self._tat = tat + self.interval
        return max(0.0, tat - now - self.tolerance)

    def steady_wait(self) -> float:
        """How long until a request keeps the steady rate, burst unused, without taking a
        slot."""
        if not self.interval:
            return 0.0
        return max(0.0, self._tat - self.clock())

    def idle(self) -> bool:
        return self._tat <= self.clock()


class TelegramPacer(BaseRateLimiter[int]):
    def __init__(
        self,
        *,
        global_rate: float = GLOBAL_RATE,
        private_rate: float = PRIVATE_RATE,
        group_per_minute: float = GROUP_PER_MINUTE,
        max_retries: int = MAX_RETRIES,
    ) -> None:
        self._global = Gcra(global_rate, GLOBAL_BURST)
        self._paid = Gcra(PAID_RATE, PAID_BURST)  # allow_paid_broadcast messages
        self._private_rate = private_rate
        self._group_rate = group_per_minute / 60
        self._chats: dict[int | str, Gcra] = {}
        self._max_retries = max_retries
        self._reservations = 0
        self._background = asyncio.Lock()

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    def _chat(self, chat_id: int | str) -> Gcra:
        bucket = self._chats.get(chat_id)
        if bucket is None:
            _, burst = limits.chat_rate(chat_id)
            # The rates may be set per pacer (tests speed them up); the bursts are Telegram's.
            rate = self._private_rate if limits.is_private(chat_id) else self._group_rate
            bucket = self._chats[chat_id] = Gcra(rate, burst)
        return bucket

    def chat_wait(self, chat_id: int) -> float:
        """Seconds until this chat may have its next push: at the chat's steady rate, so
        pushes never use up the burst a user's command replies may need."""
        bucket = self._chats.get(chat_id)
        return bucket.steady_wait() if bucket is not None else 0.0

    def _prune(self) -> None:
        """Forget chats whose bucket is full again, so the map does not grow forever."""
        self._reservations += 1
        if self._reservations % 1000 == 0:
            self._chats = {k: v for k, v in self._chats.items() if not v.idle()}

    async def _wait_for_slot(
        self, chat_id: Any, *, background: bool = False, paid: bool = False
    ) -> None:
        # The chat's slot first, then a global one: a chat waiting on its own limit must not
        # hold a global slot the other chats could use.
        if chat_id is not None:
            with_chat = self._chat(int(chat_id) if str(chat_id).lstrip("-").isdigit() else chat_id)
            delay = with_chat.reserve()
            self._prune()
            if delay:
                await asyncio.sleep(delay)
        overall = self._paid if paid else self._global
        if background:
            # Pushes and edits never queue up in the global bucket: one at a time, each only
            # once the bucket is back at its steady rate. A reply arriving meanwhile takes
            # the next slot (and the burst) at once instead of waiting behind a fan-out.
            async with self._background:
                while (wait := overall.steady_wait()) > 0:  # noqa: ASYNC110 (a clock)
                    await asyncio.sleep(wait)
                overall.reserve()
            return
        delay = overall.reserve()
        if delay:
            await asyncio.sleep(delay)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        paced = endpoint.lower() in MESSAGE_METHODS
        # A command's reply (no rate_limit_args) is retried until REPLY_DEADLINE; a caller
        # that passes a count gets that many 429 retries and no more.
        reply = paced and rate_limit_args is None
        background = rate_limit_args == CALLER_RETRIES  # the push sender's sends and edits
        retries = self._max_retries if rate_limit_args is None else max(0, rate_limit_args)
        deadline = time.monotonic() + REPLY_DEADLINE
        attempt = 0
        while True:
            if paced:
                await self._wait_for_slot(
                    data.get("chat_id"),
                    background=background,
                    paid=bool(data.get("allow_paid_broadcast")),
                )
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                seconds = exc._retry_after.total_seconds()
                if reply:
                    if time.monotonic() + seconds > deadline:
                        log.warning("Dropped a reply (%s) after %d 429s: %s", endpoint,
                                    attempt + 1, exc.message)  # fmt: skip
                        raise
                elif attempt >= retries:
                    raise
                attempt += 1
                log.info(
                    "Telegram asked to wait %.0f s (%s); retrying that request only",
                    seconds,
                    endpoint,
                )
                await asyncio.sleep(seconds)
            except NetworkError as exc:  # a 5xx, a timeout, a dropped connection
                if not reply or isinstance(exc, BadRequest):  # a 400 is an answer: no retry
                    raise
                delay = min(REPLY_RETRY_MAX, REPLY_RETRY_BASE * 2**attempt)
                if time.monotonic() + delay > deadline:
                    log.warning("Dropped a reply (%s) after %d attempts: %s", endpoint,
                                attempt + 1, exc.message)  # fmt: skip
                    raise
                attempt += 1
                log.info("Reply (%s) failed (%s); retrying in %.0f s", endpoint, exc.message,
                         delay)  # fmt: skip
                await asyncio.sleep(delay)
