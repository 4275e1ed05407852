"""Operator commands: /sources, /addsource URL, /removesource ID (NEWSBOT_ADMINS only)."""

from __future__ import annotations

from telegram import Update

from fetch.guard import public_only
from handlers.chat import command_argument
from handlers.context import NewsContext
from news.addresses import UnsafeUrl
from news.models import Source, SourceOrigin, SourceStatus
from news.render import format_utc
from news.telegram_html import escape, pack, quoted

ADMIN_COMMANDS: list[tuple[str, str]] = [
    ("sources", "News sources and their health"),
    ("addsource", "Add a feed: /addsource URL"),
    ("removesource", "Remove a source: /removesource ID"),
]
_ICONS = {
    SourceStatus.NEW: "🆕",
    SourceStatus.OK: "✅",
    SourceStatus.NOT_MODIFIED: "✅",
    SourceStatus.ERROR: "⚠️",
}


async def _is_operator(update: Update, context: NewsContext) -> bool:
    user = update.effective_user
    if user is not None and user.id in context.settings.admins:
        return True
    await update.effective_message.reply_text("This command is for the bot's operators.")
    return False


def _describe(source: Source, stories: int) -> str:
    name = quoted(source.title or source.url, 60)
    line = (
        f"{_ICONS[source.status]} <b>#{source.id}</b> {name} — {source.status.value},"
        f" last success {format_utc(source.last_success_at)}, {source.error_count} errors,"
        f" {stories} stories"
    )
    if source.last_error:
        line += f"\n    last error: {escape(source.last_error[:200])}"
    return line


async def sources(update: Update, context: NewsContext) -> None:
    """List every source with status, last success, error count and stories stored."""
    if not await _is_operator(update, context):
        return
    all_sources = await context.storage.sources.all()
    if not all_sources:
        await update.effective_message.reply_text("No sources. Add one with /addsource URL.")
        return
    counts = await context.storage.sources.story_counts()
    failing = sum(s.status is SourceStatus.ERROR for s in all_sources)
    blocks = [f"<b>{len(all_sources)} sources</b>, {failing} failing"]
    blocks += [_describe(s, counts.get(s.id, 0)) for s in all_sources]
    for text in pack(blocks):
        await update.effective_message.reply_text(text)


async def add_source(update: Update, context: NewsContext) -> None:
    """Add a feed from chat: only public http(s) addresses; polled at once to show it works."""
    if not await _is_operator(update, context):
        return
    message = update.effective_message
    url = command_argument(message).strip()
    if not url or " " in url:
        await message.reply_text("Usage: <code>/addsource https://example.com/feed.xml</code>")
        return
    try:
        await public_only(url)
    except UnsafeUrl as exc:
        await message.reply_text(f"Refused: {escape(str(exc))}.")
        return
    source, created = await context.storage.sources.add(url, origin=SourceOrigin.CHAT)
    if not created:
        await message.reply_text(f"Already polling it as #{source.id}.")
        return
    report = await context.services.poller.poll(source)
    if report.error:
        await message.reply_text(
            f"Added #{source.id}, but the first poll failed: {escape(report.error)}."
            " I will keep trying; /removesource to drop it."
        )
    else:
        await message.reply_text(
            f"Added #{source.id} {quoted(report.title or url, 80)}: {report.new} stories stored."
            " Stories already in the feed are kept for /latest, not pushed."
        )


async def remove_source(update: Update, context: NewsContext) -> None:
    """Stop polling a source; its stories stay in the archive."""
    if not await _is_operator(update, context):
        return
    message = update.effective_message
    argument = command_argument(message).strip().lstrip("#")
    if not argument.isdigit():
        await message.reply_text("Usage: <code>/removesource ID</code> (ids are in /sources)")
        return
    removed = await context.storage.sources.remove(int(argument))
    if removed is None:
        await message.reply_text(f"No source #{escape(argument[:20])}.")
        return
    await message.reply_text(
        f"Removed #{removed.id} {quoted(removed.title or removed.url, 80)}."
        " Its stories stay in the archive."
    )
