"""The brand catalogue: which brands exist and the names they go by.

The data lives in `news/data/brands.toml` (operators may point NEWSBOT_BRANDS at their own
file). A brand has four kinds of names, because the press is sloppy with names:

- `aliases`: unambiguous names, matched case-insensitively (Xiaomi, 小米, Redmi, Lei Jun, iPhone);
- `exact`: names that count only with this capitalisation, because the lowercase form is an
  ordinary word (Apple, Meta, Arm, Amazon);
- `ambiguous`: words that may mean the brand but often do not (Galaxy, Windows, Mi, Pixel); they
  never identify a brand on their own;
- `exclude`: phrases in which the brand's names mean something else ("Chinese Apple" is Xiaomi,
  "Big Apple" is New York).

This module only loads, validates and looks names up; matching stories is news.matching's job.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import OSA

from news.errors import NewsbotError

KEY_RE = re.compile(r"^[a-z0-9_]{1,32}$")


class CatalogueError(NewsbotError, ValueError):
    """The catalogue file is missing, not TOML, or breaks a rule; the message says where."""


def normalize_name(text: str) -> str:
    """The form names are compared in: NFKC, casefolded, inner whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


@dataclass(frozen=True)
class Brand:
    key: str
    name: str
    category: str
    aliases: tuple[str, ...] = ()
    exact: tuple[str, ...] = ()
    ambiguous: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        """Every name that identifies the brand on its own (aliases and exact names)."""
        return self.aliases + self.exact


class Catalogue:
    def __init__(self, brands: list[Brand], categories: dict[str, str]) -> None:
        self.brands: dict[str, Brand] = {b.key: b for b in brands}
        self.categories = categories
        # What a user may type to name a brand: key, display name, aliases, exact names.
        self._by_name: dict[str, Brand] = {}
        self._by_ambiguous: dict[str, Brand] = {}
        for brand in brands:
            for name in (brand.key, brand.name, *brand.names):
                self._by_name.setdefault(normalize_name(name), brand)
            for word in brand.ambiguous:
                self._by_ambiguous.setdefault(normalize_name(word), brand)
        self._suggestion_names = list(self._by_name) + [
            n for n in self._by_ambiguous if n not in self._by_name
        ]
        self.multiword_names = frozenset(
            n for n in (*self._by_name, *self._by_ambiguous) if " " in n
        )
        self.max_name_words = max((n.count(" ") + 1 for n in self.multiword_names), default=1)

    def __len__(self) -> int:
        return len(self.brands)

    def __iter__(self):
        return iter(self.brands.values())

    def get(self, key: str) -> Brand | None:
        return self.brands.get(key)

    def lookup(self, term: str) -> Brand | None:
        """The brand a user means by `term` (any case), if it names exactly one."""
        return self._by_name.get(normalize_name(term))

    def lookup_ambiguous(self, term: str) -> Brand | None:
        """The brand an ambiguous word may stand for ("galaxy" -> Samsung)."""
        return self._by_ambiguous.get(normalize_name(term))

    def is_known_phrase(self, normalized: str) -> bool:
        return normalized in self.multiword_names

    def suggest(self, term: str) -> Brand | None:
        """The brand a typo most likely meant, or None when nothing is close enough.

        Edit distance counts a swap of two letters as one edit (OSA). Short words get less
        slack, and for them the first letter must agree: "beta" is not a typo of "Meta".
        """
        needle = normalize_name(term)
        if len(needle) < 4:
            return None
        max_edits = 1 if len(needle) <= 6 else 2
        best = process.extractOne(
            needle, self._suggestion_names, scorer=OSA.distance, score_cutoff=max_edits
        )
        if best is None:
            return None
        name = best[0]
        if len(needle) <= 5 and name[:1] != needle[:1]:
            return None
        return self._by_name.get(name) or self._by_ambiguous.get(name)

    def by_category(self) -> list[tuple[str, list[Brand]]]:
        """(heading, brands sorted by name) in the file's category order."""
        groups = [
            (
                heading,
                sorted((b for b in self if b.category == key), key=lambda b: b.name.casefold()),
            )
            for key, heading in self.categories.items()
        ]
        return [(heading, brands) for heading, brands in groups if brands]


def _strings(entry: dict, field: str, where: str) -> tuple[str, ...]:
    value = entry.get(field, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise CatalogueError(f"{where}: {field} must be a list of non-empty strings")
    return tuple(v.strip() for v in value)


def parse_catalogue(data: dict, source: str = "catalogue") -> Catalogue:
    """Validate parsed TOML and build the catalogue. Raises CatalogueError naming the problem."""
    categories = data.get("categories", {})
    if not isinstance(categories, dict) or not categories:
        raise CatalogueError(f"{source}: a [categories] table with at least one entry is required")
    entries = data.get("brand")
    if not isinstance(entries, list) or not entries:
        raise CatalogueError(f"{source}: no [[brand]] entries")
    brands: list[Brand] = []
    owner: dict[str, str] = {}  # normalized name -> brand key, to catch a name used twice
    for index, entry in enumerate(entries, 1):
        where = f"{source}: brand #{index}"
        key = entry.get("key")
        if not isinstance(key, str) or not KEY_RE.match(key):
            raise CatalogueError(f"{where}: key {key!r} must be 1-32 characters of [a-z0-9_]")
        where = f"{source}: brand {key!r}"
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            raise CatalogueError(f"{where}: name must be a non-empty string")
        category = entry.get("category")
        if category not in categories:
            raise CatalogueError(f"{where}: category {category!r} is not in [categories]")
        brand = Brand(
            key=key,
            name=name.strip(),
            category=category,
            aliases=_strings(entry, "aliases", where),
            exact=_strings(entry, "exact", where),
            ambiguous=_strings(entry, "ambiguous", where),
            exclude=_strings(entry, "exclude", where),
        )
        for n in {normalize_name(n) for n in (key, brand.name, *brand.names, *brand.ambiguous)}:
            if owner.get(n, key) != key:
                raise CatalogueError(f"{where}: the name {n!r} already belongs to {owner[n]!r}")
            owner[n] = key
        brands.append(brand)
    return Catalogue(brands, {str(k): str(v) for k, v in categories.items()})


def load_catalogue(path: Path | None = None) -> Catalogue:
    """Load the operator's file, or the catalogue shipped in the package."""
    try:
        if path is None:
            text = resources.files("news").joinpath("data/brands.toml").read_text("utf-8")
            source = "built-in brands.toml"
        else:
            text = Path(path).read_text("utf-8")
            source = str(path)
        data = tomllib.loads(text)
    except OSError as exc:
        raise CatalogueError(f"cannot read the brand catalogue: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"{source}: not valid TOML: {exc}") from None
    return parse_catalogue(data, source)
