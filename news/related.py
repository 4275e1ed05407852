"""Related stories ("Read also") and safe full-text queries. Pure functions.

Full-text queries are built only from word tokens, each in double quotes, so any input —
quotes, FTS operators (AND, NEAR, ^, column filters), SQL — is searched as words and can
never be read as FTS5 or SQL syntax. What /search understands of what people type
(`parse_search`), each turned into FTS5 by this module alone:
a. words: every one must match (the any-word fallback: one of them);
b. "a phrase" in quotes (straight or typographic): its words next to each other;
c. a trailing `*` on a word of 2+ letters: words starting with it (`ipho*` finds iPhone);
d. `-word`: stories without it (ignored when nothing else is asked for);
e. a brand's name searched (the caller passes the brand's other names): any of them
   (`/search Сяоми` also finds "Xiaomi" and "小米").

"Read also" ranking, in order:
1. Candidates, within RELATED_WINDOW days, never the story itself or its cluster: for a story
   about brands, the newest RELATED_CANDIDATES stories about the same brands, scored by the
   story's headline and lead words they share (a shared headline word weighs 3); for a story
   about no brand, FTS5 bm25 over the same words in the recent window. (Ranking every FTS
   match in a million-story archive cost seconds per story; the brand index bounds the work.)
2. When the story is about brands, a candidate must share at least one of them: similar words
   about another company are not related reading.
3. Score = relevance x (1 + BRAND_BOOST per shared brand) x recency (halving every
   RECENCY_HALF_LIFE days); the best READ_ALSO, one per cluster.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

RELATED_WINDOW = 90  # days
RELATED_CANDIDATES = 300  # newest same-brand stories scored for a story about brands
READ_ALSO = 3
BRAND_BOOST = 0.6
RECENCY_HALF_LIFE = 30.0  # days
MAX_QUERY_TERMS = 12
LEAD = 600  # characters of text that count as the lead
_WORD = re.compile(r"\w+", re.UNICODE)
_STOPWORD_TEXT = (
    # English
    "the and for with that this from have has had was were are will would could should its"
    " their they them then than into over under about after before what when where which who"
    " why how new more most also just been being not but can all any our out you your his her"
    " she him says said say one two first last year years week day today now get gets got"
    " make makes made use uses used via per off some such only other like here there these"
    # Russian
    " это как что для или его она они при так уже еще ещё был была были будет может"
    " которые который также после более года году"
    # German
    " der die das und mit für von den dem des ein eine einer nicht auch auf ist sind wird"
    " werden bei aus nach wie über"
    # French
    " les des une pour avec dans sur par est sont qui que pas plus ses aux été"
)
STOPWORDS = frozenset(_STOPWORD_TEXT.split())  # also the base of news.events' list


def words(text: str) -> list[str]:
    return [w.casefold() for w in _WORD.findall(text)]


def quote(term: str) -> str:
    """One FTS5 string token: inside double quotes, a double quote is doubled."""
    return '"' + term.replace('"', '""') + '"'


_QUOTES = re.compile(r"[\"“”«»„]([^\"“”«»„]*)[\"“”«»„]")
_PREFIX = re.compile(r"^(\w{2,})\*$", re.UNICODE)


@dataclass(frozen=True)
class SearchTerms:
    """What a /search text asks for (rules a-d)."""

    words: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()
    prefixes: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()

    def shown(self) -> str:
        """The search as the user should read it back: "portrait mode" once, ipho*, -iphone."""
        parts = [*self.words, *(" ".join(p) for p in self.phrases),
                 *(f"{p}*" for p in self.prefixes), *(f"-{x}" for x in self.excluded)]  # fmt: skip
        return " ".join(parts)


def parse_search(user_text: str) -> SearchTerms:
    """Rules a-d: the words, phrases, prefixes and exclusions of a /search text."""
    phrases: list[tuple[str, ...]] = []

    def park(match: re.Match[str]) -> str:
        phrase = tuple(_WORD.findall(match.group(1)))
        if len(phrase) > 1:
            phrases.append(phrase)
            return " "
        return " " + " ".join(phrase) + " "  # a quoted single word is just a word

    rest = _QUOTES.sub(park, user_text)
    plain: list[str] = []
    prefixes: list[str] = []
    excluded: list[str] = []
    for chunk in rest.split():
        if chunk.startswith("-") and len(chunk) > 1:
            excluded += words(chunk[1:])
            continue
        prefix = _PREFIX.match(chunk)
        if prefix:
            prefixes.append(prefix.group(1))
            continue
        plain += _WORD.findall(chunk)  # as typed: shown back so; FTS5 ignores case anyway
    return SearchTerms(
        _unique(plain)[: MAX_QUERY_TERMS * 2], tuple(dict.fromkeys(phrases)),
        _unique(prefixes), _unique(excluded),
    )  # fmt: skip


def _unique(items: list[str]) -> tuple[str, ...]:
    """First spelling of each, compared without case."""
    return tuple({item.casefold(): item for item in reversed(items)}.values())[::-1]


def search_query(
    user_text: str, *, any_word: bool = False, synonyms: tuple[str, ...] = ()
) -> str | None:
    """An FTS5 query for what a user typed (rules a-e): every part must match (or any, for a
    fallback), minus the excluded words. `synonyms`: other names of the brand the text names
    (rule e). None when there is nothing to search for."""
    terms = parse_search(user_text)
    parts = [quote(w.casefold()) for w in terms.words]
    parts += [quote(" ".join(p).casefold()) for p in terms.phrases]
    parts += [quote(p.casefold()) + "*" for p in terms.prefixes]
    if synonyms:  # the brand's names: any one of them stands for the whole text
        names = [" ".join(words(n)) for n in (user_text, *synonyms)]
        unique = [n for n in dict.fromkeys(names) if n]
        parts = ["(" + " OR ".join(quote(n) for n in unique) + ")"] if unique else parts
    if not parts:
        return None
    query = (" OR " if any_word else " ").join(parts)
    if terms.excluded:
        query = f"({query}) NOT (" + " OR ".join(quote(x.casefold()) for x in terms.excluded) + ")"
    return query


def related_terms(title: str, text: str) -> list[str]:
    """Headline words first, then lead words: the story's distinctive vocabulary."""
    terms: list[str] = []
    for word in words(title) + words(text[:LEAD]):
        if len(word) < 3 or word.isdigit() or word in STOPWORDS or word in terms:
            continue
        terms.append(word)
        if len(terms) == MAX_QUERY_TERMS:
            break
    return terms


def keyword_query(keyword: str) -> str | None:
    """An FTS5 query that finds every story the keyword rule (news.matching.names_keyword)
    could accept: the keyword as a phrase, with the plural forms that rule allows ("foldable
    phones", "xboxes") and the "ß" that casefolding turned into "ss". It only narrows the
    candidates; the rule decides. None when the keyword holds no word to search for."""
    keyword = " ".join(keyword.split())
    if not words(keyword):
        return None
    forms = [keyword]
    if "a" <= keyword[-1] <= "z":
        forms.append(keyword + ("es" if keyword.endswith(("s", "x", "z", "ch", "sh")) else "s"))
    if "ss" in keyword:
        forms += [form.replace("ss", "\u00df") for form in forms]
    return " OR ".join(quote(form) for form in forms)


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"  # what \w matches


def _contains_word(text: str, folded: str, word: str) -> bool:
    """Whether `word` is one of `words(text)`, where `folded` is text.casefold() with one
    character for each of text's: a substring test first, then the boundaries, read in
    `text` itself as the tokenizer reads them."""
    start = folded.find(word)
    while start >= 0:
        end = start + len(word)
        if (start == 0 or not _is_word_char(text[start - 1])) and (
            end == len(text) or not _is_word_char(text[end])
        ):
            return True
        start = folded.find(word, start + 1)
    return False


def _vocabulary(text: str) -> Callable[[str], bool]:
    """A test of "is this one of words(text)". Tokenizing each candidate's lead was most of
    the cost of a story's read-also; a few substring tests are not."""
    folded = text.casefold()
    if len(folded) == len(text):  # no "ß" -> "ss": positions in both are the same
        return lambda word: _contains_word(text, folded, word)
    return set(words(text)).__contains__


def overlap_score(terms: list[str], title: str, lead: str) -> float:
    """How much of the story's vocabulary a candidate shares: 3 per headline word, 1 per lead
    word. Returned negated, like bm25, so lower is better and pick_related treats both alike."""
    in_title, in_lead = _vocabulary(title), _vocabulary(lead[:LEAD])
    return -float(sum(3 if in_title(w) else 1 if in_lead(w) else 0 for w in terms))


@dataclass(frozen=True)
class Candidate:
    id: int
    cluster_id: int
    bm25: float  # SQLite's bm25() or overlap_score(): lower (more negative) is better
    published_at: int
    brands: frozenset[str]


def pick_related(
    candidates: list[Candidate], *, brands: frozenset[str], now: int, limit: int = READ_ALSO
) -> list[int]:
    """Rules 2 and 3 of the module docstring."""
    scored: list[tuple[float, int, Candidate]] = []
    for c in candidates:
        shared = len(brands & c.brands)
        if (brands and not shared) or c.bm25 >= 0:  # another company, or no word in common
            continue
        age_days = max(0.0, (now - c.published_at) / 86_400)
        score = -c.bm25 * (1 + BRAND_BOOST * shared) * 0.5 ** (age_days / RECENCY_HALF_LIFE)
        scored.append((score, c.published_at, c))
    scored.sort(key=lambda item: (item[0], item[1]), reverse=True)
    picked: list[int] = []
    clusters: set[int] = set()
    for _, _, c in scored:
        if c.cluster_id in clusters:
            continue
        clusters.add(c.cluster_id)
        picked.append(c.id)
        if len(picked) == limit:
            break
    return picked
