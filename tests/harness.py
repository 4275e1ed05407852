"""Run the real Application in-process against the fake Bot API, and talk to it as a user.

`handled()` is deterministic: the harness adds a handler in a late group, and python-telegram-bot
runs an update's groups in order, so when that handler sees update N, the bot's own handlers for
N have finished (their replies included). Tests therefore never sleep to wait for silence.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from telegram import Update
from telegram.ext import Application, TypeHandler

from bot.app import ALLOWED_UPDATES, RUNTIME_KEY, Runtime, build_application
from bot.settings import Settings
from news.opml import OpmlSource, write_opml
from tests.fakes.telegram_api import FakeTelegram, SentMessage

DONE_GROUP = 1_000
HANDLED_TIMEOUT = 10.0  # seconds; only reached when the bot never handles an update


@dataclass
class RunningBot:
    app: Application
    telegram: FakeTelegram
    errors: list[BaseException] = field(default_factory=list)
    _done: dict[int, asyncio.Event] = field(default_factory=dict)

    @property
    def runtime(self) -> Runtime:
        """The running bot's storage, poller, digests, sender and poll scheduler."""
        return self.app.bot_data[RUNTIME_KEY]

    def _event(self, update_id: int) -> asyncio.Event:
        return self._done.setdefault(update_id, asyncio.Event())

    async def handled(self, update: dict) -> None:
        await asyncio.wait_for(self._event(update["update_id"]).wait(), HANDLED_TIMEOUT)

    async def send(self, text: str, **kwargs) -> list[SentMessage]:
        """Send as a user and wait until the bot has handled it; return what it sent that chat."""
        chat_id = kwargs.get("chat_id", 1001)
        before = len(self.telegram.sent_to(chat_id))
        update = self.telegram.user_sends(text, **kwargs)
        await self.handled(update)
        return self.telegram.sent_to(chat_id)[before:]

    async def ask(self, text: str, **kwargs) -> SentMessage:
        """Send and expect exactly one answer."""
        replies = await self.send(text, **kwargs)
        assert len(replies) == 1, f"expected one reply to {text!r}, got {[r.text for r in replies]}"
        return replies[0]

    async def press(self, message: SentMessage, data: str, **kwargs) -> dict:
        update = self.telegram.user_presses(message, data, **kwargs)
        await self.handled(update)
        return update


def listed(message: SentMessage) -> list[str]:
    """The headlines a /latest or /search page (one message, handlers.latest) lists, in order."""
    return [
        line.split(". ", 1)[1].split(" — ")[0]
        for line in message.plain_text.split("\n")
        if line[:1].isdigit() and ". " in line
    ]


@asynccontextmanager
async def running_bot(
    settings: Settings, telegram: FakeTelegram, *, clock: Callable[[], float] = time.time
) -> AsyncIterator[RunningBot]:
    """The same life cycle as Application.run_polling, inside the test's event loop. `clock`
    is the bot's wall clock (storage and digest schedules), for tests that move time."""
    app = build_application(settings, clock=clock)
    bot = RunningBot(app, telegram)

    async def mark_done(update: Update, _context) -> None:
        bot._event(update.update_id).set()

    async def record_error(_update: object, context) -> None:
        bot.errors.append(context.error)

    app.add_handler(TypeHandler(Update, mark_done), group=DONE_GROUP)
    app.add_error_handler(record_error)
    await app.initialize()
    await app.post_init(app)
    await app.updater.start_polling(poll_interval=0, timeout=1, allowed_updates=ALLOWED_UPDATES)
    await app.start()
    try:
        yield bot
    finally:
        await app.updater.stop()
        await app.stop()
        await app.post_stop(app)
        await app.shutdown()
        await app.post_shutdown(app)


def with_desks(settings: Settings, folder: Path, urls: list[str]) -> Settings:
    """Settings whose sources are these feed URLs, titled "Desk 0", "Desk 1", ..."""
    path = folder / "feeds.opml"
    path.write_text(
        write_opml([OpmlSource(u, f"Desk {i}") for i, u in enumerate(urls)]), encoding="utf-8"
    )
    return dataclasses.replace(settings, sources=path)


async def poll_now(bot: RunningBot, *, deliver: bool = True) -> None:
    """Poll every source now; with `deliver`, also wait until the sender has nothing left."""
    await bot.runtime.storage.conn.execute("UPDATE sources SET next_check_at = 0")
    await bot.runtime.scheduler.tick()
    await bot.runtime.scheduler.idle()
    if deliver:
        await bot.runtime.sender.drained()
