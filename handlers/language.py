"""/language: the language the bot writes to this chat in (news.i18n). A setting: in groups
only admins change it; anyone may look.

1. `/language` alone names the chat's language, with a button per language the bot speaks
   (each named in its own language, so someone who cannot read the current one finds theirs).
2. `/language ru`, `/language русский`, `/language English` (a code, or a language's name in
   any language the bot speaks) sets it; the answer comes in the new language.
3. The chat's command menu follows: Telegram is asked to show this chat the menu in its
   language (a refusal is logged, the setting stands).
"""

from __future__ import annotations

import logging

from telegram import BotCommandScopeChat, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError

from handlers.chat import command_argument, may_change
from handlers.context import NewsContext
from news import replies
from news.i18n import LANGUAGES, Tr, parse_language, translator
from news.models import Chat

log = logging.getLogger(__name__)


def _keyboard(t: Tr) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    replies.language_button_text(t, code), callback_data=f"lang:{code}"
                )
                for code in LANGUAGES
            ]
        ]
    )


async def language(update: Update, context: NewsContext) -> None:
    """Rules 1-2."""
    t = context.t
    message = update.effective_message
    argument = command_argument(message).strip()
    if not argument:
        await message.reply_text(replies.language_status(t), reply_markup=_keyboard(t))
        return
    wanted = parse_language(argument)
    if wanted is None:
        await message.reply_text(replies.language_unknown(t, argument), reply_markup=_keyboard(t))
        return
    if not await may_change(update, context):
        await message.reply_text(replies.only_admins(t))
        return
    changed = await _set(update, context, wanted)
    await message.reply_text(replies.language_set(translator(changed.language)))


async def language_button(update: Update, context: NewsContext) -> None:
    """A tap on one of the /language buttons."""
    t = context.t
    query = update.callback_query
    wanted = query.data.split(":", 1)[1]
    if wanted not in LANGUAGES:
        await query.answer(replies.expired_button(t), show_alert=True)
        return
    if not await may_change(update, context):
        await query.answer(replies.only_admins(t), show_alert=True)
        return
    changed = await _set(update, context, wanted)
    said = translator(changed.language)
    await query.answer(replies.language_set(said))
    if wanted != t.language:
        await query.edit_message_text(replies.language_status(said), reply_markup=_keyboard(said))


async def _set(update: Update, context: NewsContext, wanted: str) -> Chat:
    """Store the language, then rule 3."""
    chat = context.chat_record
    changed = await context.storage.chats.set_language(chat.id, wanted)
    context.chat_record_value = changed
    user = update.effective_user
    operator = chat.type == "private" and user is not None and user.id in context.settings.admins
    from handlers.commands import menu  # the command table imports this module

    try:
        await context.bot.set_my_commands(
            menu(translator(wanted), operator=operator), scope=BotCommandScopeChat(chat.id)
        )
    except TelegramError as exc:
        log.warning("Could not set the command menu of chat %s: %s", chat.id, exc)
    return changed
