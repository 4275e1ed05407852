"""Calm pushes: when news comes faster than a chat can take it, it comes as one message.
Pure: no I/O.

The sender (bot.sender) asks `plan` before a push to a chat and does what it says; what a
bundle reads like is `render_bundle`.
1. Pushes go one by one while the chat got fewer than CALM_PUSHES story messages (pushes
   and bundles) in the last CALM_WINDOW and no more than CALM_PUSHES are waiting for it.
2. Otherwise every push waiting for the chat goes in one bundle, as soon as the chat got
   fewer than CALM_PUSHES story messages in the last CALM_WINDOW. However much news there
   is, a chat hears at most CALM_PUSHES pushes in any CALM_WINDOW, and what waits is never
   lost, only gathered.
3. In quiet hours that hold (news.quiet rule 6) pushes wait for the end of the quiet hours
   and then go as one bundle (alone when only one waited).
4. A bundle opens with "5 new stories about Apple and Samsung": the brands the chat follows
   that its stories are about, in the order of the chat's /list ("5 new stories" when
   only keywords matched). Then a line per story, in the order they arrived: the headline
   as a link, the source, the time in the chat's zone, and "+2" when more outlets carried it.
5. As many lines as fit one message within Telegram's limits (news.limits: visible
   characters, entities, bytes); the rest are counted, "and 12 more — /latest". Every push
   of the bundle counts as delivered: /latest and /search have them all.
6. Digest messages are never bundled nor held back: they go in their place.

Why 3 in 10 minutes: after events are merged (news.events) a followed brand has a story
every hour or two on an ordinary day, so ordinary news always arrives at once, one push per
story; what exceeds 3 in 10 minutes is a keynote, a leak storm or a feed gone wild, where
one message listing everything is what a person would want. A restart forgets the window:
at most CALM_PUSHES more single pushes, never a lost one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from news import replies
from news.i18n import Tr
from news.limits import MAX_MESSAGE
from news.render import StoryView, story_line
from news.telegram_html import NOTHING, Measure, fits, part

CALM_PUSHES = 3
CALM_WINDOW = 600  # seconds


@dataclass(frozen=True)
class Plan:
    bundle: bool  # send everything waiting as one message (rules 2-3), else the first alone
    at: float  # when, on the clock `plan` was given (`now` for at once)


def plan(sent: Sequence[float], waiting: int, now: float) -> Plan:
    """Rules 1-2: `sent` are the times of the chat's recent story messages, `waiting` how
    many pushes wait for it (at least one)."""
    recent = sorted(at for at in sent if at > now - CALM_WINDOW)
    if len(recent) < CALM_PUSHES:
        return Plan(bundle=waiting > CALM_PUSHES, at=now)
    # the moment the oldest of the last CALM_PUSHES leaves the window
    return Plan(bundle=True, at=recent[-CALM_PUSHES] + CALM_WINDOW)


def topics(stories: Sequence[StoryView], followed: Sequence[tuple[str, str]]) -> list[str]:
    """Rule 4: the display names of the followed brands ((key, name) in the chat's /list
    order) that these stories are about."""
    about = {brand for story in stories for brand in story.brands}
    return [name for key, name in followed if key in about]


def render_bundle(
    t: Tr,
    stories: Sequence[StoryView],
    names: Sequence[str],
    timezone: str,
    now: int,
    *,
    limit: int = MAX_MESSAGE,
) -> str:
    """Rules 4-5: one message for these stories (in arrival order); `names` from `topics`."""
    heading, heading_size = part(replies.bundle_heading(t, len(stories), names))
    lines = [part(story_line(t, story, timezone, now)) for story in stories]
    whole = heading_size
    for _markup, measure in lines:
        whole = whole.joined("\n", measure)
    if fits(NOTHING, "", whole, limit):
        return "\n".join([heading, *(markup for markup, _ in lines)])
    reserve = Measure.of(replies.bundle_more(t, len(lines)))  # the longest "and N more" can be
    shown, size = [heading], heading_size
    for markup, measure in lines:
        if not fits(size.joined("\n", measure), "\n", reserve, limit):
            break
        shown.append(markup)
        size = size.joined("\n", measure)
    shown.append(replies.bundle_more(t, len(lines) - (len(shown) - 1)))
    return "\n".join(shown)
