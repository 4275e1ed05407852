"""/latest [BRAND] [N] and /search WORDS: the archive answers in the chat.

The "More" button carries the query and a cursor (published_at, id) in its callback_data, so
it keeps working after a restart and pages do not shift as new stories arrive.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update

from handlers.chat import command_argument
from handlers.context import NewsContext
from news import replies
from news.arguments import Verdict, resolve_term
from news.catalogue import normalize_name
from news.limits import fits_callback_data
from news.render import render_story
from news.replies import format_time
from news.telegram_html import quoted
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
    return InlineKeyboardMarkup([[InlineKeyboardButton(replies.more_button(), callback_data=data)]])


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
        await message.reply_text(replies.latest_none(label, more=before is not None))
        return
    views = await related.views(context.storage, page.ids, context.services.unsaved)
    for story_id in page.ids:
        if story_id in views:
            await message.reply_text(render_story(views[story_id], timezone))
    if page.more is not None:
        markup = _more_button(kind, value, page.more, n)
        command = None if markup else f"/latest {value[:64]} {n * 2}"
        await message.reply_text(replies.latest_more(label, command=command), reply_markup=markup)


def _count(argument: str) -> tuple[str, int, str | None]:
    """(name, N, a note or the usage when N is out of range)."""
    name, n = split_count(argument)
    if n is not None and n < 1:
        return name, 0, replies.latest_usage(MAX_N)
    if n is not None and n > MAX_N:
        return name, MAX_N, replies.latest_capped(MAX_N)
    return name, n or DEFAULT_N, None


async def latest(update: Update, context: NewsContext) -> None:
    """The newest stories about a brand or keyword, or across this chat's subscriptions."""
    message = update.effective_message
    chat = context.chat_record
    name, n, note = _count(command_argument(message))
    if note:
        await message.reply_text(note)
    if not n:
        return
    show = {"chat_id": chat.id, "timezone": chat.timezone, "n": n}
    if not name:
        if not await context.storage.subscriptions.count(chat.id):
            await message.reply_text(replies.latest_nothing_followed())
            return
        await _show(message, context, kind="c", value="", label=replies.YOUR_SUBSCRIPTIONS, **show)
        return
    resolution = resolve_term(name, context.catalogue)
    brand = resolution.brand
    if resolution.verdict is Verdict.BRAND:
        await _show(
            message, context, kind="b", value=brand.key, label=replies.brand_label(brand), **show
        )
    elif resolution.verdict is Verdict.SUGGESTION:
        button = InlineKeyboardButton(
            replies.latest_about_button(brand), callback_data=f"latest:{brand.key}:{n}"
        )
        await message.reply_text(
            replies.latest_did_you_mean(name, brand),
            reply_markup=InlineKeyboardMarkup([[button]]),
        )
    elif resolution.verdict is Verdict.KEYWORD:
        keyword = normalize_name(name)
        await _show(message, context, kind="k", value=keyword, label=quoted(name), **show)
    else:
        await message.reply_text(replies.cannot_look_up(name, replies.reason(resolution)))


def _button_query(data: str, context: NewsContext) -> tuple[str, str, str, int, Cursor | None]:
    """(kind, value, label, n, cursor) from a button's data; ValueError when it is stale."""
    parts = data.split(":")
    try:
        if parts[0] == "latest":
            brand = context.catalogue.get(parts[1])
            if brand is None:
                raise ValueError(parts[1])
            return "b", brand.key, replies.brand_label(brand), int(parts[2]), None
        # more:KIND:PUBLISHED:ID:N:VALUE
        kind, value = parts[1], ":".join(parts[5:])
        before, n = (int(parts[2]), int(parts[3])), int(parts[4])
    except IndexError:
        raise ValueError(data) from None
    if kind == "b":
        brand = context.catalogue.get(value)
        if brand is None:
            raise ValueError(value)
        return kind, value, replies.brand_label(brand), n, before
    if kind == "k":
        return kind, value, quoted(value), n, before
    if kind == "c":
        return kind, value, replies.YOUR_SUBSCRIPTIONS, n, before
    raise ValueError(kind)


async def latest_button(update: Update, context: NewsContext) -> None:
    """ "Latest about Xiaomi" under a did-you-mean, and the "More" button under a page."""
    query = update.callback_query
    chat = context.chat_record
    try:
        kind, value, label, n, before = _button_query(query.data, context)
    except ValueError:
        await query.answer(replies.latest_button_expired(), show_alert=True)
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
        await message.reply_text(replies.search_usage())
        return
    ids = await context.storage.archive.search(words, SEARCH_RESULTS)
    if not ids:
        await message.reply_text(replies.search_nothing(words))
        return
    views = await context.storage.stories.views(ids, related=False)
    found = [
        (v.title, v.link, v.source, format_time(v.published_at, chat.timezone))
        for v in (views.get(i) for i in ids)
        if v is not None
    ]
    for text in replies.search_results(words, found):
        await message.reply_text(text)
