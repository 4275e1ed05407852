"""The answers to anything unknown, membership changes and errors."""

from __future__ import annotations

import contextlib
import logging

from telegram import ChatMemberUpdated, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatMemberStatus
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from handlers.context import NewsContext
from news import replies
from news.arguments import MAX_KEYWORD, Verdict, resolve_term
from news.i18n import Tr
from news.limits import is_private
from storage.database import DatabaseUnavailable

log = logging.getLogger(__name__)


def _addressed_to_us(update: Update, context: NewsContext) -> bool:
    """In groups, speak only when spoken to: other people's chatter is not for us."""
    message = update.effective_message
    if message is None:
        return False
    if is_private(message.chat.id):
        return True
    text = message.text or ""
    username = context.bot.username or ""
    if username and f"@{username}".casefold() in text.casefold():
        return True
    reply = message.reply_to_message
    return bool(reply and reply.from_user and reply.from_user.id == context.bot.id)


async def unknown_command(update: Update, context: NewsContext) -> None:
    """Point to /help on a command we do not have; a command addressed to another bot
    (/subscribe@OtherBot) is that bot's, and gets no answer from us."""
    t = context.t
    if not _addressed_to_us(update, context):
        return
    word = (update.effective_message.text or "").split(maxsplit=1)[0]
    command, at, addressee = word.partition("@")
    if at and addressee.casefold() != (context.bot.username or "").casefold():
        return
    await update.effective_message.reply_text(replies.unknown_command(t, command))


async def plain_text(update: Update, context: NewsContext) -> None:
    """Point to /help when someone writes to the bot instead of using a command; a brand's
    name written in a private chat ("xiaomi", "Сяоми") gets buttons to follow it or read its
    latest stories instead."""
    t = context.t
    if not _addressed_to_us(update, context):
        return
    message = update.effective_message
    text = " ".join((message.text or "").split())
    brand = None
    if is_private(message.chat.id) and 0 < len(text) <= MAX_KEYWORD:
        resolution = resolve_term(text, context.catalogue)
        brand = (
            resolution.brand if resolution.verdict in (Verdict.BRAND, Verdict.SUGGESTION) else None
        )
    if brand is None:
        await message.reply_text(replies.plain_text_pointer(t))
        return
    buttons = [
        InlineKeyboardButton(replies.follow_button(t, brand), callback_data=f"sub:b:{brand.key}"),
        InlineKeyboardButton(
            replies.latest_about_button(t, brand), callback_data=f"latest:{brand.key}:5"
        ),
    ]
    await message.reply_text(
        replies.plain_text_brand(t, text, brand), reply_markup=InlineKeyboardMarkup([buttons])
    )


async def expired_button(update: Update, context: NewsContext) -> None:
    """A button whose data we no longer understand (an old keyboard)."""
    t = context.t
    await update.callback_query.answer(replies.expired_button(t), show_alert=True)


async def membership(update: Update, context: NewsContext) -> None:
    """The bot was blocked, kicked or (re)added: keep the chat's active flag in step."""
    change: ChatMemberUpdated = update.my_chat_member
    status = change.new_chat_member.status
    # Added (again): handlers.chat.record_chat has already recorded and reactivated it.
    removed = status in (ChatMemberStatus.BANNED, ChatMemberStatus.LEFT)
    if removed and await context.storage.chats.set_active(change.chat.id, False):
        log.info("Chat %s removed the bot; marked inactive, subscriptions kept", change.chat.id)


async def migrated(update: Update, context: NewsContext) -> None:
    """The group was upgraded to a supergroup: its subscriptions move to the new chat id."""
    message = update.effective_message
    if message.migrate_to_chat_id:
        old, new = message.chat.id, message.migrate_to_chat_id
    else:
        old, new = message.migrate_from_chat_id, message.chat.id
    if await context.storage.chats.migrate(old, new):
        log.info("Chat %s became %s; subscriptions moved", old, new)


async def on_error(update: object, context: NewsContext) -> None:
    """Last line of defence: expected Telegram refusals are data, anything else is logged."""
    error = context.error
    chat = update.effective_chat if isinstance(update, Update) else None
    if isinstance(error, Forbidden) and chat is not None:
        # Blocked by the user or removed from the group: not an error, just stop talking.
        with contextlib.suppress(DatabaseUnavailable):  # storage warned; next time, then
            await context.storage.chats.set_active(chat.id, False)
        log.info("Chat %s is unreachable (%s); marked inactive", chat.id, error.message)
        return
    if isinstance(error, ChatMigrated) and chat is not None:
        with contextlib.suppress(DatabaseUnavailable):  # the next update migrates it then
            await context.storage.chats.migrate(chat.id, error.new_chat_id)
        log.info("Chat %s became %s; subscriptions moved", chat.id, error.new_chat_id)
        return
    update_id = update.update_id if isinstance(update, Update) else None
    if isinstance(error, DatabaseUnavailable):
        # storage.database said so once (a WARNING); the user hears that nothing was saved.
        await _could_not_save(update, context.t)
        return
    if isinstance(error, NetworkError | RetryAfter) and not isinstance(error, BadRequest):
        # Telegram unreachable or overloaded past bot.pacing's retries (which said so):
        # one line, no traceback; the user's command itself was handled.
        log.warning("Telegram did not take the answer to update %s: %s", update_id, error)
        return
    log.error("Error while handling update %s", update_id, exc_info=error)


async def _could_not_save(update: object, t: Tr) -> None:
    """Tell whoever asked that their change was not saved (a toast for a button)."""
    if not isinstance(update, Update):
        return  # a job: storage's warning is the operator's line
    with contextlib.suppress(TelegramError):
        if update.callback_query is not None:
            await update.callback_query.answer(t(replies.COULD_NOT_SAVE), show_alert=True)
        elif update.effective_message is not None and update.message is not None:
            await update.effective_message.reply_text(t(replies.COULD_NOT_SAVE))
