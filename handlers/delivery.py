"""/mode: how this chat receives news (instant pushes, the daily digest, both, or nothing);
/quiet: the hours when those arrive without a sound (news/quiet.py). Both are settings: in
groups only admins change them; anyone may look."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from handlers.chat import command_argument, may_change
from handlers.context import NewsContext
from news import replies
from news.i18n import Tr, english_words
from news.models import DeliveryMode
from news.quiet import QuietArgumentError, parse_quiet


def _keyboard(t: Tr, current: DeliveryMode) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    replies.mode_button_text(t, m, current), callback_data=f"mode:{m.value}"
                )
                for m in DeliveryMode
            ]
        ]
    )


async def mode(update: Update, context: NewsContext) -> None:
    """Show or set the delivery mode: /mode instant|digest|both|off."""
    t = context.t
    message = update.effective_message
    chat = context.chat_record
    argument = english_words(command_argument(message)).lower()
    if not argument:
        await message.reply_text(
            replies.mode_status(t, chat, with_usage=True, now=context.storage.now()),
            reply_markup=_keyboard(t, chat.mode),
        )
        return
    try:
        wanted = DeliveryMode(argument)
    except ValueError:
        await message.reply_text(replies.mode_unknown(t, argument))
        return
    if not await may_change(update, context):
        await message.reply_text(replies.only_admins(t))
        return
    changed = await context.storage.chats.set_mode(chat.id, wanted)
    await message.reply_text(replies.mode_status(t, changed, now=context.storage.now()))


async def mode_button(update: Update, context: NewsContext) -> None:
    """A tap on one of the /mode buttons."""
    t = context.t
    query = update.callback_query
    if not await may_change(update, context):
        await query.answer(replies.only_admins(t), show_alert=True)
        return
    try:
        wanted = DeliveryMode(query.data.split(":", 1)[1])
    except ValueError:
        await query.answer(replies.expired_button(t), show_alert=True)
        return
    chat = context.chat_record
    changed = await context.storage.chats.set_mode(chat.id, wanted)
    await query.answer(replies.mode_set_answer(t, wanted))
    if wanted is not chat.mode:
        await query.edit_message_text(
            replies.mode_status(t, changed, now=context.storage.now()),
            reply_markup=_keyboard(t, wanted),
        )


PREVIEW_WORDS = {"on": True, "yes": True, "off": False, "no": False}


async def preview(update: Update, context: NewsContext) -> None:
    """/preview [on|off]: whether pushes show the story's picture (news.render.preview_for)."""
    t = context.t
    message = update.effective_message
    chat = context.chat_record
    argument = english_words(command_argument(message)).casefold()
    if not argument:
        await message.reply_text(replies.preview_status(t, chat))
        return
    if argument not in PREVIEW_WORDS:
        await message.reply_text(replies.preview_unknown(t, argument))
        return
    if not await may_change(update, context):
        await message.reply_text(replies.only_admins(t))
        return
    changed = await context.storage.chats.set_previews(chat.id, PREVIEW_WORDS[argument])
    await message.reply_text(replies.preview_set(t, changed))


async def quiet(update: Update, context: NewsContext) -> None:
    """/quiet [HH:MM-HH:MM | off]."""
    t = context.t
    message = update.effective_message
    chat = context.chat_record
    try:
        command = parse_quiet(english_words(command_argument(message)))
    except QuietArgumentError as exc:
        await message.reply_text(replies.quiet_argument_error(t, exc))
        return
    if command.kind == "show":
        await message.reply_text(replies.quiet_status(t, chat))
        return
    if not await may_change(update, context):
        await message.reply_text(replies.only_admins(t))
        return
    changed = await context.storage.chats.set_quiet(chat.id, command.hours)
    await message.reply_text(
        replies.quiet_set(t, changed) if changed.quiet is not None else replies.quiet_off(t)
    )
