"""What the bot says in answer to commands, as Telegram HTML. Pure functions, no I/O.

Every piece of user or feed text goes through `escape`/`quoted`; everything else here is ours.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from news.arguments import MAX_TERMS, Resolution
from news.catalogue import Brand, Catalogue
from news.digest import chat_zone
from news.limits import MAX_MESSAGE
from news.models import Chat, DeliveryMode, Subscription, SubscriptionKind
from news.telegram_html import escape, pack, quoted, shorten, visible_length

# (command, what it does): the menu registered with setMyCommands and the list in /help.
COMMANDS: list[tuple[str, str]] = [
    ("subscribe", "Follow a brand or keyword: /subscribe xiaomi"),
    ("unsubscribe", "Stop following: /unsubscribe xiaomi"),
    ("subscriptions", "What this chat follows"),
    ("latest", "Newest stories: /latest apple"),
    ("search", "Search the archive: /search foldable phone"),
    ("brands", "The brands I know"),
    ("mode", "Instant pushes, daily digest, both or off"),
    ("digest", "Daily digest time, or one now: /digest 08:30"),
    ("timezone", "This chat's time zone: /timezone Europe/Berlin"),
    ("help", "How to use this bot"),
]

EXAMPLE_BRANDS = ("xiaomi", "apple", "samsung", "nvidia")
MAX_SUBSCRIPTIONS = 100  # per chat; also keeps the /unsubscribe keyboard within 100 buttons


def welcome() -> str:
    return "\n".join(
        [
            "<b>Tech news by brand</b>",
            "Follow the brands you care about and I send every story about them from the tech"
            " press, once, with a short summary and links to related stories. Anything that is"
            " not a brand becomes a keyword I look for in headlines and text.",
            "",
            "/subscribe <i>brand</i> — follow a brand or keyword, several at once:"
            ' <code>/subscribe Apple Samsung</code>, <code>/subscribe "foldable phone"</code>',
            "/unsubscribe <i>brand</i> — stop following (without a name: pick from a list)",
            "/subscriptions — what this chat follows (also /list)",
            "/latest <i>brand</i> [N] — the newest stories about a brand or keyword (alone: about"
            " everything this chat follows)",
            "/search <i>words</i> — search headlines and text",
            "/brands — the brands I know",
            "/mode — instant pushes, the daily digest, both (the default) or off",
            "/digest <i>HH:MM</i> [<i>Area/City</i>] — when the daily digest arrives (default"
            " 09:00); <code>/digest now</code> for one right away, <code>/digest off</code> to"
            " stop it",
            "/timezone <i>Area/City</i> — this chat's time zone, e.g."
            " <code>/timezone Europe/Berlin</code>",
            "",
            "How news reaches you: instant pushes as stories appear, /latest <i>brand</i> for"
            " the freshest from the archive, and a daily digest at your local time.",
        ]
    )


def subscribe_usage() -> str:
    examples = ", ".join(f"<code>/subscribe {b}</code>" for b in EXAMPLE_BRANDS)
    return (
        "Usage: <code>/subscribe BRAND</code> — for example "
        f"{examples}. Several at once: <code>/subscribe Apple Samsung</code>. See /brands."
    )


def too_many_terms(count: int) -> str:
    return f"That is {count} names; send at most {MAX_TERMS} at a time."


def only_admins() -> str:
    return "Sorry, only this group's admins can change what it follows and how news arrives."


def unknown_command(command: str) -> str:
    return f"I don't know {quoted(command, 40)}. Send /help to see what I can do."


def plain_text_pointer() -> str:
    return "I answer commands. Send /help to see them, or /subscribe xiaomi to start."


def expired_button() -> str:
    return "This button no longer works; send the command again."


@dataclass
class SubscribeOutcome:
    added: list[Subscription]
    existing: list[Subscription]
    suggestions: list[Resolution]
    invalid: list[Resolution]
    over_limit: list[Subscription]


def subscribe_result(outcome: SubscribeOutcome) -> str:
    lines: list[str] = []
    brands = [s for s in outcome.added if s.kind is SubscriptionKind.BRAND]
    keywords = [s for s in outcome.added if s.kind is SubscriptionKind.KEYWORD]
    if brands:
        lines.append("✅ Subscribed: " + ", ".join(f"<b>{escape(s.label)}</b>" for s in brands))
    for s in keywords:
        lines.append(
            f"🔎 {quoted(s.label)} is not a known brand; I will match the word"
            f" {quoted(s.label)} in headlines and text."
        )
    if outcome.existing:
        lines.append("Already following: " + ", ".join(_label(s) for s in outcome.existing))
    for r in outcome.suggestions:
        assert r.brand is not None
        lines.append(f"❓ {quoted(r.term)}: did you mean <b>{escape(r.brand.name)}</b>?")
    for r in outcome.invalid:
        lines.append(f"⚠️ Not added: {quoted(r.term)} — {escape(r.reason)}.")
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


def unsubscribe_result(removed: list[Subscription], missing: list[str]) -> str:
    lines: list[str] = []
    if removed:
        lines.append("Unsubscribed: " + ", ".join(_label(s) for s in removed))
    if missing:
        lines.append("Not in this chat's list: " + ", ".join(quoted(t) for t in missing))
    return "\n".join(lines)


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


# --- the daily digest and the time zone ------------------------------------------------------

TIMEZONE_USAGE = (
    "<code>/timezone Area/City</code>, for example <code>/timezone Europe/Berlin</code>"
)


def _local(ts: int, timezone: str, fmt: str) -> str:
    return datetime.fromtimestamp(ts, chat_zone(timezone)).strftime(fmt)


def digest_schedule(chat: Chat) -> str:
    """ "Daily digest at 08:30 Europe/Moscow" and, when known, the date of the next one."""
    line = f"Daily digest at <b>{chat.digest_time:%H:%M} {escape(chat.timezone)}</b>"
    if chat.next_digest_at is not None:
        line += f", next on {_local(chat.next_digest_at, chat.timezone, '%a %d %b')}"
    return line + "."


def digest_status(chat: Chat) -> str:
    """/digest alone: the schedule, the quiet-day rule, and how to change them."""
    if not chat.digest_on:
        return "\n".join(
            [
                "The daily digest is <b>off</b> in this chat.",
                f"Turn it on with <code>/digest {chat.digest_time:%H:%M}</code> (time zone"
                f" {escape(chat.timezone)}), or get one right away with <code>/digest now</code>.",
            ]
        )
    quiet = (
        "On days without news nothing is sent (<code>/digest quiet off</code> for a short note)."
        if chat.digest_quiet
        else "On days without news you get a short note (<code>/digest quiet on</code> to stop it)."
    )
    return "\n".join(
        [
            digest_schedule(chat),
            quiet,
            "Change it: <code>/digest HH:MM Area/City</code> · <code>/digest now</code> ·"
            " <code>/digest off</code>",
        ]
    )


def digest_set(chat: Chat, turned_on: bool) -> str:
    text = digest_schedule(chat)
    if turned_on:
        text += "\nThe digest was off; it is on now" + (
            " (instant pushes continue)." if chat.mode is DeliveryMode.BOTH else "."
        )
    return text


def digest_off(chat: Chat) -> str:
    again = f"<code>/digest {chat.digest_time:%H:%M}</code>"
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
