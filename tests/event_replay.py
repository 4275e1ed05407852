"""The labelled event window replayed through the running bot: its 12 outlets served by the
loopback feed server snapshot by snapshot (one every 4 hours, as they were crawled), the bot's
clock at each snapshot's time, one private chat per brand the window's stories are about, and
every push and edit the fake Bot API received counted against the labels.

Used by tests/test_event_replay.py and bench/clusters.py. The pushes' pace is lifted (the
pacer's rates are a parameter), and so is calm delivery (news.bundles: a chat's pushes beyond
three in ten minutes gathered into one message; news.ingest rule 5: a poll's pushes beyond the
newest ten archived), which four-hour snapshots would meet all the time where a bot polling
every few minutes would not: what is measured is which stories a chat is pushed, not how
they are paced or gathered.
"""

from __future__ import annotations

import functools
import html
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from unittest import mock

from bot import app as app_module
from bot.pacing import TelegramPacer
from bot.settings import Settings
from news import bundles, replies
from news import ingest as ingest_rules
from news.links import canonical_link
from tests.clock import Clock
from tests.event_window import WINDOW_DIR, window_stories
from tests.fakes.feed_server import FeedServer
from tests.fakes.telegram_api import FakeTelegram
from tests.harness import RunningBot, running_bot, with_desks

SNAPSHOT_EVERY = timedelta(hours=4)
FIRST_SNAPSHOT = datetime(2023, 10, 4, tzinfo=UTC)
FIRST_CHAT = 7_000
_LINK = re.compile(r'^<b><a href="([^"]+)"')
_HREF = re.compile(r'<a href="([^"]+)"')


@dataclass(frozen=True)
class Replay:
    brands: dict[int, str]  # chat id -> the brand it follows
    pushes: dict[int, list[str]]  # chat id -> the links it was pushed, in order
    edits: Counter[tuple[int, int]]  # (chat id, message id) -> edits it received
    final: dict[tuple[int, int], str]  # (chat id, message id) -> its HTML after the edits
    refused_edits: int  # edits Telegram answered with an error ("message is not modified"...)
    gold: dict[str, str]  # link -> labelled event
    outlets_of_event: dict[str, set[str]]

    def also_links(self) -> list[tuple[str, list[str]]]:
        """Each edited push: its story's link and the other outlets' links it now shows."""
        found = []
        for key in self.edits:
            text = self.final.get(key, "")
            head = _LINK.match(text)
            line = next((x for x in text.splitlines() if x.startswith(replies.ALSO)), "")
            if head:
                also = [html.unescape(h) for h in _HREF.findall(line)]
                found.append((html.unescape(head.group(1)), also))
        return found

    def pushes_per_event(self) -> float:
        """Pushes a chat got per labelled event covered by two outlets or more, over the
        (chat, event) pairs where the chat got the event at all."""
        counts: Counter[tuple[int, str]] = Counter()
        for chat, links in self.pushes.items():
            for link in links:
                event = self.gold.get(link)
                if event is not None and len(self.outlets_of_event[event]) >= 2:
                    counts[chat, event] += 1
        return sum(counts.values()) / len(counts) if counts else float("nan")


async def poll_in_turn(bot: RunningBot) -> None:
    """Poll every source once, one after the other (by id): the bot polls them concurrently,
    so the order stories of one event reach the index would otherwise change run to run."""
    conn = bot.runtime.storage.conn
    async with conn.execute("SELECT id FROM sources ORDER BY id") as c:
        ids = [row[0] for row in await c.fetchall()]
    await conn.execute("UPDATE sources SET next_check_at = ?", (2**62,))  # none is due
    for source_id in ids:
        await conn.execute("UPDATE sources SET next_check_at = 0 WHERE id = ?", (source_id,))
        await bot.runtime.scheduler.tick()
        await bot.runtime.scheduler.idle()
    await bot.runtime.sender.drained()


async def replay(tmp_path: Path, settings: Settings, telegram: FakeTelegram) -> Replay:
    """Serve every snapshot in turn, poll, let edits fall due; return what the chats got."""
    stories = window_stories()
    outlets = sorted({s.outlet for s in stories})
    brand_events: dict[str, set[str]] = defaultdict(set)
    event_outlets: dict[str, set[str]] = defaultdict(set)
    for s in stories:
        event_outlets[s.gold].add(s.outlet)
        for brand in s.brands:
            brand_events[brand].add(s.gold)
    followed = sorted(b for b, events in brand_events.items() if events)
    chats = {FIRST_CHAT + n: brand for n, brand in enumerate(followed)}
    clock = Clock(FIRST_SNAPSHOT)
    fast = functools.partial(TelegramPacer, global_rate=10_000.0, private_rate=1_000.0)
    async with FeedServer() as feeds:
        snapshots = {o: sorted((WINDOW_DIR / "feeds" / o).glob("*.xml")) for o in outlets}
        urls = [feeds.feed(f"/{o}.xml", snapshots[o][0].read_bytes()) for o in outlets]
        desks = with_desks(settings, tmp_path, urls)
        with (
            mock.patch.object(app_module, "TelegramPacer", fast),
            mock.patch.object(bundles, "CALM_PUSHES", 10**9),
            mock.patch.object(ingest_rules, "BURST_PUSHES", 10**9),
        ):
            async with running_bot(desks, telegram, clock=clock) as bot:
                for chat, brand in chats.items():
                    await bot.ask(f"/subscribe {brand}", chat_id=chat)
                rounds = max(len(s) for s in snapshots.values())
                for n in range(rounds):
                    clock.at(FIRST_SNAPSHOT + n * SNAPSHOT_EVERY)
                    for outlet in outlets:
                        if n < len(snapshots[outlet]):
                            feeds.feed(f"/{outlet}.xml", snapshots[outlet][n].read_bytes())
                    await poll_in_turn(bot)
                    await bot.runtime.sender.run_edits()
                clock.advance(SNAPSHOT_EVERY)
                await bot.runtime.sender.run_edits()
                assert bot.errors == [], bot.errors
    pushes: dict[int, list[str]] = {}
    final: dict[tuple[int, int], str] = {}
    for chat in chats:
        links = []
        for message in telegram.sent_to(chat):
            found = _LINK.match(message.text)
            if found:
                links.append(html.unescape(found.group(1)))
                state = telegram.message_state(chat, message.message_id)
                final[chat, message.message_id] = state.text if state else ""
        pushes[chat] = links
    edits = Counter((int(e.params["chat_id"]), int(e.params["message_id"])) for e in telegram.edits)
    gold = {canonical_link(s.link, s.link): s.gold for s in stories}
    refused = sum(1 for c in telegram.calls_to("editMessageText") if c.status != 200)
    return Replay(chats, pushes, edits, final, refused, gold, dict(event_outlets))
