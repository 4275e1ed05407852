"""Fair turns for chats: one chat sending faster than it can be answered never delays another.

python-telegram-bot handles up to CONCURRENT_UPDATES updates at once, and a handler waits for
its chat's pace (bot.pacing: 1 message a second in a private chat) while holding its slot, so
a chat that sent 60 commands used to hold all the slots and stall everyone's replies. This
update processor (python-telegram-bot's BaseUpdateProcessor) changes the order of things:

1. A chat's updates are handled one at a time, in the order they came, and only the one
   being handled holds a shared slot: a chat can hold one slot, never all of them. (Replies
   of one chat go out one a second anyway; one at a time also keeps them in order.)
2. At most PER_CHAT_BACKLOG updates of a chat wait behind the one being handled; more
   messages and button presses are dropped, not queued: the user who sent 200 commands gets
   the first answers and one notice (news.replies.SLOW_DOWN, at most once per NOTICE_EVERY;
   in a private chat only, a busy group is not told off), not 200 replies over three
   minutes. A dropped button press is answered with a toast (no spinning button). Membership
   changes and migrations are never dropped: they wait their turn.
3. Updates without a chat (none the bot asks for today) take a slot like before.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

log = logging.getLogger(__name__)

PER_CHAT_BACKLOG = 5  # updates of one chat waiting behind the one being handled
NOTICE_EVERY = 60.0  # seconds between two "slow down" notices to one chat

Notify = Callable[[Update], Awaitable[Any]]


@dataclass
class _Turns:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    waiting: int = 0  # updates holding or waiting for the lock
    noticed_at: float = -NOTICE_EVERY


class FairUpdates(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int, *, backlog: int = PER_CHAT_BACKLOG) -> None:
        super().__init__(max_concurrent_updates)
        self.backlog = backlog
        self.notify: Notify | None = None  # set once the bot exists (bot.app)
        self.observe: Callable[[float], None] | None = None  # seconds per update (metrics)
        self.dropped = 0
        self._chats: dict[int, _Turns] = {}
        self._notices: set[asyncio.Task] = set()

    async def process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat_id = _chat_id(update)
        if chat_id is None:  # rule 3
            await super().process_update(update, coroutine)
            return
        turns = self._chats.setdefault(chat_id, _Turns())
        if turns.waiting > self.backlog and _droppable(update):  # rule 2
            _close(coroutine)
            self.dropped += 1
            self._notice(chat_id, turns, update)
            return
        turns.waiting += 1
        try:
            async with turns.lock:  # rule 1: the chat's turn first, then a shared slot
                await super().process_update(update, coroutine)
        finally:
            turns.waiting -= 1
            if not turns.waiting:
                self._chats.pop(chat_id, None)

    def _notice(self, chat_id: int, turns: _Turns, update: object) -> None:
        now = time.monotonic()
        is_press = isinstance(update, Update) and update.callback_query is not None
        if self.notify is None or not (is_press or now - turns.noticed_at >= NOTICE_EVERY):
            return
        if not is_press and chat_id < 0:
            return  # a group's busy conversation is not told off; a press gets its toast
        if not is_press:
            turns.noticed_at = now
            log.info("Chat %s sends faster than it can be answered; dropping the excess", chat_id)
        task = asyncio.create_task(self._send_notice(update))
        self._notices.add(task)
        task.add_done_callback(self._notices.discard)

    async def _send_notice(self, update: Any) -> None:
        assert self.notify is not None
        try:
            await self.notify(update)
        except Exception as exc:  # a notice is a courtesy: never an error of the update
            log.info("Could not send the slow-down notice: %s", exc)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        started = time.monotonic()
        try:
            await coroutine
        finally:
            if self.observe is not None:
                self.observe(time.monotonic() - started)

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        for task in list(self._notices):
            task.cancel()
        await asyncio.gather(*self._notices, return_exceptions=True)


def _droppable(update: object) -> bool:
    """Rule 2 drops what a user typed or tapped; never a membership change or a migration,
    which the bot must record however busy the chat is."""
    if not isinstance(update, Update):
        return False
    if update.callback_query is not None:
        return True
    message = update.message or update.edited_message
    return message is not None and message.text is not None


def _chat_id(update: object) -> int | None:
    if isinstance(update, Update) and update.effective_chat is not None:
        return update.effective_chat.id
    return None


def _close(coroutine: Awaitable[Any]) -> None:
    """A dropped update's handler coroutine, closed so it is not reported as never awaited."""
    close = getattr(coroutine, "close", None)
    if close is not None:
        with contextlib.suppress(Exception):
            close()
