"""/latest [BRAND] [N] and /search WORDS: the archive answers in the chat, in one message.

1. A page is one message: a heading and N stories (default 5, at most 20), each its headline
   as a link, source, time and first sentence (news.render.render_list), as many as fit one
   message; a button per story opens it in full (summary, outlets and "Read also") as a
   message of its own.
2. "Older ›" edits the same message into the next page, "« Newest" back into the first, so a
   page is never sent twice: a second tap on the same button edits the message into what it
   already shows, which Telegram answers "message is not modified" and nothing happens.
3. A /latest button carries the query and a cursor (published_at, id) in its callback_data,
   so it keeps working after a restart and pages do not shift as new stories arrive; a
   /search button carries the words and an offset. When the query is too long for a
   button's 64 bytes, the page says which command shows more instead.
4. A button whose message can no longer be edited (Telegram's limits for old messages)
   sends its page as a new message instead.
5. `/latest` shows one brand or keyword. Several names ("apple, samsung", or "apple samsung"
   when that is no name of its own but holds a brand) get "one at a time" with a button per
   name, each opening that name's page.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest

from handlers.chat import button_number, command_argument
from handlers.context import NewsContext
from news import replies
from news.arguments import Verdict, resolve_term, split_terms
from news.catalogue import normalize_name
from news.i18n import Tr
from news.limits import fits_callback_data
from news.related import parse_search
from news.render import StoryView, render_list, render_story
from storage.archive import Cursor, Page
from usecases import latest as latest_pages
from usecases import related

DEFAULT_N = 5
MAX_N = 20
SEARCH_PAGE = 5
SEARCH_MAX = 50  # results /search pages through at most
BUTTONS_PER_ROW = 5
MAX_SEVERAL = 10  # rule 5: names offered at once
NOT_MODIFIED = "message is not modified"


def split_count(argument: str) -> tuple[str, int | None]:
    """`apple 7` -> ("apple", 7); `apple` -> ("apple", None); the count is the last word."""
    words = argument.split()
    if words and words[-1].lstrip("-").isdigit():
        return " ".join(words[:-1]), int(words[-1])
    return argument.strip(), None


def _keyboard(
    stories: list[StoryView], first: int, paging: list[tuple[str, str]]
) -> InlineKeyboardMarkup:
    """Rule 1-2: a button per story (its number), then the paging buttons."""
    opens = [
        InlineKeyboardButton(replies.open_button(number), callback_data=f"open:{story.id}")
        for number, story in enumerate(stories, first)
    ]
    rows = [opens[i : i + BUTTONS_PER_ROW] for i in range(0, len(opens), BUTTONS_PER_ROW)]
    pages = [InlineKeyboardButton(text, callback_data=data) for text, data in paging]
    return InlineKeyboardMarkup([*rows, pages] if pages else rows)


async def _answer(
    target: Message, text: str, markup: InlineKeyboardMarkup | None, *, edit: bool
) -> None:
    """Send the page, or (a button) edit the button's message into it (rules 2 and 4)."""
    if edit:
        try:
            await target.edit_text(text, reply_markup=markup)
            return
        except BadRequest as exc:
            if NOT_MODIFIED in exc.message.lower():
                return  # a second tap on the same button
        # too old to edit, or gone: the page comes as a message of its own
        await target.chat.send_message(text, reply_markup=markup)
        return
    await target.reply_text(text, reply_markup=markup)


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
    kind: str, value: str, label: str, n: int, before: Cursor | None = None, edit: bool = False,
) -> None:  # fmt: skip
    """One /latest page (rules 1-4)."""
    t = context.t
    page = await _page(context, kind, value, n, chat_id, before)
    views = await context.storage.stories.views(page.ids, related=False)
    stories = [views[i] for i in page.ids if i in views]
    if not stories:
        await _answer(message, replies.latest_none(t, label, more=before is not None), None,
                      edit=edit)  # fmt: skip
        return
    heading = replies.latest_heading(t, label, older=before is not None)
    text, shown = render_list(t, heading, stories, timezone, int(context.storage.now()))
    stories = stories[:shown]
    more = page.more if shown == len(page.ids) else (stories[-1].published_at, stories[-1].id)
    paging = []
    if before is not None:
        paging.append((replies.newest_button(t), f"more:{kind}:0:0:{n}:{value}"))
    if more is not None:
        paging.append((replies.more_button(t), f"more:{kind}:{more[0]}:{more[1]}:{n}:{value}"))
    if not all(fits_callback_data(data) for _, data in paging):
        paging = []  # a very long keyword: the command pages instead
        if more is not None:
            text += "\n" + replies.latest_more(t, f"/latest {value[:64]} {min(n * 2, MAX_N)}")
    await _answer(message, text, _keyboard(stories, 1, paging), edit=edit)


def _count(t: Tr, argument: str) -> tuple[str, int, str | None]:
    """(name, N, a note or the usage when N is out of range)."""
    name, n = split_count(argument)
    if n is not None and n < 1:
        return name, 0, replies.latest_usage(t, MAX_N)
    if n is not None and n > MAX_N:
        return name, MAX_N, replies.latest_capped(t, MAX_N)
    return name, n or DEFAULT_N, None


async def latest(update: Update, context: NewsContext) -> None:
    """The newest stories about a brand or keyword, or across this chat's subscriptions."""
    t = context.t
    message = update.effective_message
    chat = context.chat_record
    name, n, note = _count(t, command_argument(message))
    if note:
        await message.reply_text(note)
    if not n:
        return
    show = {"chat_id": chat.id, "timezone": chat.timezone, "n": n}
    if not name:
        if not await context.storage.subscriptions.count(chat.id):
            await message.reply_text(replies.latest_nothing_followed(t))
            return
        await _show(
            message, context, kind="c", value="", label=t(replies.YOUR_SUBSCRIPTIONS), **show
        )
        return
    resolution = resolve_term(name, context.catalogue)
    if resolution.verdict is not Verdict.BRAND and await _several(message, context, name, n):
        return
    brand = resolution.brand
    if resolution.verdict is Verdict.BRAND:
        await _show(
            message, context, kind="b", value=brand.key, label=replies.brand_label(brand), **show
        )
    elif resolution.verdict is Verdict.SUGGESTION:
        button = InlineKeyboardButton(
            replies.latest_about_button(t, brand), callback_data=f"latest:{brand.key}:{n}"
        )
        await message.reply_text(
            replies.latest_did_you_mean(t, name, brand),
            reply_markup=InlineKeyboardMarkup([[button]]),
        )
    elif resolution.verdict is Verdict.KEYWORD:
        keyword = normalize_name(name)
        await _show(
            message, context, kind="k", value=keyword, label=replies.keyword_label(t, name), **show
        )
    else:
        await message.reply_text(replies.cannot_look_up(t, name, replies.reason(t, resolution)))


async def _several(message: Message, context: NewsContext, name: str, n: int) -> bool:
    """Rule 5: when `name` is several names, answer with a button for each (True)."""
    t = context.t
    terms = split_terms(name, context.catalogue)
    if len(terms) < 2:
        return False
    resolved = [resolve_term(term, context.catalogue) for term in terms]
    if "," not in name and not any(r.verdict is Verdict.BRAND for r in resolved):
        return False  # "foldable phone": one keyword of two words
    buttons = []
    for r in resolved[:MAX_SEVERAL]:
        if r.verdict in (Verdict.BRAND, Verdict.SUGGESTION) and r.brand is not None:
            text, data = replies.latest_about_button(t, r.brand), f"latest:{r.brand.key}:{n}"
        elif r.verdict is Verdict.KEYWORD:
            text, data = replies.latest_about_keyword(t, r.term), f"more:k:0:0:{n}:{r.keyword}"
        else:
            continue
        if fits_callback_data(data) and data not in {b.callback_data for b in buttons}:
            buttons.append(InlineKeyboardButton(text, callback_data=data))
    if not buttons:
        return False
    await message.reply_text(
        replies.latest_one_at_a_time(t, len(buttons)),
        reply_markup=InlineKeyboardMarkup([[b] for b in buttons]),
    )
    return True


def _button_query(data: str, context: NewsContext) -> tuple[str, str, str, int, Cursor | None]:
    """(kind, value, label, n, cursor) from a button's data; ValueError when it is stale."""
    t = context.t
    parts = data.split(":")
    try:
        if parts[0] == "latest":
            brand = context.catalogue.get(parts[1])
            if brand is None:
                raise ValueError(parts[1])
            return "b", brand.key, replies.brand_label(brand), button_number(data, 2), None
        # more:KIND:PUBLISHED:ID:N:VALUE (0:0 for the newest page)
        kind, value = parts[1], ":".join(parts[5:])
        cursor = (button_number(data, 2), button_number(data, 3))
        n = button_number(data, 4)
    except IndexError:
        raise ValueError(data) from None
    before = None if cursor == (0, 0) else cursor
    if kind == "b":
        brand = context.catalogue.get(value)
        if brand is None:
            raise ValueError(value)
        return kind, value, replies.brand_label(brand), n, before
    if kind == "k":
        return kind, value, replies.keyword_label(t, value), n, before
    if kind == "c":
        return kind, value, t(replies.YOUR_SUBSCRIPTIONS), n, before
    raise ValueError(kind)


async def latest_button(update: Update, context: NewsContext) -> None:
    """ "Latest about Xiaomi" under a did-you-mean, and "Older ›" / "« Newest" under a page:
    the message becomes the page (rule 2)."""
    t = context.t
    query = update.callback_query
    chat = context.chat_record
    try:
        kind, value, label, n, before = _button_query(query.data, context)
    except ValueError:
        await query.answer(replies.latest_button_expired(t), show_alert=True)
        return
    await query.answer()
    await _show(
        query.message, context, chat_id=chat.id, timezone=chat.timezone,
        kind=kind, value=value, label=label, n=min(max(n, 1), MAX_N), before=before, edit=True,
    )  # fmt: skip


async def open_button(update: Update, context: NewsContext) -> None:
    """A story's number under a page: the story in full, as a push shows it (rule 1)."""
    t = context.t
    query = update.callback_query
    chat = context.chat_record
    try:
        story_id = button_number(query.data, 1, minimum=1)
    except ValueError:
        await query.answer(replies.latest_button_expired(t), show_alert=True)
        return
    views = await related.views(context.storage, [story_id], context.services.unsaved)
    view = views.get(story_id)
    if view is None:
        await query.answer(replies.story_gone(t), show_alert=True)
        return
    await query.answer()
    await query.message.chat.send_message(render_story(t, view, chat.timezone))


async def search(update: Update, context: NewsContext) -> None:
    """Full-text search over headlines and text: /search foldable phone."""
    t = context.t
    message = update.effective_message
    words = " ".join(command_argument(message).split())
    if not words:
        await message.reply_text(replies.search_usage(t))
        return
    await _search_page(message, context, words, 0, edit=False)


async def search_button(update: Update, context: NewsContext) -> None:
    """ "Older ›" / "« Newest" under a /search page: search:OFFSET:WORDS."""
    t = context.t
    query = update.callback_query
    try:
        start = min(button_number(query.data, 1), SEARCH_MAX)
        words = query.data.split(":", 2)[2]
    except (ValueError, IndexError):
        await query.answer(replies.latest_button_expired(t), show_alert=True)
        return
    await query.answer()
    await _search_page(query.message, context, words, start, edit=True)


async def _search_page(
    message: Message, context: NewsContext, words: str, offset: int, *, edit: bool
) -> None:
    t = context.t
    chat = context.chat_record
    terms = parse_search(words)
    brand = context.catalogue.lookup(words.strip(' "“”«»„'))  # rule e of news.related
    also = tuple(dict.fromkeys((brand.name, *brand.names))) if brand else ()
    shown_as = terms.shown() or words
    others = [n for n in also if normalize_name(n) != normalize_name(shown_as)]
    ids = await context.storage.archive.search(words, offset + SEARCH_PAGE + 1, synonyms=also)
    views = await context.storage.stories.views(ids[offset:], related=False)
    stories = [views[i] for i in ids[offset:] if i in views][:SEARCH_PAGE]
    if not stories:
        await _answer(message, replies.search_nothing(t, shown_as), None, edit=edit)
        return
    heading = replies.search_heading(t, shown_as, offset=offset, also=others)
    now = int(context.storage.now())
    text, shown = render_list(t, heading, stories, chat.timezone, now, first=offset + 1)
    stories = stories[:shown]
    paging = []
    if offset:
        paging.append((replies.newest_button(t), f"search:0:{words}"))
    following = offset + shown
    if len(ids) > following and following < SEARCH_MAX:
        paging.append((replies.more_button(t), f"search:{following}:{words}"))
    if not all(fits_callback_data(data) for _, data in paging):
        paging = []  # very long words: one page only
    await _answer(message, text, _keyboard(stories, offset + 1, paging), edit=edit)
