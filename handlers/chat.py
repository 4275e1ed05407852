"""Helpers every command family uses: record the chat, check who may change it, read args."""

from __future__ import annotations

from telegram import Message, Update
from telegram.constants import ChatMemberStatus

from handlers.context import NewsContext
from news.i18n import language_for
from news.models import Chat, DeliveryMode
from storage.database import DatabaseUnavailable


def _worth_recording(update: Update, username: str | None) -> bool:
    """Commands for this bot, button taps and the bot's own membership changes; not other
    people's chatter in a group, not a command addressed to another bot (/start@otherbot),
    and not service messages (a migration's old chat must not come back)."""
    if update.effective_chat is None:
        return False
    if update.callback_query is not None or update.my_chat_member is not None:
        return True
    message = update.message
    text = message.text or "" if message is not None else ""
    if not text.startswith("/"):
        return False
    _, at, addressee = text.split(maxsplit=1)[0].partition("@")
    return not at or (username or "").casefold() == addressee.casefold()


def _reactivates(update: Update) -> bool:
    """A command or a button tap from the chat, or the bot added (again): the chat reaches
    us, so it is active again (pushes resume; if the reply is refused, handlers.common's
    error handler marks it inactive once more). Being blocked or removed never does."""
    if update.my_chat_member is not None:
        status = update.my_chat_member.new_chat_member.status
        return status in (ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR)
    return True


async def record_chat(update: Update, context: NewsContext) -> None:
    """Group -1, once per update: create or refresh this chat's row (type, title, language)
    and keep it on the context for the handler that answers. A new chat starts in its first
    user's language (news.i18n rule 7): in a group, whoever added the bot or first used it."""
    if not _worth_recording(update, context.bot.username):
        return
    chat = update.effective_chat
    user = update.effective_user
    try:
        context.chat_record_value = await context.storage.chats.touch(
            chat.id,
            type=chat.type,
            title=chat.title or chat.full_name,
            language_code=user.language_code if user else None,
            language=language_for(user.language_code if user else None),
            default_timezone=context.settings.timezone,
            reactivate=_reactivates(update),
        )
    except DatabaseUnavailable:
        # The database cannot be written (storage warned once): the command is still
        # answered from what is stored (a reading command works; a changing one is told
        # "could not save" by its own write), or as a new chat would be.
        stored = await context.storage.chats.get(chat.id)
        context.chat_record_value = stored or Chat(
            id=chat.id, type=chat.type, title=chat.title or chat.full_name,
            language_code=user.language_code if user else None,
            language=language_for(user.language_code if user else None),
            timezone=context.settings.timezone, mode=DeliveryMode.BOTH, active=True,
        )  # fmt: skip


async def may_change(update: Update, context: NewsContext) -> bool:
    """Anyone in a private chat; in groups only admins (and the bot's operators)."""
    return await context.services.rights.may_change(update, context.bot)


def command_argument(message: Message) -> str:
    """The text after the command word (`/subscribe@bot a, b` -> `a, b`), untouched.

    context.args splits on whitespace and would lose quotes and commas; we parse ourselves.
    """
    text = message.text or ""
    parts = text.split(maxsplit=1)
    return parts[1] if len(parts) > 1 else ""


MAX_ROW_ID = 2**63 - 1  # SQLite's largest integer: a row id beyond it cannot exist


def button_number(data: str, position: int, *, minimum: int = 0) -> int:
    """The integer at `position` of a button's colon-separated callback data; ValueError for
    anything a forged or garbled button could carry (missing, not digits, out of range), so
    the handler answers "this button no longer works" instead of failing."""
    parts = data.split(":")
    if position >= len(parts):
        raise ValueError(data)
    text = parts[position]
    if not text.lstrip("-").isdigit() or len(text) > 20:
        raise ValueError(data)
    number = int(text)
    if not minimum <= number <= MAX_ROW_ID:
        raise ValueError(data)
    return number
