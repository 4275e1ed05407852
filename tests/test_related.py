"""Safe FTS queries and "Read also" ranking (news.related), table-driven."""

import pytest

from news.related import (
    Candidate,
    keyword_query,
    overlap_score,
    parse_search,
    pick_related,
    quote,
    related_terms,
    search_query,
)

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


@pytest.mark.parametrize(
    ("typed", "query", "shown"),
    [
        ('"portrait mode"', '"portrait mode"', "portrait mode"),  # b: a phrase, shown once
        ("“portrait mode” pixel", '"pixel" "portrait mode"', "pixel portrait mode"),
        ('"xiaomi"', '"xiaomi"', "xiaomi"),  # a quoted word is a word
        ("ipho*", '"ipho"*', "ipho*"),  # c: a prefix of 2+ letters
        ("i*", '"i"', "i"),  # too short to be a prefix: a word
        ("apple -iphone", '("apple") NOT ("iphone")', "apple -iphone"),  # d
        ("-iphone", None, "-iphone"),  # nothing left to search for
        ("apple -", '"apple"', "apple"),
        ("apple -x OR", '("apple" "or") NOT ("x")', "apple OR -x"),  # OR is a word here
    ],
)
def test_what_search_understands_is_quoted_fts5_only(typed, query, shown):
    assert search_query(typed) == query
    assert parse_search(typed).shown() == shown


def test_e_a_brands_names_are_searched_as_one_of_them():
    query = search_query("Сяоми", synonyms=("Xiaomi", "小米", "Сяоми"))
    assert query == '("сяоми" OR "xiaomi" OR "小米")'


def test_search_fallback_matches_any_word():
    assert search_query("xiaomi moscow", any_word=True) == '"xiaomi" OR "moscow"'


def test_quote_doubles_inner_quotes():
    assert quote('say "hi"') == '"say ""hi"""'


def test_related_terms_are_headline_then_lead_words_without_stopwords():
    terms = related_terms(
        "Xiaomi opens a store in Moscow", "The store is the first. Xiaomi fans queued."
    )
    assert terms[:4] == ["xiaomi", "opens", "store", "moscow"]
    assert "the" not in terms and "in" not in terms


@pytest.mark.parametrize(
    ("title", "lead", "score"),
    [
        # 3 for each of the story's words in the headline, 1 for each only in the lead
        ("Xiaomi opens a store", "Fans queued in Moscow.", -7.0),  # xiaomi, store; moscow
        ("XIAOMI Store", "", -6.0),  # case does not matter
        ("Xiaomi's store", "", -6.0),  # an apostrophe ends a word
        ("Xiaomi_store opens", "", 0.0),  # an underscore does not: one word
        ("Xiaomis store-front", "storefront", -3.0),  # only whole words: xiaomis, front
        ("Moscow2 xiaomi", "", -3.0),  # digits are word characters
        ("", "x" * 596 + " mosc" + "ow", 0.0),  # the lead counts up to LEAD characters
        ("", "x" * 593 + " moscow", -1.0),
        ("Xiaomi открывает магазин", "в Москве", -3.0),  # any script
        ("Straße: Xiaomi store", "", -6.0),  # "ß" folds to two letters
        ("Xiaomi’s store—Moscow", "", -9.0),  # typographic punctuation ends words
        ("Xiaomi\u0301 store", "", -6.0),  # a combining accent is no word character (\w)
        ("Xiaomi store", "Moscow MOSCOW moscow", -7.0),  # each word counts once
    ],
)
def test_a_candidate_scores_the_story_words_it_shares_as_whole_words(title, lead, score):
    assert overlap_score(["xiaomi", "store", "moscow"], title, lead) == score


@pytest.mark.parametrize(
    ("keyword", "query"),
    [
        # A phrase, and the plural the keyword rule accepts.
        ("foldable phone", '"foldable phone" OR "foldable phones"'),
        ("xbox", '"xbox" OR "xboxes"'),
        # No plural for a keyword that does not end in a Latin letter.
        ("小米", '"小米"'),
        ("rtx 5090", '"rtx 5090"'),
        # "ss" may stand for the "ß" casefolding removed.
        ("strasse", '"strasse" OR "strasses" OR "straße" OR "straßes"'),
        # FTS syntax is searched as words, never run.
        ('a" or b', '"a"" or b" OR "a"" or bs"'),
        # Nothing to search for.
        ("+++", None),
    ],
)
def test_keyword_query_is_the_phrase_and_the_forms_the_keyword_rule_accepts(keyword, query):
    assert keyword_query(keyword) == query


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


async def test_read_also_is_computed_by_the_job_and_never_by_a_read(tmp_path):
    """Reads do not write: views leave related_at alone; the job (or a push) stores it."""
    from news.models import SourceOrigin
    from storage import Storage
    from tests.drafts import drafts
    from usecases import related
    from usecases.ingest import store_entries

    storage = await Storage.open(tmp_path / "r.sqlite3", clock=lambda: NOW)
    try:
        source, _ = await storage.sources.add("https://x.test/feed", origin=SourceOrigin.CLI)
        entries = drafts(["Moscow store opens for Xiaomi", "Xiaomi store in Moscow"], newest=NOW)
        await store_entries(storage, source.id, entries, tag=None, backlog=True, push_since=0)
        ids = sorted(await storage.archive.lacking_related(0, 10))
        views = await related.views(storage, ids)
        assert [link.title for link in views[ids[0]].read_also] == ["Xiaomi store in Moscow"]
        assert sorted(await storage.archive.lacking_related(0, 10)) == ids  # nothing written
        assert (await storage.stories.views(ids))[ids[0]].read_also is None
        assert await related.fill_recent(storage) == 2
        assert await storage.archive.lacking_related(0, 10) == []
        stored = await storage.stories.views(ids)
        assert stored[ids[0]].read_also == views[ids[0]].read_also
    finally:
        await storage.close()


async def test_what_an_answer_computed_is_stored_by_the_job_not_by_the_answer(tmp_path):
    """An old story (past the job's day) shown by /latest: computed once for the answer,
    handed to Unsaved, stored at the job's next run; the answer itself wrote nothing."""
    from news.models import SourceOrigin
    from storage import Storage
    from tests.drafts import drafts
    from usecases import related
    from usecases.ingest import store_entries

    now = [NOW - 3 * DAY]
    storage = await Storage.open(tmp_path / "r.sqlite3", clock=lambda: now[0])
    try:
        source, _ = await storage.sources.add("https://x.test/feed", origin=SourceOrigin.CLI)
        entries = drafts(
            ["Moscow store opens for Xiaomi", "Xiaomi store in Moscow"], newest=NOW - 3 * DAY
        )
        await store_entries(storage, source.id, entries, tag=None, backlog=True, push_since=0)
        now[0] = NOW  # three days later: the job's window has passed these stories
        ids = sorted(await storage.archive.lacking_related(0, 10))
        assert await related.fill_recent(storage) == 0
        unsaved = related.Unsaved()
        views = await related.views(storage, ids, unsaved)
        assert len(unsaved) == 2
        assert (
            sorted(await storage.archive.lacking_related(0, 10)) == ids
        )  # the answer wrote nothing
        assert await related.fill_recent(storage, unsaved) == 2
        assert await storage.archive.lacking_related(0, 10) == []
        assert (await storage.stories.views(ids))[ids[0]].read_also == views[ids[0]].read_also
    finally:
        await storage.close()
