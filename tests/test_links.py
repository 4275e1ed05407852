"""Canonical article links: absolute, http(s) only, tracking parameters and fragments gone."""

from __future__ import annotations

import pytest

from news.links import TRACKING_PARAMS, TRACKING_PREFIXES, canonical_link, is_http_url
from tests.corpus import CORPUS, parsed_feed

BASE = "https://news.example.com/section/page.html"


@pytest.mark.parametrize(
    ("url", "base", "expected"),
    [
        # nothing to link to
        (None, None, None),
        ("", None, None),
        ("   \n\t ", None, None),
        (None, BASE, None),
        # whitespace around (and newlines inside) the value
        ("\n   https://example.com/a\n  ", None, "https://example.com/a"),
        ("https://example.com/long\n/path", None, "https://example.com/long/path"),
        # relative links
        (
            "/en/games/item/1",
            "https://www.example.com/en/games/rss",
            "https://www.example.com/en/games/item/1",
        ),
        ("item/2", "https://example.com/news/feed.xml", "https://example.com/news/item/2"),
        ("../up", "https://example.com/a/b/c", "https://example.com/a/up"),
        ("?page=2", "https://example.com/list", "https://example.com/list?page=2"),
        ("/a", "http://example.com/feed", "http://example.com/a"),
        ("/relative/without/base", None, None),
        ("relative", None, None),
        ("/a", "/also/relative", None),
        # protocol-relative
        ("//cdn.example.com/x", None, "https://cdn.example.com/x"),
        ("//cdn.example.com/x", "http://example.com/", "http://cdn.example.com/x"),
        ("//cdn.example.com/x", "https://example.com/", "https://cdn.example.com/x"),
        ("//cdn.example.com/x", "ftp://example.com/", "https://cdn.example.com/x"),
        # an absolute link ignores the base
        ("https://other.example/a", BASE, "https://other.example/a"),
        # only http and https
        ("javascript:alert(1)", None, None),
        ("javascript:alert(1)", BASE, None),
        ("mailto:editor@example.com", BASE, None),
        ("data:text/html,hello", None, None),
        ("ftp://example.com/file", None, None),
        ("tel:+100", BASE, None),
        ("www.example.com/no-scheme", None, None),
        ("https://", None, None),
        ("http:///path-without-host", None, None),
        ("https://bad host.example/", None, None),
        ("https://example.com:99999/", None, None),
        ("https://example.com:port/", None, None),
        ("http://[::1/", None, None),
        # case, default ports, empty path, trailing dot
        ("HTTPS://Example.COM/Path/Case", None, "https://example.com/Path/Case"),
        ("http://example.com:80/a", None, "http://example.com/a"),
        ("https://example.com:443/a", None, "https://example.com/a"),
        ("http://example.com:443/a", None, "http://example.com:443/a"),
        ("https://example.com:8443/a", None, "https://example.com:8443/a"),
        ("https://example.com", None, "https://example.com/"),
        ("https://example.com?x=1", None, "https://example.com/?x=1"),
        ("https://example.com./a", None, "https://example.com/a"),
        ("https://example.com/dir/", None, "https://example.com/dir/"),
        ("http://[2001:DB8::1]:80/a", None, "http://[2001:db8::1]/a"),
        ("https://user:secret@Example.com/a", None, "https://user:secret@example.com/a"),
        # fragments and empty queries
        ("https://example.com/a#comments", None, "https://example.com/a"),
        ("https://example.com/a?#top", None, "https://example.com/a"),
        ("https://example.com/a?", None, "https://example.com/a"),
        ("https://example.com/a?&&", None, "https://example.com/a"),
        # other parameters keep their order and encoding
        ("https://example.com/a?b=2&a=1", None, "https://example.com/a?b=2&a=1"),
        (
            "https://example.com/a?q=caf%C3%A9+x&flag",
            None,
            "https://example.com/a?q=caf%C3%A9+x&flag",
        ),
        ("https://example.com/%7Euser/A%20B", None, "https://example.com/%7Euser/A%20B"),
    ],
)
def test_canonical_link(url, base, expected):
    assert canonical_link(url, base) == expected


@pytest.mark.parametrize(
    ("query", "kept"),
    [
        ("utm_source=rss&utm_medium=feed&utm_campaign=x&utm_term=y&utm_content=z", ""),
        ("UTM_Source=rss&Utm_Medium=feed", ""),
        ("utm_id=1&utm_source_platform=x&utm_name=n", ""),
        ("fbclid=abc", ""),
        ("gclid=a&dclid=b&gbraid=c&wbraid=d", ""),
        ("msclkid=a&yclid=b&ysclid=c", ""),
        ("mc_cid=a&mc_eid=b", ""),
        ("_hsenc=a&_hsmi=b&mkt_tok=c", ""),
        ("igshid=a", ""),
        ("ref_src=twsrc%5Etfw&ref_url=x", ""),
        ("cmpid=a&ocid=b&icid=c", ""),
        ("wt_mc=rss.ho.beitrag.rdf", ""),
        ("wt_zmc=nl.int.zonaudev", ""),
        ("at_medium=a&at_campaign=b", ""),
        ("at_custom1=a&at_custom2=b&at_custom3=c&at_custom4=d", ""),
        ("__twitter_impression=true", ""),
        ("ncid=a&sr_share=facebook", ""),
        ("spm=a2g0o.detail.1000", ""),
        ("CMP=twt_gu", ""),
        ("guccounter=1&guce_referrer=x&guce_referrer_sig=y", ""),
        ("utm%5Fsource=encoded-name", ""),
        # kept
        ("id=42&utm_source=rss&page=2", "id=42&page=2"),
        ("si=abc", "si=abc"),
        ("from=rss", "from=rss"),
        ("rss=1", "rss=1"),
        ("ref=homepage", "ref=homepage"),
        ("utm=1", "utm=1"),
        ("sources=utm_x", "sources=utm_x"),
        ("v=dQw4w9WgXcQ&t=42", "v=dQw4w9WgXcQ&t=42"),
        ("q=a%26b&utm_source=x&z=%20", "q=a%26b&z=%20"),
        ("flag&utm_source=x", "flag"),
    ],
)
def test_tracking_parameters(query, kept):
    expected = "https://example.com/a" + (f"?{kept}" if kept else "")
    assert canonical_link(f"https://example.com/a?{query}") == expected


def test_tracking_constants():
    assert "fbclid" in TRACKING_PARAMS and "wt_mc" in TRACKING_PARAMS
    assert all(name == name.lower() for name in TRACKING_PARAMS)
    assert TRACKING_PREFIXES == ("utm_", "at_custom")
    assert not {"si", "from", "rss", "ref"} & TRACKING_PARAMS


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (
            "HTTPS://Example.com:443/story?utm_source=twitter#top",
            " https://example.com/story?fbclid=xyz ",
        ),
        ("http://example.com", "http://EXAMPLE.com:80/"),
        ("/story", "https://example.com/story?utm_medium=rss"),
    ],
)
def test_links_to_the_same_article_compare_equal(first, second):
    assert canonical_link(first, "https://example.com/") == canonical_link(second)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://example.com", True),
        ("http://example.com/a?b=c#d", True),
        ("HTTPS://EXAMPLE.COM", True),
        ("http://localhost:8080/x", True),
        ("  https://example.com  ", True),
        ("https://", False),
        ("https:///path", False),
        ("ftp://example.com", False),
        ("mailto:x@example.com", False),
        ("example.com", False),
        ("/relative", False),
        ("https://exa mple.com", False),
        ("https://example.com/a b", False),
        ("https://example.com:99999", False),
        ("", False),
        ("not a url", False),
    ],
)
def test_is_http_url(text, expected):
    assert is_http_url(text) is expected


# --- the real-feed corpus ----------------------------------------------------------------


def _all_feeds() -> list[str]:
    if not CORPUS.is_dir():
        return ["(missing)"]
    return [
        f"{folder}/{path.name}"
        for folder in ("feeds", "feeds-malformed")
        if (CORPUS / folder).is_dir()
        for path in sorted((CORPUS / folder).iterdir())
        if path.is_file()
    ]


def test_corpus_heise_rss090_links_lose_wt_mc():
    entries = parsed_feed("feeds-malformed/heise-online-2016-04-rss090-nodates-de.xml").entries
    assert len(entries) == 60
    for entry in entries:
        assert "?wt_mc=rss.ho.beitrag.rdf" in entry.link
        link = canonical_link(entry.link)
        assert link == entry.link.split("?")[0]
        assert link.startswith("http://www.heise.de/") and "wt_mc" not in link


def test_corpus_relative_links_resolve_against_the_fetch_url():
    feed = parsed_feed("feeds-malformed/neverwinter-2017-12-relative-urls.xml")
    # The channel <link> is itself relative ("/en/games/neverwinter/news"), so it cannot serve
    # as a base on its own: it has to be resolved against the URL the feed was fetched from.
    assert feed.feed.link.startswith("/")
    assert all(canonical_link(entry.link, base=feed.feed.link) is None for entry in feed.entries)
    fetched_from = "https://www.arcgames.com/en/games/neverwinter/news/rss"
    base = canonical_link(feed.feed.link, base=fetched_from)
    assert base == "https://www.arcgames.com/en/games/neverwinter/news"
    links = [canonical_link(entry.link, base=base) for entry in feed.entries]
    assert len(links) == 2
    for entry, link in zip(feed.entries, links, strict=True):
        assert link == "https://www.arcgames.com" + entry.link  # path and %-escapes untouched
        assert is_http_url(link)


@pytest.mark.parametrize("name", _all_feeds())
def test_corpus_every_entry_link_is_canonical(name):
    feed = parsed_feed(name)
    base = canonical_link(feed.feed.get("link"), base="https://feed.example/")
    for entry in feed.entries:
        if not entry.get("link"):
            continue
        link = canonical_link(entry.link, base=base)
        assert link is not None, entry.link
        assert is_http_url(link)
        assert "utm_" not in link and "#" not in link and "wt_mc" not in link
        assert canonical_link(link) == link  # idempotent
