"""Telegram handlers, one module per command family; `register` wires them all in one place
(the commands from the one table in handlers/commands.py)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from handlers import admin, chat, commands, common, delivery, language, latest, subscriptions


def register(application: Application) -> None:
    # Before any handler: the chat's row, once per update (handlers.chat.record_chat).
    application.add_handler(TypeHandler(Update, chat.record_chat), group=-1)
    for handler in commands.command_handlers():
        application.add_handler(handler)
    application.add_handler(
        CallbackQueryHandler(subscriptions.subscribe_button, pattern=r"^sub:[bk]:")
    )
    application.add_handler(
        CallbackQueryHandler(subscriptions.unsubscribe_button, pattern=r"^unsub:")
    )
    application.add_handler(CallbackQueryHandler(delivery.mode_button, pattern=r"^mode:"))
    application.add_handler(CallbackQueryHandler(language.language_button, pattern=r"^lang:"))
    application.add_handler(CallbackQueryHandler(latest.latest_button, pattern=r"^(latest|more):"))
    application.add_handler(CallbackQueryHandler(latest.open_button, pattern=r"^open:"))
    application.add_handler(CallbackQueryHandler(latest.search_button, pattern=r"^search:"))
    application.add_handler(CallbackQueryHandler(admin.sources_button, pattern=r"^src:"))
    application.add_handler(CallbackQueryHandler(common.expired_button))
    application.add_handler(ChatMemberHandler(common.membership, ChatMemberHandler.MY_CHAT_MEMBER))
    application.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, common.migrated))
    new = filters.UpdateType.MESSAGE
    application.add_handler(MessageHandler(new & filters.COMMAND, common.unknown_command))
    application.add_handler(
        MessageHandler(new & filters.TEXT & ~filters.COMMAND, common.plain_text)
    )
    application.add_error_handler(common.on_error)
