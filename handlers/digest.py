"""/digest and /timezone: when the daily digest arrives, and one on demand.

Changing the time, the zone, the quiet-day rule or turning the digest off are settings: in
groups only admins may. Anyone may look, and anyone may ask for /digest now (it goes to the
same chat, and the next scheduled digest simply starts after it).
"""

from __future__ import annotations

from telegram import Update

from handlers.chat import command_argument, may_change
from handlers.context import NewsContext
from news import replies
from news.digest_command import DigestArgumentError, parse_digest_command, parse_timezone
from news.i18n import english_words
from news.models import DeliveryMode

# Setting a digest time asks for the digest; turning it off keeps instant pushes as they were.
_TURN_ON = {DeliveryMode.INSTANT: DeliveryMode.BOTH, DeliveryMode.OFF: DeliveryMode.DIGEST}
_TURN_OFF = {DeliveryMode.BOTH: DeliveryMode.INSTANT, DeliveryMode.DIGEST: DeliveryMode.OFF}


async def digest(update: Update, context: NewsContext) -> None:
    """/digest [HH:MM [Area/City] | now | on | off | empty note|silent]."""
    t = context.t
    message = update.effective_message
    chat = context.chat_record
    try:
        command = parse_digest_command(english_words(command_argument(message)))
    except DigestArgumentError as exc:
        await message.reply_text(replies.digest_argument_error(t, exc))
        return
    if command.kind == "show":
        await message.reply_text(replies.digest_status(t, chat, context.storage.now()))
        return
    if command.kind == "now":
        if not await context.storage.subscriptions.count(chat.id):
            await message.reply_text(replies.nothing_followed(t))
            return
        outcome = await context.services.digests.now(chat)
        if outcome.raced:
            await message.reply_text(replies.digest_raced(t))
        elif not outcome.messages:
            await message.reply_text(replies.digest_nothing(t, outcome.since_last))
        return  # the digest itself, through the outbox, is the answer
    if not await may_change(update, context):
        await message.reply_text(replies.only_admins(t))
        return
    chats = context.storage.chats
    if command.kind == "set":
        assert command.time is not None
        mode = _TURN_ON.get(chat.mode, chat.mode)
        changed = await chats.set_digest(
            chat.id, at=command.time, timezone=command.timezone, mode=mode
        )
        await message.reply_text(
            replies.digest_set(t, changed, mode is not chat.mode, context.storage.now())
        )
    elif command.kind == "on":
        if chat.digest_on:
            await message.reply_text(replies.digest_status(t, chat, context.storage.now()))
            return
        changed = await chats.set_mode(chat.id, _TURN_ON[chat.mode])
        await message.reply_text(replies.digest_set(t, changed, True, context.storage.now()))
    elif command.kind == "off":
        if not chat.digest_on:
            await message.reply_text(replies.digest_status(t, chat))
            return
        changed = await chats.set_mode(chat.id, _TURN_OFF[chat.mode])
        await message.reply_text(replies.digest_off(t, changed))
    else:
        quiet = command.kind == "quiet_on"
        await chats.set_digest_quiet(chat.id, quiet)
        await message.reply_text(replies.digest_quiet(t, quiet))


async def timezone(update: Update, context: NewsContext) -> None:
    """/timezone [Area/City]: show or set the zone digests (and story times) use."""
    t = context.t
    message = update.effective_message
    chat = context.chat_record
    argument = command_argument(message)
    now = context.storage.now()
    if not argument.strip():
        await message.reply_text(replies.timezone_status(t, chat, now))
        return
    try:
        zone = parse_timezone(argument, command="timezone")
    except DigestArgumentError as exc:
        await message.reply_text(replies.digest_argument_error(t, exc))
        return
    if not await may_change(update, context):
        await message.reply_text(replies.only_admins(t))
        return
    changed = await context.storage.chats.set_timezone(chat.id, zone)
    await message.reply_text(replies.timezone_set(t, changed, now))
