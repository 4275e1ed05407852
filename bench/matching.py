"""Benchmark of news.matching: throughput, compile time, and quality on the hand labels.

    python bench/matching.py

prints a Markdown table (for BENCHMARKS.md). Input: the stories of the 20 real feeds in
../shared/corpus/feeds, parsed with news.feeds.parse_feed and repeated to 10,000; 5,000 synthetic
keywords made of words from those stories (one to three words each, the most frequent words left
out, as followed keywords are topical). Without the corpus the stories and words are synthetic
and the quality rows are skipped.
"""

from __future__ import annotations

import datetime
import os
import platform
import random
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from news.catalogue import load_catalogue  # noqa: E402
from news.feeds import parse_feed  # noqa: E402
from news.matching import Matcher  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"
STORIES = 10_000
KEYWORDS = 5_000
RUNS = 3
SEED = 20_260_217


def corpus_stories() -> list[tuple[str, str]]:
    feeds = CORPUS / "feeds"
    if not feeds.is_dir():
        return []
    stories = []
    for path in sorted(feeds.iterdir()):
        parsed = parse_feed(path.read_bytes(), url=f"https://example.com/{path.name}", now=0)
        stories += [(s.title, s.text) for s in parsed.stories]
    return stories


def synthetic_stories(rng: random.Random) -> list[tuple[str, str]]:
    words = [w.lower() for w in _pseudo_words(rng, 3_000)]
    names = ["Apple", "Samsung", "Xiaomi", "Google", "Microsoft", "Nvidia", "Tesla", "OpenAI"]
    stories = []
    for _ in range(600):
        paragraphs = []
        for _ in range(rng.randint(2, 12)):
            sentence = rng.choices(words, k=rng.randint(30, 60))
            sentence[rng.randrange(len(sentence))] = rng.choice(names)
            paragraphs.append(" ".join(sentence).capitalize() + ".")
        title = " ".join(rng.choices(words, k=8)).capitalize() + " " + rng.choice(names)
        stories.append((title, "\n\n".join(paragraphs)))
    return stories


def _pseudo_words(rng: random.Random, n: int) -> list[str]:
    syllables = ["ka", "ro", "ti", "mel", "stra", "on", "vi", "dex", "pal", "gor", "sun", "ne"]
    return ["".join(rng.choices(syllables, k=rng.randint(2, 4))) for _ in range(n)]


def keywords_from(stories: list[tuple[str, str]], rng: random.Random) -> list[str]:
    counts = Counter(
        w.casefold() for title, text in stories for w in re.findall(r"\w{4,}", title + " " + text)
    )
    common = {w for w, _ in counts.most_common(300)}
    vocabulary = sorted(w for w, n in counts.items() if w not in common and not w.isdigit())
    if len(vocabulary) < 1_000:
        vocabulary = _pseudo_words(rng, 20_000)
    keywords: set[str] = set()
    while len(keywords) < KEYWORDS:
        size = rng.choices((1, 2, 3), weights=(70, 25, 5))[0]
        keywords.add(" ".join(rng.sample(vocabulary, size)))
    return sorted(keywords)


def throughput(matcher: Matcher, stories: list[tuple[str, str]]) -> tuple[float, float]:
    """(stories per second, best of RUNS; keywords found per story)."""
    best = float("inf")
    found = 0
    for _ in range(RUNS):
        found = 0
        start = time.perf_counter()
        for title, text in stories:
            found += len(matcher.match(title, text).keywords)
        best = min(best, time.perf_counter() - start)
    return len(stories) / best, found / len(stories)


def timed(fn, *args):
    start = time.perf_counter()
    result = fn(*args)
    return result, time.perf_counter() - start


def main() -> None:
    rng = random.Random(SEED)
    base = corpus_stories()
    source = f"{len(base)} stories of the 20 corpus feeds"
    if not base:
        print(f"(corpus not found at {CORPUS}: synthetic stories, no quality rows)\n")
        base = synthetic_stories(rng)
        source = f"{len(base)} synthetic stories"
    stories = [base[i % len(base)] for i in range(STORIES)]
    chars = statistics.mean(len(t) + len(x) for t, x in base)
    keywords = keywords_from(base, rng)
    catalogue = load_catalogue()

    plain, compile_catalogue = timed(Matcher, catalogue)
    with_keywords, compile_all = timed(Matcher, catalogue, keywords)
    _, swap = timed(plain.with_keywords, keywords)
    rate_plain, _ = throughput(plain, stories)
    rate_keywords, found = throughput(with_keywords, stories)

    rows = [
        ("Input", f"{STORIES:,} stories: {source}, repeated; mean {chars:,.0f} characters"),
        ("Catalogue", f"{len(catalogue)} brands"),
        ("Stories/s, catalogue only", f"{rate_plain:,.0f}"),
        (
            f"Stories/s, catalogue + {len(keywords):,} keywords",
            f"{rate_keywords:,.0f} ({found:.1f} keywords found per story)",
        ),
        ("Compile: catalogue", f"{compile_catalogue * 1000:.0f} ms"),
        (f"Compile: catalogue + {len(keywords):,} keywords", f"{compile_all * 1000:.0f} ms"),
        (f"with_keywords({len(keywords):,} keywords)", f"{swap * 1000:.0f} ms"),
        ("Text scanned", "whole title and text (feeds.py caps stored text at 20,000 characters)"),
    ]
    try:
        from tests.test_matching_quality import quality_report

        report = quality_report()
    except (FileNotFoundError, ImportError) as exc:  # no corpus, or no pytest installed
        rows.append(("Quality", f"skipped: {exc}"))
    else:
        rows.append(
            (
                "Hand labels",
                f"{report['stories']} stories, {report['about_labels']} ABOUT labels",
            )
        )
        for key, label in (
            ("matcher", "Matcher (with the feed's own brand as source_hint)"),
            ("without_source", "Matcher without source_hint"),
            ("baseline", "Naive baseline"),
        ):
            r = report[key]
            rows.append(
                (
                    f"{label}: precision / recall / F1 of ABOUT",
                    f"{r['precision']:.3f} / {r['recall']:.3f} / {r['f1']:.3f}",
                )
            )
    rows += [
        (
            "Machine",
            f"{platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        ),
        ("Date", datetime.date.today().isoformat()),
    ]
    print("| Measure | Result |")
    print("|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
