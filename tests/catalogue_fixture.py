"""A small catalogue written for the tests, so argument rules are tested apart from the data."""

import tomllib

from news.catalogue import Catalogue, parse_catalogue

SMALL_CATALOGUE = """
[categories]
phones = "Phones"
software = "Software"

[[brand]]
key = "xiaomi"
name = "Xiaomi"
category = "phones"
aliases = ["Xiaomi", "小米", "Сяоми", "Redmi", "Lei Jun"]
ambiguous = ["Mi"]

[[brand]]
key = "apple"
name = "Apple"
category = "phones"
aliases = ["iPhone", "Vision Pro", "Tim Cook"]
exact = ["Apple"]
exclude = ["Chinese Apple"]

[[brand]]
key = "samsung"
name = "Samsung"
category = "phones"
aliases = ["Samsung", "Galaxy S24"]
ambiguous = ["Galaxy"]

[[brand]]
key = "meta"
name = "Meta"
category = "software"
exact = ["Meta"]
aliases = ["Mark Zuckerberg"]
"""


def small_catalogue() -> Catalogue:
    return parse_catalogue(tomllib.loads(SMALL_CATALOGUE), "test catalogue")
