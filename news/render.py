"""Rendering a story to Telegram HTML: one renderer for pushes, /latest, /search and digests.

A push's link preview (`preview_for`):
1. The story has an image (an http(s) URL the feed gave as its enclosure, media or first
   picture) and the chat has previews on (`/preview`, on by default): Telegram shows that
   image, large, above the text.
2. Otherwise, with NEWSBOT_LINK_PREVIEWS on, the preview of the story's own link.
3. Otherwise none: a text message.

Every piece of feed text is escaped; only <b>, <i> and <a href> are produced. The story's own
link is the message's first link (link previews, when enabled, show the story). The message
stays within Telegram's 4096 characters by shortening the summary first, never by cutting
markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from news import replies
from news.i18n import Tr
from news.limits import MAX_MESSAGE
from news.links import is_http_url
from news.replies import format_short_time, format_time
from news.sentences import sentences
from news.telegram_html import escape, fits, part, shorten, visible_length

MAX_TITLE = 300
MAX_READ_ALSO_TITLE = 120
MAX_OUTLETS = 3  # outlets named under a story; the rest are counted
MAX_OUTLET_NAME = 40
MAX_LINE_TITLE = 200  # a story's headline in a list (bundles, /latest pages)
MAX_LINE_SOURCE = 60
MAX_LINE_SUMMARY = 200
MAX_LINK = 2048  # escaped href length; a longer link is dropped, the title stays


@dataclass(frozen=True)
class RelatedLink:
    title: str
    link: str


@dataclass(frozen=True)
class Outlet:
    """Another outlet's story of the same event: its source's name and link."""

    name: str
    link: str | None


@dataclass(frozen=True)
class StoryView:
    id: int
    title: str
    link: str | None
    source: str | None
    published_at: int
    summary: str
    brands: tuple[str, ...] = ()  # brand keys the story is about, shown as hashtags
    # None: never computed (usecases.related decides whether to); () when there is none.
    read_also: tuple[RelatedLink, ...] | None = ()
    also: tuple[Outlet, ...] = ()  # the event's other outlets, first seen first
    image: str | None = None  # the story's picture (the feed's enclosure or first image)


@dataclass(frozen=True)
class Preview:
    """The link preview a message asks Telegram for (bot.sender makes it LinkPreviewOptions)."""

    url: str
    large_above: bool  # the image, large, above the text; else the link's own small preview


def _headline(view: StoryView) -> str:
    title = escape(shorten(view.title, MAX_TITLE))
    if view.link:
        return f'<b><a href="{escape(view.link)}">{title}</a></b>'
    return f"<b>{title}</b>"


def render_story(t: Tr, view: StoryView, timezone: str, limit: int = MAX_MESSAGE) -> str:
    meta = " · ".join(p for p in (view.source, format_time(t, view.published_at, timezone)) if p)
    head = [_headline(view), f"<i>{escape(meta)}</i>"]
    if view.also:
        head.append(_also(t, view.also))
    tail: list[str] = []
    if view.brands:
        tail.append(" ".join(f"#{b}" for b in view.brands))
    if view.read_also:
        tail.append(t(replies.READ_ALSO))
        for related in view.read_also[:3]:
            title = escape(shorten(related.title, MAX_READ_ALSO_TITLE))
            tail.append(f'• <a href="{escape(related.link)}">{title}</a>')
    fixed = visible_length("\n".join(head + tail)) + 4  # the blank lines around the summary
    summary = shorten(view.summary, max(0, limit - fixed)) if view.summary else ""
    body = head + (["", escape(summary)] if summary else []) + (["", *tail] if tail else [])
    return "\n".join(body)


def _also(t: Tr, outlets: tuple[Outlet, ...]) -> str:
    """ "Also: The Verge · Engadget · +3": the first MAX_OUTLETS by name (linked), then a count."""
    shown = []
    for outlet in outlets[:MAX_OUTLETS]:
        name = escape(shorten(outlet.name, MAX_OUTLET_NAME))
        shown.append(f'<a href="{escape(outlet.link)}">{name}</a>' if outlet.link else name)
    more = replies.more_outlets(t, len(outlets) - MAX_OUTLETS) if len(outlets) > MAX_OUTLETS else ""
    return f"{t(replies.ALSO)} " + " · ".join(shown) + more


def render_plain(t: Tr, view: StoryView, timezone: str) -> str:
    """The fallback when Telegram refused the HTML: the same content, no markup at all."""
    meta = " · ".join(p for p in (view.source, format_time(t, view.published_at, timezone)) if p)
    lines = [view.title, *([view.link] if view.link else []), meta]
    if view.also:
        lines.append(f"{t(replies.ALSO)} " + " · ".join(o.name for o in view.also))
    if view.summary:
        lines += ["", view.summary]
    return shorten("\n".join(lines), MAX_MESSAGE)


def story_line(
    t: Tr, view: StoryView, timezone: str, now: int, *, summary: bool = False, marker: str = "•"
) -> str:
    """A story as one entry of a list (a bundle, a /latest page): "• headline — Source ·
    09:30 · +2", the headline a link (one entity), "+N" the event's other outlets; with
    `summary`, the summary's first sentence on a second line."""
    title = escape(shorten(" ".join(view.title.split()) or t(replies.UNTITLED), MAX_LINE_TITLE))
    href = escape(view.link.strip()) if view.link and is_http_url(view.link) else ""
    head = f'<a href="{href}">{title}</a>' if href and len(href) <= MAX_LINK else title
    source = shorten(" ".join((view.source or "").split()), MAX_LINE_SOURCE)
    meta = [p for p in (source, format_short_time(t, view.published_at, timezone, now)) if p]
    if view.also:
        meta.append(replies.more_in_line(len(view.also)))
    line = f"{marker} {head} — {escape(' · '.join(meta))}"
    if summary and view.summary:
        first = shorten(next(iter(sentences(view.summary)), ""), MAX_LINE_SUMMARY)
        if first:
            line += f"\n{escape(first)}"
    return line


def render_list(
    t: Tr,
    heading: str,
    views: Sequence[StoryView],
    timezone: str,
    now: int,
    *,
    first: int = 1,
    limit: int = MAX_MESSAGE,
) -> tuple[str, int]:
    """A page of stories as one message (/latest, /search): `heading` (HTML), then a
    story_line with its first sentence per story, numbered from `first`, as many as fit
    Telegram's limits for one message. Returns the message and how many stories it shows (at
    least one)."""
    text, size = part(heading)
    shown = 0
    for number, view in enumerate(views, first):
        line, measure = part(story_line(t, view, timezone, now, summary=True, marker=f"{number}."))
        if shown and not fits(size, "\n", measure, limit):
            break
        if not fits(size, "\n", measure, limit):  # one story alone too long: no summary
            line, measure = part(story_line(t, view, timezone, now, marker=f"{number}."))
        text, size = f"{text}\n{line}", size.joined("\n", measure)
        shown += 1
    return text, shown


def preview_for(view: StoryView, *, images: bool, link_previews: bool) -> Preview | None:
    """Rules 1-3 of the module docstring."""
    if images and view.image and is_http_url(view.image) and len(view.image) <= MAX_LINK:
        return Preview(view.image, large_above=True)
    if link_previews and view.link:
        return Preview(view.link, large_above=False)
    return None
