"""Helpers every command family uses: record the chat, check who may change it, read args."""

from __future__ import annotations

import logging
import time

from telegram import Chat, ChatMember, Message, Update
from telegram.constants import ChatType
from telegram.error import TelegramError

from handlers.context import NewsContext
from news.models import Chat as ChatRecord

log = logging.getLogger(__name__)

ADMIN_CACHE_SECONDS = 60.0


async def remember_chat(
    update: Update, context: NewsContext, *, reactivate: bool = False
) -> ChatRecord:
    """Create or refresh this chat's row (type, title, language) and return its settings."""
    chat = update.effective_chat
    assert chat is not None
    user = update.effective_user
    return await context.storage.chats.touch(
        chat.id,
        type=chat.type,
        title=chat.title or chat.full_name,
        language_code=user.language_code if user else None,
        default_timezone=context.settings.timezone,
        reactivate=reactivate,
    )


async def may_change(update: Update, context: NewsContext) -> bool:
    """Anyone in a private chat; in groups only admins (and the bot's operators)."""
    chat = update.effective_chat
    if chat is None:
        return False
    if chat.type == ChatType.PRIVATE:
        return True
    message = update.effective_message
    # An anonymous admin posts as the group itself: only admins can do that.
    if (
        message is not None
        and message.sender_chat is not None
        and message.sender_chat.id == chat.id
    ):
        return True
    if chat.type == ChatType.CHANNEL:
        return True  # only admins can post in a channel
    user = update.effective_user
    if user is None:
        return False
    if user.id in context.settings.admins:
        return True
    key = (chat.id, user.id)
    cache = context.services.admin_cache
    cached = cache.get(key)
    now = time.monotonic()
    if cached and now - cached[0] < ADMIN_CACHE_SECONDS:
        return cached[1]
    try:
        member = await context.bot.get_chat_member(chat.id, user.id)
    except TelegramError as exc:
        log.warning("Could not check admin rights in chat %s: %s", chat.id, exc)
        return False
    allowed = member.status in (ChatMember.ADMINISTRATOR, ChatMember.OWNER)
    cache[key] = (now, allowed)
    return allowed


def command_argument(message: Message) -> str:
    """The text after the command word (`/subscribe@bot a, b` -> `a, b`), untouched.

    context.args splits on whitespace and would lose quotes and commas; we parse ourselves.
    """
    text = message.text or ""
    parts = text.split(maxsplit=1)
    return parts[1] if len(parts) > 1 else ""


def is_private(chat: Chat | None) -> bool:
    return chat is not None and chat.type == ChatType.PRIVATE
