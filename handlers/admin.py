"""Operator commands: /sources, /addsource URL, /removesource ID (NEWSBOT_ADMINS only)."""

from __future__ import annotations

from telegram import Update

from fetch.guard import public_only
from handlers.chat import MAX_ROW_ID, command_argument
from handlers.context import NewsContext
from news import replies
from news.addresses import UnsafeUrl
from news.models import SourceOrigin
from usecases import health


async def _is_operator(update: Update, context: NewsContext) -> bool:
    user = update.effective_user
    if user is not None and user.id in context.settings.admins:
        return True
    await update.effective_message.reply_text(replies.operators_only())
    return False


async def sources(update: Update, context: NewsContext) -> None:
    """List every source with status, last success, error count and stories stored."""
    if not await _is_operator(update, context):
        return
    all_sources = await context.storage.sources.all()
    counts = await context.storage.sources.story_counts() if all_sources else {}
    found = await health.check(context.storage, inside_the_bot=True)
    oldest = found.now - found.oldest_pending_at if found.oldest_pending_at else None
    header = replies.health_line(found.problems, found.pending, oldest)
    for text in replies.sources_list(all_sources, counts, header):
        await update.effective_message.reply_text(text)


async def add_source(update: Update, context: NewsContext) -> None:
    """Add a feed from chat: only public http(s) addresses; polled at once to show it works."""
    if not await _is_operator(update, context):
        return
    message = update.effective_message
    url = command_argument(message).strip()
    if not url or " " in url:
        await message.reply_text(replies.addsource_usage())
        return
    assumed = "://" not in url and "." in url.split("/", 1)[0]
    if assumed:  # "example.com/feed.xml": a feed address without its scheme means https
        url = f"https://{url}"
    said = replies.addsource_assumed(url) + "\n" if assumed else ""
    try:
        await public_only(url)
    except UnsafeUrl as exc:
        await message.reply_text(said + replies.addsource_refused(str(exc)))
        return
    source, created = await context.storage.sources.add(url, origin=SourceOrigin.CHAT)
    if not created:
        await message.reply_text(said + replies.addsource_known(source))
        return
    report = await context.services.poller.poll(source)
    if report.error:
        await message.reply_text(said + replies.addsource_failed(source, report.error))
    else:
        done = replies.addsource_done(source, report.title or url, report.new)
        await message.reply_text(said + done)


async def remove_source(update: Update, context: NewsContext) -> None:
    """Stop polling a source; its stories stay in the archive."""
    if not await _is_operator(update, context):
        return
    message = update.effective_message
    argument = command_argument(message).strip().lstrip("#")
    if not argument.isdigit() or int(argument) > MAX_ROW_ID:
        await message.reply_text(replies.removesource_usage())
        return
    removed = await context.storage.sources.remove(int(argument))
    if removed is None:
        earlier = await context.storage.sources.removed(int(argument))
        await message.reply_text(replies.removesource_unknown(argument, earlier))
        return
    await message.reply_text(replies.removesource_done(removed))
