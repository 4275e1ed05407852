"""What the bot says in answer to commands, as Telegram HTML. Pure functions, no I/O.

Every piece of user or feed text goes through `escape`/`quoted`; everything else here is ours.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from news.arguments import MAX_TERMS, Resolution
from news.catalogue import Brand, Catalogue
from news.models import Subscription, SubscriptionKind
from news.telegram_html import MAX_MESSAGE, escape, pack, quoted, shorten, visible_length

# (command, what it does): the menu registered with setMyCommands and the list in /help.
COMMANDS: list[tuple[str, str]] = [
    ("subscribe", "Follow a brand or keyword: /subscribe xiaomi"),
    ("unsubscribe", "Stop following: /unsubscribe xiaomi"),
    ("subscriptions", "What this chat follows"),
    ("latest", "Newest stories: /latest apple"),
    ("search", "Search the archive: /search foldable phone"),
    ("brands", "The brands I know"),
    ("mode", "Instant pushes, daily digest, both or off"),
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
    return "Sorry, only this group's admins can change what it follows."


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
