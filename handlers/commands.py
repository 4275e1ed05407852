"""The one table of commands: it registers the handlers, builds Telegram's command menus and
generates /help, so the three can never disagree (tests/test_docs.py also holds the README's
table to it). Also /start and /help themselves, which show the table."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from telegram import BotCommand, Update
from telegram.ext import CommandHandler, filters

from handlers import admin, delivery, digest, language, latest, subscriptions
from handlers.context import NewsContext
from news import replies
from news.i18n import Tr

Callback = Callable[[Update, NewsContext], Awaitable[None]]


@dataclass(frozen=True)
class Command:
    names: tuple[str, ...]  # the first is the command's name; the rest are aliases
    callback: Callback
    operator: bool = False  # in the operators' menu and /help only (NEWSBOT_ADMINS)

    @property
    def text(self) -> replies.CommandText:
        table = replies.OPERATOR_COMMAND_TEXT if self.operator else replies.COMMAND_TEXT
        return table[self.names[0]]


async def start(update: Update, context: NewsContext) -> None:
    """Welcome; also the way back for a chat that had blocked the bot (handlers.chat)."""
    await help_command(update, context)


async def help_command(update: Update, context: NewsContext) -> None:
    """Explain what the bot does and list the commands (operators also see theirs)."""
    t = context.t
    user = update.effective_user
    operator = user is not None and user.id in context.settings.admins
    await update.effective_message.reply_text(
        replies.welcome(
            t,
            [c.names for c in COMMANDS if not c.operator],
            [c.names for c in COMMANDS if c.operator] if operator else (),
        )
    )


# In the order of the menu and of /help.
COMMANDS: tuple[Command, ...] = (
    Command(("subscribe",), subscriptions.subscribe),
    Command(("unsubscribe",), subscriptions.unsubscribe),
    Command(("subscriptions", "list"), subscriptions.subscriptions),
    Command(("latest",), latest.latest),
    Command(("search",), latest.search),
    Command(("brands",), subscriptions.brands),
    Command(("mode",), delivery.mode),
    Command(("digest",), digest.digest),
    Command(("timezone",), digest.timezone),
    Command(("quiet",), delivery.quiet),
    Command(("preview",), delivery.preview),
    Command(("language",), language.language),
    Command(("help",), help_command),
    Command(("start",), start),
    Command(("sources",), admin.sources, operator=True),
    Command(("addsource",), admin.add_source, operator=True),
    Command(("removesource",), admin.remove_source, operator=True),
)


def menu(t: Tr, *, operator: bool = False) -> list[BotCommand]:
    """Telegram's command menu in `t`'s language: everyone's, or an operator's (theirs after
    everyone's)."""
    return [BotCommand(c.names[0], t(c.text.menu)) for c in COMMANDS if operator or not c.operator]


def command_handlers() -> list[CommandHandler]:
    # Edited messages are ignored: re-running an edited /subscribe would surprise people.
    new = filters.UpdateType.MESSAGE
    return [CommandHandler(list(c.names), c.callback, filters=new) for c in COMMANDS]
