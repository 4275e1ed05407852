"""news/ingest.py's numbered rules, one table or test per rule, on drafts built in the test."""

from __future__ import annotations

import dataclasses

import pytest

from news.ingest import BURST_PUSHES, prepare
from tests.drafts import drafts

NOW = 1_800_000_000


@dataclasses.dataclass(frozen=True)
class Tags:
    about: frozenset[str] = frozenset({"apple"})
    mentions: frozenset[str] = frozenset()
    keywords: frozenset[str] = frozenset()


def tag(_draft):
    return Tags()


def test_rule_1_an_entry_stored_with_the_same_content_is_dropped():
    entries = drafts(["Apple ships a phone"], newest=NOW)
    known = {entries[0].identity: entries[0].content_hash}
    assert prepare(entries, known, tag, backlog=False, push_since=0) == []


def test_rule_2_an_entry_stored_with_other_content_is_an_edit_summarized_again_not_pushed():
    entries = drafts(["Apple ships a phone"], newest=NOW)
    [item] = prepare(entries, {entries[0].identity: "old hash"}, tag, backlog=False, push_since=0)
    assert item.edit and not item.pushable and item.tags is None
    assert item.draft.summary  # summarized again


def test_rule_3_a_new_entry_is_summarized_tagged_and_given_its_event_terms():
    [item] = prepare(drafts(["Apple ships a phone"], newest=NOW), {}, tag, backlog=False,
                     push_since=0)  # fmt: skip
    assert not item.edit and item.tags == Tags() and item.event is not None
    assert item.draft.summary


@pytest.mark.parametrize(
    ("backlog", "published_ago", "pushable"),
    [
        (False, 60, True),  # new, recent, not the first poll
        (True, 60, False),  # the source's first poll: archived
        (False, 3 * 86400, False),  # older than push_since
    ],
)
def test_rule_4_a_new_story_is_pushable_unless_backlog_or_old(backlog, published_ago, pushable):
    [item] = prepare(
        drafts(["Apple ships a phone"], newest=NOW - published_ago), {}, tag,
        backlog=backlog, push_since=NOW - 2 * 86400,
    )  # fmt: skip
    assert item.pushable is pushable
    assert item.burst is False  # only rule 5 archives as a burst


@pytest.mark.parametrize(
    ("new", "pushed"),
    [(1, 1), (BURST_PUSHES, BURST_PUSHES), (BURST_PUSHES + 1, BURST_PUSHES), (500, BURST_PUSHES)],
)
def test_rule_5_a_burst_pushes_only_its_newest_stories_and_archives_the_rest(new, pushed):
    titles = [f"Apple story number {i}" for i in range(new)]
    ready = prepare(drafts(titles, newest=NOW), {}, tag, backlog=False, push_since=0)
    assert len(ready) == new  # every story is stored
    kept = [item for item in ready if item.pushable]
    assert len(kept) == pushed
    assert sum(item.burst for item in ready) == new - pushed
    newest = sorted((item.draft.published_at for item in ready), reverse=True)[:pushed]
    assert sorted((item.draft.published_at for item in kept), reverse=True) == newest


def test_rule_5_counts_only_pushable_stories_so_old_entries_do_not_make_a_burst():
    recent = drafts([f"Apple recent {i}" for i in range(3)], newest=NOW)
    old = [
        dataclasses.replace(d, identity=f"old:{i}", published_at=NOW - 5 * 86400)
        for i, d in enumerate(drafts([f"Apple old {i}" for i in range(200)], newest=NOW))
    ]
    ready = prepare(recent + old, {}, tag, backlog=False, push_since=NOW - 2 * 86400)
    assert sum(item.pushable for item in ready) == 3
    assert not any(item.burst for item in ready)


def test_rule_5_among_equal_times_the_feeds_own_order_decides():
    same_time = [
        dataclasses.replace(d, published_at=NOW)
        for d in drafts([f"Apple undated {i}" for i in range(BURST_PUSHES + 5)], newest=NOW)
    ]
    ready = prepare(same_time, {}, tag, backlog=False, push_since=0)
    assert [item.pushable for item in ready] == [True] * BURST_PUSHES + [False] * 5
