"""What every handler can reach: the storage, the catalogue and the settings.

A custom CallbackContext gives handlers typed attributes (`context.storage`) instead of
string lookups in bot_data. The composition root (bot.app) puts a `Services` object in
bot_data under SERVICES_KEY during post_init.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from telegram.ext import CallbackContext, ExtBot

if TYPE_CHECKING:
    from bot.digests import DigestService
    from bot.jobs import PollScheduler
    from bot.sender import Sender
    from bot.settings import Settings
    from fetch.poller import Poller
    from news.catalogue import Catalogue
    from storage import Storage

SERVICES_KEY = "services"


@dataclass
class Services:
    settings: Settings
    catalogue: Catalogue
    storage: Storage
    poller: Poller | None = None
    scheduler: PollScheduler | None = None
    sender: Sender | None = None
    digests: DigestService | None = None
    # (chat id, user id) -> (when asked, is admin): Telegram is asked at most once a minute.
    admin_cache: dict[tuple[int, int], tuple[float, bool]] = field(default_factory=dict)


class NewsContext(CallbackContext[ExtBot, dict, dict, dict]):
    @property
    def services(self) -> Services:
        return self.application.bot_data[SERVICES_KEY]

    @property
    def storage(self) -> Storage:
        return self.services.storage

    @property
    def catalogue(self) -> Catalogue:
        return self.services.catalogue

    @property
    def settings(self) -> Settings:
        return self.services.settings
