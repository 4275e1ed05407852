"""What the bot says in answer to commands, as Telegram HTML. Pure functions, no I/O.

Every function takes the chat's voice `t` (news.i18n) first: the text is written here in
English and read from the chat's catalogue. Constants are marked with `N_` and translated where
they are used (`t(READ_ALSO)`). Every piece of user or feed text goes through
`escape`/`quoted`; everything else here is ours.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from news.arguments import MAX_KEYWORD, MAX_TERMS, MIN_KEYWORD, Problem, Resolution
from news.catalogue import Brand, Catalogue, normalize_name
from news.digest_command import DigestArgumentError, DigestProblem
from news.digest_schedule import chat_zone
from news.i18n import LANGUAGES, N_, Tr, translator
from news.limits import MAX_MESSAGE
from news.models import Chat, DeliveryMode, Source, SourceStatus, Subscription, SubscriptionKind
from news.quiet import QuietArgumentError, QuietProblem
from news.telegram_html import escape, pack, shorten, visible_length

QUOTE = N_("“{text}”")  # user or feed text echoed back, in the language's quotation marks
READ_ALSO = N_("Read also:")  # above the related links under a story
ALSO = N_("Also:")  # before the other outlets that reported the same event
UNTITLED = N_("(untitled)")  # a story whose feed gave it no headline


def _quoted(t: Tr, text: str, limit: int = 64) -> str:
    """User or feed text echoed back: shortened, escaped, in quotation marks."""
    return t(QUOTE, text=escape(shorten(text, limit)))


def more_outlets(t: Tr, n: int) -> str:
    """After the outlets a push names, separator included: how many more carried the event
    (" · +3"; " и ещё 3 источника")."""
    return t.plural(" · +{n}", " · +{n}", n)


def more_in_line(n: int) -> str:
    """The same in a one-line story of a list, where every language writes "+2"."""
    return f"+{n}"


# To a chat that sent more commands than it can be answered (bot.fairness), once a minute.
SLOW_DOWN = N_(
    "That was faster than I can answer: I replied to the first ones and skipped the rest."
    " Send a command again in a few seconds."
)
SLOW_DOWN_PRESS = N_("Too many taps at once: try again in a few seconds.")  # a button's toast

# When the database cannot be written (storage.database): the change was not made.
COULD_NOT_SAVE = N_("Could not save that — please try again in a minute.")


def format_utc(t: Tr, ts: int | None) -> str:
    """An absolute time for operators' lists: "2026-11-25 01:50 UTC", or "never"."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M UTC") if ts else t("never")


def format_time(t: Tr, ts: int, timezone: str) -> str:
    """A story's time in the chat's zone: "25 Nov 2026, 09:30 MSK"."""
    zone = datetime.fromtimestamp(ts, chat_zone(timezone)).tzname()
    # TRANSLATORS: this and every message like it ("d MMM y", "EEE d MMM") is a CLDR date
    # pattern: d day, MMM month (MMMM in full), y year, EEE weekday, HH:mm the time.
    when = t.when(ts, timezone, "d MMM y, HH:mm")
    return f"{when} {zone}"


def format_short_time(t: Tr, ts: int, timezone: str, now: int) -> str:
    """A story's time in a list, in the chat's zone: "09:30" today, "24 Nov, 09:30" this
    year, "24 Nov 2025" before."""
    zone = chat_zone(timezone)
    local, today = datetime.fromtimestamp(ts, zone), datetime.fromtimestamp(now, zone)
    if local.date() == today.date():
        return f"{local:%H:%M}"
    if local.year == today.year:
        return t.when(ts, timezone, "d MMM, HH:mm")
    return t.when(ts, timezone, "d MMM y")


# A burst of pushes as one message (news.bundles).
def bundle_heading(t: Tr, count: int, names: Sequence[str]) -> str:
    """ "5 new stories about Apple and Samsung"; `names` are plain text."""
    stories = t.plural("{n} new story", "{n} new stories", count)
    if not names:
        return f"<b>{stories}</b>"
    shown = [escape(shorten(n, 40)) for n in names[:3]]
    if len(names) > 3:
        shown = [*shown, t.plural("{n} more", "{n} more", len(names) - 3)]
    return "<b>" + t("{stories} about {names}", stories=stories, names=t.join(shown)) + "</b>"


def bundle_more(t: Tr, count: int) -> str:
    """Under a bundle with more stories than one message holds."""
    return t.plural("and {n} more — /latest", "and {n} more — /latest", count)


@dataclass(frozen=True)
class CommandText:
    """How a command presents itself: in Telegram's command menu and in /help (English, each
    translated where it is shown)."""

    menu: str  # plain text, at most 256 characters
    usage: str  # HTML after "/name" in /help: its arguments
    help: str  # HTML: what it does


# Every command the bot answers, by its first name. The table in handlers/commands.py
# registers the handlers in this order and takes the menu and /help from here.
COMMAND_TEXT: dict[str, CommandText] = {
    "subscribe": CommandText(
        N_("Follow a brand or keyword: /subscribe xiaomi"),
        N_(" <i>brand</i>"),
        N_(
            "follow a brand or keyword, several at once:"
            ' <code>/subscribe Apple Samsung</code>, <code>/subscribe "foldable phone"</code>'
        ),
    ),
    "unsubscribe": CommandText(
        N_("Stop following: /unsubscribe xiaomi"),
        N_(" <i>brand</i>"),
        N_("stop following (without a name: pick from a list)"),
    ),
    "subscriptions": CommandText(N_("What this chat follows"), "", N_("what this chat follows")),
    "latest": CommandText(
        N_("Newest stories: /latest apple"),
        N_(" <i>brand</i> [N]"),
        N_(
            "the newest stories about a brand or keyword (alone: about everything this chat"
            " follows)"
        ),
    ),
    "search": CommandText(
        N_("Search the archive: /search foldable phone"),
        N_(" <i>words</i>"),
        N_("search headlines and text"),
    ),
    "brands": CommandText(N_("The brands I know"), "", N_("the brands I know")),
    "mode": CommandText(
        N_("Instant pushes, daily digest, both or off"),
        "",
        N_("instant pushes, the daily digest, both (the default) or off"),
    ),
    "digest": CommandText(
        N_("Daily digest time, or one now: /digest 08:30"),
        N_(" <i>HH:MM</i> [<i>Area/City</i>]"),
        N_(
            "when the daily digest arrives (default 09:00); <code>/digest now</code> for one"
            " right away, <code>/digest off</code> to stop it"
        ),
    ),
    "timezone": CommandText(
        N_("This chat's time zone: /timezone Europe/Berlin"),
        N_(" <i>Area/City</i>"),
        N_("this chat's time zone, e.g. <code>/timezone Europe/Berlin</code>"),
    ),
    "quiet": CommandText(
        N_("Silent pushes at night: /quiet 23:00-08:00"),
        N_(" <i>HH:MM-HH:MM</i> [hold]"),
        N_(
            "hours when pushes arrive without a sound (this chat's time zone); with"
            " <code>hold</code> they wait and come as one message when the hours end;"
            " <code>/quiet off</code> to end them"
        ),
    ),
    "preview": CommandText(
        N_("Story images in pushes: /preview on|off"),
        N_(" on|off"),
        N_("show each story's picture above its push (on unless turned off)"),
    ),
    "language": CommandText(
        N_("The bot's language: /language ru"),
        " ru|en",
        N_("the language I write in, in this chat (English or Russian)"),
    ),
    "help": CommandText(N_("How to use this bot"), "", N_("this message")),
    "start": CommandText(
        N_("Start (or resume) the bot"), "", N_("start, or come back after blocking the bot")
    ),
}
OPERATOR_COMMAND_TEXT: dict[str, CommandText] = {
    "sources": CommandText(
        N_("News sources and their health"), "", N_("every source with its health and stories")
    ),
    "addsource": CommandText(
        N_("Add a feed: /addsource URL"),
        " <i>URL</i>",
        N_("add a feed (public http(s) addresses)"),
    ),
    "removesource": CommandText(
        N_("Remove a source: /removesource ID"),
        " <i>ID</i>",
        N_("stop polling a source (its stories stay)"),
    ),
}

# The shipped catalogue's /brands headings (news/data/brands.toml [categories]), so that they
# are translated; an operator's own headings show as written.
CATEGORY_HEADINGS = (
    N_("Phones"),
    N_("Software & internet"),
    N_("AI"),
    N_("Chips"),
    N_("PCs, consoles & gadgets"),
    N_("Cars & space"),
    N_("Chinese tech"),
    N_("Russian market"),
)

# The bot's description in Telegram: on its profile, and in an empty chat before /start.
DESCRIPTION = N_(
    "Tech news by brand. Follow Xiaomi, Apple, Samsung or any keyword and get every story"
    " about them from the tech press, once, with a short summary and related links; /latest"
    " for the newest, and a daily digest at your local time."
)
SHORT_DESCRIPTION = N_("Tech news by brand: instant pushes, /latest and a daily digest.")

EXAMPLE_BRANDS = ("xiaomi", "apple", "samsung", "nvidia")
MAX_SUBSCRIPTIONS = 100  # per chat; also keeps the /unsubscribe keyboard within 100 buttons


def _help_lines(
    t: Tr, commands: Sequence[Sequence[str]], texts: dict[str, CommandText]
) -> list[str]:
    lines = []
    for names in commands:
        text = texts[names[0]]
        also = (
            " " + t("(also {names})", names=", ".join(f"/{n}" for n in names[1:]))
            if names[1:]
            else ""
        )
        usage = t(text.usage) if text.usage.strip() else text.usage
        lines.append(f"/{names[0]}{usage} — {t(text.help)}{also}")
    return lines


def welcome(
    t: Tr, commands: Sequence[Sequence[str]], operator_commands: Sequence[Sequence[str]] = ()
) -> str:
    """/start and /help: what the bot does and every command (`commands`: the names of each,
    as registered, first name first). Operators also see theirs."""
    lines = [
        t("<b>Tech news by brand</b>"),
        t(
            "Follow the brands you care about and I send every story about them from the tech"
            " press, once, with a short summary and links to related stories. Anything that is"
            " not a brand becomes a keyword I look for in headlines and text."
        ),
        "",
        *_help_lines(t, commands, COMMAND_TEXT),
        "",
        t(
            "How news reaches you: instant pushes as stories appear, /latest <i>brand</i> for"
            " the freshest from the archive, and a daily digest at your local time."
        ),
    ]
    if operator_commands:
        lines += [
            "",
            t("<b>For operators</b>"),
            *_help_lines(t, operator_commands, OPERATOR_COMMAND_TEXT),
        ]
    return "\n".join(lines)


def subscribe_usage(t: Tr) -> str:
    examples = ", ".join(f"<code>/subscribe {b}</code>" for b in EXAMPLE_BRANDS)
    return t(
        "Usage: <code>/subscribe BRAND</code> — for example {examples}. Several at once:"
        " <code>/subscribe Apple Samsung</code>. See /brands.",
        examples=examples,
    )


def reason(t: Tr, resolution: Resolution) -> str:
    """Why a term was refused, in words (plain text; callers escape it)."""
    match resolution.reason:
        case Problem.TOO_SHORT:
            return t("too short (at least {n} characters)", n=MIN_KEYWORD)
        case Problem.TOO_LONG:
            return t("too long (at most {n} characters)", n=MAX_KEYWORD)
        case Problem.NO_WORD:
            return t("a keyword needs letters or digits")
    return t("not a brand or a keyword")


def too_many_terms(t: Tr, count: int) -> str:
    return t.plural(
        "That is {n} name; send at most {most} at a time.",
        "That is {n} names; send at most {most} at a time.",
        count,
        most=MAX_TERMS,
    )


def only_admins(t: Tr) -> str:
    return t("Sorry, only this group's admins can change what it follows and how news arrives.")


def unknown_command(t: Tr, command: str) -> str:
    return t(
        "I don't know {command}. Send /help to see what I can do.", command=_quoted(t, command, 40)
    )


def plain_text_pointer(t: Tr) -> str:
    return t("I answer commands. Send /help to see them, or /subscribe xiaomi to start.")


def plain_text_brand(t: Tr, text: str, brand: Brand) -> str:
    """A brand's name sent as plain text in a private chat."""
    same = normalize_name(text) == normalize_name(brand.name)
    named = brand_label(brand) if same else f"{_quoted(t, text, 40)}: {brand_label(brand)}"
    return t("{brand} — follow it, or read its latest stories?", brand=named)


def follow_button(t: Tr, brand: Brand) -> str:
    return t("Follow {brand}", brand=brand.name)


def expired_button(t: Tr) -> str:
    return t("This button no longer works; send the command again.")


@dataclass
class SubscribeOutcome:
    added: list[Subscription]
    existing: list[Subscription]
    suggestions: list[Resolution]
    invalid: list[Resolution]
    over_limit: list[Subscription]
    typed: dict[str, str] = field(default_factory=dict)  # brand key -> the other name typed
    doubtful: list[Resolution] = field(default_factory=list)  # keywords asked about first


def subscribe_result(t: Tr, outcome: SubscribeOutcome) -> str:
    """What /subscribe added (brands, keywords), then what it did not and why."""
    return "\n".join(_added(t, outcome) + _not_added(t, outcome))


def _added(t: Tr, outcome: SubscribeOutcome) -> list[str]:
    lines: list[str] = []
    brands = [s for s in outcome.added if s.kind is SubscriptionKind.BRAND]
    keywords = [s for s in outcome.added if s.kind is SubscriptionKind.KEYWORD]
    if brands:
        shown = []
        for s in brands:
            typed = outcome.typed.get(s.value)
            label = f"<b>{escape(s.label)}</b>"
            shown.append(
                t("{brand} (from {typed})", brand=label, typed=_quoted(t, typed, 40))
                if typed
                else label
            )
        lines.append(t("✅ Subscribed: {names}", names=", ".join(shown)))
    if len(keywords) == 1:
        label = _quoted(t, keywords[0].label)
        if " " in keywords[0].label:
            lines.append(
                t(
                    "🔎 {keyword} is not a known brand: I will match the phrase in headlines"
                    " and text.",
                    keyword=label,
                )
            )
        else:
            lines.append(
                t(
                    "🔎 {keyword} is not a known brand: I will match the word in headlines"
                    " and text.",
                    keyword=label,
                )
            )
    elif keywords:
        # (No `t` inside the arguments of a plural call: pybabel would take it for a
        # nested message and lose the plural; tests/test_i18n.py notices.)
        named = ", ".join(_quoted(t, s.label) for s in keywords)
        lines.append(
            t.plural(
                "🔎 {n} keyword, matched in headlines and text: {keywords}",
                "🔎 {n} keywords, matched in headlines and text: {keywords}",
                len(keywords),
                keywords=named,
            )
        )
    return lines


def _not_added(t: Tr, outcome: SubscribeOutcome) -> list[str]:
    lines: list[str] = []
    if outcome.existing:
        lines.append(
            t("Already following: {names}", names=", ".join(_label(t, s) for s in outcome.existing))
        )
    for r in outcome.suggestions:
        assert r.brand is not None
        meant = brand_label(r.brand)
        lines.append(t("❓ {term}: did you mean {brand}?", term=_quoted(t, r.term), brand=meant))
    for r in outcome.doubtful:
        lines.append(
            t(
                "❓ {term} would match almost every story. Follow it anyway? Tap below.",
                term=_quoted(t, r.term),
            )
        )
    for r in outcome.invalid:
        lines.append(
            t("⚠️ Not added: {term} — {why}.", term=_quoted(t, r.term), why=escape(reason(t, r)))
        )
    if outcome.over_limit:
        lines.append(
            t(
                "⚠️ Not added (a chat can follow at most {most}): {names}",
                most=MAX_SUBSCRIPTIONS,
                names=", ".join(_label(t, s) for s in outcome.over_limit),
            )
        )
    return lines


def _label(t: Tr, s: Subscription) -> str:
    if s.kind is SubscriptionKind.KEYWORD:
        return _quoted(t, s.label)
    return f"<b>{escape(s.label)}</b>"


def unsubscribe_result(
    t: Tr, removed: list[Subscription], missing: list[str], meant: Sequence[Subscription] = ()
) -> str:
    """`meant`: followed brands a misspelt name probably meant (offered as buttons)."""
    lines: list[str] = []
    if removed:
        lines.append(t("Unsubscribed: {names}", names=", ".join(_label(t, s) for s in removed)))
    if missing:
        lines.append(
            t("Not in this chat's list: {names}", names=", ".join(_quoted(t, m) for m in missing))
        )
    if meant:
        lines.append(
            t(
                "Did you mean {names}? Tap to unsubscribe.",
                names=t.join([_label(t, s) for s in meant]),
            )
        )
    return "\n".join(lines)


def unsubscribe_all_question(t: Tr, count: int) -> str:
    return t.plural(
        "Unsubscribe this chat from its {n} subscription? Nothing is removed until you tap.",
        "Unsubscribe this chat from all {n} subscriptions? Nothing is removed until you tap.",
        count,
    )


def unsubscribe_all_button(t: Tr, count: int) -> str:
    return t.plural("✖ Yes, unsubscribe", "✖ Yes, all {n}", count)


def unsubscribed_all(t: Tr, count: int) -> str:
    if not count:
        return nothing_followed(t)
    return t.plural(
        "Unsubscribed from {n} subscription. /subscribe xiaomi starts again.",
        "Unsubscribed from all {n} subscriptions. /subscribe xiaomi starts again.",
        count,
    )


def unsubscribe_menu(t: Tr, subscriptions: Sequence[Subscription]) -> str:
    if not subscriptions:
        return nothing_followed(t)
    return t("Tap to unsubscribe:")


def nothing_followed(t: Tr) -> str:
    return t("This chat follows nothing yet. Try <code>/subscribe xiaomi</code> or see /brands.")


def subscriptions_list(t: Tr, subscriptions: Sequence[Subscription]) -> str:
    if not subscriptions:
        return nothing_followed(t)
    brands = [s for s in subscriptions if s.kind is SubscriptionKind.BRAND]
    keywords = [s for s in subscriptions if s.kind is SubscriptionKind.KEYWORD]
    heading = t.plural("This chat follows {n}:", "This chat follows {n}:", len(subscriptions))
    lines = [f"<b>{heading}</b>"]
    if brands:
        lines.append(t("Brands: {names}", names=", ".join(escape(s.label) for s in brands)))
    if keywords:
        lines.append(t("Keywords: {names}", names=", ".join(_quoted(t, s.label) for s in keywords)))
    return "\n".join(lines)


def brands_list(t: Tr, catalogue: Catalogue, limit: int = MAX_MESSAGE) -> list[str]:
    """The catalogue, compact: one line per category; several messages for a huge catalogue."""
    blocks = ["<b>" + t("Brands I know ({n})", n=len(catalogue)) + "</b>"]
    budget = limit // 2  # a category line longer than this continues on the next line
    for heading, brands in catalogue.by_category():
        title = escape(t(heading))
        line = f"<b>{title}</b>:"
        for i, brand in enumerate(brands):
            name = escape(shorten(brand.name, 64)) + ("," if i < len(brands) - 1 else "")
            if visible_length(line) + 1 + visible_length(name) > budget:
                blocks.append(line)
                line = "<b>" + t("{heading} (continued)", heading=title) + "</b>:"
            line += " " + name
        blocks.append(line)
    blocks.append(
        t("Follow one with <code>/subscribe NAME</code>; anything else becomes a keyword.")
    )
    return pack(blocks, limit)


def brand_button_text(t: Tr, brand: Brand) -> str:
    return t("Subscribe to {brand}", brand=brand.name)


def keyword_button_text(t: Tr, term: str) -> str:
    return t("Keyword “{term}”", term=term[:24])


def follow_anyway_button(t: Tr, term: str) -> str:
    return t("Follow “{term}” anyway", term=term[:24])


def subscribe_button_answer(
    t: Tr, added: Sequence[Subscription], existing: Sequence[Subscription]
) -> str:
    """The short notice after a tap on "Subscribe to …" (plain text)."""
    if added:
        return t("Following {name}", name=added[0].label)
    return t("Already following") if existing else t("Limit reached")


def unsubscribe_button_text(subscription: Subscription) -> str:
    label = subscription.label
    return f"✖ {label}" if subscription.kind is SubscriptionKind.BRAND else f"✖ “{label[:30]}”"


def unsubscribe_button_answer(t: Tr, removed: Subscription | None) -> str:
    if removed:
        return t("Unsubscribed from {name}", name=removed.label)
    return t("Already removed")


MODE_NAME = {  # a mode as users read it and may type it (news.arguments.parse_mode)
    DeliveryMode.INSTANT: N_("instant"),
    DeliveryMode.DIGEST: N_("digest"),
    DeliveryMode.BOTH: N_("both"),
    DeliveryMode.OFF: N_("off"),
}
MODE_TEXT = {
    DeliveryMode.INSTANT: N_("instant — a message for each new story"),
    DeliveryMode.DIGEST: N_("digest — one message a day, no instant pushes"),
    DeliveryMode.BOTH: N_("both — instant pushes and the daily digest"),
    DeliveryMode.OFF: N_("off — nothing is sent (subscriptions are kept)"),
}


def _mode_usage(t: Tr) -> str:
    return "<code>/mode " + "|".join(t(MODE_NAME[m]) for m in DeliveryMode) + "</code>"


def mode_status(t: Tr, chat: Chat, *, with_usage: bool = False, now: int | None = None) -> str:
    """/mode: the chat's mode, its digest time when the digest is on, its quiet hours, and
    (with_usage) one line saying how to change each."""
    mode = "<b>" + t(MODE_TEXT[chat.mode]) + "</b>"
    text = t("Delivery mode: {mode}", mode=mode)
    if chat.digest_on:
        text += "\n" + digest_schedule(t, chat, now)
    if chat.quiet is not None:
        text += "\n" + quiet_line(t, chat)
    if not chat.previews:
        text += "\n" + t("Pushes come without the story's picture.")
    if with_usage:
        text += "\n" + t("Change: {usage} · /digest · /quiet · /preview", usage=_mode_usage(t))
    return text


def mode_button_text(t: Tr, mode: DeliveryMode, current: DeliveryMode) -> str:
    return ("• " if mode is current else "") + t(MODE_NAME[mode])


def mode_unknown(t: Tr, argument: str) -> str:
    return t(
        "{argument} is not a mode. Use {usage}.",
        argument=_quoted(t, argument, 30),
        usage=_mode_usage(t),
    )


def mode_set_answer(t: Tr, mode: DeliveryMode) -> str:
    return t("Mode: {mode}", mode=t(MODE_NAME[mode]))


# --- the chat's language (news.i18n) ---------------------------------------------------------


def language_status(t: Tr) -> str:
    """/language alone: the chat's language, and how to change it (with a button each)."""
    others = ", ".join(f"<code>/language {code}</code>" for code in LANGUAGES)
    language = "<b>" + t.language_name(t.language) + "</b>"
    return t(
        "I write to this chat in {language}. Change it: {commands}, or tap below.",
        language=language,
        commands=others,
    )


def language_set(t: Tr) -> str:
    """Said in the new language."""
    return t(
        "✅ From now on I write to this chat in {language}.", language=t.language_name(t.language)
    )


def language_unknown(t: Tr, argument: str) -> str:
    names = t.join([f"<code>{code}</code> ({_self_name(code)})" for code in LANGUAGES])
    return t(
        "I don't speak {argument}. I can write in {languages}.",
        argument=_quoted(t, argument, 30),
        languages=names,
    )


def _self_name(language: str) -> str:
    """A language named in itself ("Русский", "English"), so its readers find it."""
    return translator(language).language_name(language)


def language_button_text(t: Tr, language: str) -> str:
    mark = "• " if language == t.language else ""
    return mark + _self_name(language)


# --- story images in pushes (news.render.preview_for) ---------------------------------------


def _preview_usage(t: Tr) -> str:
    return t("<code>/preview on</code> or <code>/preview off</code>")


def preview_status(t: Tr, chat: Chat) -> str:
    return _preview_state(t, chat) + " " + _preview_usage(t) + "."


def _preview_state(t: Tr, chat: Chat) -> str:
    if chat.previews:
        return t("Pushes show the story's picture above the text when the story has one.")
    return t("Pushes come as text, without the story's picture.")


def preview_set(t: Tr, chat: Chat) -> str:
    return "✅ " + _preview_state(t, chat)


def preview_unknown(t: Tr, argument: str) -> str:
    return t(
        "{argument} is neither on nor off. Use {usage}.",
        argument=_quoted(t, argument, 20),
        usage=_preview_usage(t),
    )


# --- quiet hours (news/quiet.py) ---------------------------------------------------------------


def _quiet_usage(t: Tr) -> str:
    return t(
        "<code>/quiet 23:00-08:00</code> (this chat's time zone), <code>/quiet 23:00-08:00"
        " hold</code> to get that night's pushes as one message in the morning, or"
        " <code>/quiet off</code>"
    )


def quiet_line(t: Tr, chat: Chat) -> str:
    assert chat.quiet is not None
    hours = f"<b>{chat.quiet.label()}</b> {escape(chat.timezone)}"
    if chat.quiet.hold:
        return t(
            "Quiet hours: {hours} — pushes wait and arrive as one message when they end.",
            hours=hours,
        )
    return t("Quiet hours: {hours} — pushes arrive without a sound.", hours=hours)


def quiet_status(t: Tr, chat: Chat) -> str:
    """/quiet alone."""
    if chat.quiet is None:
        return t(
            "No quiet hours: every push makes a sound. Set them: {usage}.", usage=_quiet_usage(t)
        )
    return quiet_line(t, chat) + "\n" + t("Change them: {usage}.", usage=_quiet_usage(t))


def quiet_set(t: Tr, chat: Chat) -> str:
    return "✅ " + quiet_line(t, chat)


def quiet_off(t: Tr) -> str:
    return t("✅ No quiet hours: pushes make a sound again.")


def quiet_argument_error(t: Tr, exc: QuietArgumentError) -> str:
    if exc.problem is QuietProblem.EMPTY:
        return t(
            "{argument} starts and ends at the same time. Give the hours to keep quiet,"
            " e.g. {usage}.",
            argument=_quoted(t, exc.argument, 30),
            usage=_quiet_usage(t),
        )
    return t(
        "{argument} is not a range of hours. Use {usage}.",
        argument=_quoted(t, exc.argument, 30),
        usage=_quiet_usage(t),
    )


# --- the daily digest and the time zone ------------------------------------------------------


def _timezone_usage(t: Tr) -> str:
    return t("<code>/timezone Area/City</code>, for example <code>/timezone Europe/Berlin</code>")


def _digest_usage(t: Tr) -> str:
    return t(
        "<code>/digest HH:MM Area/City</code>, for example <code>/digest 08:30 Europe/Berlin</code>"
    )


def digest_argument_error(t: Tr, error: DigestArgumentError) -> str:
    """Why a /digest or /timezone argument was refused, always with the command's form."""
    usage = _timezone_usage(t) if error.command == "timezone" else _digest_usage(t)
    text = error.text
    suggestion = f"<code>{escape(error.suggestion)}</code>" if error.suggestion else ""
    match error.problem:
        case DigestProblem.NOT_A_TIME:
            return t(
                "{text} is not a time of day. Send it as HH:MM on the 24-hour clock: {usage}.",
                text=_quoted(t, text, 20),
                usage=usage,
            )
        case DigestProblem.NO_SUCH_HOUR:
            return t(
                "There is no hour {text} in a day: hours go from 0 to 23. Use {usage}.",
                text=escape(text),
                usage=usage,
            )
        case DigestProblem.NO_SUCH_MINUTE:
            return t(
                "There is no minute {text}: minutes go from 00 to 59. Use {usage}.",
                text=escape(text),
                usage=usage,
            )
        case DigestProblem.OFFSET:
            return _offset_error(t, error, usage, suggestion)
        case DigestProblem.UNKNOWN_ZONE:
            hint = " " + t("Did you mean {zone}?", zone=suggestion) if suggestion else ""
            return t(
                "I don't know the time zone {text}.{hint} Use {usage}; the zone is a tz"
                " database name such as Europe/Berlin, America/New_York, Asia/Tokyo or UTC,"
                " or a city: Berlin, Moscow, Tokyo.",
                text=_quoted(t, text, 40),
                hint=hint,
                usage=usage,
            )
        case DigestProblem.TOO_LONG:
            return t("That is too long to be a time and a time zone. Use {usage}.", usage=usage)
        case DigestProblem.TAKES_NOTHING:
            command = "<code>/digest " + escape(text) + "</code>"
            return t(
                "{command} takes nothing after it. To set the time: {usage}.",
                command=command,
                usage=usage,
            )
        case DigestProblem.QUIET_USAGE:
            return t(
                "Use <code>/digest empty note</code> to get a short note on days without news,"
                " or <code>/digest empty silent</code> to get nothing on those days (the"
                " default). To set the time: {usage}.",
                usage=usage,
            )
        case _:  # DigestProblem.TIME_MISSING
            example = "<code>/digest 09:00 " + escape(text) + "</code>"
            return t(
                "Say the time too: {example}. The form is {usage}.", example=example, usage=usage
            )


def _offset_error(t: Tr, error: DigestArgumentError, usage: str, suggestion: str) -> str:
    """ "UTC+3 is 3 hours ahead of UTC": a fixed offset, with the city zone it suggests."""
    minutes = abs(error.offset or 0)
    amount = f"{minutes // 60}" + (f":{minutes % 60:02d}" if minutes % 60 else "")
    text = _quoted(t, error.text, 40)
    # The count that chooses the plural form: whole hours as they are; a fraction ("5:30")
    # takes the form of 2, which is right in English (hours) and Russian (часа) alike.
    count = minutes // 60 if not minutes % 60 else 2
    if (error.offset or 0) >= 0:
        offset = t.plural(
            "{text} is {amount} hour ahead of UTC.",
            "{text} is {amount} hours ahead of UTC.",
            count,
            text=text,
            amount=amount,
        )
    else:
        offset = t.plural(
            "{text} is {amount} hour behind UTC.",
            "{text} is {amount} hours behind UTC.",
            count,
            text=text,
            amount=amount,
        )
    if suggestion:
        where = t(
            "For a place's own clock (with its daylight saving), name its zone: did you mean"
            " {zone}?",
            zone=suggestion,
        )
    else:
        where = t("No place keeps that offset: name your city's zone.")
    return f"{offset} {where} " + t("Use {usage}.", usage=usage)


NOTHING_NEW = N_("No news about your brands today.")  # the empty-day note (/digest empty note)


def digest_header(t: Tr, now: int, timezone: str) -> str:
    """The digest's first line: "Daily digest · 25 Nov 2026" in the chat's zone."""
    return "<b>" + t("Daily digest") + "</b> · " + t.when(now, timezone, "d MMM y")


def digest_more(t: Tr, count: int, command: str) -> str:
    """Under a section with more stories than it shows."""
    return t.plural(
        "and {n} more — {command}", "and {n} more — {command}", count, command=escape(command)
    )


def digest_schedule(t: Tr, chat: Chat, now: int | None = None) -> str:
    """ "Daily digest at 08:30 Europe/Moscow" and, when known, when the next one is: "today"
    or "tomorrow" on the chat's calendar (given `now`), else its date."""
    at = f"<b>{chat.digest_time:%H:%M} {escape(chat.timezone)}</b>"
    if chat.next_digest_at is None:
        return t("Daily digest at {time}.", time=at)
    return t(
        "Daily digest at {time}, next {day}.",
        time=at,
        day=_day(t, chat.next_digest_at, chat.timezone, now),
    )


def _day(t: Tr, ts: int, timezone: str, now: int | None) -> str:
    zone = chat_zone(timezone)
    day = datetime.fromtimestamp(ts, zone).date()
    if now is not None:
        today = datetime.fromtimestamp(now, zone).date()
        if day == today:
            return t("today")
        if (day - today).days == 1:
            return t("tomorrow")
    return t("on {date}", date=t.when(ts, timezone, "EEE d MMM"))


def digest_status(t: Tr, chat: Chat, now: int | None = None) -> str:
    """/digest alone: the schedule, the quiet-day rule, and how to change them."""
    if not chat.digest_on:
        at = f"{chat.digest_time:%H:%M} {escape(chat.timezone)}"
        return "\n".join(
            [
                t("The daily digest is <b>off</b> in this chat."),
                t(
                    "Turn it on with <code>/digest on</code> (at {time}) or <code>/digest"
                    " HH:MM</code>, or get one right away with <code>/digest now</code>.",
                    time=at,
                ),
            ]
        )
    if chat.digest_quiet:
        quiet = t(
            "On days without news nothing is sent (<code>/digest empty note</code> for a short"
            " note)."
        )
    else:
        quiet = t(
            "On days without news you get a short note (<code>/digest empty silent</code> to"
            " stop it)."
        )
    return "\n".join(
        [
            digest_schedule(t, chat, now),
            quiet,
            t(
                "Change it: <code>/digest HH:MM Area/City</code> · <code>/digest now</code> ·"
                " <code>/digest off</code>"
            ),
        ]
    )


def digest_set(t: Tr, chat: Chat, turned_on: bool, now: int | None = None) -> str:
    text = digest_schedule(t, chat, now)
    if turned_on:
        if chat.mode is DeliveryMode.BOTH:
            text += "\n" + t("The digest was off; it is on now (instant pushes continue).")
        else:
            text += "\n" + t("The digest was off; it is on now.")
    return text


def digest_off(t: Tr, chat: Chat) -> str:
    if chat.mode is DeliveryMode.INSTANT:
        return t(
            "Daily digest off. Instant pushes continue. Turn it back on with"
            " <code>/digest on</code>."
        )
    return t(
        "Daily digest off. Nothing is sent to this chat now; its subscriptions are kept."
        " <code>/mode instant</code> for a message per story, <code>/digest on</code> for the"
        " digest again."
    )


def digest_quiet(t: Tr, quiet: bool) -> str:
    if quiet:
        return t("On days without news the digest sends nothing.")
    return t("On days without news the digest sends a short note saying so.")


def digest_nothing(t: Tr, since_last: bool) -> str:
    if since_last:
        return t(
            "No news about what this chat follows since the last digest. /latest shows the"
            " newest stories."
        )
    return t(
        "No news about what this chat follows in the last 24 hours. /latest shows the newest"
        " stories."
    )


def digest_raced(t: Tr) -> str:
    return t("A digest with these stories is already on its way.")


def _zone(t: Tr, timezone: str, now: int) -> str:
    """ "Europe/Moscow (Moscow, 09:30 now)": the zone, its place in the chat's language."""
    clock = datetime.fromtimestamp(now, chat_zone(timezone)).strftime("%H:%M")
    city, zone = t.zone_city(timezone), "<b>" + escape(timezone) + "</b>"
    if city == timezone:
        return t("{zone} ({time} now)", zone=zone, time=clock)
    return t("{zone} ({city}, {time} now)", zone=zone, city=escape(city), time=clock)


def timezone_status(t: Tr, chat: Chat, now: int) -> str:
    return t(
        "This chat's time zone is {zone}. Change it: {usage}.",
        zone=_zone(t, chat.timezone, now),
        usage=_timezone_usage(t),
    )


def timezone_set(t: Tr, chat: Chat, now: int) -> str:
    text = t("Time zone: {zone}.", zone=_zone(t, chat.timezone, now))
    if chat.digest_on:
        text += "\n" + digest_schedule(t, chat)
    return text


# --- /latest and /search ---------------------------------------------------------------------

YOUR_SUBSCRIPTIONS = N_("your subscriptions")  # what /latest alone is about


def keyword_label(t: Tr, term: str) -> str:
    """What a /latest page about a keyword is about (HTML)."""
    return _quoted(t, term)


def brand_label(brand: Brand) -> str:
    return f"<b>{escape(brand.name)}</b>"


def latest_usage(t: Tr, max_n: int) -> str:
    return t("Usage: <code>/latest BRAND [N]</code> with N from 1 to {most}.", most=max_n)


def latest_capped(t: Tr, max_n: int) -> str:
    return t("Showing {most}, the most /latest sends at once.", most=max_n)


def latest_nothing_followed(t: Tr) -> str:
    return t(
        "This chat follows nothing yet: <code>/latest xiaomi</code> shows a brand's news,"
        " <code>/subscribe xiaomi</code> follows it."
    )


def latest_none(t: Tr, label: str, *, more: bool) -> str:
    """`label` is HTML (brand_label, quoted keyword, YOUR_SUBSCRIPTIONS)."""
    if more:
        return t("No more stories about {label} yet.", label=label)
    return t("No stories about {label} yet.", label=label)


def latest_heading(t: Tr, label: str, *, older: bool) -> str:
    """Above a /latest page; `label` is HTML."""
    if older:
        return t("Older stories about {label}", label=label)
    return t("Latest about {label}", label=label)


def latest_more(t: Tr, command: str) -> str:
    """Under a page with more to come when no button could carry the query."""
    return "<i>" + t("More: send {command}", command=escape(command)) + "</i>"


def more_button(t: Tr) -> str:
    return t("Older ›")


def newest_button(t: Tr) -> str:
    return t("« Newest")


def open_button(number: int) -> str:
    """A button under a page that opens its story number `number` in full."""
    return str(number)


def no_older(t: Tr) -> str:
    """A toast: "Older" pressed on the last page (a page kept from before)."""
    return t("No older stories.")


def story_gone(t: Tr) -> str:
    """A toast: the story a button opens is no longer in the archive."""
    return t("This story is no longer in the archive.")


def latest_did_you_mean(t: Tr, name: str, brand: Brand) -> str:
    return t("{name}: did you mean {brand}?", name=_quoted(t, name), brand=brand_label(brand))


def latest_about_button(t: Tr, brand: Brand) -> str:
    return t("Latest about {brand}", brand=brand.name)


def latest_about_keyword(t: Tr, term: str) -> str:
    return t("Latest about “{term}”", term=shorten(term, 40))


def latest_one_at_a_time(t: Tr, count: int) -> str:
    return t.plural(
        "/latest shows one name at a time. Tap this one:",
        "/latest shows one name at a time. Tap one of these {n}:",
        count,
    )


def cannot_look_up(t: Tr, name: str, reason: str) -> str:
    return t("Cannot look up {name}: {why}.", name=_quoted(t, name), why=escape(reason))


def latest_button_expired(t: Tr) -> str:
    return t("This button no longer works; send /latest again.")


def search_usage(t: Tr) -> str:
    return t("Usage: <code>/search WORDS</code>, e.g. <code>/search foldable phone</code>")


def search_nothing(t: Tr, words: str) -> str:
    return t("Nothing found for {words}.", words=_quoted(t, words))


def search_heading(t: Tr, words: str, *, offset: int, also: Sequence[str] = ()) -> str:
    """Above a /search page; `offset` results came on the pages before; `also`: the other
    names of the brand searched, searched too."""
    heading = "<b>" + t("Search: {words}", words=_quoted(t, words)) + "</b>"
    if offset:
        heading += " · " + t("from {n}", n=offset + 1)
    names = ", ".join(escape(shorten(n, 30)) for n in also[:5])
    if names:
        heading += "\n<i>" + t("also searching {names}", names=names) + "</i>"
    return heading


# --- operators ------------------------------------------------------------------------------

_SOURCE_ICONS = {
    SourceStatus.NEW: "🆕",
    SourceStatus.OK: "✅",
    SourceStatus.NOT_MODIFIED: "✅",
    SourceStatus.ERROR: "⚠️",
}
_SOURCE_STATUS = {  # what an operator reads, not the column's value
    SourceStatus.NEW: N_("not polled yet"),
    SourceStatus.OK: N_("working"),
    SourceStatus.NOT_MODIFIED: N_("working (unchanged)"),
    SourceStatus.ERROR: N_("failing"),
}


def operators_only(t: Tr) -> str:
    return t("This command is for the bot's operators.")


def source_line(t: Tr, source: Source, stories: int) -> str:
    name = _quoted(t, source.title or source.url, 60)
    n = source.error_count
    status = t(_SOURCE_STATUS[source.status])
    if n:
        status += ", " + t.plural("{n} error in a row", "{n} errors in a row", n)
    line = (
        f"{_SOURCE_ICONS[source.status]} <b>#{source.id}</b> {name} — "
        + t(
            "{status}, last success {when}, {stories}",
            status=status,
            when=format_utc(t, source.last_success_at),
            stories=t.plural("{n} story", "{n} stories", stories),
        )
        + f"\n    <code>{escape(shorten(source.url, 200))}</code>"
    )
    if source.last_error:
        line += "\n    " + t("last error: {error}", error=escape(source.last_error[:200]))
    return line


def health_line(
    t: Tr, findings: Sequence[tuple[str, dict[str, object]]], pending: int, oldest_age: int | None
) -> str:
    """The header of the operators' /sources: usecases.health's findings, translated."""
    problems = [t(message, **values) for message, values in findings]
    if oldest_age:
        outbox = t("outbox: {n} waiting, oldest {age} s", n=pending, age=oldest_age)
    else:
        outbox = t("outbox: {n} waiting", n=pending)
    if not problems:
        return "🩺 " + t("Healthy") + f" · {outbox}"
    return f"⚠️ {escape('; '.join(problems))} · {outbox}"


SOURCES_PAGE = 12  # sources per /sources page


def sources_page(
    t: Tr, sources: Sequence[Source], counts: dict[int, int], health: str | None, page: int
) -> tuple[str, int]:
    """One /sources message: the health line, the totals, and page `page` (from 0) of the
    sources, failing ones first. Returns (text, number of pages)."""
    head = [health] if health else []
    if not sources:
        return "\n".join([*head, t("No sources. Add one with /addsource URL.")]), 1
    ordered = sorted(sources, key=lambda s: (s.status is not SourceStatus.ERROR, s.id))
    pages = (len(ordered) + SOURCES_PAGE - 1) // SOURCES_PAGE
    page = min(max(page, 0), pages - 1)
    failing = sum(s.status is SourceStatus.ERROR for s in sources)
    total = "<b>" + t.plural("{n} source", "{n} sources", len(sources)) + "</b>"
    summary = t("{sources}, {failing} failing", sources=total, failing=failing)
    if pages > 1:
        summary += " · " + t("page {page} of {pages}", page=page + 1, pages=pages)
    shown = ordered[page * SOURCES_PAGE : (page + 1) * SOURCES_PAGE]
    blocks = [*head, summary] + [source_line(t, s, counts.get(s.id, 0)) for s in shown]
    return pack(blocks)[0], pages


def addsource_usage(t: Tr) -> str:
    return t("Usage: <code>/addsource https://example.com/feed.xml</code>")


def addsource_assumed(t: Tr, url: str) -> str:
    """Said before the result when a bare host/path was taken as https."""
    shown = "<code>" + escape(shorten(url, 200)) + "</code>"
    return t("Reading it as {url}.", url=shown)


def addsource_refused(t: Tr, why: str) -> str:
    return t("Refused: {why}.", why=escape(why))


def addsource_known(t: Tr, source: Source) -> str:
    return t("Already polling it as #{id}.", id=source.id)


def addsource_failed(t: Tr, source: Source, error: str) -> str:
    return t(
        "Added #{id}, but the first poll failed: {error}. I will keep trying; /removesource to"
        " drop it.",
        id=source.id,
        error=escape(error),
    )


def addsource_done(t: Tr, source: Source, title: str, new: int) -> str:
    named = _quoted(t, title, 80)
    return t.plural(
        "Added #{id} {title}: {n} story stored. Stories already in the feed are kept for"
        " /latest, not pushed.",
        "Added #{id} {title}: {n} stories stored. Stories already in the feed are kept for"
        " /latest, not pushed.",
        new,
        id=source.id,
        title=named,
    )


def removesource_usage(t: Tr) -> str:
    return t("Usage: <code>/removesource ID</code> (ids are in /sources)")


def removesource_unknown(t: Tr, argument: str, removed: Source | None = None) -> str:
    if removed is not None:
        return t(
            "Source #{id} {title} was removed already; its stories stay in the archive.",
            id=removed.id,
            title=_quoted(t, removed.title or removed.url, 60),
        )
    return t("No source #{id}. /sources lists them.", id=escape(argument[:20]))


def removesource_done(t: Tr, source: Source) -> str:
    return t(
        "Removed #{id} {title}. Its stories stay in the archive.",
        id=source.id,
        title=_quoted(t, source.title or source.url, 80),
    )


def source_failing(t: Tr, source: Source, error: str) -> str:
    """To the operators, once, when a source has failed for a day."""
    named = _quoted(t, source.title or source.url, 80)
    return t.plural(
        "⚠️ Source #{id} {title} has failed for a day ({n} time in a row). Last error:"
        " {error}\n{url}\nRemove it with /removesource {id}",
        "⚠️ Source #{id} {title} has failed for a day ({n} times in a row). Last error:"
        " {error}\n{url}\nRemove it with /removesource {id}",
        source.error_count,
        id=source.id,
        title=named,
        error=escape(error),
        url=escape(source.url),
    )
