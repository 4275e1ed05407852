"""Story summaries: the lead of the story in its own words, cut at a sentence end.

A first version for pushes (issue 4): the opening sentences of the first paragraphs, at most
MAX_SUMMARY characters, never cut mid-sentence when a sentence end is available.
"""

from __future__ import annotations

import re

from news.telegram_html import shorten

MAX_SUMMARY = 400
# A sentence ends at . ! ? … (or CJK 。！？) followed by space/end, unless the word before the
# dot is a known abbreviation or a single capital letter (U.S., Mr., v2.0 has no space after).
_END = re.compile(r"(?<=[.!?…。！？])[\"'”»)]?(?=\s|$)")
_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "inc",
        "ltd",
        "co",
        "corp",
        "jr",
        "sr",
        "st",
        "vs",
        "etc",
        "e.g",
        "i.e",
        "u.s",
        "u.k",
        "approx",
        "no",
        "fig",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "г",
        "гг",
        "т.е",
        "т.д",
        "т.п",
        "др",
        "им",
        "ул",
    ]
)


def sentences(text: str) -> list[str]:
    """Split a paragraph into sentences, keeping abbreviations and initials intact."""
    out: list[str] = []
    start = 0
    for match in _END.finditer(text):
        end = match.end()
        before = text[start:end].rstrip("\"'”»)").rstrip(".!?…。！？")
        last_word = before.rsplit(None, 1)[-1].lower() if before.split() else ""
        if text[end - 1] == "." and (last_word in _ABBREVIATIONS or re.fullmatch(r"\w", last_word)):
            continue
        out.append(text[start:end].strip())
        start = end
    tail = text[start:].strip()
    if tail:
        out.append(tail)
    return [s for s in out if s]


def lead_summary(text: str, limit: int = MAX_SUMMARY) -> str:
    """Whole sentences from the start of the text, as many as fit in `limit` characters."""
    chosen: list[str] = []
    size = 0
    for paragraph in text.split("\n\n"):
        for sentence in sentences(" ".join(paragraph.split())):
            extra = len(sentence) + (1 if chosen else 0)
            if size + extra > limit:
                if not chosen:  # one very long first sentence: cut it at a word
                    return shorten(sentence, limit)
                return " ".join(chosen)
            chosen.append(sentence)
            size += extra
            if len(chosen) >= 3:
                return " ".join(chosen)
    return " ".join(chosen)
