"""Safe FTS queries and "Read also" ranking (news.related), table-driven."""

import pytest

from news.related import Candidate, pick_related, quote, related_query, search_query

NOW = 1_795_564_800
DAY = 86_400


@pytest.mark.parametrize(
    ("typed", "query"),
    [
        ("foldable phone", '"foldable" "phone"'),
        ('"); DROP TABLE stories; --', '"drop" "table" "stories"'),
        ("NEAR(xiaomi moscow)", '"near" "xiaomi" "moscow"'),
        ("title:xiaomi*", '"title" "xiaomi"'),
        ("Сяоми смартфон", '"сяоми" "смартфон"'),
        ("小米", '"小米"'),
        ("!!! ???", None),
        ("", None),
    ],
)
def test_search_queries_are_quoted_words_only(typed, query):
    assert search_query(typed) == query


def test_search_fallback_matches_any_word():
    assert search_query("xiaomi moscow", any_word=True) == '"xiaomi" OR "moscow"'


def test_quote_doubles_inner_quotes():
    assert quote('say "hi"') == '"say ""hi"""'


def test_related_query_uses_headline_then_lead_words_without_stopwords():
    query = related_query(
        "Xiaomi opens a store in Moscow", "The store is the first. Xiaomi fans queued."
    )
    assert query.split(" OR ")[:4] == ['"xiaomi"', '"opens"', '"store"', '"moscow"']
    assert '"the"' not in query and '"in"' not in query


def cand(cid, bm25, days_ago, brands=(), cluster=None):
    return Candidate(cid, cluster or cid, bm25, NOW - days_ago * DAY, frozenset(brands))


@pytest.mark.parametrize(
    ("brands", "candidates", "expected"),
    [
        # A story about a brand only gets stories sharing a brand.
        ({"xiaomi"}, [cand(1, -9, 1), cand(2, -5, 1, {"xiaomi"})], [2]),
        # Shared brands and similar words both count; best first.
        ({"xiaomi"}, [cand(1, -5, 1, {"xiaomi"}), cand(2, -8, 1, {"xiaomi"})], [2, 1]),
        # Recency: equal relevance, the fresher one first.
        (set(), [cand(1, -5, 60), cand(2, -5, 1)], [2, 1]),
        # One per cluster.
        (set(), [cand(1, -9, 1, cluster=7), cand(2, -8, 1, cluster=7), cand(3, -1, 1)], [1, 3]),
        # At most three.
        (set(), [cand(i, -i, 1) for i in range(1, 7)], [6, 5, 4]),
        # Nothing similar: nothing related.
        ({"apple"}, [], []),
    ],
)
def test_pick_related(brands, candidates, expected):
    assert pick_related(candidates, brands=frozenset(brands), now=NOW) == expected
