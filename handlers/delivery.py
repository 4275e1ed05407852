"""/mode: how this chat receives news (instant pushes, the daily digest, both, or nothing)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from handlers.chat import command_argument, may_change
from handlers.context import NewsContext
from news import replies
from news.models import Chat, DeliveryMode
from news.telegram_html import quoted

MODE_TEXT = {
    DeliveryMode.INSTANT: "instant — a message for each new story",
    DeliveryMode.DIGEST: "digest — one message a day, no instant pushes",
    DeliveryMode.BOTH: "both — instant pushes and the daily digest",
    DeliveryMode.OFF: "off — nothing is sent (subscriptions are kept)",
}


def _keyboard(current: DeliveryMode) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    ("• " if m is current else "") + m.value, callback_data=f"mode:{m.value}"
                )
                for m in DeliveryMode
            ]
        ]
    )


def _describe(chat: Chat) -> str:
    text = f"Delivery mode: <b>{MODE_TEXT[chat.mode]}</b>"
    if chat.digest_on:
        text += "\n" + replies.digest_schedule(chat) + " Change it with /digest."
    return text


async def mode(update: Update, context: NewsContext) -> None:
    """Show or set the delivery mode: /mode instant|digest|both|off."""
    message = update.effective_message
    chat = context.chat_record
    argument = command_argument(message).strip().lower()
    if not argument:
        await message.reply_text(
            _describe(chat) + "\nChange it: <code>/mode instant|digest|both|off</code>",
            reply_markup=_keyboard(chat.mode),
        )
        return
    try:
        wanted = DeliveryMode(argument)
    except ValueError:
        await message.reply_text(
            f"{quoted(argument, 30)} is not a mode. Use <code>/mode instant|digest|both|off</code>."
        )
        return
    if not await may_change(update, context):
        await message.reply_text(replies.only_admins())
        return
    changed = await context.storage.chats.set_mode(chat.id, wanted)
    await message.reply_text(_describe(changed))


async def mode_button(update: Update, context: NewsContext) -> None:
    """A tap on one of the /mode buttons."""
    query = update.callback_query
    if not await may_change(update, context):
        await query.answer(replies.only_admins(), show_alert=True)
        return
    try:
        wanted = DeliveryMode(query.data.split(":", 1)[1])
    except ValueError:
        await query.answer(replies.expired_button(), show_alert=True)
        return
    chat = context.chat_record
    changed = await context.storage.chats.set_mode(chat.id, wanted)
    await query.answer(f"Mode: {wanted.value}")
    if wanted is not chat.mode:
        await query.edit_message_text(_describe(changed), reply_markup=_keyboard(wanted))
