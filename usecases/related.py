""" "Read also": computed where it is worth it, read without side effects everywhere else.

1. A story being pushed gets its read-also computed and stored just before its first message
   is rendered (`fill`, called by the sender): the push shows it, and every later show
   reads it.
2. A background job (bot.jobs) fills it for the newest stories first seen in the last
   RECENT_HOURS that lack it, BATCH at a time, so /latest finds it stored for fresh news.
3. Everything else only reads. A story shown by /latest or the CLI whose read-also was never
   computed gets it computed for that answer (`views`), and nothing is written: a reader of
   a running bot's database never takes its write lock. In the bot, what was computed for an
   answer is handed to `Unsaved`, and the job of rule 2 stores it at its next run, so an old
   story shown again does not cost the computation again.
The ranking itself is news.related's; storage (storage.archive) supplies the candidates.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from news.related import pick_related
from news.render import StoryView
from storage import Storage

RECENT_HOURS = 24
BATCH = 100


async def compute(storage: Storage, story_ids: Sequence[int]) -> dict[int, list[int]]:
    """Read-also (related story ids, best first) of those stories that have none stored yet.
    A pure read."""
    now = storage.now()
    picked: dict[int, list[int]] = {}
    for story in await storage.archive.related_inputs(story_ids):
        candidates = await storage.archive.related_candidates(story, now)
        picked[story.id] = pick_related(candidates, brands=story.brands, now=now)
    return picked


async def fill(storage: Storage, story_ids: Sequence[int]) -> int:
    """Rules 1 and 2: compute and store; returns how many stories got their read-also."""
    picked = await compute(storage, story_ids)
    await storage.archive.save_related(picked)
    return len(picked)


class Unsaved:
    """Read-also computed for answers (rule 3), waiting for the job to store it. Bounded: past
    MAX stories, more are simply computed again the next time they are shown."""

    MAX = 5000

    def __init__(self) -> None:
        self._picked: dict[int, list[int]] = {}

    def add(self, picked: dict[int, list[int]]) -> None:
        for story_id, related in picked.items():
            if len(self._picked) >= self.MAX:
                return
            self._picked[story_id] = related

    def take(self) -> dict[int, list[int]]:
        picked, self._picked = self._picked, {}
        return picked

    def __len__(self) -> int:
        return len(self._picked)


async def fill_recent(storage: Storage, unsaved: Unsaved | None = None) -> int:
    """Rule 2, one batch; first, what answers computed (rule 3)."""
    saved = 0
    if unsaved is not None and len(unsaved):
        picked = unsaved.take()
        await storage.archive.save_related(picked)
        saved = len(picked)
    since = storage.now() - RECENT_HOURS * 3600
    return saved + await fill(storage, await storage.archive.lacking_related(since, BATCH))


async def views(
    storage: Storage, story_ids: Sequence[int], unsaved: Unsaved | None = None
) -> dict[int, StoryView]:
    """Rule 3: what rendering needs, read-also included, without writing (what had to be
    computed goes to `unsaved`, when given, for the job to store)."""
    found = await storage.stories.views(story_ids)
    missing = [i for i, view in found.items() if view.read_also is None]
    if not missing:
        return found
    picked = await compute(storage, missing)
    if unsaved is not None:
        unsaved.add(picked)
    links = await storage.archive.links([r for ids in picked.values() for r in ids])
    for story_id in missing:
        read_also = tuple(links[r] for r in picked.get(story_id, ()) if r in links)
        found[story_id] = dataclasses.replace(found[story_id], read_also=read_also)
    return found
