"""How /subscribe and /unsubscribe arguments are split and resolved (see news.arguments)."""

import pytest

from news.arguments import Verdict, resolve_term, split_terms
from tests.catalogue_fixture import small_catalogue

CATALOGUE = small_catalogue()


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("", []),
        ("   ", []),
        ("xiaomi", ["xiaomi"]),
        ("Apple SAMSUNG", ["Apple", "SAMSUNG"]),
        ("lei jun", ["lei jun"]),  # a known two-word alias stays whole
        ("Lei   Jun samsung", ["Lei Jun", "samsung"]),
        ("vision pro apple", ["vision pro", "apple"]),
        ("foldable phone", ["foldable", "phone"]),  # unknown words split on spaces
        ('"foldable phone"', ["foldable phone"]),
        ('"foldable phone" xiaomi', ["foldable phone", "xiaomi"]),
        ("“foldable phone” xiaomi", ["foldable phone", "xiaomi"]),  # iOS smart quotes
        ("«складной телефон»", ["складной телефон"]),
        ("foldable phone, xiaomi", ["foldable phone", "xiaomi"]),  # commas win over spaces
        ("a,, ,b", ["a", "b"]),
        ('"a, b", c', ["a, b", "c"]),  # a quoted comma is text
        ('"unbalanced quote', ["unbalanced", "quote"]),
        ("apple Apple APPLE", ["apple"]),  # duplicates dropped, first spelling kept
        ("小米，华为", ["小米", "华为"]),  # fullwidth comma
        ("xiaomi\u200b apple", ["xiaomi", "apple"]),  # zero-width space is not part of a name
        # rule 0: format characters inside a word are removed, not read as a space
        ("app\u200ble", ["apple"]),
        ("vision\u200c pro", ["vision pro"]),
        ("ＸＩＡＯＭＩ", ["XIAOMI"]),  # full-width letters (NFKC)
        ("xiaomi\napple", ["xiaomi", "apple"]),  # a newline is a space
        # rule 4: a company's suffix belongs to the brand's name
        ("Samsung Electronics", ["Samsung"]),
        ("Meta Platforms", ["Meta"]),
        ("Xiaomi Corp.", ["Xiaomi"]),
        ("Apple Inc.", ["Apple"]),
        ("Apple, Inc.", ["Apple"]),
        ('"Samsung Electronics", vision pro', ["Samsung", "vision pro"]),
        ("Сяоми ООО", ["Сяоми"]),
        ("electronics", ["electronics"]),  # alone, such a word is a keyword
        ("foldable electronics", ["foldable", "electronics"]),  # after a non-brand, too
    ],
)
def test_split_terms(text, terms):
    assert split_terms(text, CATALOGUE) == terms


@pytest.mark.parametrize(
    ("term", "verdict", "brand"),
    [
        ("xiaomi", Verdict.BRAND, "xiaomi"),
        ("XIAOMI", Verdict.BRAND, "xiaomi"),
        ("Redmi", Verdict.BRAND, "xiaomi"),
        ("小米", Verdict.BRAND, "xiaomi"),
        ("сяоми", Verdict.BRAND, "xiaomi"),
        ("lei jun", Verdict.BRAND, "xiaomi"),
        ("apple", Verdict.BRAND, "apple"),  # exact-case names still resolve when typed
        ("xiaomy", Verdict.SUGGESTION, "xiaomi"),  # one letter wrong
        ("samsng", Verdict.SUGGESTION, "samsung"),  # one letter missing
        ("appel", Verdict.SUGGESTION, "apple"),  # two letters swapped
        ("galaxy", Verdict.SUGGESTION, "samsung"),  # ambiguous word: ask, do not assume
        ("beta", Verdict.KEYWORD, None),  # short word, different first letter: not "meta"
        ("fusion", Verdict.KEYWORD, None),
        ("складной", Verdict.KEYWORD, None),
        ("a", Verdict.INVALID, None),
        ("x" * 65, Verdict.INVALID, None),
        ("<>&", Verdict.INVALID, None),
        ("🔥🔥", Verdict.INVALID, None),
    ],
)
def test_resolve_term(term, verdict, brand):
    r = resolve_term(term, CATALOGUE)
    assert r.verdict is verdict
    assert (r.brand.key if r.brand else None) == brand


def test_keyword_is_normalized_for_storage_but_keeps_its_label():
    r = resolve_term("  Foldable   Phone ", CATALOGUE)
    assert r.verdict is Verdict.KEYWORD
    assert r.keyword == "foldable phone"


@pytest.mark.parametrize(
    ("text", "brand"),
    [("Tesla Motors", "tesla"), ("Google LLC", "google"), ("Яндекс ООО", "yandex"),
     ("Lucid Motors", "lucid"), ("Samsung Electronics", "samsung")],
)  # fmt: skip
def test_rule_4_with_the_shipped_catalogue_a_company_name_is_one_brand(text, brand):
    from news.catalogue import load_catalogue

    catalogue = load_catalogue(None)
    (term,) = split_terms(text, catalogue)
    resolved = resolve_term(term, catalogue)
    assert resolved.verdict is Verdict.BRAND and resolved.brand.key == brand


@pytest.mark.parametrize(
    ("keyword", "doubtful"),
    [("le", True), ("ai", True), ("the", True), ("для", True), ("und", True), ("app", True),
     ("news", True), ("小米", False), ("5g", True), ("fusion", False), ("foldable phone", False),
     ("lidar", False)],
)  # fmt: skip
def test_rule_5_a_keyword_that_matches_almost_everything_is_asked_about(keyword, doubtful):
    from news.arguments import doubtful_keyword

    assert doubtful_keyword(keyword) is doubtful
