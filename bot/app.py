"""The composition root: builds the python-telegram-bot Application and wires everything.

Resources are opened in post_init and closed in post_shutdown, so `newsbot run`, the tests'
harness and any other runner get the same life cycle. No business rules live here.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from telegram import BotCommandScopeChat, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, Defaults

import handlers
from bot.digests import DigestService, schedule_digests
from bot.fairness import FairUpdates
from bot.jobs import (
    TICK_SECONDS,
    Heartbeat,
    PollScheduler,
    schedule_heartbeat,
    schedule_polling,
    schedule_read_also,
)
from bot.metrics import Metrics
from bot.pacing import TelegramPacer
from bot.sender import Sender
from bot.settings import Settings, SettingsError
from fetch.http import Fetcher
from fetch.poller import Poller, PollReport
from handlers import commands
from handlers.context import SERVICES_KEY, NewsContext, Services
from handlers.rights import AdminRights
from news import replies
from news.catalogue import Catalogue, load_catalogue
from news.i18n import DEFAULT, LANGUAGES, READ_AS, language_for, translator
from news.matching import Matcher
from news.models import SourceStatus
from news.opml import OpmlError, OpmlSource, load_default_sources, parse_opml
from storage import Storage
from usecases.parsing import Reader
from usecases.related import Unsaved

log = logging.getLogger(__name__)

# Only what the handlers use: less traffic, and no surprises from update types we ignore.
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER]
# Updates are handled concurrently so a slow reply (an admin check, a rate-limited send) in
# one chat does not hold up the others; storage serializes its own writes.
CONCURRENT_UPDATES = 16
SHUTDOWN_GRACE = 3.0  # seconds polls in flight get to finish their writes on stop
RUNTIME_KEY = "runtime"


def configured_sources(settings: Settings) -> list[OpmlSource]:
    """The operator's OPML file, or the list shipped with the bot. Raises OpmlError."""
    if settings.sources is None:
        return load_default_sources()
    try:
        return parse_opml(settings.sources.read_bytes())
    except OSError as exc:
        raise OpmlError(f"NEWSBOT_SOURCES={str(settings.sources)!r}: {exc.strerror}") from None
    except OpmlError as exc:
        raise OpmlError(f"NEWSBOT_SOURCES={str(settings.sources)!r}: {exc}") from None


async def sync_sources(storage: Storage, settings: Settings) -> str:
    """Bring the operator's OPML file (NEWSBOT_SOURCES) into the database; without one, the
    list shipped with the bot goes only into a database that never had sources, so a shell
    without the bot's settings cannot merge 24 feeds into a live database. Returns the line
    that says which list the bot uses."""
    if settings.sources is not None:
        entries = configured_sources(settings)
        added, updated = await storage.sources.sync(entries)
        return (f"Sources: {len(entries)} in {settings.sources} (NEWSBOT_SOURCES),"
                f" {added} added and {updated} updated in the database")  # fmt: skip
    if not await storage.sources.ever_added():
        added, _ = await storage.sources.sync(configured_sources(settings))
        return f"Sources: the {added} shipped with newsbot, added to the new database"
    polled = len(await storage.sources.all())
    return (f"Sources: the {polled} in the database (NEWSBOT_SOURCES is not set; the shipped"
            " list goes only into a new database)")  # fmt: skip


@dataclass
class Runtime:
    """What `newsbot run` owns while it runs: the handlers' Services and the workers. Built
    in post_init (before the first update), stopped in post_stop, closed in post_shutdown."""

    services: Services
    fetcher: Fetcher
    sender: Sender | None = None
    scheduler: PollScheduler | None = None
    heartbeat: Heartbeat | None = None
    metrics: Metrics | None = None
    metrics_server: object | None = None  # the /metrics HTTP server, when it listens

    @property
    def storage(self) -> Storage:
        return self.services.storage

    @property
    def poller(self) -> Poller:
        return self.services.poller

    @property
    def digests(self) -> DigestService:
        return self.services.digests


async def open_runtime(
    settings: Settings,
    catalogue: Catalogue,
    *,
    clock: Callable[[], float] = time.time,
    on_queued: Callable[[], None] | None = None,
) -> Runtime:
    """Open storage, sync the configured sources into it, and build the fetcher, the poller
    and the digest service. `clock` is the wall clock of storage and schedules (tests move it);
    `on_queued` is told when the digest queued messages (the sender's notify)."""
    storage = await Storage.open(settings.database, clock=clock)
    try:
        log.info("%s", await sync_sources(storage, settings))
        await storage.stories.load_events()  # news.events' index of the last window
    except BaseException:
        await storage.close()
        raise
    fetcher = Fetcher()
    poller = Poller(
        storage,
        fetcher,
        interval=settings.poll_interval,
        matcher=Matcher(catalogue),
        catalogue=catalogue,
        push_max_age_hours=settings.push_max_age_hours,
        reader=Reader(settings.parse_workers),
    )
    services = Services(
        settings=settings,
        catalogue=catalogue,
        storage=storage,
        poller=poller,
        digests=DigestService(storage, on_queued=on_queued),
        rights=AdminRights(settings.admins),
        unsaved=Unsaved(),
    )
    return Runtime(services, fetcher)


async def stop_workers(runtime: Runtime) -> None:
    """Polls and sends in flight get SHUTDOWN_GRACE seconds to finish and commit."""
    if runtime.scheduler is not None:
        await runtime.scheduler.shutdown(grace=SHUTDOWN_GRACE)
    if runtime.sender is not None:
        await runtime.sender.stop(grace=SHUTDOWN_GRACE)
    if runtime.metrics_server is not None:
        await asyncio.to_thread(runtime.metrics_server.shutdown)
        runtime.metrics_server.server_close()
        runtime.metrics_server = None


async def close_runtime(runtime: Runtime) -> None:
    """Close what open_runtime opened. Workers were stopped in post_stop (stop_workers)."""
    await runtime.poller.reader.aclose()
    await runtime.fetcher.aclose()
    await runtime.storage.close()


async def start_workers(
    application: Application,
    settings: Settings,
    catalogue: Catalogue,
    clock: Callable[[], float],
    metrics: Metrics,
) -> Runtime:
    """post_init: everything the bot needs, complete before the first update."""
    sender: Sender | None = None

    def on_queued() -> None:
        if sender is not None:
            sender.notify()

    runtime = await open_runtime(settings, catalogue, clock=clock, on_queued=on_queued)
    runtime.metrics = metrics
    if settings.metrics_listen is not None:
        host, port = settings.metrics_listen
        try:
            runtime.metrics_server = metrics.serve(host, port)
        except OSError as exc:
            await close_runtime(runtime)
            raise SettingsError(
                f"NEWSBOT_METRICS_LISTEN={host}:{port} cannot be listened on: {exc.strerror}"
            ) from None
        log.info("Metrics at http://%s:%d/metrics", host, port)
    if settings.paid_broadcast:
        log.warning(
            "NEWSBOT_PAID_BROADCAST is on: pushes go as paid broadcasts, up to 1,000 a second;"
            " each costs the bot's owner 0.1 Telegram Star"
        )
    sender = runtime.sender = Sender(
        runtime.storage,
        application.bot,
        link_previews=settings.link_previews,
        paid_broadcast=settings.paid_broadcast,
        metrics=metrics,
    )
    sender.start()

    async def notify(chat_id: int, text: str) -> None:
        await application.bot.send_message(chat_id, text)

    async def on_report(report: PollReport) -> None:
        if report.queued:
            on_queued()
        metrics.polls.labels(report.status.value).inc()
        metrics.fetch_seconds.observe(report.seconds)
        metrics.new_stories.inc(report.new)
        for brand, count in report.brands.items():
            metrics.stories_by_brand.labels(brand).inc(count)
        if report.status is not SourceStatus.ERROR:
            metrics.last_poll.set(runtime.storage.now())

    runtime.scheduler = PollScheduler(
        runtime.poller, admins=settings.admins, notify=notify, on_report=on_report
    )
    schedule_polling(application, runtime.scheduler, min(TICK_SECONDS, settings.poll_interval))
    schedule_digests(application, runtime.digests)
    schedule_read_also(application, runtime.storage, runtime.services.unsaved)
    runtime.heartbeat = Heartbeat(runtime.storage, lambda: sender.stats, metrics=metrics)
    schedule_heartbeat(application, runtime.heartbeat)
    return runtime


def build_application(
    settings: Settings,
    catalogue: Catalogue | None = None,
    *,
    clock: Callable[[], float] = time.time,
) -> Application:
    """A ready-to-run Application. Raises SettingsError / CatalogueError on bad configuration."""
    token = settings.require_token()
    catalogue = catalogue if catalogue is not None else load_catalogue(settings.brands)
    configured_sources(settings)  # a broken OPML file is a configuration error: fail before start

    metrics = Metrics()

    async def post_init(application: Application) -> None:
        runtime = await start_workers(application, settings, catalogue, clock, metrics)
        application.bot_data[RUNTIME_KEY] = runtime
        application.bot_data[SERVICES_KEY] = runtime.services
        await register_commands(application, settings.admins, runtime.storage)
        log.info("newsbot started as @%s; database %s", application.bot.username, settings.database)

    async def post_stop(application: Application) -> None:
        # Before Application.shutdown closes the bot's HTTP client: sends in flight finish.
        runtime: Runtime | None = application.bot_data.get(RUNTIME_KEY)
        if runtime is not None:
            await stop_workers(runtime)

    async def post_shutdown(application: Application) -> None:
        application.bot_data.pop(SERVICES_KEY, None)
        runtime: Runtime | None = application.bot_data.pop(RUNTIME_KEY, None)
        if runtime is not None:
            await close_runtime(runtime)
        log.info("newsbot stopped")

    fair = FairUpdates(CONCURRENT_UPDATES)
    application = (
        ApplicationBuilder()
        .token(token)
        .base_url(settings.api_url)
        .context_types(ContextTypes(context=NewsContext))
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .concurrent_updates(fair)
        .rate_limiter(TelegramPacer())
        .post_init(post_init)
        .post_stop(post_stop)
        .post_shutdown(post_shutdown)
        .build()
    )
    fair.notify = _slow_down
    fair.observe = metrics.update_seconds.observe
    handlers.register(application)
    return application


async def _slow_down(update: Update) -> None:
    """bot.fairness dropped some of this chat's updates: say so (a toast for a button), in
    the sender's Telegram language (news.i18n rule 7; the chat's row is not read for this)."""
    user = update.effective_user
    t = translator(language_for(user.language_code if user else None))
    if update.callback_query is not None:
        await update.callback_query.answer(t(replies.SLOW_DOWN_PRESS))
    elif update.effective_chat is not None:
        await update.effective_chat.send_message(t(replies.SLOW_DOWN))


def _menu_languages() -> list[tuple[str | None, str]]:
    """(Telegram language_code, the language its users read): the default (None) in English,
    then each catalogue's own code and the codes that read it (news.i18n rule 7)."""
    codes: list[tuple[str | None, str]] = [(None, DEFAULT)]
    codes += [(code, code) for code in LANGUAGES if code != DEFAULT]
    codes += [(code, language) for code, language in READ_AS.items() if language in LANGUAGES]
    return codes


async def register_commands(
    application: Application, admins: frozenset[int], storage: Storage
) -> None:
    """Publish the command menu and the bot's descriptions in every language, so that a
    Russian user sees them in Russian before the bot knows them (operators also see their
    commands); a refusal is a warning only."""
    bot = application.bot
    for code, language in _menu_languages():
        t = translator(language)
        try:
            await bot.set_my_commands(commands.menu(t), language_code=code)
            await bot.set_my_description(t(replies.DESCRIPTION), language_code=code)
            await bot.set_my_short_description(t(replies.SHORT_DESCRIPTION), language_code=code)
        except TelegramError as exc:
            log.warning("Could not register the command menu or description (%s): %s", code, exc)
    for admin in sorted(admins):
        chat = await storage.chats.get(admin)  # the operator's chat, in its language
        t = translator(chat.language if chat else None)
        try:
            await bot.set_my_commands(
                commands.menu(t, operator=True), scope=BotCommandScopeChat(admin)
            )
        except TelegramError as exc:  # e.g. the operator has not opened a chat with the bot
            log.warning("Could not register the operator menu for %s: %s", admin, exc)
