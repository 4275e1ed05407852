"""The sender: paced like Telegram requires, restart-safe, never drops a message silently.

It reads the outbox (storage.deliveries: story pushes, and daily digest messages whose text
was rendered when the digest was composed) in id order into one queue per chat and sends
with a pool of workers:
- one message in flight per chat, so a chat's stories arrive in order;
- a chat is ready again when the pacer (bot.pacing, the bot's rate limiter) says its bucket
  has a slot — the sender keeps no intervals of its own, so command replies and pushes share
  each chat's limit (news.limits), and a chat waiting on its own limit never holds up the
  others;
- the global 30 msg/s, shared with command replies, is the pacer's job too: pushes and
  replies draw from one bucket, pushes take a slot only when one is free, so a reply waits
  for at most the push already in flight, never behind the broadcast;
- in the chat's quiet hours (news.quiet) a message goes with disable_notification: silent;
- calm (news.bundles): before a push the chat's recent story messages and its waiting
  pushes decide whether it goes alone now, or waits and goes with every push waiting for
  the chat as one bundle message; a bundle's pushes are marked sent without a message id
  of their own (a bundle is never edited). Pushes held for quiet hours that hold are not
  kept in memory: they stay pending in SQLite, the chat is looked at again at the end of
  its quiet hours (and every HOLD_RECHECK meanwhile, so /quiet off or /mode releases them),
  and they are read back then. Digest messages are never held.

What Telegram answers decides what happens next:
- 429 RetryAfter: that chat pauses for retry_after and the same message goes again; not
  counted as a failure, never dropped;
- timeouts, network errors, 5xx: retried with doubling backoff, up to MAX_ATTEMPTS;
- any other exception (a bug, or an answer python-telegram-bot cannot read, after which the
  message may well have been sent): retried the same way, but UNEXPECTED_ATTEMPTS times in
  all, then failed with its reason — never an endless resend;
- 403 Forbidden (blocked, kicked): the chat is marked inactive (subscriptions kept; /start
  brings it back) and its pending deliveries are skipped;
- ChatMigrated: the chat and its subscriptions and deliveries move to the new id, and the
  message goes there;
- 400 BadRequest: logged with the delivery id, and the message is resent once as plain text;
  but 400 "chat not found" fails the message, and the second one in a row for a chat marks
  the chat inactive as a 403 does (one could be Telegram's passing glitch);

A push goes only to a chat still in a push mode (one that switched to digest-only meanwhile
gets none); a digest message goes to any active chat, since it was composed for that chat.
The chat's mode, zone, quiet hours and active flag come with the pending row; the chat is read again only
when this process changed it since (storage.chats.changed_since). A push's "Read also" is
computed just before its first message (usecases.related.fill), once per story.

Edits (storage.deliveries, table `edits`): when later outlets report an event a chat was
pushed, that push is edited in place (no new notification) to name them. Edits are paced like
messages (the pacer counts editMessageText); a 429 waits as asked; a network error or 5xx is
retried with backoff EDIT_ATTEMPTS times in all; "message is not modified", "message to edit
not found", "message can't be edited" and any other 400 or 403 end the edit quietly; a push
older than 48 h is never edited.

Restart safety: a delivery is marked sent after Telegram accepted it (marks are committed in
small batches every FLUSH_INTERVAL and on shutdown; a mark leaves memory only once its
commit is done, so a flush interrupted by the stop loses nothing). On SIGTERM the sender
stops taking new messages, finishes the ones in flight and commits: nothing repeats, nothing
is lost. After a
hard kill, only the messages whose requests were in flight (at most WORKERS) may go twice —
Telegram offers no idempotency key, so "at least once" is the honest promise there.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import heapq
import itertools
import logging
import time
from collections import OrderedDict, deque
from collections.abc import Callable

from telegram import Bot, LinkPreviewOptions
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from bot.metrics import Metrics
from bot.pacing import CALLER_RETRIES, retry_seconds
from news import bundles
from news.i18n import translator
from news.models import PUSH_MODES, SubscriptionKind
from news.quiet import is_quiet, quiet_end
from news.render import Preview, StoryView, preview_for, render_plain, render_story
from news.telegram_html import plain_text
from storage import Storage
from storage.database import DatabaseUnavailable
from storage.deliveries import EDIT_MAX_AGE, Delivery, Edit
from usecases import related

log = logging.getLogger(__name__)

WORKERS = 16
MAX_ATTEMPTS = 12  # with the backoff below, about two hours of trying
UNEXPECTED_ATTEMPTS = 3  # after an exception that is not Telegram's answer (it may have sent)
RETRY_BASE = 5  # seconds; doubles per attempt, capped at RETRY_MAX
RETRY_MAX = 3600
FLUSH_INTERVAL = 0.05
LOAD_BATCH = 5000
MAX_QUEUED = 50_000  # deliveries held in memory at once; the rest wait in SQLite
IDLE_RELOAD = 2.0  # seconds between outbox checks when nobody called notify()
CHAT_NOT_FOUND = "chat not found"  # a 400 that means the chat is gone
NOT_FOUND_LIMIT = 2  # answers in a row before the chat is marked inactive
EDIT_CHECK = 5.0  # seconds between looks for due edits
EDIT_BATCH = 500
EDIT_WORKERS = 4  # edits in flight at once
EDIT_ATTEMPTS = 5  # network errors and 5xx before an edit is given up
EDIT_ENDS = ("message is not modified", "message to edit not found", "message can't be edited")
HOLD_RECHECK = 60.0  # seconds between looks at a chat whose pushes are held
DB_PAUSE = 10.0  # seconds a chat waits when the database cannot be written


def _preview_options(preview: Preview | None) -> LinkPreviewOptions:
    """news.render's preview as Telegram's: the image large and above, or the link's own."""
    if preview is None:
        return LinkPreviewOptions(is_disabled=True)
    if preview.large_above:
        return LinkPreviewOptions(
            url=preview.url, is_disabled=False, prefer_large_media=True, show_above_text=True
        )
    return LinkPreviewOptions(url=preview.url, is_disabled=False)


class Sender:
    def __init__(
        self,
        storage: Storage,
        bot: Bot,
        *,
        link_previews: bool = False,
        paid_broadcast: bool = False,
        workers: int = WORKERS,
        metrics: Metrics | None = None,
    ) -> None:
        self.storage = storage
        self.metrics = metrics  # bot.metrics: what each send came to
        self.bot = bot
        self.link_previews = link_previews
        self.workers = workers
        # The pacer says when each chat may have its next message (none: no per-chat limit).
        self._pacer = getattr(bot, "rate_limiter", None)
        if not hasattr(self._pacer, "chat_wait"):
            self._pacer = None
        # With the pacer installed, a 429 must come straight back here (CALLER_RETRIES):
        # this sender requeues the message and keeps its workers busy with other chats.
        self._edit_options = (
            {"rate_limit_args": CALLER_RETRIES} if getattr(bot, "rate_limiter", None) else {}
        )
        # NEWSBOT_PAID_BROADCAST: new messages (pushes, bundles, digests) go as paid
        # broadcasts, past Telegram's 30/s for 0.1 Star each; edits cannot be paid.
        paid = {"allow_paid_broadcast": True} if paid_broadcast else {}
        self._send_options = {**self._edit_options, **paid}
        self._queues: dict[int, deque[Delivery]] = {}
        self._heap: list[tuple[float, int, int]] = []  # (ready at, tiebreak, chat id)
        self._scheduled: set[int] = set()  # chats in the heap or being sent to
        self._seq = itertools.count()
        self._changed = asyncio.Event()
        self._wake = asyncio.Event()
        self._last_id = 0
        # Delivery ids held in memory: queued, in flight, or sent with the mark not yet committed.
        self._known: set[int] = set()
        self._sent: list[tuple[int, int | None]] = []  # (delivery id, Telegram message id)
        self._flushing = asyncio.Lock()
        self._editing = asyncio.Lock()
        self._views: OrderedDict[int, StoryView] = OrderedDict()
        self._not_found: dict[int, int] = {}  # chat id -> "chat not found" answers in a row
        # news.bundles: the times (storage clock) of each chat's last story messages
        self._recent: OrderedDict[int, tuple[float, ...]] = OrderedDict()
        self._parked: set[int] = set()  # chats whose pushes wait in SQLite for quiet hours
        self._gathered: set[int] = set()  # chats whose pushes waited: they go as one next
        self._workers: list[asyncio.Task] = []
        self._helpers: list[asyncio.Task] = []
        self._stopping = False
        self.stats = {
            "sent": 0, "retried": 0, "rate_limited": 0, "failed": 0, "skipped": 0, "edited": 0,
            "edits_ended": 0, "bundles": 0, "bundled": 0,
        }  # fmt: skip

    # --- life cycle ---------------------------------------------------------------------

    def start(self) -> None:
        self._helpers = [
            asyncio.create_task(self._load_loop(), name="sender-loader"),
            asyncio.create_task(self._flush_loop(), name="sender-flusher"),
            asyncio.create_task(self._edit_loop(), name="sender-editor"),
        ]
        self._workers = [
            asyncio.create_task(self._worker(), name=f"sender-{i}") for i in range(self.workers)
        ]

    def notify(self) -> None:
        """New deliveries are in the outbox: load them now rather than at the next check."""
        self._wake.set()

    async def stop(self, grace: float = 5.0) -> None:
        """Stop taking messages, let those in flight finish for `grace` s, commit the marks."""
        self._stopping = True
        self._changed.set()
        self._wake.set()
        if self._workers:
            await asyncio.wait(self._workers, timeout=grace)
        tasks = self._workers + self._helpers
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        try:
            await self._flush()
        except DatabaseUnavailable as exc:
            log.error(
                "%d sent messages could not be marked sent (%s): they will be sent again"
                " after the restart", len(self._sent), exc.problem,
            )  # fmt: skip

    async def drained(self) -> None:
        """Wait until nothing is queued or in flight and the marks are committed (tests)."""
        while True:
            pending = await self.storage.deliveries.pending(self._last_id, limit=1)
            if not self._known and not self._scheduled and not pending:
                await self._flush()
                return
            self.notify()
            await asyncio.sleep(0.02)

    # --- loading ------------------------------------------------------------------------

    async def _load_loop(self) -> None:
        while not self._stopping:
            if len(self._known) < MAX_QUEUED:
                batch = await self.storage.deliveries.pending(self._last_id, LOAD_BATCH)
                for delivery in batch:
                    self._enqueue(delivery)
                if batch:
                    self._last_id = batch[-1].id
                    if len(batch) == LOAD_BATCH:
                        continue
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), IDLE_RELOAD)

    def _enqueue(self, delivery: Delivery) -> None:
        if delivery.id in self._known:  # loaded already (e.g. re-read after a migration)
            return
        self._known.add(delivery.id)
        self._queues.setdefault(delivery.chat_id, deque()).append(delivery)
        if delivery.chat_id not in self._scheduled:
            delay = max(0.0, delivery.next_attempt_at - time.time())
            self._schedule(delivery.chat_id, time.monotonic() + delay)

    def _schedule(self, chat_id: int, ready_at: float) -> None:
        self._scheduled.add(chat_id)
        heapq.heappush(self._heap, (ready_at, next(self._seq), chat_id))
        self._changed.set()

    # --- sending ------------------------------------------------------------------------

    async def _next_chat(self) -> int | None:
        while not self._stopping:
            now = time.monotonic()
            if self._heap and self._heap[0][0] <= now:
                return heapq.heappop(self._heap)[2]
            timeout = self._heap[0][0] - now if self._heap else None
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), timeout)
        return None

    async def _worker(self) -> None:
        while (chat_id := await self._next_chat()) is not None:
            queue = self._queues.get(chat_id)
            if chat_id in self._parked:  # the held pushes come back from SQLite
                self._parked.discard(chat_id)
                for pending in await self.storage.deliveries.pending_for_chat(chat_id):
                    self._enqueue(pending)
                queue = self._queues.get(chat_id)
            if not queue:
                self._scheduled.discard(chat_id)
                self._queues.pop(chat_id, None)
                continue
            pause = await self._turn(chat_id, queue)
            queue = self._queues.get(chat_id)
            if queue or chat_id in self._parked:
                ready = self._pacer.chat_wait(chat_id) if self._pacer is not None else 0.0
                self._schedule(chat_id, time.monotonic() + max(ready, pause))
            else:
                self._scheduled.discard(chat_id)
                self._queues.pop(chat_id, None)

    async def _turn(self, chat_id: int, queue: deque[Delivery]) -> float:
        """One send for the chat (a digest message, a push, or a bundle), or a wait (news.bundles
        rules 1-3). Returns how long the chat must pause. After a ChatMigrated the old chat's
        queue is gone and the new chat was scheduled with its rows read again (_migrated)."""
        head = queue[0]
        if head.body is not None:  # a digest message goes in its place
            return await self._send_one(queue.popleft())
        head = await self._fresh(head)
        if not head.chat_active or head.chat_mode not in PUSH_MODES:
            queue.popleft()
            return await self._send_one(head)  # skipped there, with its reason
        now = self.storage.now()
        hours = head.chat_quiet
        if hours is not None and hours.hold and is_quiet(hours, now, head.chat_timezone):
            self._park(chat_id, queue)
            self._gathered.add(chat_id)
            return await self._wait(chat_id, queue, quiet_end(hours, now, head.chat_timezone) - now)
        waiting = sum(1 for d in queue if d.body is None)
        decided = bundles.plan(self._recent.get(chat_id, ()), waiting, now)
        if chat_id in self._gathered and decided.at <= now:  # rules 2-3: what waited goes
            self._gathered.discard(chat_id)  # as one
            decided = bundles.Plan(bundle=waiting > 1, at=now)
        if decided.at > now:
            self._gathered.add(chat_id)
            return await self._wait(chat_id, queue, decided.at - now)
        if not decided.bundle:
            queue.popleft()
            return await self._send_one(head)
        pushes = [d for d in queue if d.body is None]
        digests = [d for d in queue if d.body is not None]
        queue.clear()
        queue.extend(digests)
        return await self._send_bundle(head, pushes)

    def _park(self, chat_id: int, queue: deque[Delivery]) -> None:
        """Quiet hours that hold: the chat's pushes leave memory (they stay pending in SQLite
        and are read back when the chat's turn comes again); its digest messages stay."""
        for delivery in [d for d in queue if d.body is None]:
            self._done(delivery)
        kept = [d for d in queue if d.body is not None]
        queue.clear()
        queue.extend(kept)
        self._parked.add(chat_id)

    async def _wait(self, chat_id: int, queue: deque[Delivery], seconds: float) -> float:
        """Pushes wait (rules 2-3); a digest message behind them does not (rule 6)."""
        digest = next((d for d in queue if d.body is not None), None)
        if digest is not None:
            queue.remove(digest)
            return await self._send_one(digest)
        return max(0.0, min(seconds, HOLD_RECHECK))

    async def _send_one(self, delivery: Delivery) -> float:
        try:
            pause = await self._deliver(delivery)
        except DatabaseUnavailable:
            # Every write of _deliver comes before a send or after a refusal, never after an
            # accepted send (that is only a mark in memory): the message waits, nothing is lost.
            self._requeue_first(delivery)
            return DB_PAUSE
        except Exception as exc:  # a bug must not kill the worker or lose the message
            log.exception("Sending delivery %s failed unexpectedly", delivery.id)
            # The message may have gone out before the failure (an answer the client could
            # not read): try again only a few times, never without end.
            try:
                pause = await self._retry(
                    delivery, f"internal error: {type(exc).__name__}", limit=UNEXPECTED_ATTEMPTS
                )
            except DatabaseUnavailable:
                self._requeue_first(delivery)
                return DB_PAUSE
        return pause

    def _story_sent(self, chat_id: int) -> None:
        """A push or a bundle reached the chat: news.bundles counts it. The chats are kept in
        the order of their last story message, so the ones whose last is older than the calm
        window are at the front and leave from there: constant work a message, however many
        chats a fan-out reaches (a sweep over all of them cost O(chats) a message)."""
        now = self.storage.now()
        earlier = self._recent.pop(chat_id, ())
        self._recent[chat_id] = (*earlier[-(bundles.CALM_PUSHES - 1) :], now)
        horizon = now - bundles.CALM_WINDOW
        while True:  # ends at this chat's entry at the latest: it was just sent to
            oldest, sent = next(iter(self._recent.items()))
            if sent[-1] > horizon:
                break
            del self._recent[oldest]

    def _measure(self, result: str, *, digest: bool = False) -> None:
        if self.metrics is not None:
            self.metrics.sent(result, digest=digest)

    def _requeue_first(self, delivery: Delivery) -> None:
        self._queues.setdefault(delivery.chat_id, deque()).appendleft(delivery)

    def _done(self, delivery: Delivery) -> None:
        self._known.discard(delivery.id)

    async def _view(self, story_id: int) -> StoryView | None:
        view = self._views.get(story_id)
        if view is None:
            view = (await self.storage.stories.views([story_id])).get(story_id)
            if view is not None and view.read_also is None:  # a push is worth its read-also
                await related.fill(self.storage, [story_id])
                view = (await self.storage.stories.views([story_id])).get(story_id)
            if view is None:
                return None
            self._views[story_id] = view
            if len(self._views) > 1000:
                self._views.popitem(last=False)
        return view

    async def _fresh(self, delivery: Delivery) -> Delivery:
        """The delivery with its chat as it is now, if this process changed the chat since
        the row was read."""
        if not self.storage.chats.changed_since(delivery.chat_id, delivery.chat_revision):
            return delivery
        revision = self.storage.chats.revision
        chat = await self.storage.chats.get(delivery.chat_id)
        if chat is None:
            return dataclasses.replace(delivery, chat_active=False, chat_revision=revision)
        return dataclasses.replace(
            delivery, chat_active=chat.active, chat_mode=chat.mode,
            chat_timezone=chat.timezone, chat_revision=revision, chat_quiet=chat.quiet,
            chat_previews=chat.previews, chat_language=chat.language,
        )  # fmt: skip

    async def _message(
        self, delivery: Delivery
    ) -> tuple[str, Callable[[], str], Preview | None] | str:
        """(HTML text, how to make its plain-text fallback, the preview to show), or the
        reason the delivery is skipped. The fallback is rendered only after a 400."""
        if not delivery.chat_active:
            return "chat inactive"
        if delivery.body is not None:  # a digest message: its text was rendered when composed
            body = delivery.body
            return body, lambda: plain_text(body), None  # many links: no one preview fits
        if delivery.chat_mode not in PUSH_MODES:
            return "instant push turned off"
        view = await self._view(delivery.story_id)
        if view is None:
            return "story deleted"
        zone, t = delivery.chat_timezone, translator(delivery.chat_language)
        preview = preview_for(view, images=delivery.chat_previews, link_previews=self.link_previews)
        return render_story(t, view, zone), lambda: render_plain(t, view, zone), preview

    async def _deliver(self, delivery: Delivery) -> float:
        """Send one delivery; returns how long its chat must pause (0 for the usual pace)."""
        delivery = await self._fresh(delivery)
        message = await self._message(delivery)
        if isinstance(message, str):
            await self._skip_one(delivery, message)
            return 0.0
        text, plain, shown = message
        preview = _preview_options(shown)
        silent = is_quiet(delivery.chat_quiet, self.storage.now(), delivery.chat_timezone)
        try:
            message = await self.bot.send_message(
                delivery.chat_id,
                text,
                parse_mode="HTML",
                link_preview_options=preview,
                disable_notification=silent,
                **self._send_options,
            )
        except RetryAfter as exc:
            self.stats["rate_limited"] += 1
            self._measure("429")
            seconds = retry_seconds(exc)
            log.info("Rate limited in chat %s: pausing it %s s", delivery.chat_id, seconds)
            self._requeue_first(delivery)
            return float(seconds)
        except Forbidden as exc:
            self._measure("403")
            await self._chat_gone(delivery, exc.message)
            return 0.0
        except ChatMigrated as exc:
            await self._migrated(delivery, exc.new_chat_id)
            return 0.0
        except BadRequest as exc:
            self._measure("400")
            if CHAT_NOT_FOUND in exc.message.lower():
                await self._chat_not_found(delivery, exc.message)
                return 0.0
            log.warning(
                "Telegram refused delivery %s (story %s) for chat %s (%s); resending as plain"
                " text", delivery.id, delivery.story_id, delivery.chat_id, exc.message,
            )  # fmt: skip
            return await self._send_plain(delivery, plain(), exc.message, silent=silent)
        except NetworkError as exc:  # TimedOut, connection errors, 5xx
            self._measure("error")
            return await self._retry(delivery, f"{type(exc).__name__}: {exc.message}")
        except TelegramError as exc:
            self._measure("error")
            await self._fail(delivery, f"{type(exc).__name__}: {exc.message}")
            return 0.0
        self._sent.append((delivery.id, message.message_id))  # known until committed (_flush)
        self._not_found.pop(delivery.chat_id, None)
        self.stats["sent"] += 1
        self._measure("ok", digest=delivery.body is not None)
        if delivery.body is None:
            self._story_sent(delivery.chat_id)
        return 0.0

    async def _send_plain(
        self, delivery: Delivery, text: str, error: str, *, silent: bool = False
    ) -> float:
        try:
            message = await self.bot.send_message(
                delivery.chat_id, text, parse_mode=None, disable_notification=silent,
                link_preview_options=LinkPreviewOptions(is_disabled=True), **self._send_options,
            )  # fmt: skip
        except TelegramError as exc:
            await self._fail(
                delivery, f"HTML refused ({error}); plain text refused ({exc.message})"
            )
            return 0.0
        self._not_found.pop(delivery.chat_id, None)
        self._sent.append((delivery.id, message.message_id))  # known until committed (_flush)
        self.stats["sent"] += 1
        self._measure("ok", digest=delivery.body is not None)
        if delivery.body is None:
            self._story_sent(delivery.chat_id)
        return 0.0

    async def _send_bundle(self, head: Delivery, pushes: list[Delivery]) -> float:
        try:
            return await self._bundle(head, pushes)
        except DatabaseUnavailable:  # as in _send_one: nothing was sent, all of them wait
            self._requeue_all([d for d in pushes if d.id in self._known])
            return DB_PAUSE

    async def _bundle(self, head: Delivery, pushes: list[Delivery]) -> float:
        """Every push waiting for the chat as one message (news.bundles rules 4-5). `head` is
        the first of them with the chat as it is now. Telegram's answers are handled as for
        one push, for all of them together."""
        chat_id = head.chat_id
        composed = await self._compose_bundle(head, pushes)
        if composed is None:
            return 0.0
        pushes, text = composed
        silent = is_quiet(head.chat_quiet, self.storage.now(), head.chat_timezone)
        options = {
            "disable_notification": silent,
            "link_preview_options": LinkPreviewOptions(is_disabled=True),  # many links
            **self._send_options,
        }
        try:
            await self._send_bundle_text(chat_id, text, len(pushes), options)
        except RetryAfter as exc:
            self.stats["rate_limited"] += 1
            self._measure("429")
            self._requeue_all(pushes)
            return float(retry_seconds(exc))
        except Forbidden as exc:
            for delivery in pushes:
                self._done(delivery)
            await self._chat_gone(head, exc.message)
            return 0.0
        except ChatMigrated as exc:  # the pushes are read again under the new id, which
            for delivery in pushes:  # _migrated schedules: this turn ends for the old one
                self._done(delivery)
            await self._migrated(head, exc.new_chat_id)
            return 0.0
        except BadRequest as exc:
            if CHAT_NOT_FOUND in exc.message.lower():
                for delivery in pushes[1:]:
                    await self._fail(delivery, exc.message)
                await self._chat_not_found(head, exc.message)
            else:
                for delivery in pushes:
                    await self._fail(delivery, f"bundle refused as HTML and as plain text"
                                               f" ({exc.message})")  # fmt: skip
            return 0.0
        except NetworkError as exc:  # TimedOut, connection errors, 5xx: all wait, the first
            self._requeue_all(pushes[1:])  # counts the attempts
            return await self._retry(head, f"{type(exc).__name__}: {exc.message}")
        except TelegramError as exc:
            for delivery in pushes:
                await self._fail(delivery, f"{type(exc).__name__}: {exc.message}")
            return 0.0
        except Exception as exc:  # as for one push: a few tries, never an endless resend
            log.exception("Sending a bundle to chat %s failed unexpectedly", chat_id)
            self._requeue_all(pushes[1:])
            error = f"internal error: {type(exc).__name__}"
            return await self._retry(head, error, limit=UNEXPECTED_ATTEMPTS)
        self._bundle_sent(chat_id, pushes)
        return 0.0

    async def _send_bundle_text(self, chat_id: int, text: str, count: int, options: dict) -> None:
        """The bundle as HTML, or as plain text when Telegram refuses the HTML (a missing
        chat is not a markup problem: that refusal is the caller's)."""
        try:
            await self.bot.send_message(chat_id, text, parse_mode="HTML", **options)
        except BadRequest as exc:
            if CHAT_NOT_FOUND in exc.message.lower():
                raise
            log.warning("Telegram refused a bundle of %d for chat %s (%s); resending as plain"
                        " text", count, chat_id, exc.message)  # fmt: skip
            await self.bot.send_message(chat_id, plain_text(text), parse_mode=None, **options)

    def _bundle_sent(self, chat_id: int, pushes: list[Delivery]) -> None:
        # one message for all: no message id of their own, so no push edit touches the bundle
        self._sent.extend((d.id, None) for d in pushes)  # known until committed (_flush)
        self._not_found.pop(chat_id, None)
        self.stats["sent"] += 1
        self._measure("ok")
        self.stats["bundles"] += 1
        self.stats["bundled"] += len(pushes)
        self._story_sent(chat_id)

    async def _compose_bundle(
        self, head: Delivery, pushes: list[Delivery]
    ) -> tuple[list[Delivery], str] | None:
        """The bundle's pushes whose stories still exist, and its text; None when one or
        none is left (a lone push goes back to the queue and is sent as a push)."""
        views = await self.storage.stories.views([d.story_id for d in pushes], related=False)
        for gone in [d for d in pushes if d.story_id not in views]:
            await self._skip_one(gone, "story deleted")
        pushes = [d for d in pushes if d.story_id in views]
        if len(pushes) <= 1:
            for delivery in reversed(pushes):
                self._requeue_first(delivery)
            return None
        followed = [
            (s.value, s.label)
            for s in await self.storage.subscriptions.for_chat(head.chat_id)
            if s.kind is SubscriptionKind.BRAND
        ]
        stories = [views[d.story_id] for d in pushes]
        topics = bundles.topics(stories, followed)
        now = int(self.storage.now())
        return pushes, bundles.render_bundle(
            translator(head.chat_language), stories, topics, head.chat_timezone, now
        )

    def _requeue_all(self, deliveries: list[Delivery]) -> None:
        """A bundle that did not go: back at the front of their chat's queue, in their order,
        and still gathered, so they go as one bundle when they go."""
        for delivery in reversed(deliveries):
            self._requeue_first(delivery)
            self._gathered.add(delivery.chat_id)

    async def _retry(self, delivery: Delivery, error: str, *, limit: int = MAX_ATTEMPTS) -> float:
        attempts = delivery.attempts + 1
        if attempts >= limit:
            await self._fail(delivery, f"gave up after {attempts} attempts: {error}")
            return 0.0
        delay = min(RETRY_MAX, RETRY_BASE * 2 ** (attempts - 1))
        self.stats["retried"] += 1
        await self.storage.deliveries.retry_later(
            delivery.id, at=int(time.time() + delay), error=error
        )
        self._requeue_first(
            dataclasses.replace(
                delivery, attempts=attempts, next_attempt_at=int(time.time() + delay)
            )
        )
        return float(delay)

    async def _fail(self, delivery: Delivery, error: str) -> None:
        log.error(
            "Delivery %s (story %s, chat %s) failed: %s",
            delivery.id,
            delivery.story_id,
            delivery.chat_id,
            error,
        )
        await self.storage.deliveries.give_up(delivery.id, error=error)
        self.stats["failed"] += 1
        self._done(delivery)

    async def _skip_one(self, delivery: Delivery, reason: str) -> None:
        await self.storage.deliveries.skip(delivery.id, reason=reason)
        self.stats["skipped"] += 1
        self._done(delivery)

    async def _chat_not_found(self, delivery: Delivery, reason: str) -> None:
        """400 "chat not found": this message fails (a plain-text resend cannot help); the
        second time in a row for the chat, the chat is gone (as after a 403)."""
        seen = self._not_found.get(delivery.chat_id, 0) + 1
        if seen >= NOT_FOUND_LIMIT:
            self._not_found.pop(delivery.chat_id, None)
            await self._chat_gone(delivery, reason)
            return
        self._not_found[delivery.chat_id] = seen
        await self._fail(delivery, reason)

    async def _chat_gone(self, delivery: Delivery, reason: str) -> None:
        """Blocked or kicked: stop sending there, keep the subscriptions for a comeback."""
        await self.storage.chats.set_active(delivery.chat_id, False)
        for dropped in (delivery, *self._queues.pop(delivery.chat_id, ())):
            self._done(dropped)
        skipped = await self.storage.deliveries.skip_chat(delivery.chat_id, reason=reason)
        self.stats["skipped"] += skipped
        log.info(
            "Chat %s is unreachable (%s): marked inactive, %d deliveries skipped",
            delivery.chat_id,
            reason,
            skipped,
        )

    async def _migrated(self, delivery: Delivery, new_chat_id: int) -> None:
        """The group became a supergroup: move everything and resend there.

        Merging into a chat the bot already knew gives the moved deliveries new row ids, so
        the in-memory copies are dropped and the new chat's pending rows are read again.
        """
        old = delivery.chat_id
        await self.storage.chats.migrate(old, new_chat_id)
        for moved in (delivery, *self._queues.pop(old, ())):
            self._done(moved)
        for pending in await self.storage.deliveries.pending_for_chat(new_chat_id):
            self._enqueue(pending)
        log.info("Chat %s migrated to %s; deliveries follow", old, new_chat_id)

    # --- edits --------------------------------------------------------------------------

    async def _edit_loop(self) -> None:
        while not self._stopping:
            try:
                looked_at = await self.run_edits()
            except DatabaseUnavailable:  # storage warned; the edits wait in their table
                looked_at = 0
            if looked_at < EDIT_BATCH:
                await asyncio.sleep(EDIT_CHECK)

    async def run_edits(self) -> int:
        """Make the edits that are due (a batch of them); returns how many were looked at.
        One batch at a time: a second caller (a test, beside the editor's loop) waits and
        reads what is due after the first, so no edit is made twice."""
        async with self._editing:
            due = await self.storage.deliveries.due_edits(EDIT_BATCH)
            # A few at a time: the pacer holds each to its chat's and the global limit.
            for start in range(0, len(due), EDIT_WORKERS):
                if self._stopping:
                    break
                batch = due[start : start + EDIT_WORKERS]
                await asyncio.gather(*(self._edit_safely(e) for e in batch))
            return len(due)

    async def _edit_safely(self, edit: Edit) -> None:
        try:
            await self._edit(edit)
        except Exception as exc:  # a bug must not stop the editor; never retried forever
            log.exception("Editing push %s failed unexpectedly", edit.delivery_id)
            await self._edit_again(edit, f"internal error: {type(exc).__name__}")

    async def _edit(self, edit: Edit) -> None:
        """Edit a sent push to name the event's outlets as they are now."""
        if not edit.chat_active or edit.chat_mode not in PUSH_MODES:
            return await self._end_edit(edit, "chat inactive or not in push mode")
        if self.storage.now() - edit.sent_at > EDIT_MAX_AGE:
            return await self._end_edit(edit, "push older than 48 hours")
        view = (await self.storage.stories.views([edit.story_id])).get(edit.story_id)
        if view is None:
            return await self._end_edit(edit, "story deleted")
        if edit.story_id in self._views:
            self._views[edit.story_id] = view  # later pushes of the story name the outlets too
        preview = _preview_options(
            preview_for(view, images=edit.chat_previews, link_previews=self.link_previews)
        )
        try:
            await self.bot.edit_message_text(
                render_story(translator(edit.chat_language), view, edit.chat_timezone),
                chat_id=edit.chat_id,
                message_id=edit.message_id,
                parse_mode="HTML",
                link_preview_options=preview,
                **self._edit_options,
            )
        except RetryAfter as exc:
            self.stats["rate_limited"] += 1
            seconds = retry_seconds(exc)
            await self.storage.deliveries.edit_later(
                edit.delivery_id,
                at=int(self.storage.now() + seconds),
                error="429",
                attempt=False,
            )
            return None
        except BadRequest as exc:
            # "message is not modified", "message to edit not found", "message can't be
            # edited": the normal ends of an edit. Anything else a 400 says will not change.
            quiet = any(reason in exc.message.lower() for reason in EDIT_ENDS)
            if not quiet:
                log.warning("Telegram refused to edit push %s: %s", edit.delivery_id, exc.message)
            return await self._end_edit(edit, exc.message)
        except Forbidden as exc:
            return await self._end_edit(edit, exc.message)
        except NetworkError as exc:  # TimedOut, connection errors, 5xx
            return await self._edit_again(edit, f"{type(exc).__name__}: {exc.message}")
        except TelegramError as exc:
            return await self._end_edit(edit, f"{type(exc).__name__}: {exc.message}")
        self.stats["edited"] += 1
        if self.metrics is not None:
            self.metrics.edits.inc()
        await self.storage.deliveries.finish_edit(edit.delivery_id)
        return None

    async def _edit_again(self, edit: Edit, error: str) -> None:
        attempts = edit.attempts + 1
        if attempts >= EDIT_ATTEMPTS:
            log.warning("Gave up editing push %s after %d attempts: %s", edit.delivery_id,
                        attempts, error)  # fmt: skip
            return await self._end_edit(edit, error)
        delay = min(RETRY_MAX, RETRY_BASE * 2 ** (attempts - 1))
        await self.storage.deliveries.edit_later(
            edit.delivery_id, at=int(self.storage.now() + delay), error=error, attempt=True
        )
        return None

    async def _end_edit(self, edit: Edit, reason: str) -> None:
        log.debug("Edit of push %s ended: %s", edit.delivery_id, reason)
        self.stats["edits_ended"] += 1
        await self.storage.deliveries.finish_edit(edit.delivery_id)

    # --- marks --------------------------------------------------------------------------

    async def _flush(self) -> None:
        """Commit the marks of the messages sent so far. One flush at a time; a mark leaves
        `_sent` only once its commit is done, so a flush cancelled half-way (the flusher at
        stop) leaves its marks for the next one instead of losing them: a lost mark is a
        message sent twice after a restart."""
        async with self._flushing:
            if not self._sent:
                return
            ids = list(self._sent)
            await self.storage.deliveries.mark_sent(ids)
            del self._sent[: len(ids)]  # sends that finished meanwhile stay for the next flush
            # Only now may the loader see these rows as not pending; until the commit they
            # stay "known", so a reload (e.g. after a migration) cannot send them again.
            self._known.difference_update(i for i, _ in ids)

    async def _flush_loop(self) -> None:
        while True:
            await asyncio.sleep(FLUSH_INTERVAL)
            # shielded: stop() cancels this task, and a commit under way should complete
            with contextlib.suppress(DatabaseUnavailable):  # the marks wait for the next one
                await asyncio.shield(self._flush())
