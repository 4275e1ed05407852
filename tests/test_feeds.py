"""parse_feed on the real corpus and on hand-made edge cases: stories, never exceptions."""

from __future__ import annotations

import pytest

from news.feeds import parse_feed, split_fingerprints, title_key
from tests.corpus import CORPUS
from tests.fakes.feed_server import atom, rss

NOW = 1_795_564_800  # 2026-11-25 00:00 UTC

GOOD = sorted((CORPUS / "feeds").glob("*.xml")) if CORPUS.is_dir() else []
MALFORMED = sorted((CORPUS / "feeds-malformed").iterdir()) if CORPUS.is_dir() else []
needs_corpus = pytest.mark.skipif(
    not CORPUS.is_dir(),
    reason="real-feed corpus not found at ../shared/corpus (a clone without ../shared)",
)


def parse(path):
    return parse_feed(path.read_bytes(), url=f"https://feeds.example.test/{path.name}", now=NOW)


@needs_corpus
@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.name)
def test_every_real_feed_yields_titled_linked_dated_stories(path):
    feed = parse(path)
    assert feed.problem is None
    assert len(feed.stories) >= 10
    for story in feed.stories:
        assert story.title and "<" not in story.title
        assert story.link and story.link.startswith(("http://", "https://"))
        assert 946_684_800 < story.published_at <= NOW  # after 2000, not in the future
        assert story.identity.startswith(("guid:", "link:"))
    assert len({s.identity for s in feed.stories}) == len(feed.stories)


@needs_corpus
@pytest.mark.parametrize("path", MALFORMED, ids=lambda p: p.name)
def test_malformed_feeds_give_stories_or_a_problem_never_an_exception(path):
    feed = parse(path)
    assert feed.problem is not None or feed.stories
    for story in feed.stories:
        assert story.title


@needs_corpus
@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("techcrunch-2011-11-02-rss.xml", 20),  # blank line before <?xml: recovered
        ("arstechnica-2024-09-10-rss.xml", 20),
        ("daringfireball-2016-02-atom.xml", 47),  # Atom stored as .rss
        ("slashdot-2024-03-02-rss10-rdf.xml", 15),  # RSS 1.0
        ("golem-2017-12-09-rss-de.xml", 40),  # ISO-8859-1
    ],
)
def test_real_feed_counts(name, expected):
    assert len(parse(CORPUS / "feeds" / name).stories) == expected


@needs_corpus
@pytest.mark.parametrize(
    ("name", "expected", "problem"),
    [
        ("pcmag-dvorak-2018-01-illegally-nested-item.xml", 10, None),  # phantom items dropped
        ("nextinpact-2014-05-invalid-charref-fr.xml", 45, None),
        ("physorg-2021-07-unescaped-ampersand.xml", 30, None),
        ("xakep-2013-10-windows1251-ru.xml", 25, None),
        ("qq-tech-2018-09-19-gb2312-zh.xml", 1, None),
        ("dylanharris-artsandego-2026-02-broken-prolog.xml", 0, "unparseable document"),
        ("feedparser-illformed-incomplete-cdata.xml", 0, "unparseable document"),
    ],
)
def test_malformed_feed_outcomes(name, expected, problem):
    feed = parse(CORPUS / "feeds-malformed" / name)
    assert len(feed.stories) == expected
    assert (feed.problem or "").startswith(problem or "")


@needs_corpus
def test_feeds_without_dates_get_the_first_seen_time():
    feed = parse(CORPUS / "feeds-malformed" / "heise-online-2016-04-rss090-nodates-de.xml")
    assert len(feed.stories) == 60 and {s.published_at for s in feed.stories} == {NOW}
    assert all("wt_mc" not in s.link for s in feed.stories)  # tracking parameter removed


@needs_corpus
def test_relative_links_become_absolute():
    feed = parse(CORPUS / "feeds-malformed" / "neverwinter-2017-12-relative-urls.xml")
    assert [s.link.startswith("https://") for s in feed.stories] == [True, True]


@needs_corpus
def test_cyrillic_and_chinese_text_decodes():
    ru = parse(CORPUS / "feeds-malformed" / "xakep-2013-10-windows1251-ru.xml")
    assert any("а" in s.title for s in ru.stories)  # Cyrillic, not mojibake
    zh = parse(CORPUS / "feeds" / "geekpark-2020-12-17-rss-zh.xml")
    assert len(zh.stories) == 30 and all(s.title == s.title.strip() for s in zh.stories)
    assert any("小米" in s.title + s.text for s in zh.stories)


def test_future_dates_and_missing_dates_mean_first_seen():
    body = rss(
        "Desk",
        [
            {
                "title": "From the future",
                "link": "https://x.test/1",
                "pubDate": "Sat, 01 Jan 2050 00:00:00 GMT",
            },
            {"title": "Undated", "link": "https://x.test/2"},
            {
                "title": "Dated",
                "link": "https://x.test/3",
                "pubDate": "Tue, 24 Nov 2026 10:00:00 GMT",
            },
        ],
    )
    stories = parse_feed(body.encode(), url="https://x.test/feed", now=NOW).stories
    assert [s.published_at for s in stories] == [NOW, NOW, NOW - 14 * 3600]


def test_atom_content_is_preferred_over_the_summary():
    body = atom(
        "Desk",
        [{"title": "Full text", "link": "https://x.test/a", "summary": "Short teaser.",
          "content": "<p>The whole article, first paragraph.</p><p>Second paragraph.</p>"}],
    )  # fmt: skip
    (story,) = parse_feed(body.encode(), url="https://x.test/feed", now=NOW).stories
    assert story.text == "The whole article, first paragraph.\n\nSecond paragraph."


@pytest.mark.parametrize(
    ("entry", "identity"),
    [
        ({"title": "A", "guid": "g-1", "link": "https://x.test/a"}, "guid:g-1"),
        ({"title": "A", "link": "https://x.test/a?utm_medium=rss"}, "link:https://x.test/a"),
        ({"title": "A", "description": "text"}, "hash:"),
    ],
)
def test_identity_is_guid_else_link_else_hash(entry, identity):
    (story,) = parse_feed(rss("D", [entry]).encode(), url="https://x.test/f", now=NOW).stories
    assert story.identity.startswith(identity)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Apple unveils iPhone 16", "APPLE UNVEILS IPHONE 16!"),
        ("Xiaomi’s new phone", "Xiaomi s new phone"),
    ],
)
def test_title_keys_ignore_case_and_punctuation(a, b):
    assert title_key(a) == title_key(b)


def test_a_hostile_entrys_megabyte_fields_are_capped_not_stored_whole():
    from news.feeds import MAX_AUTHOR, MAX_IDENTITY, MAX_TITLE

    huge = "Xiaomi " * 150_000  # about a megabyte
    feed = rss("Desk", [{"title": huge, "link": "https://x.test/" + "a" * 1_000_000,
                         "guid": "g" * 1_000_000, "author": huge, "description": "Text."}])  # fmt: skip
    (story,) = parse_feed(feed.encode(), url="https://feeds.example.test/f.xml", now=NOW).stories
    assert len(story.title) <= MAX_TITLE and story.title.startswith("Xiaomi Xiaomi")
    assert len(story.author or "") <= MAX_AUTHOR
    assert story.link is None  # a megabyte "link" is not a link
    assert len(story.identity) <= MAX_IDENTITY + len("guid:")


_MIXED = (
    '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Desk</title>'
    "<item><title>Apple ships iPhone — “new” café</title><link>https://x.test/1</link>"
    "<description>Texte en français: élève.</description></item></channel></rss>"
)
_RUSSIAN = _MIXED.replace("Apple ships iPhone — “new” café", "Сяоми представила смартфон").replace(
    "Texte en français: élève.", "Продажи начнутся весной."
)


@pytest.mark.parametrize(
    ("body", "content_type", "title"),
    [
        # a: UTF-8 with a few stray bytes: those are dropped, the rest is not mojibake
        (_MIXED.encode().replace("café".encode(), b"caf\xff\xfe\xc3("), "application/rss+xml;"
         " charset=utf-8", "Apple ships iPhone — “new” caf("),
        # b: a whole cp1252 document labelled UTF-8 (by header or declaration)
        (_MIXED.encode("cp1252"), "application/rss+xml; charset=UTF-8",
         "Apple ships iPhone — “new” café"),
        (_MIXED.encode("cp1252"), None, "Apple ships iPhone — “new” café"),
        # b: a Russian cp1251 document labelled UTF-8
        (_RUSSIAN.encode("cp1251"), None, "Сяоми представила смартфон"),
        # valid documents are untouched
        (_MIXED.encode(), None, "Apple ships iPhone — “new” café"),
        (_MIXED.replace("utf-8", "windows-1252").encode("cp1252"), None,
         "Apple ships iPhone — “new” café"),
    ],
)  # fmt: skip
def test_bytes_that_are_not_their_declared_encoding_are_read_as_what_they_are(
    body, content_type, title
):
    feed = parse_feed(body, url="https://feeds.example.test/f.xml", content_type=content_type)
    assert feed.problem is None
    (story,) = feed.stories
    assert story.title == title
    assert story.text in ("Texte en français: élève.", "Продажи начнутся весной.")


def test_bytes_that_are_text_in_no_encoding_are_a_problem_not_mojibake():
    import random

    garbage = random.Random(7).randbytes(4000)
    body = _MIXED.encode().replace("café".encode(), garbage)
    feed = parse_feed(body, url="https://feeds.example.test/f.xml")
    assert feed.stories == [] and "not text in the encoding it declares" in feed.problem


RULE_7_ENTRY = {
    "title": "Xiaomi opens a store",
    "link": "https://example.test/a",
    "guid": "a",
    "description": "<p>Xiaomi opened a store in Moscow.</p>",
    "content": "<p>Xiaomi opened a store in Moscow today.</p>",
    "pubDate": "Tue, 24 Nov 2026 10:00:00 GMT",
    "author": "Ann Writer",
}


@pytest.mark.parametrize(
    ("change", "read_again"),
    [
        ({}, False),
        ({"title": "Xiaomi opens a bigger store"}, True),
        ({"link": "https://example.test/b"}, True),
        ({"guid": "b"}, True),
        ({"description": "<p>Xiaomi opened two stores.</p>"}, True),
        ({"content": "<p>Xiaomi opened a store <img src='https://example.test/i.jpg'></p>"}, True),
        ({"pubDate": "Tue, 24 Nov 2026 11:00:00 GMT"}, True),
        ({"author": "Bob Writer"}, True),
    ],
    ids=["nothing", "title", "link", "guid", "description", "content", "date", "author"],
)
def test_rule_7_an_entry_the_last_document_had_field_for_field_is_not_read_again(
    change, read_again
):
    other = {"title": "Another story", "link": "https://example.test/o", "guid": "o"}
    first = parse_feed(rss("Desk", [RULE_7_ENTRY, other]).encode(), url="https://f.test/", now=NOW)
    again = parse_feed(
        rss("Desk", [RULE_7_ENTRY | change, other]).encode(),
        url="https://f.test/",
        now=NOW,
        seen=split_fingerprints(first.fingerprints),
    )
    assert again.problem is None
    assert [s.title for s in again.stories] == (
        [(RULE_7_ENTRY | change)["title"]] if read_again else []
    )
    assert again.unchanged == (1 if read_again else 2)
    # the next poll knows every entry of this document, read or not
    assert split_fingerprints(again.fingerprints) == split_fingerprints(
        parse_feed(
            rss("Desk", [RULE_7_ENTRY | change, other]).encode(), url="https://f.test/", now=NOW
        ).fingerprints
    )


def test_rule_7_a_feed_whose_own_link_changed_is_read_again_whole():
    first = parse_feed(rss("Desk", [RULE_7_ENTRY]).encode(), url="https://f.test/", now=NOW)
    moved = rss("Desk", [RULE_7_ENTRY], link="https://moved.example.test/")
    again = parse_feed(
        moved.encode(), url="https://f.test/", now=NOW, seen=split_fingerprints(first.fingerprints)
    )
    assert (len(again.stories), again.unchanged) == (1, 0)


def test_rule_7_a_slightly_broken_feed_with_nothing_new_is_not_a_problem():
    broken = rss("Desk", [RULE_7_ENTRY]).replace("</channel>", "</chanel>")
    first = parse_feed(broken.encode(), url="https://f.test/", now=NOW)
    assert first.problem is None and len(first.stories) == 1
    again = parse_feed(
        broken.encode(), url="https://f.test/", now=NOW, seen=split_fingerprints(first.fingerprints)
    )
    assert (again.problem, again.stories, again.unchanged) == (None, [], 1)
