"""The composition root: builds the python-telegram-bot Application and wires everything.

Resources are opened in post_init and closed in post_shutdown, so `newsbot run`, the tests'
harness and any other runner get the same life cycle. No business rules live here.
"""

from __future__ import annotations

import logging

from telegram import BotCommand, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, Defaults

import handlers
from bot.settings import Settings
from handlers.context import SERVICES_KEY, NewsContext, Services
from news.catalogue import Catalogue, load_catalogue
from news.replies import COMMANDS
from storage import Storage

log = logging.getLogger(__name__)

# Only what the handlers use: less traffic, and no surprises from update types we ignore.
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER]
# Updates are handled concurrently so a slow reply (an admin check, a rate-limited send) in
# one chat does not hold up the others; storage serializes its own writes.
CONCURRENT_UPDATES = 16


def build_application(settings: Settings, catalogue: Catalogue | None = None) -> Application:
    """A ready-to-run Application. Raises SettingsError / CatalogueError on bad configuration."""
    token = settings.require_token()
    catalogue = catalogue if catalogue is not None else load_catalogue(settings.brands)

    async def post_init(application: Application) -> None:
        storage = await Storage.open(settings.database)
        application.bot_data[SERVICES_KEY] = Services(
            settings=settings, catalogue=catalogue, storage=storage
        )
        await register_commands(application)
        log.info("newsbot started as @%s; database %s", application.bot.username, settings.database)

    async def post_shutdown(application: Application) -> None:
        services: Services | None = application.bot_data.pop(SERVICES_KEY, None)
        if services is not None:
            await services.storage.close()
        log.info("newsbot stopped")

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
        .concurrent_updates(CONCURRENT_UPDATES)
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    handlers.register(application)
    return application


async def register_commands(application: Application) -> None:
    """Publish the command menu; a refusal is worth a warning, not a failed start."""
    try:
        await application.bot.set_my_commands([BotCommand(c, d) for c, d in COMMANDS])
    except TelegramError as exc:
        log.warning("Could not register the command menu (setMyCommands): %s", exc)
