"""Which brands a story is about, which it only mentions, and which followed keywords it names.

Pure and synchronous: no I/O. A Matcher compiles the whole catalogue and the followed keywords
once into one Aho-Corasick automaton (pyahocorasick; names that begin with a CJK character go
into a second, small one that only stories with CJK text are scanned with). Matching a story is
one pass over its text plus a little bookkeeping per hit, whatever the number of brands or
keywords.

Normalizing (the same steps are applied to names when compiling and to stories when matching):
 1. The title and the text are scanned as one string, "\\n" + title + "\\n\\n" + text + "\\n".
 2. Punctuation that can stand before a word or inside a name (’ ' ‘ “ " ( [ { — – - / « „ ‹
    … * | tab, no-break space, invisible characters such as the zero-width non-joiner) becomes
    a space, one character for one: "Apple’s" reads "apple s", "Samsung-made" reads "samsung
    made", "Take-Two" reads "take two" on both sides. "+ & # @ . :" stay ("C++", "JD.com").
 3. Only when the string holds CJK characters: a space is put between a CJK character and a
    letter or digit of another script ("小米SU7" reads "小米 SU7", "苹果iPhone" reads "苹果 iPhone").
 4. Lowercased, newlines read as spaces. Exact names are compared before lowercasing.
 Not done: Unicode normalization (NFKC) of the story; full-width Latin letters do not match.

Finding names, in order:
 1. Every alias, exact name, ambiguous word, exclude phrase and followed keyword is one key.
    Keys are entered after a space, so they only match at the start of a word ("arm" is not
    in "harm", "meta" is not in "metadata"); keys that begin with a CJK character match
    anywhere, because Chinese and Japanese do not separate words.
 2. A match must end at the end of a word: the next character is not a letter or digit
    ("Intel" is not in "Intelligence", "Arm" not in "Armenia"). A CJK character after a Latin
    name ends it. Names whose last character is CJK need no check (华为 in "华为发布了").
 3. Simple plurals: an alias or a keyword ending in a Latin letter also matches with "s"
    ("iPhones", "foldable phones"), or with "es" when it ends in s, x, z, ch or sh ("Xboxes").
    Exact names, ambiguous words and exclude phrases never do ("Arms race" is not Arm).
 4. Exact names count only with the catalogue's capitalisation ("Apple" but not "apple pie",
    "Meta" but not "meta tags"), and so do ambiguous words of one or two letters, whose case is
    all that tells them from ordinary text ("X" but not "4 x 4", "Mi" but not "mi casa", "GM"
    but not "gm"); everything else ignores case.
 5. A brand's name inside one of that brand's exclude phrases does not count ("the Chinese
    Apple" is no Apple; "小米粥" is porridge, not Xiaomi).
 6. Overlapping names of one brand count once ("Apple Watch" is one Apple occurrence, not two).
 7. A brand named like an ordinary word (its ambiguous word is its own name: Nothing, Zoom,
    Framework, Signal, X) is named, not just supported, when the headline opens with that word
    as the catalogue writes it and goes on with its possessive or a verb of announcement or
    action (_HEADLINE_VERBS, English and Russian): "Nothing confirms the Phone (3) launch
    date", "Nothing представила ...", "Framework’s next laptop", "X begins stripping
    headlines". Elsewhere ("There is nothing new in iOS 18", "Nothing is certain") it stays a
    supporting word.
 8. A Slavic case ending on a Latin name counts as the name (aliases and exact names only):
    a Cyrillic one always ("Samsungа"; a change of script ends a word, as CJK does in rule 2),
    a Latin one ("Intela", "Ubisoftu", "Intelem") only in a story written with Polish or Czech
    letters and after names of SLAVIC_STEM letters or more ("Arm" + "ie" is Polish "armie").
    An apostrophe before the ending ("Samsung'а", "GeForce'a") was always fine (rule 2 of
    normalizing).
 Names that are ordinary words of a language the sources carry ("roku" is Polish for "of the
 year", "temu" for "ago", "cuda" for "miracles", "dell'" Italian for "of the") are the
 catalogue's exact names, counted only with the brand's capitals; tests/test_catalogue_words.py
 checks every case-insensitive alias against word frequencies of those languages.

Relevance, in order. "Names" are a brand's aliases and exact names; its ambiguous words are
"supporting words" and count only when the brand is also named somewhere in the story.
 0. The source's own brand: when the story comes from a brand's own feed (its official blog or
    newsroom; `match(..., source_hint=key)`, see `source_brand`), that brand is ABOUT, whatever
    the story names: the company speaks there about its own work ("our Treasury team invested
    in a wind farm"), often without naming itself. The rules below decide the other brands.
 1. A brand that is named nowhere (title or text) is not matched at all: supporting words alone
    never match ("Galaxy" in astronomy, "Windows" of a house).
 2. The title decides when it names a brand: every brand named in the title, or whose supporting
    word is in the title, is ABOUT; every other matched brand is a MENTION. A headline states
    the subject; a brand the headline leaves out is a passing mention, however often the text
    compares against it ("Xiaomi opens an office in Russia" is not about Apple, even when the
    text calls Xiaomi "the Chinese Apple" and mentions the iPhone).
    Two kinds of names in a title stand aside from its subject: they keep the title deciding,
    but leave their brand a MENTION (unless the title names it another way too):
    - a shop (SHOPS: Amazon, eBay, AliExpress ... where other makers' goods are sold) as the
      place of an offer: "<shop> Deal of the Day: a Sony speaker", or "at <shop>" in a headline
      about an offer ("deals", "on sale", "30% off", "$50 off", "lowest price", "discount" ...).
      The reader follows the product's maker, not the till ("AirPods Pro are $80 off at
      Amazon" is Apple news). A maker's own offer stays its news ("Apple deals of the day",
      "back-to-school deals at Apple"), and "Layoffs at Amazon" names no offer;
    - a co-founder's own venture: "<brand> co-founder's startup" or "<brand>'s founder built
      ..." is the founder's news, not the company's (a biography). A co-founder named without
      "'s" is not set aside ("Wikipedia co-founder Jimmy Wales on trust");
    - a foil: a brand named only after "than", "following" or "unlike" ("better than the
      iPhone", "..., following Amazon") is what the subject is compared with.
 3. A title that names no brand at all: the story is ABOUT the brand that is prominent in the
    text, which takes all three of
    - named in the lead (its first name falls in the first LEAD characters of the text);
    - named repeatedly: REPEAT occurrences in the text, or REPEAT_SHORT in a text shorter than
      SHORT_TEXT characters, and in a long text at least one per DENSITY characters (a long
      explainer names many companies a few times each; five OpenAI mentions in 8,000
      characters are background, not the subject). Supporting words add one each; "at Amazon",
      "on Netflix", "via ...", "from Google" are a venue or a source, not the subject, and do
      not count;
    - the most named brand of the story (ties are all ABOUT).
    Every other matched brand is a MENTION.
 These rules and thresholds were chosen against hand labels of 20 real feeds
 (tests/test_matching_quality.py); a lead mention alone, or a count alone, let through too many
 brands that are merely compared against, quoted or linked to as a shop.

Keywords: the followed keywords (stored normalized: casefolded, single spaces) are keys of the
same automaton, with the same word rules (multi-word phrases, plurals, CJK keywords as plain
substrings; a keyword with "ss" also matches the "ß" that casefolding removed). Any occurrence in
the title or text counts: the user asked for the word. Matcher.with_keywords reuses the compiled
catalogue entries and builds new automata (about 30 ms for 5,000 keywords). `names_keyword` is
the same rule for one keyword (what /latest KEYWORD asks of each candidate): one rule decides
pushes, the digest (which reads the hits stored at ingest) and /latest.

Speed: the text is scanned whole, no cap (feeds.py already caps stored text at 20,000
characters); bench/matching.py measures roughly 10,000 stories per second on one core with
the whole catalogue and 5,000 keywords, 14,000 with the catalogue alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import chain

import ahocorasick

from news.catalogue import Catalogue, normalize_name

# Relevance thresholds (rule 3 of "Relevance" in the docstring).
LEAD = 500  # characters at the start of the text that make its lead
REPEAT = 4  # occurrences in the text that make a brand prominent ...
REPEAT_SHORT = 3  # ... or this many in a text shorter than SHORT_TEXT characters
SHORT_TEXT = 1000
DENSITY = 1000  # ... and at least one occurrence per this many characters of the text
# "$39 at Amazon", "stream it on Netflix", "a statement from Google": a venue or a source, not
# the subject. Such occurrences are not counted for rule 3.
_VENUES = (" at ", " on ", " via ", " from ")
# Rule 2 of "Relevance": names in a title that stand aside from its subject.
# Brands (catalogue keys) that are shops: other makers' goods are sold there, so a headline
# about an offer names them as the place to buy. The default of Matcher(shops=...).
SHOPS = frozenset({"amazon", "ebay", "alibaba", "jd_com", "pinduoduo", "ozon", "wildberries"})
_SHOP_AFTER = (" deal of the day", " deals of the day")  # "Amazon Deal of the Day: ..."
_SHOP_BEFORE = (" at ", " on ")  # "... is $50 off at Amazon", "lowest price ever on Amazon"
_OFFER = re.compile(  # a headline about an offer: "deals", "on sale", "30% off", "$50 off" ...
    r"\b(?:deals|deal of the day|on sale|lowest prices?|discounts?|discounted|coupons?|price cut"
    r"|price drop|cheapest)\b|\d% off\b|[$€£]\d[\d,.]*(?: \w+)? off\b"
)
# "Facebook Co-Founder’s Startup ...", "Signal’s Founder Built a Chatbot ...": a biography.
_COFOUNDERS = (
    " co founder s ", " cofounder s ", " s founder ", " s founders ", " s co founder ",
    " s cofounder ", " founders  ",  # the last: "Instagram Founders’ Artifact" (plural's "’")
)  # fmt: skip
# "... better than the iPhone", "..., following Amazon", "unlike Google, ...": a foil.
_FOILS = (" than ", " than the ", " following ", " unlike ")
_FOIL_REACH = max(map(len, _FOILS))
# Rule 7 of "Finding names": after a brand named like an ordinary word at the very start of a
# headline, what makes it the brand: its possessive ("Nothing’s", read "nothing s") or a verb
# of announcement or action, English or Russian. Auxiliaries and verbs that also follow the
# pronoun ("Nothing is", "Nothing has", "Nothing makes sense", "Nothing beats") are left out.
_HEADLINE_VERBS = (
    "s announces announced launches launched unveils unveiled confirms confirmed teases teased"
    " reveals revealed releases released introduces introduced debuts debuted begins began"
    " starts started opens opened plans wants drops dropped cuts lays laid raises raised sues"
    " sued rolls rolled updates updated expands expanded partners delays delayed hires hired"
    " files filed fixes fixed removes removed bans banned blocks blocked denies denied posts"
    " posted pushes pushed prices priced details detailed ceo officially finally quietly"
    " представила представил представит анонсировала анонсировал анонсирует показала показал"
    " покажет выпустила выпустил выпустит запустила запустил запустит подтвердила подтвердил"
    " объявила объявил раскрыла рассказала готовит обновила начала открыла назвала"
)
_OPENS_HEADLINE = re.compile(r" (?:" + "|".join(_HEADLINE_VERBS.split()) + r")(?![^\W_])")
# Rule 8 of "Finding names": a Slavic case ending on a Latin name ("Intela", "Ubisoftu",
# "Samsungом"): a Cyrillic one always (a change of script ends a word), a Latin one in a story
# written with Polish or Czech letters, after names of at least SLAVIC_STEM letters.
SLAVIC_STEM = 4
_SLAVIC_TEXT = re.compile("[ąćęłńśźżčřšžůěťďňĄĆĘŁŃŚŹŻČŘŠŽŮĚŤĎŇ]")
_LATIN_ENDING = re.compile(r"(?:owi|ach|ami|em|om|ie|ów|a|u|e|y)(?![^\W_])")
_CYRILLIC_ENDING = re.compile(r"[а-яё]{1,3}(?![^\W_])")
# Official sources (see source_brand): words a feed title may hold around the brand's name, and
# the words of which it must hold one.
_SOURCE_FILLER = frozenset({"the", "official", "blog", "newsroom", "press", "room"})
_SOURCE_MARKS = frozenset({"official", "blog", "newsroom"})
_SOURCE_WORD = re.compile(r"\w(?:[\w.&+'’-]*\w)?")  # "jd.com", "at&t", "hewlett-packard"
_NAME_PARTS = re.compile(r"[/()]")  # "X (Twitter)", "TikTok / ByteDance"

# Characters replaced by a space before matching, in names and stories alike (rule 2 of
# normalizing). "+", "&", "#", "@", "." and ":" stay: they belong to names ("C++", "AT&T",
# "JD.com", "1C:Enterprise").
_SPACED = (
    "\u2019'\u2018\u201c\"([{\u2014\u2013-/\u00ab\u201e\u2039\u2026*|\t\r"
    "\u200b\u200c\u200d\u2060\ufeff\u00a0\u2010\u2011\u2012\u201a"
)
# Scripts written without spaces between words. Hangul is not among them: Korean spaces words.
_CJK_RANGES = (
    "\u2e80-\u303f\u3040-\u30ff\u3100-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
)
_CJK = re.compile(f"[{_CJK_RANGES}]")
_CJK_GAP = re.compile(
    f"(?<=[{_CJK_RANGES}])(?=[^\\W_{_CJK_RANGES}])|(?<=[^\\W_{_CJK_RANGES}])(?=[{_CJK_RANGES}])"
)

# Kinds of automaton entries.
_ALIAS, _EXACT, _AMBIGUOUS, _EXCLUDE, _KEYWORD, _OPENS = range(6)
# Checks attached to a key.
_RIGHT = 1  # the key ends with a letter or digit: the next character must not be one
_PLURAL_S = 2  # "...s" is accepted for entries that allow plurals
_PLURAL_ES = 4  # "...es" is accepted for entries that allow plurals
_LATIN = 8  # the key ends with a Latin letter: a Slavic case ending may follow (rule 8)
_STEM = 16  # ... and is long enough for a Latin-script ending


@dataclass(frozen=True)
class MatchResult:
    about: frozenset[str]  # brand keys the story is ABOUT (these get pushed)
    mentions: frozenset[str]  # brand keys only mentioned in passing; disjoint from about
    keywords: frozenset[str]  # followed keywords (normalized form) found in title or text


EMPTY = MatchResult(frozenset(), frozenset(), frozenset())


def _is_cjk(ch: str) -> bool:
    return _CJK.match(ch) is not None


def _name_end(
    low: str, stop: int, checks: int, slavic: Callable[[], bool]
) -> tuple[int, bool, bool] | None:
    """Rules 3 and 8 of "Finding names", for a key whose next character continues a word:
    (where the name ends, a plural, an inflected form), or None when the key is only the start
    of a longer word."""
    ch = low[stop]
    if checks & _PLURAL_S and ch == "s" and not _is_word(low[stop + 1]):
        return stop + 1, True, False
    if checks & _PLURAL_ES and ch == "e" and low[stop + 1] == "s" and not _is_word(low[stop + 2]):
        return stop + 2, True, False
    if not checks & _LATIN:
        return None
    if "\u0400" <= ch <= "\u04ff" and (ending := _CYRILLIC_ENDING.match(low, stop)):
        return ending.end(), False, True
    if checks & _STEM and slavic() and (ending := _LATIN_ENDING.match(low, stop)):
        return ending.end(), False, True
    return None


def _is_slavic(s: str) -> bool:
    """Rule 8: the story is written with Polish or Czech letters."""
    return not s.isascii() and _SLAVIC_TEXT.search(s) is not None


def _is_word(ch: str) -> bool:
    """A character that continues a word: a letter, digit or "_" of a script that spaces words."""
    if ch.isalnum():
        return ch < "\u2e80" or not _is_cjk(ch)
    return ch == "_"


def _spaced(text: str) -> str:
    for ch in _SPACED:
        if ch in text:
            text = text.replace(ch, " ")
    return text


def _prepare(title: str, text: str) -> tuple[str, str, int, bool]:
    """For one story: the string with its case (paragraphs still separated by blank lines),
    the string that is scanned (lowercase, newlines turned into spaces, same offsets), the
    offset where the text starts, and whether it holds CJK characters."""
    if "\n" in title:
        title = " ".join(title.split())
    s = _spaced(f"\n{title}\n\n{text}\n")
    cjk = not s.isascii() and _CJK.search(s) is not None
    if cjk:
        s = _CJK_GAP.sub(" ", s)
        text_start = s.index("\n\n", 1) + 2  # the title holds no newline
    else:
        text_start = len(title) + 3
    low = s.lower()
    if len(low) != len(s):  # "İ" lowercases to two characters: keep offsets aligned
        low = "".join(c if len(c.lower()) != 1 else c.lower() for c in s)
    if "\u03c2" in low:  # final sigma: casefolded keywords spell it σ
        low = low.replace("\u03c2", "\u03c3")
    # Two spaces now stand between the title and the text and between paragraphs: no key
    # (they hold single spaces) reaches across.
    return s, low.replace("\n", " "), text_start, cjk


def _name_form(name: str) -> str:
    """A name as it reads in a prepared story before lowercasing (exact names compare so)."""
    s = _spaced(name)
    if _CJK.search(s):
        s = _CJK_GAP.sub(" ", s)
    return " ".join(s.split())


def normalize_key(name: str) -> str:
    """The form a name or keyword is looked for in: spaced punctuation, CJK gaps, lowercase."""
    return _name_form(name).lower()


def _checks(key: str) -> int:
    last = key[-1]
    if not _is_word(last):
        return 0
    flags = _RIGHT
    if "a" <= last <= "z":
        flags |= _PLURAL_ES if key.endswith(("s", "x", "z", "ch", "sh")) else _PLURAL_S
        flags |= _LATIN
        if len(key) >= SLAVIC_STEM and key.isascii():
            flags |= _STEM
    return flags


class _Keys:
    """Normalized key -> entries, before they become automaton values."""

    def __init__(self) -> None:
        self.entries: dict[str, list[tuple]] = {}

    def add(self, name: str, entry: tuple) -> None:
        key = normalize_key(name)
        if key and any(ch.isalnum() for ch in key):
            self.entries.setdefault(key, []).append(entry)


class Matcher:
    """Compiled catalogue (and keywords); `match` classifies one story."""

    def __init__(
        self, catalogue: Catalogue, keywords: Iterable[str] = (), *, shops: Iterable[str] = SHOPS
    ) -> None:
        brands = list(catalogue)
        self._brand_keys: tuple[str, ...] = tuple(b.key for b in brands)
        self._index: dict[str, int] = {key: i for i, key in enumerate(self._brand_keys)}
        self._shops = frozenset(self._index[key] for key in shops if key in self._index)
        keys = _Keys()
        for index, brand in enumerate(brands):
            for name in brand.aliases:
                keys.add(name, (_ALIAS, index, None))
            for name in brand.exact:
                keys.add(name, (_EXACT, index, _name_form(name)))
            own = _own_names(brand.name)
            for name in brand.ambiguous:
                # One or two letters ("X", "Mi", "EA") are compared with their capitals.
                cased = len(name) <= 2 and name.lower() != name
                keys.add(name, (_AMBIGUOUS, index, _name_form(name) if cased else None))
                if normalize_name(name) in own:  # "Nothing", "Zoom", "X": rule 7
                    keys.add(name, (_OPENS, index, _name_form(name)))
            for name in brand.exclude:
                keys.add(name, (_EXCLUDE, index, None))
        self._catalogue_entries = keys.entries
        self._keywords: frozenset[str] = frozenset()
        self._spaced_keys, self._cjk_keys = self._build(keywords)

    def with_keywords(self, keywords: Iterable[str]) -> Matcher:
        """A matcher for another keyword set, reusing this one's compiled catalogue."""
        other = object.__new__(Matcher)
        other._brand_keys = self._brand_keys
        other._index = self._index
        other._shops = self._shops
        other._catalogue_entries = self._catalogue_entries
        other._keywords = frozenset()
        other._spaced_keys, other._cjk_keys = other._build(keywords)
        return other

    @classmethod
    def for_keywords(cls, keywords: Iterable[str]) -> Matcher:
        """A matcher of keywords alone (no catalogue): the keyword rule, for a query."""
        other = object.__new__(cls)
        other._brand_keys = ()
        other._index = {}
        other._shops = frozenset()
        other._catalogue_entries = {}
        other._keywords = frozenset()
        other._spaced_keys, other._cjk_keys = other._build(keywords)
        return other

    @property
    def keywords(self) -> frozenset[str]:
        """The keywords this matcher looks for, as given (whitespace collapsed)."""
        return self._keywords

    def _build(
        self, keywords: Iterable[str]
    ) -> tuple[ahocorasick.Automaton, ahocorasick.Automaton | None]:
        """The automaton of keys that start a word (entered after a space) and the automaton
        of keys that start with a CJK character (entered as they are; scanned only in stories
        that hold CJK text). Two automata, because a root with hundreds of CJK branches slows
        the scan of every Latin story by half."""
        entries = {key: list(found) for key, found in self._catalogue_entries.items()}
        kept = set()
        for keyword in keywords:
            keyword = " ".join(keyword.split())
            if not keyword or keyword in kept:
                continue
            kept.add(keyword)
            forms = {normalize_key(keyword)}
            if "ss" in keyword:  # casefold turned "ß" into "ss"; stories keep "ß"
                forms.add(normalize_key(keyword.replace("ss", "\u00df")))
            for form in forms:
                if form and any(ch.isalnum() for ch in form):
                    entries.setdefault(form, []).append((_KEYWORD, keyword, None))
        self._keywords = frozenset(kept)
        spaced = ahocorasick.Automaton()
        cjk = ahocorasick.Automaton()
        for key, found in entries.items():
            value = (len(key), _checks(key), tuple(found))
            if _is_cjk(key[0]):
                cjk.add_word(key, value)
            else:
                spaced.add_word(" " + key, value)
        if len(spaced) == 0:
            spaced.add_word("\x00", (1, 0, ()))  # an empty automaton cannot be searched
        spaced.make_automaton()
        if len(cjk) == 0:
            return spaced, None
        cjk.make_automaton()
        return spaced, cjk

    def match(self, title: str, text: str, source_hint: str | None = None) -> MatchResult:
        """Classify one story. `source_hint`: the brand key of the feed when the feed is that
        brand's own (its official blog or newsroom, see `source_brand`); that brand is then
        ABOUT every story of the feed (rule 0 of "Relevance"). None, or a key the catalogue does
        not hold (a brand since removed), changes nothing."""
        source = self._index.get(source_hint) if source_hint else None
        if not title and not text:
            return EMPTY
        s, low, text_start, cjk = _prepare(title or "", text or "")
        slavic = cache(lambda: _is_slavic(s))  # rule 8, looked for when needed
        strong: dict[int, list[tuple[int, int]]] = {}
        weak: dict[int, list[tuple[int, int]]] = {}
        excluded: dict[int, list[tuple[int, int]]] = {}
        keywords: set[str] = set()
        is_word = _is_word
        hits = self._spaced_keys.iter(low)
        if cjk and self._cjk_keys is not None:
            hits = chain(hits, self._cjk_keys.iter(low))
        for end, (length, checks, entries) in hits:
            stop = end + 1
            start = stop - length
            plural = inflected = False
            if checks & _RIGHT and low[stop] != " " and is_word(low[stop]):
                ended = _name_end(low, stop, checks, slavic)
                if ended is None:
                    continue  # inside a longer word ("Intel" in "Intelligence")
                stop, plural, inflected = ended
            for kind, ref, form in entries:
                if kind == _KEYWORD:
                    if not inflected:
                        keywords.add(ref)
                elif (inflected and kind not in (_ALIAS, _EXACT)) or (plural and kind != _ALIAS):
                    continue
                elif kind == _ALIAS:
                    strong.setdefault(ref, []).append((start, stop))
                elif kind == _EXACT:
                    if s.startswith(form, start):
                        strong.setdefault(ref, []).append((start, stop))
                elif kind == _AMBIGUOUS:
                    if form is None or s.startswith(form, start):
                        weak.setdefault(ref, []).append((start, stop))
                elif kind == _OPENS:
                    if (
                        start == 1
                        and s.startswith(form, start)
                        and _OPENS_HEADLINE.match(low, stop)
                    ):
                        strong.setdefault(ref, []).append((start, stop))
                else:
                    excluded.setdefault(ref, []).append((start, stop))
        if not strong:
            return self._result(set(), (), keywords, source)
        return self._classify(s, low, text_start, strong, weak, excluded, keywords, source)

    def _result(
        self, about: set[int], matched: Iterable[int], keywords: set[str], source: int | None
    ) -> MatchResult:
        if source is not None:
            about.add(source)
        keys = self._brand_keys
        return MatchResult(
            frozenset(keys[b] for b in about),
            frozenset(keys[b] for b in matched if b not in about),
            frozenset(keywords),
        )

    def _classify(
        self,
        s: str,
        low: str,
        text_start: int,
        strong: dict[int, list[tuple[int, int]]],
        weak: dict[int, list[tuple[int, int]]],
        excluded: dict[int, list[tuple[int, int]]],
        keywords: set[str],
        source: int | None,
    ) -> MatchResult:
        shops = self._shops
        in_title: set[int] = set()
        aside = False  # the title names a brand, but only as a shop or a co-founder's past
        offer: list[bool] = []  # whether the title names a price offer; computed when needed
        first: dict[int, int] = {}  # brand -> offset of its first name in the text
        count: dict[int, int] = {}  # brand -> occurrences in the text, venues left out
        for brand, spans in strong.items():
            spans = _merged(_outside(spans, excluded.get(brand)))
            if not spans:
                continue
            taken = {start for start, _ in spans}
            extra = weak.get(brand)
            if extra:  # supporting words that are not part of a name ("Galaxy" of "Galaxy S25")
                spans = spans + [
                    (start, stop)
                    for start, stop in _merged(_outside(extra, excluded.get(brand)))
                    if not any(start < s_stop and s_start < stop for s_start, s_stop in spans)
                ]
            n = 0
            for start, stop in spans:
                if start < text_start:
                    if (
                        low.startswith(_COFOUNDERS, stop)
                        or low.endswith(_FOILS, max(start - _FOIL_REACH, 0), start)
                        or (brand in shops and _shop(low, start, stop, text_start, offer))
                    ):
                        aside = True
                    else:
                        in_title.add(brand)
                    continue
                if start in taken and brand not in first:
                    first[brand] = start - text_start
                if not low.endswith(_VENUES, max(start - 6, 0), start):
                    n += 1
            count[brand] = n
        if not count:
            return self._result(set(), (), keywords, source)
        about = set(in_title)
        if not about and not aside:
            length = len(s) - text_start
            repeat = max(REPEAT_SHORT if length < SHORT_TEXT else REPEAT, length / DENSITY)
            top = max(count.values())
            about = {
                brand
                for brand, n in count.items()
                if n >= repeat and n == top and first.get(brand, LEAD) < LEAD
            }
        return self._result(about, count, keywords, source)


@lru_cache(maxsize=512)
def _keyword_matcher(keyword: str) -> Matcher:
    return Matcher.for_keywords([keyword])


def names_keyword(keyword: str, title: str, text: str) -> bool:
    """The keyword rule for one followed keyword (normalized, as subscriptions store it):
    whether the story names it. The same automaton entries and word rules as pushes use
    ("Keywords" above), so /latest KEYWORD finds exactly what a push would have matched."""
    return keyword in _keyword_matcher(keyword).match(title, text).keywords


def _shop(low: str, start: int, stop: int, text_start: int, offer: list[bool]) -> bool:
    """Whether a shop's name in the title only names where an offer is (rule 2 of
    "Relevance"): "<shop> deal of the day", or "at <shop>" in a headline about an offer."""
    if low.startswith(_SHOP_AFTER, stop):
        return True
    if low.endswith(_SHOP_BEFORE, max(start - 4, 0), start):
        if not offer:
            offer.append(_OFFER.search(low, 0, text_start) is not None)
        return offer[0]
    return False


def source_brand(catalogue: Catalogue, feed_title: str | None) -> str | None:
    """The key of the brand whose own feed this is, judged by the feed's title ("The Official
    Google Blog", "Apple Newsroom", "Microsoft Blog"), for `match(..., source_hint=...)`.

    The title must say "official", "blog" or "newsroom" and hold nothing else but the brand's
    own name: its key or display name, or a part of a display name such as "X (Twitter)" or
    "TikTok / ByteDance" (and "the", "press", "room"). Product and people names do not count:
    "The iPhone Blog" and "Android Blog" are fan sites; so are "MacRumors", "9to5Google" and
    "Google News", which name no blog at all. None when in doubt: an operator can still set a
    source's brand by hand."""
    if not feed_title:
        return None
    words = _SOURCE_WORD.findall(feed_title.casefold())
    if not _SOURCE_MARKS.intersection(words):
        return None
    name = " ".join(w for w in words if w not in _SOURCE_FILLER)
    if not name:
        return None
    for brand in catalogue:
        if name == brand.key or name in _own_names(brand.name):
            return brand.key
    return None


def _own_names(name: str) -> set[str]:
    """A brand's display name and its parts ("X (Twitter)": "x", "twitter"), normalized."""
    own = {normalize_name(name)}
    own.update(normalize_name(part) for part in _NAME_PARTS.split(name) if part.strip())
    return own


def _outside(
    spans: list[tuple[int, int]], exclusions: list[tuple[int, int]] | None
) -> list[tuple[int, int]]:
    if not exclusions:
        return spans
    return [
        (start, stop)
        for start, stop in spans
        if not any(ex_start <= start and stop <= ex_stop for ex_start, ex_stop in exclusions)
    ]


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans sorted, overlapping ones counted once."""
    if len(spans) < 2:
        return spans
    spans = sorted(spans)
    merged = [spans[0]]
    for start, stop in spans[1:]:
        last_start, last_stop = merged[-1]
        if start < last_stop:
            merged[-1] = (last_start, max(last_stop, stop))
        else:
            merged.append((start, stop))
    return merged
