"""What speaking the chat's language costs: the same pushes, pages, bundles and digests rendered
in English and in Russian, in one run (news.i18n; issue 14).

    .venv/bin/python bench/i18n.py [--rounds 5]

Rows: loading the Russian catalogue (read_po and compiling it in memory, once per process);
a push (news.render.render_story) the first time a story's time is written and warm; a /latest
page of 20 stories; a bundle of 30; one chat's digest from a day of 300 stories. The floor of
each row is the English rendering of the same input, which takes the same path through the
catalogue code but reads no translation; the ratio is Russian / English, per round.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from news import i18n
from news.bundles import render_bundle
from news.digest import DigestDay, DigestStory, section_for
from news.models import Subscription, SubscriptionKind
from news.render import Outlet, RelatedLink, StoryView, render_list, render_story

NOW = 1_796_100_000
ZONES = ("Europe/Moscow", "Asia/Novosibirsk", "Europe/Berlin", "UTC")


def views(n: int, offset: int) -> list[StoryView]:
    return [
        StoryView(
            id=i,
            title=f"Xiaomi представила смартфон номер {i} с новой камерой",
            link=f"https://example.ru/{i}",
            source="3DNews",
            published_at=NOW - 3600 * (i % 300) - offset,
            summary="Компания показала смартфон. Он выйдет в марте по цене флагмана.",
            brands=("xiaomi",),
            read_also=(RelatedLink("Redmi Note 15 вышел", "https://example.ru/r"),),
            also=tuple(Outlet(f"Издание {k}", None) for k in range(5)),
        )
        for i in range(n)
    ]


def digest_day() -> tuple[DigestDay, list]:
    stories = [
        DigestStory(
            id=i,
            title=f"Новость {i} о бренде",
            link=f"https://example.ru/{i}",
            source="iXBT",
            published_at=NOW - i,
            first_seen_at=NOW - i,
            summary="Первое предложение пересказа. Второе.",
            brands=(f"b{i % 10}",),
        )
        for i in range(300)
    ]
    follows = [Subscription(SubscriptionKind.BRAND, f"b{k}", f"Бренд {k}") for k in range(10)]
    return DigestDay(stories), follows


def timed(work, repeat: int) -> float:
    started = time.perf_counter()
    for _ in range(repeat):
        work()
    return (time.perf_counter() - started) / repeat * 1e6  # µs


def one_round(round_no: int) -> dict[str, tuple[float, float]]:
    rows: dict[str, tuple[float, float]] = {}
    en, ru = i18n.translator("en"), i18n.translator("ru")
    offset = round_no * 100_000  # new times every round: the first-show rows stay cold

    def first_push(t, shift):
        fresh = views(200, offset + shift)
        return lambda: [render_story(t, v, ZONES[v.id % 4]) for v in fresh]

    rows["push, time not written before (200 stories)"] = (
        timed(first_push(en, 0), 1) / 200,
        timed(first_push(ru, 1), 1) / 200,
    )
    warm = views(200, offset)
    for t in (en, ru):
        for v in warm:
            render_story(t, v, "Europe/Moscow")
    rows["push, warm"] = tuple(
        timed(lambda t=t: [render_story(t, v, "Europe/Moscow") for v in warm], 5) / 200
        for t in (en, ru)
    )
    page = views(20, offset)
    rows["/latest page of 20"] = tuple(
        timed(lambda t=t: render_list(t, "<b>Latest</b>", page, "Europe/Moscow", NOW), 50)
        for t in (en, ru)
    )
    bundle = views(30, offset)
    rows["bundle of 30"] = tuple(
        timed(lambda t=t: render_bundle(t, bundle, ["Xiaomi"], "Europe/Moscow", NOW), 50)
        for t in (en, ru)
    )
    day, follows = digest_day()

    def digest(t):
        sections = [section_for(t, s) for s in follows]
        return lambda: day.compose(t, sections, after_id=0, timezone="Europe/Moscow", now=NOW)

    rows["one chat's digest (300 stories, 10 brands)"] = (
        timed(digest(en), 20),
        timed(digest(ru), 20),
    )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    started = time.perf_counter()
    i18n._translations("ru")
    load_ms = (time.perf_counter() - started) * 1000
    print(f"Russian catalogue loaded and compiled in {load_ms:.1f} ms (once per process)\n")
    rounds = [one_round(r) for r in range(args.rounds)]
    print("| rendering | English µs (median) | Russian µs (median) | Russian / English per round |")
    print("|---|---|---|---|")
    for name in rounds[0]:
        en = [r[name][0] for r in rounds]
        ru = [r[name][1] for r in rounds]
        ratios = " ".join(f"{b / a:.2f}" for a, b in zip(en, ru, strict=True))
        print(f"| {name} | {statistics.median(en):.1f} | {statistics.median(ru):.1f} | {ratios} |")


if __name__ == "__main__":
    main()
