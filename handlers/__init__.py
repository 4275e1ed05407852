"""Telegram handlers, one module per command family; `register` wires them all in one place."""

from __future__ import annotations

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from handlers import admin, chat, common, delivery, digest, latest, subscriptions


def register(application: Application) -> None:
    # Before any handler: the chat's row, once per update (handlers.chat.record_chat).
    application.add_handler(TypeHandler(Update, chat.record_chat), group=-1)
    # Edited messages are ignored: re-running an edited /subscribe would surprise people.
    new = filters.UpdateType.MESSAGE
    commands = [
        (("start",), common.start),
        (("help",), common.help_command),
        (("subscribe",), subscriptions.subscribe),
        (("unsubscribe",), subscriptions.unsubscribe),
        (("subscriptions", "list"), subscriptions.subscriptions),
        (("brands",), subscriptions.brands),
        (("mode",), delivery.mode),
        (("digest",), digest.digest),
        (("timezone",), digest.timezone),
        (("latest",), latest.latest),
        (("search",), latest.search),
        (("sources",), admin.sources),
        (("addsource",), admin.add_source),
        (("removesource",), admin.remove_source),
    ]
    for names, callback in commands:
        application.add_handler(CommandHandler(list(names), callback, filters=new))
    application.add_handler(
        CallbackQueryHandler(subscriptions.subscribe_button, pattern=r"^sub:[bk]:")
    )
    application.add_handler(
        CallbackQueryHandler(subscriptions.unsubscribe_button, pattern=r"^unsub:")
    )
    application.add_handler(CallbackQueryHandler(delivery.mode_button, pattern=r"^mode:"))
    application.add_handler(CallbackQueryHandler(latest.latest_button, pattern=r"^(latest|more):"))
    application.add_handler(CallbackQueryHandler(common.expired_button))
    application.add_handler(ChatMemberHandler(common.membership, ChatMemberHandler.MY_CHAT_MEMBER))
    application.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, common.migrated))
    application.add_handler(MessageHandler(new & filters.COMMAND, common.unknown_command))
    application.add_handler(
        MessageHandler(new & filters.TEXT & ~filters.COMMAND, common.plain_text)
    )
    application.add_error_handler(common.on_error)
