"""The daily digest's content: how one chat's digest reads. Pure functions, no I/O.

When it goes out and what period it covers are news.digest_schedule's; the /digest grammar is
news.digest_command's; the words are news.replies'.
 6. The first line is "Daily digest" and the date, in the chat's zone.
 7. A section per followed brand or keyword, in the chat's subscription order, headed by its
    display name; sections with no stories are left out.
 8. A story about several followed brands or keywords appears once, under the first of them.
 9. Within a section: most sources first (cluster size), then newest, at most 5 stories, then
    "and N more — /latest BRAND" when there are more.
10. A story is its headline as a link, its source, and the first sentence of its summary.
11. Feed text is escaped; only <b>, <i> and <a href> are produced.
12. Messages split between sections (between stories only if one section alone is too big),
    each within Telegram's limits (news.limits): 4096 visible characters, 100 formatting
    entities and 32 KB of raw text.
13. Nothing new: no message at all, unless the chat opted in with `/digest empty note` (or
    the older `/digest quiet off`), which gets one short line.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from news import replies
from news.i18n import Tr
from news.limits import MAX_MESSAGE
from news.links import is_http_url
from news.models import Subscription, SubscriptionKind
from news.sentences import sentences
from news.telegram_html import NOTHING, Measure, Part, escape, fits, part, shorten

DEFAULT_QUIET = True  # by default a day without news sends nothing
MAX_PER_SECTION = 5
MAX_TITLE = 200
MAX_SUMMARY = 200
MAX_SOURCE = 80
MAX_HEADING = 100
MAX_LINK = 2048  # escaped href length; longer links are dropped, the title stays


@dataclass(frozen=True)
class DigestStory:
    id: int
    title: str
    link: str | None
    source: str | None
    published_at: int
    first_seen_at: int
    summary: str = ""
    cluster_size: int = 1  # how many sources covered the story
    brands: tuple[str, ...] = ()  # brand keys the story is about
    keywords: tuple[str, ...] = ()  # followed keywords it matched (normalized)


@dataclass(frozen=True)
class Section:
    key: str  # a brand key, or "kw:<keyword>"
    heading: str  # plain text: the brand's display name, or the keyword in quotes
    latest_command: str  # plain text: "/latest xiaomi", "/latest foldable phone"


def _belongs(story: DigestStory, section: Section) -> bool:
    if section.key.startswith("kw:"):
        keyword = section.key[3:].casefold()
        return any(k.casefold() == keyword for k in story.keywords)
    return section.key in story.brands


def _rank_key(story: DigestStory) -> tuple[int, int, int]:
    return (-story.cluster_size, -story.published_at, -story.id)


def _one_sentence(summary: str) -> str:
    first = next(iter(sentences(summary)), "") if summary else ""
    return shorten(first, MAX_SUMMARY)


def _story_lines(t: Tr, story: DigestStory) -> str:
    title = escape(shorten(" ".join(story.title.split()) or t(replies.UNTITLED), MAX_TITLE))
    href = escape(story.link.strip()) if story.link and is_http_url(story.link) else ""
    # Telegram drops links it cannot use; an absurdly long one would also eat the 32 KB budget.
    head = f'<a href="{href}">{title}</a>' if href and len(href) <= MAX_LINK else f"<b>{title}</b>"
    source = " ".join((story.source or "").split())
    line = f"• {head}" + (f" — {escape(shorten(source, MAX_SOURCE))}" if source else "")
    summary = _one_sentence(story.summary)
    return line + (f"\n{escape(summary)}" if summary else "")


def _section_parts(
    t: Tr, section: Section, ranked: list[DigestStory], line: Callable[[DigestStory], Part]
) -> list[Part]:
    """Heading, one part per shown story, and the "more" line. `ranked` is best first."""
    heading = f"<b>{escape(shorten(section.heading, MAX_HEADING))}</b>"
    parts = [part(heading)] + [line(s) for s in ranked[:MAX_PER_SECTION]]
    if len(ranked) > MAX_PER_SECTION:
        more = shorten(section.latest_command, MAX_HEADING)
        parts.append(part(replies.digest_more(t, len(ranked) - MAX_PER_SECTION, more)))
    return parts


def _pack(blocks: list[list[Part]], limit: int) -> list[str]:
    """Messages from blocks (a block is a list of parts joined by newlines); a blank line
    between blocks. Splits between blocks; a block too big for a message of its own is split
    between its parts, so no message ever cuts inside a tag (news.telegram_html.pack does the
    same for visible length; this also keeps Telegram's entity and raw-size limits)."""
    messages: list[str] = []
    current: list[str] = []
    size = NOTHING

    def add(piece: str, measure: Measure, separator: str) -> None:
        nonlocal current, size
        if current and not fits(size, separator, measure, limit):
            messages.append("".join(current))
            current, size = [], NOTHING
        if current:
            current += [separator, piece]
            size = size.joined(separator, measure)
        else:
            current, size = [piece], measure

    for block in blocks:
        whole = block[0][1]
        for _markup, measure in block[1:]:
            whole = whole.joined("\n", measure)
        if fits(NOTHING, "", whole, limit):
            add("\n".join(markup for markup, _ in block), whole, "\n\n")
        else:
            for i, (markup, measure) in enumerate(block):
                add(markup, measure, "\n\n" if i == 0 else "\n")
    if current:
        messages.append("".join(current))
    return messages


def _messages(
    t: Tr, blocks: list[list[Part]], *, timezone: str, now: int, quiet: bool, limit: int
) -> list[str]:
    if not blocks:
        return [] if quiet else [t(replies.NOTHING_NEW)]
    header = part(replies.digest_header(t, now, timezone))
    return _pack([[header], *blocks], limit)


# --- one tick's worth of digests -------------------------------------------------------------


def section_for(t: Tr, subscription: Subscription) -> Section:
    """A followed brand or keyword as a digest section."""
    if subscription.kind is SubscriptionKind.KEYWORD:
        heading = t(replies.QUOTE, text=subscription.label)
        return Section(f"kw:{subscription.value}", heading, f"/latest {subscription.label}")
    return Section(subscription.value, subscription.label, f"/latest {subscription.label}")


class DigestDay:
    """The one composer. The stories of the last WINDOW, indexed by brand and keyword and
    ranked once, each rendered once, so thousands of chats due in the same minute each cost
    only a walk over the stories of what they follow."""

    def __init__(self, stories: list[DigestStory]) -> None:
        stories = list({s.id: s for s in stories}.values())  # a story passed twice is one
        self.stories = stories
        self.top_id = max((s.id for s in stories), default=0)
        by_key: dict[str, list[DigestStory]] = {}
        for story in stories:
            for brand in story.brands:
                by_key.setdefault(brand, []).append(story)
            for keyword in story.keywords:
                by_key.setdefault(f"kw:{keyword.casefold()}", []).append(story)
        self._ranked = {key: sorted(found, key=_rank_key) for key, found in by_key.items()}
        self._lines: dict[tuple[str, int], Part] = {}  # by language and story

    def _line(self, t: Tr, story: DigestStory) -> Part:
        line = self._lines.get((t.language, story.id))
        if line is None:
            line = self._lines[t.language, story.id] = part(_story_lines(t, story))
        return line

    def compose(
        self,
        t: Tr,
        sections: Sequence[Section],
        *,
        after_id: int,
        timezone: str,
        now: int,
        quiet: bool = DEFAULT_QUIET,
        limit: int = MAX_MESSAGE,
    ) -> list[str]:
        """One chat's digest (rules 6-13), Telegram HTML; [] when there is nothing to send:
        stories newer than story `after_id` (the last one its previous digest covered) about
        what it follows (`sections`, section_for of its subscriptions, in their order); a
        story about two of them under the first."""
        taken: set[int] = set()
        blocks = []
        for section in sections:
            key = section.key.casefold() if section.key.startswith("kw:") else section.key
            ranked = [s for s in self._ranked.get(key, ()) if s.id > after_id and s.id not in taken]
            if ranked:
                taken.update(s.id for s in ranked)
                blocks.append(_section_parts(t, section, ranked, lambda s: self._line(t, s)))
        return _messages(t, blocks, timezone=timezone, now=now, quiet=quiet, limit=limit)
