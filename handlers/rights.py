"""Who may change a chat's settings: anyone in a private chat; in groups only admins.

Telegram is asked (getChatMember) at most once a minute per (chat, user); the answers are
kept here, not in the handlers.
"""

from __future__ import annotations

import logging
import time

from telegram import Bot, ChatMember, Update
from telegram.constants import ChatType
from telegram.error import TelegramError

log = logging.getLogger(__name__)

CACHE_SECONDS = 60.0


class AdminRights:
    def __init__(self, operators: frozenset[int]) -> None:
        self._operators = operators
        # (chat id, user id) -> (when asked, is admin)
        self._cache: dict[tuple[int, int], tuple[float, bool]] = {}

    async def may_change(self, update: Update, bot: Bot) -> bool:
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
        if user.id in self._operators:
            return True
        return await self._is_admin(bot, chat.id, user.id)

    async def _is_admin(self, bot: Bot, chat_id: int, user_id: int) -> bool:
        key = (chat_id, user_id)
        cached = self._cache.get(key)
        now = time.monotonic()
        if cached and now - cached[0] < CACHE_SECONDS:
            return cached[1]
        try:
            member = await bot.get_chat_member(chat_id, user_id)
        except TelegramError as exc:
            log.warning("Could not check admin rights in chat %s: %s", chat_id, exc)
            return False
        allowed = member.status in (ChatMember.ADMINISTRATOR, ChatMember.OWNER)
        if len(self._cache) > 10_000:  # forget old answers rather than grow without end
            self._cache = {k: v for k, v in self._cache.items() if now - v[0] < CACHE_SECONDS}
        self._cache[key] = (now, allowed)
        return allowed
