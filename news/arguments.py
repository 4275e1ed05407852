"""Splitting and judging what follows /subscribe and /unsubscribe.

Rules, in order:
0. The text is NFKC-normalized (full-width letters and digits read as plain ones), format
   characters (zero-width spaces and joiners, RTL marks, soft hyphens) are removed, so
   "app\u200ble" is "apple", and control characters (newlines, tabs) read as spaces.
1. Quotes make a phrase: "foldable phone" (also the typographic quotes phones insert: “ ” « » „).
2. When there is a comma outside quotes, each comma-separated part is one term.
3. Otherwise terms are separated by spaces, except that words forming a known multi-word name
   ("lei jun", "vision pro") are kept together, longest name first.
4. A company's legal or generic suffix after a brand's name ("Samsung Electronics", "Tesla
   Motors", "Google LLC", "Apple Inc.", "Яндекс ООО") is part of the name, not a keyword
   of its own: the term is the brand. Alone, such a word is a keyword like any other.
Then each term resolves to a brand, a "did you mean" suggestion, a free keyword, or a refusal.
5. A keyword that would match almost everything is asked about before it is followed
   (`doubtful_keyword`): fewer than 3 letters in a script that spaces its words ("le", "ai";
   not "小米"), a stop word of the corpus's languages ("the", "для", "und"), or a word every
   tech story carries ("app", "news", "phone"). The user confirms with a button.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from news.catalogue import Brand, Catalogue, normalize_name
from news.related import STOPWORDS

MIN_KEYWORD = 2
MAX_KEYWORD = 64
MAX_TERMS = 20  # per command; a pasted paragraph is refused, not turned into 300 keywords

_QUOTED = re.compile(r"[\"“”«»„]([^\"“”«»„]*)[\"“”«»„]")
_COMMAS = re.compile(r"[,，、;]")  # ASCII, fullwidth and ideographic commas, semicolons
_STRAY_QUOTES = '"“”«»„'


# Rule 4: words a company's name carries after the brand (compared case-folded, dots dropped).
COMPANY_WORDS = frozenset({
    "inc", "incorporated", "llc", "ltd", "limited", "plc", "gmbh", "ag", "sa", "se", "nv",
    "bv", "spa", "srl", "oy", "ab", "as", "kk", "corp", "corporation", "co", "company",
    "group", "holding", "holdings", "electronics", "motors", "motor", "technologies",
    "technology", "tech", "platforms", "international", "global", "mobile", "labs",
    "ооо", "оао", "пао", "зао", "ао", "групп", "компания",
})  # fmt: skip


def _clean(text: str) -> str:
    """Rule 0."""
    text = unicodedata.normalize("NFKC", text)
    kept = "".join(
        ""
        if unicodedata.category(ch) == "Cf"
        else " "
        if unicodedata.category(ch)[0] == "C"
        else ch
        for ch in text
    )
    return " ".join(kept.split())


def _company_word(term: str) -> bool:
    return term.strip().casefold().replace(".", "").strip(",") in COMPANY_WORDS


def split_terms(text: str, catalogue: Catalogue) -> list[str]:
    """The terms a user typed, in order, without duplicates (compared case-insensitively)."""
    text = _clean(text)
    phrases: list[str] = []

    def hide(match: re.Match[str]) -> str:
        # Park quoted phrases so their commas and spaces do not split them.
        phrases.append(match.group(1))
        return f"\x00{len(phrases) - 1}\x00"

    masked = _QUOTED.sub(hide, text)

    def unhide(part: str) -> str:
        return re.sub(r"\x00(\d+)\x00", lambda m: phrases[int(m.group(1))], part)

    terms: list[str] = []
    if _COMMAS.search(masked):
        terms = [unhide(part) for part in _COMMAS.split(masked)]
    else:
        words = masked.split(" ") if masked else []
        i = 0
        while i < len(words):
            if words[i].startswith("\x00"):
                terms.append(unhide(words[i]))
                i += 1
                continue
            taken = 1
            for n in range(min(catalogue.max_name_words, len(words) - i), 1, -1):
                candidate = normalize_name(" ".join(words[i : i + n]))
                if "\x00" not in candidate and catalogue.is_known_phrase(candidate):
                    taken = n
                    break
            terms.append(" ".join(words[i : i + taken]))
            i += taken

    result: list[str] = []
    seen: set[str] = set()
    for term in _merge_company_words(terms, catalogue):
        term = " ".join(term.strip(_STRAY_QUOTES + " ").split())
        key = normalize_name(term)
        if term and key not in seen:
            seen.add(key)
            result.append(term)
    return result


def _merge_company_words(terms: list[str], catalogue: Catalogue) -> list[str]:
    """Rule 4: "Samsung Electronics" (one term, or two after a split) is the brand Samsung."""
    merged: list[str] = []
    for term in terms:
        words = term.split()
        # a term of its own ending in company words ("Samsung Electronics" quoted or after
        # a comma): the brand, when the words before them name one
        while len(words) > 1 and _company_word(words[-1]):
            words.pop()
        if len(words) < len(term.split()) and catalogue.lookup(" ".join(words)) is not None:
            term = " ".join(words)
        elif _company_word(term) and merged and catalogue.lookup(merged[-1]) is not None:
            continue  # the suffix of the brand just before it ("Apple", "Inc.")
        merged.append(term)
    return merged


class Problem(StrEnum):
    """Why a term is not a keyword (news.replies.reason says it in words)."""

    NONE = ""
    TOO_SHORT = "too_short"  # fewer than MIN_KEYWORD characters
    TOO_LONG = "too_long"  # more than MAX_KEYWORD characters
    NO_WORD = "no_word"  # no letter or digit


class Verdict(StrEnum):
    BRAND = "brand"
    SUGGESTION = "suggestion"  # close to a brand: ask before subscribing
    KEYWORD = "keyword"
    INVALID = "invalid"


@dataclass(frozen=True)
class Resolution:
    term: str
    verdict: Verdict
    brand: Brand | None = None
    reason: Problem = Problem.NONE  # for INVALID: why

    @property
    def keyword(self) -> str:
        """The normalized form a keyword is stored and matched in."""
        return normalize_name(self.term)


def resolve_term(term: str, catalogue: Catalogue) -> Resolution:
    brand = catalogue.lookup(term)
    if brand is not None:
        return Resolution(term, Verdict.BRAND, brand)
    brand = catalogue.lookup_ambiguous(term) or catalogue.suggest(term)
    if brand is not None:
        return Resolution(term, Verdict.SUGGESTION, brand)
    return check_keyword(term)


# Rule 5: words every tech story carries.
GENERIC_WORDS = frozenset({
    "app", "apps", "news", "tech", "phone", "phones", "new", "update", "updates", "review",
    "reviews", "deal", "deals", "video", "launch", "release", "price", "device", "devices",
    "smartphone", "smartphones", "android", "ios", "ai",
    "новости", "новость", "телефон", "смартфон", "обзор",
})  # fmt: skip


def doubtful_keyword(keyword: str) -> bool:
    """Rule 5, for a keyword as stored (normalize_name). The stop words are news.related's,
    the ones the archive's ranking already uses."""
    spaced = not any(unicodedata.east_asian_width(ch) in ("W", "F") for ch in keyword)
    letters = sum(ch.isalnum() for ch in keyword)
    return (spaced and letters < 3) or keyword in STOPWORDS or keyword in GENERIC_WORDS


def check_keyword(term: str) -> Resolution:
    """A free keyword, if it is one: 2-64 characters with at least one letter or digit."""
    length = len(term)
    if length < MIN_KEYWORD:
        return Resolution(term, Verdict.INVALID, reason=Problem.TOO_SHORT)
    if length > MAX_KEYWORD:
        return Resolution(term, Verdict.INVALID, reason=Problem.TOO_LONG)
    if not any(ch.isalnum() for ch in term):
        return Resolution(term, Verdict.INVALID, reason=Problem.NO_WORD)
    return Resolution(term, Verdict.KEYWORD)
