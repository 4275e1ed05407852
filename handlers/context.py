"""What every handler can reach: an immutable set of dependencies, and the chat's record.

A custom CallbackContext gives handlers typed attributes (`context.storage`) instead of
string lookups in bot_data. The composition root (bot.app) builds one `Services` in post_init,
before the first update, and puts it in bot_data under SERVICES_KEY; it never changes after.
The app's runtime objects (the sender, the poll scheduler, the jobs) stay in the composition
root: handlers reach only what answering a command needs.

`context.chat_record` is the chat's stored row, recorded once per update by handlers.chat's
`record_chat` (a TypeHandler in group -1, before any command handler runs); `context.t` speaks
its language.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from telegram.ext import CallbackContext, ExtBot

from news.i18n import Tr, translator

if TYPE_CHECKING:
    from bot.digests import DigestService
    from bot.settings import Settings
    from fetch.poller import Poller
    from handlers.rights import AdminRights
    from news.catalogue import Catalogue
    from news.models import Chat
    from storage import Storage
    from usecases.related import Unsaved

SERVICES_KEY = "services"


@dataclass(frozen=True)
class Services:
    settings: Settings
    catalogue: Catalogue
    storage: Storage
    poller: Poller  # /addsource polls a new source at once
    digests: DigestService  # /digest now
    rights: AdminRights  # who may change a group's settings
    unsaved: Unsaved  # read-also computed for /latest answers, for the minute job to store


class NewsContext(CallbackContext[ExtBot, dict, dict, dict]):
    chat_record_value: Chat | None = None

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

    @property
    def t(self) -> Tr:
        """The chat's voice (news.i18n): its language, English for an update with no chat."""
        record = self.chat_record_value
        return translator(record.language if record is not None else None)

    @property
    def chat_record(self) -> Chat:
        """This update's chat as stored (handlers.chat.record_chat wrote it)."""
        if self.chat_record_value is None:
            raise LookupError("the chat of this update was not recorded")
        return self.chat_record_value
