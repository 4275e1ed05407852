"""/subscribe, /unsubscribe, /subscriptions (/list), /brands and their inline buttons.

Button callback_data carries everything it needs (`sub:b:<brand key>`, `sub:k:<keyword>`,
`unsub:<subscription id>`), so buttons keep working after a restart.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from handlers.chat import button_number, command_argument, may_change
from handlers.context import NewsContext
from news import replies
from news.arguments import (
    MAX_TERMS,
    Resolution,
    Verdict,
    check_keyword,
    doubtful_keyword,
    resolve_term,
    split_terms,
)
from news.catalogue import Brand, normalize_name
from news.i18n import Tr, english_words
from news.limits import MAX_BUTTONS, fits_callback_data
from news.models import Subscription, SubscriptionKind
from usecases.keywords import record_recent_hits


def _brand_subscription(brand: Brand) -> Subscription:
    return Subscription(SubscriptionKind.BRAND, brand.key, brand.name)


def _keyword_subscription(term: str) -> Subscription:
    return Subscription(SubscriptionKind.KEYWORD, normalize_name(term), term)


def _suggestion_keyboard(
    t: Tr, suggestions: list[Resolution], doubtful: list[Resolution] = ()
) -> InlineKeyboardMarkup | None:
    rows = []
    for r in doubtful[:10]:  # news.arguments rule 5: the tap is the confirmation
        data = f"sub:k:{r.keyword}"
        if fits_callback_data(data):
            button = InlineKeyboardButton(
                replies.follow_anyway_button(t, r.term), callback_data=data
            )
            rows.append([button])
    for r in suggestions[:10]:
        assert r.brand is not None
        row = [
            InlineKeyboardButton(
                replies.brand_button_text(t, r.brand), callback_data=f"sub:b:{r.brand.key}"
            )
        ]
        keyword_data = f"sub:k:{r.keyword}"
        # Offer the word itself as a keyword too: "beta" may really mean beta, not Meta.
        if r.term.isprintable() and fits_callback_data(keyword_data) and len(r.keyword) >= 2:
            row.append(
                InlineKeyboardButton(
                    replies.keyword_button_text(t, r.term), callback_data=keyword_data
                )
            )
        rows.append(row)
    return InlineKeyboardMarkup(rows) if rows else None


async def _subscribe(
    context: NewsContext, chat_id: int, wanted: list[Subscription]
) -> tuple[list, list, list]:
    """Add within the per-chat limit: (added, already there, refused for the limit)."""
    current = {(s.kind, s.value) for s in await context.storage.subscriptions.for_chat(chat_id)}
    room = replies.MAX_SUBSCRIPTIONS - len(current)
    fresh = [s for s in wanted if (s.kind, s.value) not in current]
    existing = [s for s in wanted if (s.kind, s.value) in current]
    allowed, over = fresh[: max(room, 0)], fresh[max(room, 0) :]
    added, raced = await context.storage.subscriptions.add(
        chat_id, allowed, limit=replies.MAX_SUBSCRIPTIONS
    )  # the limit again inside the transaction: a racing command cannot pass it either
    lost = [s for s in allowed if s not in added and s not in raced]
    return added, existing + raced, lost + over


async def _cover_new_keywords(context: NewsContext, added: list[Subscription]) -> None:
    """After the reply: the next digest covers stories that arrived before these keywords
    were followed (usecases.keywords; a day's FTS candidates, matched by the keyword rule)."""
    await record_recent_hits(
        context.storage, [s.value for s in added if s.kind is SubscriptionKind.KEYWORD]
    )


async def _may_change_these(update: Update, context: NewsContext, terms: list[str]) -> bool:
    """At most MAX_TERMS names, from someone who may change this chat; else say why."""
    t = context.t
    message = update.effective_message
    if len(terms) > MAX_TERMS:
        await message.reply_text(replies.too_many_terms(t, len(terms)))
        return False
    if not await may_change(update, context):
        await message.reply_text(replies.only_admins(t))
        return False
    return True


async def subscribe(update: Update, context: NewsContext) -> None:
    """Follow brands or keywords: /subscribe xiaomi, /subscribe Apple, "foldable phone"."""
    t = context.t
    message = update.effective_message
    chat = context.chat_record
    text = command_argument(message)
    terms = split_terms(text, context.catalogue)
    if not terms:
        await message.reply_text(replies.subscribe_usage(t))
        return
    if not await _may_change_these(update, context, terms):
        return
    wanted: list[Subscription] = []
    suggestions: list[Resolution] = []
    invalid: list[Resolution] = []
    typed: dict[str, str] = {}  # brand key -> another name the user typed for it
    doubtful: list[Resolution] = []
    for term in terms:
        r = resolve_term(term, context.catalogue)
        if r.verdict is Verdict.BRAND:
            wanted.append(_brand_subscription(r.brand))
            if normalize_name(term) not in (normalize_name(r.brand.name), r.brand.key):
                typed.setdefault(r.brand.key, term)
        elif r.verdict is Verdict.KEYWORD and doubtful_keyword(r.keyword):
            doubtful.append(r)  # asked about, with a button (news.arguments rule 5)
        elif r.verdict is Verdict.KEYWORD:
            wanted.append(_keyword_subscription(term))
        elif r.verdict is Verdict.SUGGESTION:
            suggestions.append(r)
        else:
            invalid.append(r)
    # Two spellings of one brand ("redmi xiaomi") are one subscription.
    unique = list({(s.kind, s.value): s for s in wanted}.values())
    added, existing, over = await _subscribe(context, chat.id, unique)
    outcome = replies.SubscribeOutcome(added, existing, suggestions, invalid, over, typed, doubtful)
    await message.reply_text(
        replies.subscribe_result(t, outcome),
        reply_markup=_suggestion_keyboard(t, suggestions, doubtful),
    )
    await _cover_new_keywords(context, added)


async def subscribe_button(update: Update, context: NewsContext) -> None:
    """A tap on "Subscribe to Xiaomi" (or "Keyword …") under a did-you-mean answer."""
    t = context.t
    query = update.callback_query
    _, kind, value = query.data.split(":", 2)
    if not await may_change(update, context):
        await query.answer(replies.only_admins(t), show_alert=True)
        return
    if kind == "b" and (brand := context.catalogue.get(value)) is not None:
        wanted = _brand_subscription(brand)
    elif kind == "k" and check_keyword(value).verdict is Verdict.KEYWORD:
        wanted = _keyword_subscription(value)
    else:
        await query.answer(replies.expired_button(t), show_alert=True)
        return
    chat = context.chat_record
    added, existing, over = await _subscribe(context, chat.id, [wanted])
    outcome = replies.SubscribeOutcome(added, existing, [], [], over)
    await query.answer(replies.subscribe_button_answer(t, added, existing))
    await _edit(query, replies.subscribe_result(t, outcome))
    await _cover_new_keywords(context, added)


async def _edit(query, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    try:
        await query.edit_message_text(text, reply_markup=markup)
    except BadRequest as exc:
        # Tapping twice edits to the same text; Telegram refuses that and it does not matter.
        if "not modified" not in str(exc).lower():
            raise


def _find(
    subscriptions: list[Subscription], term: str, context: NewsContext
) -> Subscription | None:
    brand = context.catalogue.lookup(term)
    wanted = normalize_name(term)
    for s in subscriptions:
        if brand is not None and s.kind is SubscriptionKind.BRAND and s.value == brand.key:
            return s
        if s.kind is SubscriptionKind.KEYWORD and s.value == wanted:
            return s
    return None


def _unsubscribe_keyboard(subscriptions: list[Subscription]) -> InlineKeyboardMarkup | None:
    buttons = [
        InlineKeyboardButton(
            replies.unsubscribe_button_text(s),
            callback_data=f"unsub:{s.id}",
        )
        for s in subscriptions[:MAX_BUTTONS]
    ]
    if not buttons:
        return None
    return InlineKeyboardMarkup([buttons[i : i + 2] for i in range(0, len(buttons), 2)])


async def unsubscribe(update: Update, context: NewsContext) -> None:
    """Stop following: /unsubscribe xiaomi, or pick from buttons when no name is given."""
    t = context.t
    message = update.effective_message
    chat = context.chat_record
    followed = await context.storage.subscriptions.for_chat(chat.id)
    terms = split_terms(command_argument(message), context.catalogue)
    if not terms:
        await message.reply_text(
            replies.unsubscribe_menu(t, followed), reply_markup=_unsubscribe_keyboard(followed)
        )
        return
    if not await _may_change_these(update, context, terms):
        return
    if [english_words(term) for term in terms] == ["all"] and not _find(
        followed, terms[0], context
    ):
        # Everything at once is asked, not done: a button confirms it.
        if not followed:
            await message.reply_text(replies.nothing_followed(t))
            return
        confirm = InlineKeyboardButton(
            replies.unsubscribe_all_button(t, len(followed)), callback_data="unsub:all"
        )
        await message.reply_text(
            replies.unsubscribe_all_question(t, len(followed)),
            reply_markup=InlineKeyboardMarkup([[confirm]]),
        )
        return
    removed: list[Subscription] = []
    missing: list[str] = []
    meant: list[Subscription] = []  # what a misspelt name probably meant, still followed
    for term in terms:
        found = _find(followed, term, context)
        if found is not None and await context.storage.subscriptions.remove(
            chat.id, found.kind, found.value
        ):
            removed.append(found)
            followed.remove(found)
            continue
        missing.append(term)
        guess = resolve_term(term, context.catalogue)
        if guess.verdict is Verdict.SUGGESTION and guess.brand is not None:
            meant += [s for s in followed if s.kind is SubscriptionKind.BRAND
                      and s.value == guess.brand.key and s not in meant]  # fmt: skip
    await message.reply_text(
        replies.unsubscribe_result(t, removed, missing, meant),
        reply_markup=_unsubscribe_keyboard(meant) if meant else None,
    )


async def unsubscribe_button(update: Update, context: NewsContext) -> None:
    """A tap on "✖ Xiaomi" in the /unsubscribe list: remove it and refresh the list."""
    t = context.t
    query = update.callback_query
    if not await may_change(update, context):
        await query.answer(replies.only_admins(t), show_alert=True)
        return
    chat = update.effective_chat
    if query.data == "unsub:all":
        followed = await context.storage.subscriptions.for_chat(chat.id)
        for s in followed:
            await context.storage.subscriptions.remove(chat.id, s.kind, s.value)
        await query.answer()
        await _edit(query, replies.unsubscribed_all(t, len(followed)))
        return
    try:
        subscription_id = button_number(query.data, 1, minimum=1)
    except ValueError:
        await query.answer(replies.expired_button(t), show_alert=True)
        return
    removed = await context.storage.subscriptions.remove_by_id(chat.id, subscription_id)
    await query.answer(replies.unsubscribe_button_answer(t, removed))
    followed = await context.storage.subscriptions.for_chat(chat.id)
    await _edit(query, replies.unsubscribe_menu(t, followed), _unsubscribe_keyboard(followed))


async def subscriptions(update: Update, context: NewsContext) -> None:
    """List what this chat follows: brands by name, keywords marked as keywords."""
    t = context.t
    chat = context.chat_record
    followed = await context.storage.subscriptions.for_chat(chat.id)
    await update.effective_message.reply_text(replies.subscriptions_list(t, followed))


async def brands(update: Update, context: NewsContext) -> None:
    """Show the brand catalogue, one line per category."""
    t = context.t
    for text in replies.brands_list(t, context.catalogue):
        await update.effective_message.reply_text(text)
