"""Operator commands: /sources, /addsource URL, /removesource ID (NEWSBOT_ADMINS only)."""

from __future__ import annotations

import contextlib

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from fetch.guard import public_only
from handlers.chat import MAX_ROW_ID, button_number, command_argument
from handlers.context import NewsContext
from news import replies
from news.addresses import UnsafeUrl
from news.models import SourceOrigin
from usecases import health


async def _is_operator(update: Update, context: NewsContext) -> bool:
    t = context.t
    user = update.effective_user
    if user is not None and user.id in context.settings.admins:
        return True
    await update.effective_message.reply_text(replies.operators_only(t))
    return False


async def _sources_page(context: NewsContext, page: int) -> tuple[str, InlineKeyboardMarkup | None]:
    t = context.t
    all_sources = await context.storage.sources.all()
    counts = await context.storage.sources.story_counts() if all_sources else {}
    found = await health.check(context.storage, inside_the_bot=True)
    oldest = found.now - found.oldest_pending_at if found.oldest_pending_at else None
    header = replies.health_line(t, found.findings, found.pending, oldest)
    text, pages = replies.sources_page(t, all_sources, counts, header, page)
    page = min(max(page, 0), pages - 1)
    buttons = []
    if page > 0:
        buttons.append(InlineKeyboardButton("‹", callback_data=f"src:{page - 1}"))
    if page < pages - 1:
        buttons.append(InlineKeyboardButton("›", callback_data=f"src:{page + 1}"))
    return text, InlineKeyboardMarkup([buttons]) if buttons else None


async def sources(update: Update, context: NewsContext) -> None:
    """Every source with status, URL, last success and stories stored, failing ones first,
    a page at a time in one message (buttons turn the page, as /latest's do)."""
    if not await _is_operator(update, context):
        return
    text, markup = await _sources_page(context, 0)
    await update.effective_message.reply_text(text, reply_markup=markup)


async def sources_button(update: Update, context: NewsContext) -> None:
    """‹ / › under /sources: the same message turns to that page (operators only)."""
    t = context.t
    query = update.callback_query
    user = update.effective_user
    if user is None or user.id not in context.settings.admins:
        await query.answer(replies.operators_only(t), show_alert=True)
        return
    try:
        page = button_number(query.data, 1)
    except ValueError:
        await query.answer(replies.expired_button(t), show_alert=True)
        return
    await query.answer()
    text, markup = await _sources_page(context, page)
    with contextlib.suppress(BadRequest):  # "message is not modified": a double tap
        await query.edit_message_text(text, reply_markup=markup)


async def add_source(update: Update, context: NewsContext) -> None:
    """Add a feed from chat: only public http(s) addresses; polled at once to show it works."""
    t = context.t
    if not await _is_operator(update, context):
        return
    message = update.effective_message
    url = command_argument(message).strip()
    if not url or " " in url:
        await message.reply_text(replies.addsource_usage(t))
        return
    assumed = "://" not in url and "." in url.split("/", 1)[0]
    if assumed:  # "example.com/feed.xml": a feed address without its scheme means https
        url = f"https://{url}"
    said = replies.addsource_assumed(t, url) + "\n" if assumed else ""
    try:
        await public_only(url)
    except UnsafeUrl as exc:
        await message.reply_text(said + replies.addsource_refused(t, str(exc)))
        return
    source, created = await context.storage.sources.add(url, origin=SourceOrigin.CHAT)
    if not created:
        await message.reply_text(said + replies.addsource_known(t, source))
        return
    report = await context.services.poller.poll(source)
    if report.error:
        await message.reply_text(said + replies.addsource_failed(t, source, report.error))
    else:
        done = replies.addsource_done(t, source, report.title or url, report.new)
        await message.reply_text(said + done)


async def remove_source(update: Update, context: NewsContext) -> None:
    """Stop polling a source; its stories stay in the archive."""
    t = context.t
    if not await _is_operator(update, context):
        return
    message = update.effective_message
    argument = command_argument(message).strip().lstrip("#")
    if not argument.isdigit() or int(argument) > MAX_ROW_ID:
        await message.reply_text(replies.removesource_usage(t))
        return
    removed = await context.storage.sources.remove(int(argument))
    if removed is None:
        earlier = await context.storage.sources.removed(int(argument))
        await message.reply_text(replies.removesource_unknown(t, argument, earlier))
        return
    await message.reply_text(replies.removesource_done(t, removed))
