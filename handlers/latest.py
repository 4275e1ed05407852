"""/latest [BRAND] [N] and /search WORDS: the archive answers in the chat.

The "More" button carries the query and a cursor (published_at, id) in its callback_data, so
it keeps working after a restart and pages do not shift as new stories arrive.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update

from handlers.chat import command_argument
from handlers.context import NewsContext
from news.arguments import Verdict, resolve_term
from news.catalogue import normalize_name
from news.limits import fits_callback_data
from news.render import format_time, render_story
from news.telegram_html import escape, pack, quoted
from storage.archive import Cursor, Page
from usecases import latest as latest_pages
from usecases import related

DEFAULT_N = 5
MAX_N = 20
SEARCH_RESULTS = 10


def split_count(argument: str) -> tuple[str, int | None]:
    """`apple 7` -> ("apple", 7); `apple` -> ("apple", None); the count is the last word."""
    words = argument.split()
    if words and words[-1].lstrip("-").isdigit():
        return " ".join(words[:-1]), int(words[-1])
    return argument.strip(), None


def _more_button(kind: str, value: str, cursor: Cursor, n: int) -> InlineKeyboardMarkup | None:
    data = f"more:{kind}:{cursor[0]}:{cursor[1]}:{n}:{value}"
    if not fits_callback_data(data):
        return None  # a very long keyword: the user can page with /latest KEYWORD N instead
    return InlineKeyboardMarkup([[InlineKeyboardButton("More", callback_data=data)]])


async def _page(
    context: NewsContext, kind: str, value: str, n: int, chat_id: int, before: Cursor | None
) -> Page:
    storage = context.storage
    if kind == "b":
        return await latest_pages.for_brand(storage, value, n, before)
    if kind == "k":
        return await latest_pages.for_keyword(storage, value, n, before)
    return await latest_pages.for_chat(storage, chat_id, n, before)


async def _show(
    message: Message, context: NewsContext, *, chat_id: int, timezone: str,
    kind: str, value: str, label: str, n: int, before: Cursor | None = None,
) -> None:  # fmt: skip
    page = await _page(context, kind, value, n, chat_id, before)
    if not page.ids:
        more = " more" if before else ""
        await message.reply_text(f"No{more} stories about {label} yet.")
        return
    views = await related.views(context.storage, page.ids)
    for story_id in page.ids:
        if story_id in views:
            await message.reply_text(render_story(views[story_id], timezone))
    if page.more is not None:
        markup = _more_button(kind, value, page.more, n)
        hint = "" if markup else f" Send /latest {escape(value[:64])} {n * 2} for more."
        await message.reply_text(
            f"More stories about {label} are in the archive.{hint}", reply_markup=markup
        )


async def latest(update: Update, context: NewsContext) -> None:
    """The newest stories about a brand or keyword, or across this chat's subscriptions."""
    message = update.effective_message
    chat = context.chat_record
    name, n = split_count(command_argument(message))
    note = ""
    if n is not None and n < 1:
        await message.reply_text("Usage: <code>/latest BRAND [N]</code> with N from 1 to 20.")
        return
    if n is not None and n > MAX_N:
        note = f"Showing {MAX_N}, the most /latest sends at once."
        n = MAX_N
    n = n or DEFAULT_N
    if note:
        await message.reply_text(note)
    show = {"chat_id": chat.id, "timezone": chat.timezone, "n": n}
    if not name:
        followed = await context.storage.subscriptions.for_chat(chat.id)
        if not followed:
            await message.reply_text(
                "This chat follows nothing yet: <code>/latest xiaomi</code> shows a brand's"
                " news, <code>/subscribe xiaomi</code> follows it."
            )
            return
        await _show(message, context, kind="c", value="", label="your subscriptions", **show)
        return
    resolution = resolve_term(name, context.catalogue)
    if resolution.verdict is Verdict.BRAND:
        brand = resolution.brand
        await _show(message, context, kind="b", value=brand.key, label=escape(brand.name), **show)
    elif resolution.verdict is Verdict.SUGGESTION:
        brand = resolution.brand
        data = f"latest:{brand.key}:{n}"
        await message.reply_text(
            f"{quoted(name)}: did you mean <b>{escape(brand.name)}</b>?",
            reply_markup=InlineKeyboardMarkup(
                [[InlineKeyboardButton(f"Latest about {brand.name}", callback_data=data)]]
            ),
        )
    elif resolution.verdict is Verdict.KEYWORD:
        keyword = normalize_name(name)
        await _show(message, context, kind="k", value=keyword, label=quoted(name), **show)
    else:
        await message.reply_text(f"Cannot look up {quoted(name)}: {escape(resolution.reason)}.")


async def latest_button(update: Update, context: NewsContext) -> None:
    """ "Latest about Xiaomi" under a did-you-mean, and the "More" button under a page."""
    query = update.callback_query
    chat = context.chat_record
    parts = query.data.split(":")
    try:
        if parts[0] == "latest":
            brand = context.catalogue.get(parts[1])
            if brand is None:
                raise ValueError(parts[1])
            kind, value, label, n, before = "b", brand.key, escape(brand.name), int(parts[2]), None
        else:  # more:KIND:PUBLISHED:ID:N:VALUE
            kind, value = parts[1], ":".join(parts[5:])
            before, n = (int(parts[2]), int(parts[3])), int(parts[4])
            brand = context.catalogue.get(value) if kind == "b" else None
            label = (
                escape(brand.name)
                if brand
                else quoted(value)
                if kind == "k"
                else "your subscriptions"
            )
            if kind not in ("b", "k", "c") or (kind == "b" and brand is None):
                raise ValueError(kind)
    except (IndexError, ValueError):
        await query.answer("This button no longer works; send /latest again.", show_alert=True)
        return
    await query.answer()
    await _show(
        query.message, context, chat_id=chat.id, timezone=chat.timezone,
        kind=kind, value=value, label=label, n=min(max(n, 1), MAX_N), before=before,
    )  # fmt: skip


async def search(update: Update, context: NewsContext) -> None:
    """Full-text search over headlines and text: /search foldable phone."""
    message = update.effective_message
    chat = context.chat_record
    words = command_argument(message).strip()
    if not words:
        await message.reply_text(
            "Usage: <code>/search WORDS</code>, e.g. <code>/search foldable phone</code>"
        )
        return
    ids = await context.storage.archive.search(words, SEARCH_RESULTS)
    if not ids:
        await message.reply_text(f"Nothing found for {quoted(words)}.")
        return
    views = await context.storage.stories.views(ids, related=False)
    blocks = [f"<b>Search: {quoted(words)}</b>"]
    for i, story_id in enumerate(ids, 1):
        view = views.get(story_id)
        if view is None:
            continue
        title = escape(view.title[:200])
        headline = f'<a href="{escape(view.link)}">{title}</a>' if view.link else title
        when = format_time(view.published_at, chat.timezone)
        blocks.append(f"{i}. {headline} — {escape(view.source or '')}, {when}")
    for text in pack(blocks):
        await message.reply_text(text)
