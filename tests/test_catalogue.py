"""The brand catalogue: the shipped data and the loader's rules."""

import tomllib

import pytest

from news.catalogue import CatalogueError, load_catalogue, parse_catalogue
from tests.catalogue_fixture import small_catalogue

SHIPPED = load_catalogue()


def test_shipped_catalogue_is_large_and_covers_the_brands_users_ask_for():
    assert len(SHIPPED) >= 60
    required = [
        "apple",
        "samsung",
        "xiaomi",
        "huawei",
        "honor",
        "oppo",
        "vivo",
        "oneplus",
        "realme",
        "google",
        "motorola",
        "nokia",
        "sony",
        "nothing",
        "microsoft",
        "meta",
        "openai",
        "amazon",
        "netflix",
        "intel",
        "amd",
        "nvidia",
        "qualcomm",
        "mediatek",
        "tsmc",
        "arm",
        "tesla",
        "spacex",
        "yandex",
        "kaspersky",
        "vk",
    ]
    assert [key for key in required if SHIPPED.get(key) is None] == []


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("Xiaomi", "xiaomi"),
        ("小米", "xiaomi"),
        ("Сяоми", "xiaomi"),
        ("redmi", "xiaomi"),
        ("POCO", "xiaomi"),
        ("lei jun", "xiaomi"),
        ("iPhone", "apple"),
        ("AirPods", "apple"),
        ("tim cook", "apple"),
        ("macos", "apple"),
        ("Яндекс", "yandex"),
        ("ChatGPT", "openai"),
        ("snapdragon", "qualcomm"),
        ("starlink", "spacex"),
    ],
)
def test_shipped_aliases_name_their_brand(typed, key):
    assert SHIPPED.lookup(typed).key == key


@pytest.mark.parametrize(
    ("word", "key"), [("Galaxy", "samsung"), ("Windows", "microsoft"), ("Mi", "xiaomi")]
)
def test_ambiguous_words_never_name_a_brand_on_their_own(word, key):
    assert SHIPPED.lookup(word) is None
    assert SHIPPED.lookup_ambiguous(word).key == key


def test_chinese_apple_is_an_exclusion_of_apple():
    apple = SHIPPED.get("apple")
    assert "Chinese Apple" in apple.exclude
    assert "Apple" in apple.exact and "Apple" not in apple.aliases  # "apple" the fruit


def test_categories_group_every_brand():
    grouped = [b.key for _, brands in SHIPPED.by_category() for b in brands]
    assert sorted(grouped) == sorted(SHIPPED.brands)


@pytest.mark.parametrize(
    ("toml", "problem"),
    [
        ("", "categories"),
        ('[categories]\np = "P"\n', "no \\[\\[brand\\]\\]"),
        ('[categories]\np = "P"\n[[brand]]\nkey = "Bad Key"\nname = "X"\ncategory = "p"\n', "key"),
        ('[categories]\np = "P"\n[[brand]]\nkey = "x"\nname = ""\ncategory = "p"\n', "name"),
        ('[categories]\np = "P"\n[[brand]]\nkey = "x"\nname = "X"\ncategory = "q"\n', "category"),
        (
            '[categories]\np = "P"\n[[brand]]\nkey = "x"\nname = "X"\ncategory = "p"\n'
            'aliases = "X"\n',
            "aliases",
        ),
        (
            '[categories]\np = "P"\n'
            '[[brand]]\nkey = "a"\nname = "A"\ncategory = "p"\naliases = ["Shared"]\n'
            '[[brand]]\nkey = "b"\nname = "B"\ncategory = "p"\nambiguous = ["shared"]\n',
            "already belongs to 'a'",
        ),
    ],
)
def test_broken_catalogues_are_refused_with_the_reason(toml, problem):
    with pytest.raises(CatalogueError, match=problem):
        parse_catalogue(tomllib.loads(toml), "brands.toml")


def test_operator_file_is_loaded_and_bad_toml_is_reported(tmp_path):
    good = tmp_path / "mine.toml"
    good.write_text(
        '[categories]\nx = "X"\n[[brand]]\nkey = "acme"\nname = "Acme"\ncategory = "x"\n'
    )
    assert [b.key for b in load_catalogue(good)] == ["acme"]
    bad = tmp_path / "bad.toml"
    bad.write_text("[categories\n")
    with pytest.raises(CatalogueError, match="not valid TOML"):
        load_catalogue(bad)
    with pytest.raises(CatalogueError, match="cannot read"):
        load_catalogue(tmp_path / "missing.toml")


def test_suggestions_need_a_close_name():
    small = small_catalogue()
    assert small.suggest("xiaomy").key == "xiaomi"
    assert small.suggest("fusion") is None
    assert small.suggest("xia") is None  # too short to guess from
