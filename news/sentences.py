"""Sentences: where one ends, in English, Russian, German, French and Chinese text. Pure.

sentences(text, language) splits a story's text (summaries and the digest's first sentence
use it):
 1. A line break always ends a sentence: headings, captions and list items stand alone.
 2. Inside a line, a sentence ends at . ! ? … or "..." followed by a space, plus any closing
    quotes and brackets after the mark ('He said "no." Then' splits after the quote). CJK
    。！？ end one with no space after them, and so do ! ? right after a Han character.
 3. Never a break before a lower-case word ("e.g. the", "1,5 млрд. рублей", "etc. and"),
    unless that word has a capital inside it ("iPhone", "eBay" start sentences).
 4. A full stop after these never ends a sentence: titles and "always followed by more"
    abbreviations (Mr., Dr., Prof., St., e.g., i.e., vs., z.B., bzw., ca., Nr., d.h., p.ex.,
    cf., т.е., напр., см., ...).
 5. After "etc.", "usw.", "т.д.", "т.п.", "и др." a capitalized word starts a new sentence.
 6. After abbreviations that can close a sentence (Inc., Ltd., Co., Jr., U.S., U.K., a.m.,
    Jan.-Dec., No., гг., г., им., ул., млн., ...), after other dotted acronyms ("J.R.R.") and
    after single letters (initials: "J. R. R. Tolkien", "А. С. Пушкин", French "M. Macron"),
    only a common sentence opener ("The", "It", "Der", "Le", "В", "Это", ...) starts a new
    sentence; "U.S. President" stays one.
 7. German ordinals: a number of one or two digits before a month name ("am 3. März") never
    ends a sentence; with language "de", a number of up to three digits before any word that
    is not a common opener does not either ("die 2. Generation").
 8. Decimals and versions ("v2.0", "3.5 GHz", "1.5 млрд") have no space after the dot, so
    rule 2 never sees them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_OPENERS = "\"'“‘«„([{「『（【"
CLOSERS = "\"'”’»)]}」』）】"
CJK_RANGE = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_CHAR = re.compile(f"[{CJK_RANGE}]")
# A run of sentence marks and the closing quotes or brackets after it (French spacing puts a
# space before "»"); _split_line then keeps Western marks only when a space or the end follows.
_CANDIDATE = re.compile(rf"([.!?…。！？]+)(?:[{re.escape(CLOSERS)}]|\s»)*")
CJK_MARKS = frozenset("。！？")


def names(spec: str) -> frozenset[str]:
    return frozenset(spec.split())


# Rule 4: never ends a sentence (lower-case, without the final dot).
_NEVER = names(
    "mr mrs ms messrs dr prof st mt sen rep gov gen lt col capt sgt rev hon pres fr hr "
    "e.g i.e eg ie vs cf viz approx ca est ex "
    "z.b bzw d.h u.a o.ä s.o s.u ggf evtl inkl zzgl vgl nr abs bspw sog "
    "p.ex mme mlle mgr env cf "
    "т.е напр см ср пр тов гр проф акад"
)
# Rule 5: may end a sentence; a capitalized word after it starts the next one.
_FINAL = names("etc usw usf т.д т.п др")
# Rule 6: may end a sentence; only a common opener after it starts the next one.
_MAYBE = names(
    "inc ltd co corp llc plc bros jr sr u.s u.k u.n e.u a.m p.m no nos fig vol "
    "jan feb mar apr jun jul aug sep sept oct nov dec "
    "janv févr avr juil déc "
    "янв фев февр мар апр авг сент окт нояб дек "
    "г гг в вв им ул тыс млн млрд руб долл "
    "mio mrd"
)
_DOTTED = re.compile(r"(?:[^\W\d_]{1,3}\.)+[^\W\d_]{1,3}")
_MONTHS = names(
    "january february march april may june july august september october november december "
    "januar februar märz mai juni juli oktober dezember jänner "
    "janvier février mars avril juin juillet août septembre octobre novembre décembre "
    "января февраля марта апреля мая июня июля августа сентября октября ноября декабря"
)
# Words that commonly open a sentence (rule 6, 7): capitalized function words.
_STARTERS = names(
    "The A An This That These Those It Its He She They We I You His Her Their Our My "
    "In On At But And Or So As For If When While After Before However Meanwhile Also Still "
    "There Here What Why How Who Which Some Many Most All Each Both Now Then Today Yesterday "
    "According Since Although Though Despite Instead Still Yet Not No One Last Next "
    "Der Die Das Ein Eine Es Er Sie Wir Ich Im Auch Aber Und Dies Diese Dieser Damit Doch "
    "Laut Mit Nach Bei Zum Zur Wie Wer Was Da Dann Nun Heute Allerdings Zudem Außerdem "
    "Le La Les Un Une Il Elle Ils Elles Nous Vous Je Ce Cette Ces En Mais Et Dans Pour "
    "Selon Avec Sur Par Depuis Aujourd'hui Cependant Ainsi Alors "
    "В На Это Он Она Они Мы Я Вы По Но И А При Как Так Также Однако Кроме После Для С Со "
    "Из За К Сейчас Теперь Ранее Напомним Об О У Все Эта Этот Эти Тогда Поэтому Там Здесь "
    "Согласно Всего Кстати Впрочем Уже Еще Ещё Что Его Ее Её Их"
)
_WORD_TRIM = "\"'“‘«„([{,;:.!?)]}”’»"


def _next_word(line: str, start: int) -> str:
    end = line.find(" ", start)
    return line[start:] if end < 0 else line[start:end]


def _is_break(line: str, match: re.Match[str], german: bool) -> bool:
    """Does the candidate sentence end `match` (rule 2) really end the sentence?"""
    west = match.group(1)
    rest = match.end()
    while rest < len(line) and (line[rest].isspace() or line[rest] in _OPENERS):
        rest += 1  # "« Oui" with French spacing: the word is what counts
    if rest >= len(line):
        return True
    word = _next_word(line, rest)
    first = word[0]
    if first.islower() and not any(ch.isupper() for ch in word[1:]):
        return False  # rule 3
    if "!" in west or "?" in west or len(west) > 1:
        return True  # ! ? … and "...": the next word is not lower-case
    if match.end() - match.start() > 1:
        return True  # a closing quote or bracket after the full stop
    begin = line.rfind(" ", 0, match.start()) + 1
    token = line[begin : match.start()].lstrip(_OPENERS)
    if not token:
        return True
    low = token.lower()
    next_word = word.strip(_WORD_TRIM)
    if low in _NEVER:
        return False
    if low in _FINAL or (low in ("д", "п") and line[:begin].rstrip().endswith("т.")):
        return first.isupper() or first.isdigit()
    if low in _MAYBE or _DOTTED.fullmatch(token):
        return next_word in _STARTERS
    if len(token) == 1 and token.isalpha():  # an initial
        return len(next_word) > 1 and next_word in _STARTERS
    if token.isdigit() and len(token) <= 3:
        if len(token) <= 2 and next_word.lower() in _MONTHS:
            return False
        if german and next_word not in _STARTERS:
            return False
    return True


def split_line(line: str, german: bool = False) -> Iterator[str]:
    """Sentences of one line (no newlines inside), stripped, in order; lazily, as a story
    may be one long line of which only the first sentences are read."""
    start = 0
    size = len(line)
    for match in _CANDIDATE.finditer(line):
        end = match.end()
        marks = match.group(1)
        if marks[-1] in CJK_MARKS or (
            marks[0] in "!?" and match.start() > 0 and CJK_CHAR.match(line, match.start() - 1)
        ):
            pass  # CJK marks end a sentence with no space after them
        elif (end < size and not line[end].isspace()) or not _is_break(line, match, german):
            continue  # "v2.0", "U.S": no space after; or an abbreviation, an initial
        piece = line[start:end].strip()
        if piece:
            yield piece
        start = end
    tail = line[start:].strip()
    if tail:
        yield tail


def sentences(text: str, language: str | None = None) -> list[str]:
    """Split text into sentences; line breaks always end one (see the module docstring)."""
    german = bool(language) and language.lower().startswith("de")
    out: list[str] = []
    for raw in text.split("\n"):
        line = " ".join(raw.split())
        if line:
            out.extend(split_line(line, german))
    return out
