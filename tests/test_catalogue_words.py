"""The catalogue against the languages the sources carry (news.matching, after its rule 8): a
brand's name that is an ordinary word of one of them must count only with the brand's capitals
(an exact name), or every Polish story that says "w przyszłym roku" ("next year") is Roku news
and every one that says "dwa lata temu" ("two years ago") is Temu's.

Which words are ordinary comes from wordfreq's word frequencies (a test dependency), not from a
list written here: a name is an ordinary word of a language when it is at least COMMON there
(Zipf 3: once in a million words) and MARGIN more frequent there than in English, where brand
names themselves are frequent (so "Google", common everywhere, is not flagged; "roku", 6.2 in
Polish against 2.9 in English, is).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from wordfreq import zipf_frequency

from news.catalogue import load_catalogue
from news.feeds import parse_feed
from news.matching import Matcher
from tests.corpus import CORPUS, NO_CORPUS

# German (the shipped heise and Golem feeds), Polish (the corpus's ITHardware), French (the
# corpus's PC INpact), Czech and the other large languages of outlets a user may add.
LANGUAGES = ("de", "pl", "cs", "fr", "es", "it", "pt", "nl")
COMMON = 3.0
MARGIN = 1.0
WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")


@cache
def _ordinary(word: str, language: str) -> bool:
    frequency = zipf_frequency(word.casefold(), language)
    return frequency >= COMMON and frequency - zipf_frequency(word.casefold(), "en") >= MARGIN


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_case_blind_name_is_an_ordinary_word_of_a_source_language(language):
    flagged = [
        f"{brand.key}: {alias}"
        for brand in load_catalogue()
        for alias in brand.aliases  # aliases ignore case; exact names keep it
        if WORD.fullmatch(alias) and _ordinary(alias, language)
    ]
    assert flagged == [], f"make these exact names (capitalised only) in brands.toml: {flagged}"


# (corpus file, its language) of every non-English feed with stories.
FEEDS = [
    ("feeds/golem-2017-12-09-rss-de.xml", "de"),
    ("feeds/heise-developer-2016-02-01-atom-de.xml", "de"),
    ("feeds/pcinpact-2013-04-06-rss-fr.xml", "fr"),
    *((f"clusters/feeds/ithardware/{n:03d}.xml", "pl") for n in range(14)),
]


def _only_ordinary_words(brand, title: str, text: str, language: str) -> bool:
    """Whether every place the story names the brand is an ordinary word of the language, in
    lowercase ("roku"), rather than the brand's own name."""
    found = []
    for name in (*brand.aliases, *brand.exact):
        pattern = r"(?<!\w)" + re.escape(name) + r"(?!\w)"
        found += re.findall(pattern, f"{title}\n{text}", flags=re.IGNORECASE)
    return bool(found) and all(w.islower() and _ordinary(w, language) for w in found)


@pytest.mark.parametrize(("name", "language"), FEEDS)
def test_no_story_of_a_non_english_feed_is_matched_by_an_ordinary_word(name, language):
    path = CORPUS / name
    if not path.is_file():
        pytest.skip(NO_CORPUS)
    catalogue = load_catalogue()
    matcher = Matcher(catalogue)
    feed = parse_feed(path.read_bytes(), url=f"https://example.com/{Path(name).name}")
    wrong = []
    for story in feed.stories:
        result = matcher.match(story.title, story.text)
        for key in result.about | result.mentions:
            brand = catalogue.get(key)
            if _only_ordinary_words(brand, story.title, story.text, language):
                wrong.append(f"{key} in {story.title!r}")
    assert wrong == []
