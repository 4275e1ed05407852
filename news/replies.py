"""What the bot says in answer to commands, as Telegram HTML. Pure functions, no I/O.

Every piece of user or feed text goes through `escape`/`quoted`; everything else here is ours.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from news.arguments import MAX_KEYWORD, MAX_TERMS, MIN_KEYWORD, Problem, Resolution
from news.catalogue import Brand, Catalogue, normalize_name
from news.digest_command import DigestArgumentError, DigestProblem
from news.digest_schedule import chat_zone
from news.limits import MAX_MESSAGE
from news.models import Chat, DeliveryMode, Source, SourceStatus, Subscription, SubscriptionKind
from news.quiet import QuietArgumentError, QuietProblem
from news.telegram_html import escape, pack, quoted, shorten, visible_length

READ_ALSO = "Read also:"  # above the related links under a story
ALSO = "Also:"  # before the other outlets that reported the same event


def more_outlets(n: int) -> str:
    """After the outlets a push names: how many more carried the event."""
    return f"+{n}"


UNTITLED = "(untitled)"  # a story whose feed gave it no headline

# To a chat that sent more commands than it can be answered (bot.fairness), once a minute.
SLOW_DOWN = (
    "That was faster than I can answer: I replied to the first ones and skipped the rest."
    " Send a command again in a few seconds."
)
SLOW_DOWN_PRESS = "Too many taps at once: try again in a few seconds."  # a button's toast

# When the database cannot be written (storage.database): the change was not made.
COULD_NOT_SAVE = "Could not save that — please try again in a minute."


def format_utc(ts: int | None) -> str:
    """An absolute time for operators' lists: "2026-11-25 01:50 UTC", or "never"."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M UTC") if ts else "never"


def format_time(ts: int, timezone: str) -> str:
    """A story's time in the chat's zone: "25 Nov 2026, 09:30 MSK"."""
    local = datetime.fromtimestamp(ts, ZoneInfo(timezone))
    return f"{local.day} {local:%b %Y, %H:%M} {local.tzname()}"


def format_short_time(ts: int, timezone: str, now: int) -> str:
    """A story's time in a list, in the chat's zone: "09:30" today, "24 Nov, 09:30" this
    year, "24 Nov 2025" before."""
    zone = ZoneInfo(timezone)
    local, today = datetime.fromtimestamp(ts, zone), datetime.fromtimestamp(now, zone)
    if local.date() == today.date():
        return f"{local:%H:%M}"
    if local.year == today.year:
        return f"{local.day} {local:%b, %H:%M}"
    return f"{local.day} {local:%b %Y}"


# A burst of pushes as one message (news.bundles).
def bundle_heading(count: int, names: Sequence[str]) -> str:
    """ "5 new stories about Apple and Samsung"; `names` are plain text."""
    stories = "1 new story" if count == 1 else f"{count} new stories"
    if not names:
        return f"<b>{stories}</b>"
    shown = [escape(shorten(n, 40)) for n in names[:3]]
    if len(names) > 3:
        shown = [*shown, f"{len(names) - 3} more"]
    about = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]
    return f"<b>{stories} about {about}</b>"


def bundle_more(count: int) -> str:
    """Under a bundle with more stories than one message holds."""
    return f"and {count} more — /latest"


@dataclass(frozen=True)
class CommandText:
    """How a command presents itself: in Telegram's command menu and in /help."""

    menu: str  # plain text, at most 256 characters
    usage: str  # HTML after "/name" in /help: its arguments
    help: str  # HTML: what it does


# Every command the bot answers, by its first name. The table in handlers/__init__.py
# registers the handlers in this order and takes the menu and /help from here.
COMMAND_TEXT: dict[str, CommandText] = {
    "subscribe": CommandText(
        "Follow a brand or keyword: /subscribe xiaomi",
        " <i>brand</i>",
        "follow a brand or keyword, several at once:"
        ' <code>/subscribe Apple Samsung</code>, <code>/subscribe "foldable phone"</code>',
    ),
    "unsubscribe": CommandText(
        "Stop following: /unsubscribe xiaomi",
        " <i>brand</i>",
        "stop following (without a name: pick from a list)",
    ),
    "subscriptions": CommandText("What this chat follows", "", "what this chat follows"),
    "latest": CommandText(
        "Newest stories: /latest apple",
        " <i>brand</i> [N]",
        "the newest stories about a brand or keyword (alone: about everything this chat follows)",
    ),
    "search": CommandText(
        "Search the archive: /search foldable phone",
        " <i>words</i>",
        "search headlines and text",
    ),
    "brands": CommandText("The brands I know", "", "the brands I know"),
    "mode": CommandText(
        "Instant pushes, daily digest, both or off",
        "",
        "instant pushes, the daily digest, both (the default) or off",
    ),
    "digest": CommandText(
        "Daily digest time, or one now: /digest 08:30",
        " <i>HH:MM</i> [<i>Area/City</i>]",
        "when the daily digest arrives (default 09:00); <code>/digest now</code> for one"
        " right away, <code>/digest off</code> to stop it",
    ),
    "timezone": CommandText(
        "This chat's time zone: /timezone Europe/Berlin",
        " <i>Area/City</i>",
        "this chat's time zone, e.g. <code>/timezone Europe/Berlin</code>",
    ),
    "preview": CommandText(
        "Story images in pushes: /preview on|off",
        " on|off",
        "show each story's picture above its push (on unless turned off)",
    ),
    "quiet": CommandText(
        "Silent pushes at night: /quiet 23:00-08:00",
        " <i>HH:MM-HH:MM</i> [hold]",
        "hours when pushes arrive without a sound (this chat's time zone); with"
        " <code>hold</code> they wait and come as one message when the hours end;"
        " <code>/quiet off</code> to end them",
    ),
    "help": CommandText("How to use this bot", "", "this message"),
    "start": CommandText(
        "Start (or resume) the bot", "", "start, or come back after blocking the bot"
    ),
}
OPERATOR_COMMAND_TEXT: dict[str, CommandText] = {
    "sources": CommandText(
        "News sources and their health", "", "every source with its health and stories"
    ),
    "addsource": CommandText(
        "Add a feed: /addsource URL", " <i>URL</i>", "add a feed (public http(s) addresses)"
    ),
    "removesource": CommandText(
        "Remove a source: /removesource ID",
        " <i>ID</i>",
        "stop polling a source (its stories stay)",
    ),
}

EXAMPLE_BRANDS = ("xiaomi", "apple", "samsung", "nvidia")
MAX_SUBSCRIPTIONS = 100  # per chat; also keeps the /unsubscribe keyboard within 100 buttons


def _help_lines(commands: Sequence[Sequence[str]], texts: dict[str, CommandText]) -> list[str]:
    lines = []
    for names in commands:
        text = texts[names[0]]
        also = " (also " + ", ".join(f"/{n}" for n in names[1:]) + ")" if names[1:] else ""
        lines.append(f"/{names[0]}{text.usage} — {text.help}{also}")
    return lines


def welcome(
    commands: Sequence[Sequence[str]], operator_commands: Sequence[Sequence[str]] = ()
) -> str:
    """/start and /help: what the bot does and every command (`commands`: the names of each,
    as registered, first name first). Operators also see theirs."""
    lines = [
        "<b>Tech news by brand</b>",
        "Follow the brands you care about and I send every story about them from the tech"
        " press, once, with a short summary and links to related stories. Anything that is"
        " not a brand becomes a keyword I look for in headlines and text.",
        "",
        *_help_lines(commands, COMMAND_TEXT),
        "",
        "How news reaches you: instant pushes as stories appear, /latest <i>brand</i> for"
        " the freshest from the archive, and a daily digest at your local time.",
    ]
    if operator_commands:
        lines += [
            "",
            "<b>For operators</b>",
            *_help_lines(operator_commands, OPERATOR_COMMAND_TEXT),
        ]
    return "\n".join(lines)


def subscribe_usage() -> str:
    examples = ", ".join(f"<code>/subscribe {b}</code>" for b in EXAMPLE_BRANDS)
    return (
        "Usage: <code>/subscribe BRAND</code> — for example "
        f"{examples}. Several at once: <code>/subscribe Apple Samsung</code>. See /brands."
    )


def reason(resolution: Resolution) -> str:
    """Why a term was refused, in words (plain text; callers escape it)."""
    return {
        Problem.TOO_SHORT: f"too short (at least {MIN_KEYWORD} characters)",
        Problem.TOO_LONG: f"too long (at most {MAX_KEYWORD} characters)",
        Problem.NO_WORD: "a keyword needs letters or digits",
    }.get(resolution.reason, "not a brand or a keyword")


def too_many_terms(count: int) -> str:
    return f"That is {count} names; send at most {MAX_TERMS} at a time."


def only_admins() -> str:
    return "Sorry, only this group's admins can change what it follows and how news arrives."


def unknown_command(command: str) -> str:
    return f"I don't know {quoted(command, 40)}. Send /help to see what I can do."


def plain_text_pointer() -> str:
    return "I answer commands. Send /help to see them, or /subscribe xiaomi to start."


def plain_text_brand(text: str, brand: Brand) -> str:
    """A brand's name sent as plain text in a private chat."""
    same = normalize_name(text) == normalize_name(brand.name)
    named = brand_label(brand) if same else f"{quoted(text, 40)}: {brand_label(brand)}"
    return f"{named} — follow it, or read its latest stories?"


def follow_button(brand: Brand) -> str:
    return f"Follow {brand.name}"


def expired_button() -> str:
    return "This button no longer works; send the command again."


@dataclass
class SubscribeOutcome:
    added: list[Subscription]
    existing: list[Subscription]
    suggestions: list[Resolution]
    invalid: list[Resolution]
    over_limit: list[Subscription]
    typed: dict[str, str] = field(default_factory=dict)  # brand key -> the other name typed
    doubtful: list[Resolution] = field(default_factory=list)  # keywords asked about first


def subscribe_result(outcome: SubscribeOutcome) -> str:
    lines: list[str] = []
    brands = [s for s in outcome.added if s.kind is SubscriptionKind.BRAND]
    keywords = [s for s in outcome.added if s.kind is SubscriptionKind.KEYWORD]
    if brands:
        shown = []
        for s in brands:
            typed = outcome.typed.get(s.value)
            shown.append(
                f"<b>{escape(s.label)}</b>" + (f" (from {quoted(typed, 40)})" if typed else "")
            )
        lines.append("✅ Subscribed: " + ", ".join(shown))
    if len(keywords) == 1:
        what = "phrase" if " " in keywords[0].label else "word"
        lines.append(
            f"🔎 {quoted(keywords[0].label)} is not a known brand: I will match the {what} in"
            " headlines and text."
        )
    elif keywords:
        lines.append(
            f"🔎 {len(keywords)} keywords, matched in headlines and text: "
            + ", ".join(quoted(s.label) for s in keywords)
        )
    if outcome.existing:
        lines.append("Already following: " + ", ".join(_label(s) for s in outcome.existing))
    for r in outcome.suggestions:
        assert r.brand is not None
        lines.append(f"❓ {quoted(r.term)}: did you mean <b>{escape(r.brand.name)}</b>?")
    for r in outcome.doubtful:
        lines.append(
            f"❓ {quoted(r.term)} would match almost every story. Follow it anyway? Tap below."
        )
    for r in outcome.invalid:
        lines.append(f"⚠️ Not added: {quoted(r.term)} — {escape(reason(r))}.")
    if outcome.over_limit:
        lines.append(
            f"⚠️ Not added (a chat can follow at most {MAX_SUBSCRIPTIONS}): "
            + ", ".join(_label(s) for s in outcome.over_limit)
        )
    return "\n".join(lines)


def _label(s: Subscription) -> str:
    if s.kind is SubscriptionKind.KEYWORD:
        return quoted(s.label)
    return f"<b>{escape(s.label)}</b>"


def unsubscribe_result(
    removed: list[Subscription], missing: list[str], meant: Sequence[Subscription] = ()
) -> str:
    """`meant`: followed brands a misspelt name probably meant (offered as buttons)."""
    lines: list[str] = []
    if removed:
        lines.append("Unsubscribed: " + ", ".join(_label(s) for s in removed))
    if missing:
        lines.append("Not in this chat's list: " + ", ".join(quoted(t) for t in missing))
    if meant:
        lines.append(
            "Did you mean " + " or ".join(_label(s) for s in meant) + "? Tap to unsubscribe."
        )
    return "\n".join(lines)


def unsubscribe_all_question(count: int) -> str:
    things = "1 subscription" if count == 1 else f"{count} subscriptions"
    return f"Unsubscribe this chat from all {things}? Nothing is removed until you tap."


def unsubscribe_all_button(count: int) -> str:
    return f"✖ Yes, all {count}"


def unsubscribed_all(count: int) -> str:
    if not count:
        return nothing_followed()
    things = "1 subscription" if count == 1 else f"{count} subscriptions"
    return f"Unsubscribed from all {things}. /subscribe xiaomi starts again."


def unsubscribe_menu(subscriptions: Sequence[Subscription]) -> str:
    if not subscriptions:
        return nothing_followed()
    return "Tap to unsubscribe:"


def nothing_followed() -> str:
    return "This chat follows nothing yet. Try <code>/subscribe xiaomi</code> or see /brands."


def subscriptions_list(subscriptions: Sequence[Subscription]) -> str:
    if not subscriptions:
        return nothing_followed()
    brands = [s for s in subscriptions if s.kind is SubscriptionKind.BRAND]
    keywords = [s for s in subscriptions if s.kind is SubscriptionKind.KEYWORD]
    lines = [f"<b>This chat follows {len(subscriptions)}:</b>"]
    if brands:
        lines.append("Brands: " + ", ".join(escape(s.label) for s in brands))
    if keywords:
        lines.append("Keywords: " + ", ".join(quoted(s.label) for s in keywords))
    return "\n".join(lines)


def brands_list(catalogue: Catalogue, limit: int = MAX_MESSAGE) -> list[str]:
    """The catalogue, compact: one line per category; several messages for a huge catalogue."""
    blocks = [f"<b>Brands I know ({len(catalogue)})</b>"]
    budget = limit // 2  # a category line longer than this continues on the next line
    for heading, brands in catalogue.by_category():
        line = f"<b>{escape(heading)}</b>:"
        for i, brand in enumerate(brands):
            name = escape(shorten(brand.name, 64)) + ("," if i < len(brands) - 1 else "")
            if visible_length(line) + 1 + visible_length(name) > budget:
                blocks.append(line)
                line = f"<b>{escape(heading)}</b> (continued):"
            line += " " + name
        blocks.append(line)
    blocks.append("Follow one with <code>/subscribe NAME</code>; anything else becomes a keyword.")
    return pack(blocks, limit)


def brand_button_text(brand: Brand) -> str:
    return f"Subscribe to {brand.name}"


def keyword_button_text(term: str) -> str:
    return f"Keyword “{term[:24]}”"


def follow_anyway_button(term: str) -> str:
    return f"Follow “{term[:24]}” anyway"


def subscribe_button_answer(added: Sequence[Subscription], existing: Sequence[Subscription]) -> str:
    """The short notice after a tap on "Subscribe to …" (plain text)."""
    if added:
        return f"Following {added[0].label}"
    return "Already following" if existing else "Limit reached"


def unsubscribe_button_text(subscription: Subscription) -> str:
    label = subscription.label
    return f"✖ {label}" if subscription.kind is SubscriptionKind.BRAND else f"✖ “{label[:30]}”"


def unsubscribe_button_answer(removed: Subscription | None) -> str:
    return f"Unsubscribed from {removed.label}" if removed else "Already removed"


MODE_TEXT = {
    DeliveryMode.INSTANT: "instant — a message for each new story",
    DeliveryMode.DIGEST: "digest — one message a day, no instant pushes",
    DeliveryMode.BOTH: "both — instant pushes and the daily digest",
    DeliveryMode.OFF: "off — nothing is sent (subscriptions are kept)",
}


def mode_status(chat: Chat, *, with_usage: bool = False, now: int | None = None) -> str:
    """/mode: the chat's mode, its digest time when the digest is on, its quiet hours, and
    (with_usage) one line saying how to change each."""
    text = f"Delivery mode: <b>{MODE_TEXT[chat.mode]}</b>"
    if chat.digest_on:
        text += "\n" + digest_schedule(chat, now)
    if chat.quiet is not None:
        text += "\n" + quiet_line(chat)
    if not chat.previews:
        text += "\nPushes come without the story's picture."
    if with_usage:
        text += "\nChange: <code>/mode instant|digest|both|off</code> · /digest · /quiet · /preview"
    return text


def mode_button_text(mode: DeliveryMode, current: DeliveryMode) -> str:
    return ("• " if mode is current else "") + mode.value


def mode_unknown(argument: str) -> str:
    return f"{quoted(argument, 30)} is not a mode. Use <code>/mode instant|digest|both|off</code>."


def mode_set_answer(mode: DeliveryMode) -> str:
    return f"Mode: {mode.value}"


# --- story images in pushes (news.render.preview_for) ---------------------------------------

PREVIEW_USAGE = "<code>/preview on</code> or <code>/preview off</code>"


def preview_status(chat: Chat) -> str:
    if chat.previews:
        return (
            "Pushes show the story's picture above the text when the story has one."
            f" {PREVIEW_USAGE}."
        )
    return f"Pushes come as text, without the story's picture. {PREVIEW_USAGE}."


def preview_set(chat: Chat) -> str:
    return "✅ " + preview_status(chat).split(" <code>", 1)[0]


def preview_unknown(argument: str) -> str:
    return f"{quoted(argument, 20)} is neither on nor off. Use {PREVIEW_USAGE}."


# --- quiet hours (news/quiet.py) ---------------------------------------------------------------

QUIET_USAGE = (
    "<code>/quiet 23:00-08:00</code> (this chat's time zone), <code>/quiet 23:00-08:00 hold</code>"
    " to get that night's pushes as one message in the morning, or <code>/quiet off</code>"
)


def quiet_line(chat: Chat) -> str:
    assert chat.quiet is not None
    what = (
        "pushes wait and arrive as one message when they end."
        if chat.quiet.hold
        else "pushes arrive without a sound."
    )
    return f"Quiet hours: <b>{chat.quiet.label()}</b> {escape(chat.timezone)} — {what}"


def quiet_status(chat: Chat) -> str:
    """/quiet alone."""
    if chat.quiet is None:
        return f"No quiet hours: every push makes a sound. Set them: {QUIET_USAGE}."
    return quiet_line(chat) + f"\nChange them: {QUIET_USAGE}."


def quiet_set(chat: Chat) -> str:
    return "✅ " + quiet_line(chat)


def quiet_off() -> str:
    return "✅ No quiet hours: pushes make a sound again."


def quiet_argument_error(exc: QuietArgumentError) -> str:
    if exc.problem is QuietProblem.EMPTY:
        return (
            f"{quoted(exc.argument, 30)} starts and ends at the same time. Give the hours to"
            f" keep quiet, e.g. {QUIET_USAGE}."
        )
    return f"{quoted(exc.argument, 30)} is not a range of hours. Use {QUIET_USAGE}."


# --- the daily digest and the time zone ------------------------------------------------------

TIMEZONE_USAGE = (
    "<code>/timezone Area/City</code>, for example <code>/timezone Europe/Berlin</code>"
)
DIGEST_USAGE = (
    "<code>/digest HH:MM Area/City</code>, for example <code>/digest 08:30 Europe/Berlin</code>"
)


def digest_argument_error(error: DigestArgumentError) -> str:
    """Why a /digest or /timezone argument was refused, always with the command's form."""
    usage = TIMEZONE_USAGE if error.command == "timezone" else DIGEST_USAGE
    text = error.text
    match error.problem:
        case DigestProblem.NOT_A_TIME:
            return (
                f"{quoted(text, 20)} is not a time of day. Send it as HH:MM on the 24-hour"
                f" clock: {usage}."
            )
        case DigestProblem.NO_SUCH_HOUR:
            return f"There is no hour {escape(text)} in a day: hours go from 0 to 23. Use {usage}."
        case DigestProblem.NO_SUCH_MINUTE:
            return f"There is no minute {escape(text)}: minutes go from 00 to 59. Use {usage}."
        case DigestProblem.OFFSET:
            minutes = abs(error.offset or 0)
            amount = f"{minutes // 60}" + (f":{minutes % 60:02d}" if minutes % 60 else "")
            side = "ahead of" if (error.offset or 0) >= 0 else "behind"
            where = (
                f" For a place's own clock (with its daylight saving), name its zone: did you"
                f" mean <code>{escape(error.suggestion)}</code>?"
                if error.suggestion
                else " No place keeps that offset: name your city's zone."
            )
            unit = "hour" if minutes == 60 else "hours"
            return f"{quoted(text, 40)} is {amount} {unit} {side} UTC.{where} Use {usage}."
        case DigestProblem.UNKNOWN_ZONE:
            hint = (
                f" Did you mean <code>{escape(error.suggestion)}</code>?"
                if error.suggestion
                else ""
            )
            return (
                f"I don't know the time zone {quoted(text, 40)}.{hint} Use {usage}; the zone is"
                " a tz database name such as Europe/Berlin, America/New_York, Asia/Tokyo or UTC."
            )
        case DigestProblem.TOO_LONG:
            return f"That is too long to be a time and a time zone. Use {usage}."
        case DigestProblem.TAKES_NOTHING:
            return (
                f"<code>/digest {escape(text)}</code> takes nothing after it. To set the time:"
                f" {usage}."
            )
        case DigestProblem.QUIET_USAGE:
            return (
                "Use <code>/digest empty note</code> to get a short note on days without news,"
                " or <code>/digest empty silent</code> to get nothing on those days (the"
                f" default). To set the time: {usage}."
            )
        case _:  # DigestProblem.TIME_MISSING
            return (
                f"Say the time too: <code>/digest 09:00 {escape(text)}</code>. The form is {usage}."
            )


def _local(ts: int, timezone: str, fmt: str) -> str:
    return datetime.fromtimestamp(ts, chat_zone(timezone)).strftime(fmt)


NOTHING_NEW = "No news about your brands today."  # the empty-day note (/digest empty note)


def digest_header(now: int, timezone: str) -> str:
    """The digest's first line: "Daily digest · 25 Nov 2026" in the chat's zone."""
    local = datetime.fromtimestamp(now, chat_zone(timezone))
    return f"<b>Daily digest</b> · {local.day} {local:%b %Y}"


def digest_more(count: int, command: str) -> str:
    """Under a section with more stories than it shows."""
    return f"and {count} more — {escape(command)}"


def digest_schedule(chat: Chat, now: int | None = None) -> str:
    """ "Daily digest at 08:30 Europe/Moscow" and, when known, when the next one is: "today"
    or "tomorrow" on the chat's calendar (given `now`), else its date."""
    line = f"Daily digest at <b>{chat.digest_time:%H:%M} {escape(chat.timezone)}</b>"
    if chat.next_digest_at is not None:
        line += ", next " + _day(chat.next_digest_at, chat.timezone, now)
    return line + "."


def _day(ts: int, timezone: str, now: int | None) -> str:
    zone = chat_zone(timezone)
    day = datetime.fromtimestamp(ts, zone).date()
    if now is not None:
        today = datetime.fromtimestamp(now, zone).date()
        if day == today:
            return "today"
        if (day - today).days == 1:
            return "tomorrow"
    return f"on {_local(ts, timezone, '%a')} {day.day} {_local(ts, timezone, '%b')}"


def digest_status(chat: Chat, now: int | None = None) -> str:
    """/digest alone: the schedule, the quiet-day rule, and how to change them."""
    if not chat.digest_on:
        return "\n".join(
            [
                "The daily digest is <b>off</b> in this chat.",
                f"Turn it on with <code>/digest on</code> (at {chat.digest_time:%H:%M}"
                f" {escape(chat.timezone)}) or <code>/digest HH:MM</code>, or get one right away"
                " with <code>/digest now</code>.",
            ]
        )
    quiet = (
        "On days without news nothing is sent (<code>/digest empty note</code> for a short note)."
        if chat.digest_quiet
        else "On days without news you get a short note (<code>/digest empty silent</code> to"
        " stop it)."
    )
    return "\n".join(
        [
            digest_schedule(chat, now),
            quiet,
            "Change it: <code>/digest HH:MM Area/City</code> · <code>/digest now</code> ·"
            " <code>/digest off</code>",
        ]
    )


def digest_set(chat: Chat, turned_on: bool, now: int | None = None) -> str:
    text = digest_schedule(chat, now)
    if turned_on:
        text += "\nThe digest was off; it is on now" + (
            " (instant pushes continue)." if chat.mode is DeliveryMode.BOTH else "."
        )
    return text


def digest_off(chat: Chat) -> str:
    again = "<code>/digest on</code>"
    if chat.mode is DeliveryMode.INSTANT:
        return f"Daily digest off. Instant pushes continue. Turn it back on with {again}."
    return (
        "Daily digest off. Nothing is sent to this chat now; its subscriptions are kept."
        f" <code>/mode instant</code> for a message per story, {again} for the digest again."
    )


def digest_quiet(quiet: bool) -> str:
    if quiet:
        return "On days without news the digest sends nothing."
    return "On days without news the digest sends a short note saying so."


def digest_nothing(since_last: bool) -> str:
    period = "since the last digest" if since_last else "in the last 24 hours"
    return f"No news about what this chat follows {period}. /latest shows the newest stories."


def digest_raced() -> str:
    return "A digest with these stories is already on its way."


def timezone_status(chat: Chat, now: int) -> str:
    return (
        f"This chat's time zone is <b>{escape(chat.timezone)}</b> (it is"
        f" {_local(now, chat.timezone, '%H:%M')} there now). Change it: {TIMEZONE_USAGE}."
    )


def timezone_set(chat: Chat, now: int) -> str:
    text = (
        f"Time zone: <b>{escape(chat.timezone)}</b> (it is {_local(now, chat.timezone, '%H:%M')}"
        " there now)."
    )
    if chat.digest_on:
        text += "\n" + digest_schedule(chat)
    return text


# --- /latest and /search ---------------------------------------------------------------------

YOUR_SUBSCRIPTIONS = "your subscriptions"  # what /latest alone is about


def brand_label(brand: Brand) -> str:
    return f"<b>{escape(brand.name)}</b>"


def latest_usage(max_n: int) -> str:
    return f"Usage: <code>/latest BRAND [N]</code> with N from 1 to {max_n}."


def latest_capped(max_n: int) -> str:
    return f"Showing {max_n}, the most /latest sends at once."


def latest_nothing_followed() -> str:
    return (
        "This chat follows nothing yet: <code>/latest xiaomi</code> shows a brand's news,"
        " <code>/subscribe xiaomi</code> follows it."
    )


def latest_none(label: str, *, more: bool) -> str:
    """`label` is HTML (brand_label, quoted keyword, YOUR_SUBSCRIPTIONS)."""
    return f"No{' more' if more else ''} stories about {label} yet."


def latest_heading(label: str, *, older: bool) -> str:
    """Above a /latest page; `label` is HTML."""
    return f"{'Older stories' if older else 'Latest'} about {label}"


def latest_more(command: str) -> str:
    """Under a page with more to come when no button could carry the query."""
    return f"<i>More: send {escape(command)}</i>"


def more_button() -> str:
    return "Older ›"


def newest_button() -> str:
    return "« Newest"


def open_button(number: int) -> str:
    """A button under a page that opens its story number `number` in full."""
    return str(number)


def no_older() -> str:
    """A toast: "Older" pressed on the last page (a page kept from before)."""
    return "No older stories."


def story_gone() -> str:
    """A toast: the story a button opens is no longer in the archive."""
    return "This story is no longer in the archive."


def latest_did_you_mean(name: str, brand: Brand) -> str:
    return f"{quoted(name)}: did you mean {brand_label(brand)}?"


def latest_about_button(brand: Brand) -> str:
    return f"Latest about {brand.name}"


def latest_about_keyword(term: str) -> str:
    return f"Latest about “{shorten(term, 40)}”"


def latest_one_at_a_time(count: int) -> str:
    return f"/latest shows one name at a time. Tap one of these {count}:"


def cannot_look_up(name: str, reason: str) -> str:
    return f"Cannot look up {quoted(name)}: {escape(reason)}."


def latest_button_expired() -> str:
    return "This button no longer works; send /latest again."


def search_usage() -> str:
    return "Usage: <code>/search WORDS</code>, e.g. <code>/search foldable phone</code>"


def search_nothing(words: str) -> str:
    return f"Nothing found for {quoted(words)}."


def search_heading(words: str, *, offset: int, also: Sequence[str] = ()) -> str:
    """Above a /search page; `offset` results came on the pages before; `also`: the other
    names of the brand searched, searched too."""
    more = f" · from {offset + 1}" if offset else ""
    names = ", ".join(escape(shorten(n, 30)) for n in also[:5])
    searched = f"\n<i>also searching {names}</i>" if names else ""
    return f"<b>Search: {quoted(words)}</b>{more}{searched}"


# --- operators ------------------------------------------------------------------------------

_SOURCE_ICONS = {
    SourceStatus.NEW: "🆕",
    SourceStatus.OK: "✅",
    SourceStatus.NOT_MODIFIED: "✅",
    SourceStatus.ERROR: "⚠️",
}
_SOURCE_STATUS = {  # what an operator reads, not the column's value
    SourceStatus.NEW: "not polled yet",
    SourceStatus.OK: "working",
    SourceStatus.NOT_MODIFIED: "working (unchanged)",
    SourceStatus.ERROR: "failing",
}


def operators_only() -> str:
    return "This command is for the bot's operators."


def source_line(source: Source, stories: int) -> str:
    name = quoted(source.title or source.url, 60)
    n = source.error_count
    errors = f", {n} error{'s' if n != 1 else ''} in a row" if n else ""
    line = (
        f"{_SOURCE_ICONS[source.status]} <b>#{source.id}</b> {name} — "
        f"{_SOURCE_STATUS[source.status]}{errors}, last success"
        f" {format_utc(source.last_success_at)}, {stories} stories"
        f"\n    <code>{escape(shorten(source.url, 200))}</code>"
    )
    if source.last_error:
        line += f"\n    last error: {escape(source.last_error[:200])}"
    return line


def health_line(problems: Sequence[str], pending: int, oldest_age: int | None) -> str:
    """The header of the operators' /sources (usecases.health)."""
    outbox = f"outbox: {pending} waiting" + (f", oldest {oldest_age} s" if oldest_age else "")
    if not problems:
        return f"🩺 Healthy · {outbox}"
    return f"⚠️ {escape('; '.join(problems))} · {outbox}"


SOURCES_PAGE = 12  # sources per /sources page


def sources_page(
    sources: Sequence[Source], counts: dict[int, int], health: str | None, page: int
) -> tuple[str, int]:
    """One /sources message: the health line, the totals, and page `page` (from 0) of the
    sources, failing ones first. Returns (text, number of pages)."""
    head = [health] if health else []
    if not sources:
        return "\n".join([*head, "No sources. Add one with /addsource URL."]), 1
    ordered = sorted(sources, key=lambda s: (s.status is not SourceStatus.ERROR, s.id))
    pages = (len(ordered) + SOURCES_PAGE - 1) // SOURCES_PAGE
    page = min(max(page, 0), pages - 1)
    failing = sum(s.status is SourceStatus.ERROR for s in sources)
    where = f" · page {page + 1} of {pages}" if pages > 1 else ""
    blocks = [*head, f"<b>{len(sources)} sources</b>, {failing} failing{where}"]
    shown = ordered[page * SOURCES_PAGE : (page + 1) * SOURCES_PAGE]
    return pack(blocks + [source_line(s, counts.get(s.id, 0)) for s in shown])[0], pages


def addsource_usage() -> str:
    return "Usage: <code>/addsource https://example.com/feed.xml</code>"


def addsource_assumed(url: str) -> str:
    """Said before the result when a bare host/path was taken as https."""
    return f"Reading it as <code>{escape(shorten(url, 200))}</code>."


def addsource_refused(why: str) -> str:
    return f"Refused: {escape(why)}."


def addsource_known(source: Source) -> str:
    return f"Already polling it as #{source.id}."


def addsource_failed(source: Source, error: str) -> str:
    return (
        f"Added #{source.id}, but the first poll failed: {escape(error)}."
        " I will keep trying; /removesource to drop it."
    )


def addsource_done(source: Source, title: str, new: int) -> str:
    return (
        f"Added #{source.id} {quoted(title, 80)}: {new} stories stored."
        " Stories already in the feed are kept for /latest, not pushed."
    )


def removesource_usage() -> str:
    return "Usage: <code>/removesource ID</code> (ids are in /sources)"


def removesource_unknown(argument: str, removed: Source | None = None) -> str:
    if removed is not None:
        return (
            f"Source #{removed.id} {quoted(removed.title or removed.url, 60)} was removed"
            " already; its stories stay in the archive."
        )
    return f"No source #{escape(argument[:20])}. /sources lists them."


def removesource_done(source: Source) -> str:
    return (
        f"Removed #{source.id} {quoted(source.title or source.url, 80)}."
        " Its stories stay in the archive."
    )


def source_failing(source: Source, error: str) -> str:
    """To the operators, once, when a source has failed for a day."""
    return (
        f"⚠️ Source #{source.id} {quoted(source.title or source.url, 80)} has failed for a"
        f" day ({source.error_count} times in a row). Last error: {escape(error)}"
        f"\n{escape(source.url)}\nRemove it with /removesource {source.id}"
    )
