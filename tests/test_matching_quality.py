"""How well news.matching finds what a story is ABOUT, measured on hand-labelled real feeds.

The labels (tests/data/brand_labels.json) cover every story of the 20 feeds in
../shared/corpus/feeds/ (599 stories). They were written by reading each headline and enough of
the text to judge, not by running the matcher; a plain text search for brand names was used only
to locate where a brand is named in long texts, and each place was then read. Only identity,
title and labels are stored, no article text. One revision: reviewing where an early version of
the matcher disagreed showed that the first pass had treated platform-named apps and digests
inconsistently; rules 1 and 2 below were then written down and applied to every story they
touch, by reading it again (36 stories changed; the other disagreements were left as they are).

Labelling rules:
 1. ABOUT: a reader following that brand would want this story pushed to them. The story
    reports on the brand itself: its products, services, platforms, people, business, legal
    affairs, or something happening to it ("outage hits Snapchat"); reviews, how-tos and deals
    of its own products and sub-brands (Blink is Amazon's, eufy and Soundcore are Anker's);
    apps, accessories and software made for its platform when the headline names the platform
    ("Gmail app for iPhone", "this Mac app ...").
 2. Digests (daily briefs, weekly overviews, newsletters with several items): ABOUT only the
    brands of the items named in the headline and of the first (lead) item, plus any brand that
    is the main subject of the whole piece; brands of other items are MENTIONS, because the
    pushed story does not show them. Product round-ups and listicles (best deals, shows to
    watch, smart glasses of the year) are MENTIONS for every brand the headline does not name.
 3. MENTION: the brand (or its product, service or people) is named, but is not what the story
    is about: the shop where something is sold ("$40 at Amazon"), the platform something is
    available on, a source or quote, a point of comparison or a foil ("AirPod-killing Pixel
    Buds"), a biography ("a Facebook co-founder's startup", "Signal's founder builds ..."), an
    example in a list, background.
 4. A subsidiary's story is about the subsidiary (Waymo), not the parent (Google), unless the
    parent acts in it. Catalogue names only: a brand is labelled even when the catalogue lacks
    the name the story uses (一加 for OnePlus, "X" for X/Twitter), so such labels are misses.
 5. Ordinary words are not mentions ("surface", "office", "at the edge").

The matcher is given each feed's own brand as news.matching.source_brand finds it from the feed
title, as the bot would: of the 20 feeds only "The Official Google Blog" is a brand's own (Google).
The report also gives the matcher's numbers without that hint.

The naive baseline counts a brand as ABOUT when any of its aliases, exact names or ambiguous
words occurs anywhere in the title or text, in any case, with no exclusions.

Precision and recall are micro-averaged over (story, brand) pairs of ABOUT.
"""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from functools import cache
from pathlib import Path

import pytest

from news.catalogue import Catalogue, load_catalogue
from news.feeds import parse_feed
from news.matching import Matcher, source_brand
from tests.corpus import CORPUS

LABELS = Path(__file__).resolve().parent / "data" / "brand_labels.json"
SKIP_REASON = "real-feed corpus not found at ../shared/corpus (a clone without ../shared)"
NOW = 2_000_000_000  # parse_feed's clock: fixed, so nothing depends on today's date

# Reached on the labels: precision 0.952, recall 0.922, F1 0.937 (without the source hint 0.954
# and 0.904; before the shop, co-founder, density and source rules and the added names 0.936 and
# 0.878; naive baseline 0.255 and 0.995). The floors sit just below, so a regression fails.
PRECISION_FLOOR = 0.95
RECALL_FLOOR = 0.92
# The product issue's goals.
PRECISION_GOAL = 0.95
RECALL_GOAL = 0.90


def _baseline_catalogue(catalogue: Catalogue) -> Catalogue:
    """Every name of a brand as a plain case-insensitive alias; no exclusions."""
    brands = [
        replace(b, aliases=b.aliases + b.exact + b.ambiguous, exact=(), ambiguous=(), exclude=())
        for b in catalogue
    ]
    return Catalogue(brands, catalogue.categories)


def _scores(tp: int, fp: int, fn: int) -> dict[str, float | int]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "tp": tp, "fp": fp, "fn": fn}


@cache
def quality_report(corpus: Path = CORPUS) -> dict:
    """Precision, recall and F1 of ABOUT for the matcher and the naive baseline.

    Raises FileNotFoundError when the corpus is absent.
    """
    feeds = corpus / "feeds"
    if not feeds.is_dir():
        raise FileNotFoundError(SKIP_REASON)
    labels = json.loads(LABELS.read_text("utf-8"))
    catalogue = load_catalogue()
    matcher = Matcher(catalogue)
    baseline = Matcher(_baseline_catalogue(catalogue))
    counts = {"matcher": [0, 0, 0], "without_source": [0, 0, 0], "baseline": [0, 0, 0]}
    stories = labelled = 0
    for name, rows in labels.items():
        parsed = parse_feed((feeds / name).read_bytes(), url=f"https://example.com/{name}", now=NOW)
        by_identity = {story.identity: story for story in parsed.stories}
        assert len(by_identity) == len(rows), f"{name}: labels and feed disagree"
        hint = source_brand(catalogue, parsed.title)
        for row in rows:
            story = by_identity[row["identity"]]
            gold = set(row["about"])
            found = matcher.match(story.title, story.text, source_hint=hint)
            unhinted = matcher.match(story.title, story.text) if hint else found
            naive = baseline.match(story.title, story.text)
            for key, predicted in (
                ("matcher", found.about),
                ("without_source", unhinted.about),
                ("baseline", naive.about | naive.mentions),
            ):
                counts[key][0] += len(predicted & gold)
                counts[key][1] += len(predicted - gold)
                counts[key][2] += len(gold - predicted)
            stories += 1
            labelled += len(gold)
    return {
        "stories": stories,
        "about_labels": labelled,
        "matcher": _scores(*counts["matcher"]),
        "without_source": _scores(*counts["without_source"]),
        "baseline": _scores(*counts["baseline"]),
    }


@pytest.fixture(scope="module")
def report() -> dict:
    try:
        result = quality_report()
    except FileNotFoundError:
        pytest.skip(SKIP_REASON)
    for key in ("matcher", "without_source", "baseline"):
        r = result[key]
        print(
            f"{key}: precision {r['precision']:.3f} recall {r['recall']:.3f} f1 {r['f1']:.3f} "
            f"(tp {r['tp']}, fp {r['fp']}, fn {r['fn']})"
        )
    return result


def test_labels_use_catalogue_keys_only():
    catalogue = load_catalogue()
    labels = json.loads(LABELS.read_text("utf-8"))
    assert len(labels) == 20
    for rows in labels.values():
        for row in rows:
            assert set(row) == {"identity", "title", "about", "mentions"}
            assert not set(row["about"]) & set(row["mentions"])
            for key in row["about"] + row["mentions"]:
                assert catalogue.get(key), key


def test_matcher_keeps_its_quality(report):
    assert report["stories"] == 599
    assert report["matcher"]["precision"] >= PRECISION_FLOOR
    assert report["matcher"]["recall"] >= RECALL_FLOOR


def test_matcher_beats_naive_baseline(report):
    assert report["matcher"]["precision"] > 2 * report["baseline"]["precision"]
    assert report["matcher"]["f1"] > report["baseline"]["f1"] + 0.3


def test_only_brand_blogs_are_sources_of_their_brand():
    try:
        hints = {
            path.name: source_brand(load_catalogue(), _feed_title(path))
            for path in sorted((CORPUS / "feeds").iterdir())
        }
    except FileNotFoundError:
        pytest.skip(SKIP_REASON)
    assert {name: key for name, key in hints.items() if key} == {
        "googleblog-2013-02-atom.xml": "google"
    }


def _feed_title(path: Path) -> str | None:
    return parse_feed(path.read_bytes(), url=f"https://example.com/{path.name}", now=NOW).title


def test_matching_meets_product_goals(report):
    assert report["matcher"]["precision"] >= PRECISION_GOAL
    assert report["matcher"]["recall"] >= RECALL_GOAL


# --- the clusters window's labels, per language (issue 18) -----------------------------------
#
# ../shared/corpus/clusters/labels.tsv gives the brands each of its 405 stories is about (11
# English outlets and the Polish ITHardware). Its labellers judged a few things differently
# from the rules above, and the matcher follows the rules above: a platform named in the
# headline of a story about software or games for it ("Diablo IV is coming to Steam",
# "Microsoft Teams for Windows and Mac", "... on Wear OS watches", "... coming to Game Pass",
# "Red Dead Redemption ... on the PS5") is that platform's news by rule 1 of labelling, and no
# brand there by the window's labels. Those stories stay counted as false positives here: the
# floors are what the rules reach on the window's own labels.
CLUSTERS = CORPUS / "clusters"
# Reached: English precision 0.942, recall 0.968; Polish 0.921 and 1.000 (before the rules 7
# and 8 of "Finding names", the foils and the ordinary words: English 0.924 and 0.944, Polish
# 0.889 and 0.914). The floors sit just below.
CLUSTER_FLOORS = {"en": (0.94, 0.965), "pl": (0.92, 0.99)}


@cache
def clusters_report() -> dict:
    """Per language: precision, recall and F1 of ABOUT on the window's labels, for the matcher
    and the naive baseline. Raises FileNotFoundError when the window is absent."""
    labels_path = CLUSTERS / "labels.tsv"
    if not labels_path.is_file():
        raise FileNotFoundError(SKIP_REASON)
    with labels_path.open(encoding="utf-8", newline="") as f:
        labels = {row["link"]: row for row in csv.DictReader(f, delimiter="\t")}
    stories = {}
    for outlet in sorted((CLUSTERS / "feeds").iterdir()):
        for path in sorted(outlet.glob("*.xml")):
            for story in parse_feed(
                path.read_bytes(), url=f"https://{outlet.name}/", now=NOW
            ).stories:
                if story.link in labels:
                    stories.setdefault(story.link, story)
    catalogue = load_catalogue()
    matcher, baseline = Matcher(catalogue), Matcher(_baseline_catalogue(catalogue))
    counts: dict[tuple[str, str], list[int]] = {}
    for link, row in labels.items():
        story = stories.get(link)
        if story is None:  # four stories of labels.tsv appear in no snapshot of the feeds
            continue
        language = "pl" if row["outlet"] == "ithardware" else "en"
        gold = set(filter(None, row["brands"].split(",")))
        naive = baseline.match(story.title, story.text)
        for who, predicted in (
            ("matcher", matcher.match(story.title, story.text).about),
            ("baseline", naive.about | naive.mentions),
        ):
            c = counts.setdefault((language, who), [0, 0, 0])
            c[0] += len(predicted & gold)
            c[1] += len(predicted - gold)
            c[2] += len(gold - predicted)
    return {key: _scores(*c) for key, c in counts.items()}


@pytest.fixture(scope="module")
def per_language() -> dict:
    try:
        result = clusters_report()
    except FileNotFoundError:
        pytest.skip(SKIP_REASON)
    for (language, who), r in sorted(result.items()):
        print(
            f"clusters {language} {who}: precision {r['precision']:.3f} recall {r['recall']:.3f}"
            f" (tp {r['tp']}, fp {r['fp']}, fn {r['fn']})"
        )
    return result


@pytest.mark.parametrize("language", sorted(CLUSTER_FLOORS))
def test_matcher_keeps_its_quality_in_every_language_of_the_window(per_language, language):
    precision, recall = CLUSTER_FLOORS[language]
    found = per_language[language, "matcher"]
    assert found["precision"] >= precision
    assert found["recall"] >= recall
    assert found["f1"] > per_language[language, "baseline"]["f1"] + 0.1
