"""The labelled event window (../shared/corpus/clusters): its stories read through the bot's
own parser and matcher, clustered online by news.events, and scored as the window's score.py
scores (pairwise precision and recall over stories of different outlets; pushes per event
covered by two outlets or more, one push per predicted cluster for its earliest story).

Used by tests/test_events_quality.py and bench/clusters.py. Raises FileNotFoundError when the
corpus is absent (the caller skips, saying why).
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cache
from itertools import combinations
from pathlib import Path

from news.catalogue import load_catalogue
from news.events import EventIndex, Match, Story, terms
from news.feeds import parse_feed
from news.links import canonical_link
from news.matching import Matcher

WINDOW_DIR = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "clusters"
SKIP_REASON = "labelled event window not found at ../shared/corpus/clusters"
DAY_TWO = 1_696_464_000  # 2023-10-05 00:00 UTC: the window's second day


@dataclass(frozen=True)
class WindowStory:
    link: str
    outlet: str
    published_at: int
    title: str
    text: str
    brands: frozenset[str]
    gold: str  # the labelled event
    ambiguous: bool


@cache
def window_stories(folder: Path = WINDOW_DIR) -> tuple[WindowStory, ...]:
    """Every labelled story, in time order, as the bot parses and tags it."""
    labels_path = folder / "labels.tsv"
    if not labels_path.is_file():
        raise FileNotFoundError(SKIP_REASON)
    with open(labels_path, encoding="utf-8", newline="") as f:
        labels = {row["link"]: row for row in csv.DictReader(f, delimiter="\t")}
    by_canonical = {canonical_link(link, link): link for link in labels}
    matcher = Matcher(load_catalogue())
    found: dict[str, WindowStory] = {}
    for outlet in sorted(p for p in (folder / "feeds").iterdir() if p.is_dir()):
        for snapshot in sorted(outlet.glob("*.xml")):
            feed = parse_feed(snapshot.read_bytes(), url=f"https://{outlet.name}.example/feed")
            for draft in feed.stories:
                link = by_canonical.get(draft.link or "")
                if link is None or link in found:
                    continue
                label = labels[link]
                found[link] = WindowStory(
                    link=link,
                    outlet=outlet.name,
                    published_at=draft.published_at,
                    title=draft.title,
                    text=draft.text,
                    brands=matcher.match(draft.title, draft.text).about,
                    gold=label["cluster"],
                    ambiguous="(ambiguous" in (label.get("note") or ""),
                )
    missing = set(labels) - set(found)
    assert not missing, f"{len(missing)} labelled stories not found in the snapshots"
    return tuple(sorted(found.values(), key=lambda s: (s.published_at, s.link)))


def cluster_online(stories: tuple[WindowStory, ...]) -> tuple[list[int], list[Match | None]]:
    """Each story in time order asks the index where it belongs, then joins it: the cluster
    of every story (its first story's position) and the match that put it there."""
    index = EventIndex()
    outlets = {name: n for n, name in enumerate(sorted({s.outlet for s in stories}), 1)}
    clusters: list[int] = []
    matches: list[Match | None] = []
    for position, story in enumerate(stories, 1):
        story_terms = terms(story.title, story.text)
        match = index.match(
            story_terms,
            source_id=outlets[story.outlet],
            published_at=story.published_at,
            brands=story.brands,
        )
        cluster = match.cluster_id if match else position
        index.add(
            Story(position, cluster, outlets[story.outlet], story.published_at, story.brands,
                  story_terms)
        )  # fmt: skip
        clusters.append(cluster)
        matches.append(match)
    return clusters, matches


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float
    tp: int
    fp: int
    fn: int
    pushes_per_event: float
    events: int  # gold events covered by two outlets or more
    swallowed: int
    wrong_merges: list[list[WindowStory]]  # predicted clusters holding stories of several events


def score(stories: tuple[WindowStory, ...], clusters: list[int], *, skip_ambiguous=False,
          only=None) -> Scores:  # fmt: skip
    """score.py's figures; `only` limits the pairs to stories it accepts (a day)."""
    tp = fp = fn = 0
    keep = [i for i, s in enumerate(stories) if only is None or only(s)]
    for i, j in combinations(keep, 2):
        a, b = stories[i], stories[j]
        if a.outlet == b.outlet or (skip_ambiguous and (a.ambiguous or b.ambiguous)):
            continue
        gold, same = a.gold == b.gold, clusters[i] == clusters[j]
        tp += gold and same
        fp += same and not gold
        fn += gold and not same
    precision = tp / (tp + fp) if tp + fp else float("nan")
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
    first: dict[int, int] = {}
    for position, cluster in enumerate(clusters):
        first.setdefault(cluster, position)
    starts = Counter(stories[p].gold for p in first.values())
    outlets: dict[str, set[str]] = defaultdict(set)
    for s in stories:
        outlets[s.gold].add(s.outlet)
    multi = [g for g, o in outlets.items() if len(o) >= 2]
    members: dict[int, list[WindowStory]] = defaultdict(list)
    for s, cluster in zip(stories, clusters, strict=True):
        members[cluster].append(s)
    wrong = [v for v in members.values() if len({s.gold for s in v}) > 1]
    return Scores(
        precision, recall, f1, tp, fp, fn,
        pushes_per_event=sum(starts.get(g, 0) for g in multi) / len(multi),
        events=len(multi),
        swallowed=sum(1 for g in multi if starts.get(g, 0) == 0),
        wrong_merges=wrong,
    )  # fmt: skip


def title_baseline(stories: tuple[WindowStory, ...]) -> list[int]:
    """What the bot did before news.events: identical normalized headline, another source."""
    from news.feeds import title_key

    first: dict[str, int] = {}
    return [first.setdefault(title_key(s.title), n) for n, s in enumerate(stories, 1)]
