"""Story summaries: the sentences that carry the news, in the story's own words.

summarize(title, text, language, limit) is extractive. Nothing is paraphrased or reordered.

Sentences are news.sentences' (line breaks always end one; abbreviations, initials and
ordinals do not).

Eligibility: a sentence can be in a summary unless it is boilerplate, the second line of
defence behind news.text.clean_text:
 - link labels at its start: "Read also:", "Read more", "Continue reading", "Related:", "See
   also", "Читайте также", "Подробнее", "По теме:", "Lesen Sie auch", "Mehr zum Thema:",
   "Lire aussi", "Voir aussi", "相关阅读", ...;
 - comment forms: "Leave a Reply", "Your email address will not be published", "Required
   fields are marked", and their ru/de/fr/zh forms; everything after one is the page
   footer and is not read at all;
 - "The post X appeared first on Y" (also ends the story), "This article originally
   appeared on ...", Chinese reprint notices;
 - photo captions and credits: a line starting with "Enlarge", "Photo:", "Image credit",
   "Credit:", "Фото:", "Bild:", "Crédit photo", "图片来源", "Gallery:" is dropped whole, and a
   sentence holding "(credit: ...)", "(Photo: ...)" or ending in "Getty Images" is dropped;
 - share labels ("Share this", "Tweet", "Поделиться", "Teilen", "Partager", "分享到"),
   newsletter and follow prompts ("Subscribe to our newsletter", "Подписывайтесь на наш
   канал"), affiliate notices ("We may earn a commission"), embed placeholders ("This Tweet
   is currently unavailable", "Listen to this post");
 - bylines ("By Jane Doe", "Von Max Muster", "Par Jean Dupont", "Автор: ...", "作者：",
   "[责任编辑：...]") and lone dates ("June 7, 2023", "07.06.2023", "7 июня 2023 г.",
   "Updated: Jan. 5, 2024 10:00 am", "2016年10月14日");
 - a sentence wholly in brackets ("(Tesla, Elektroauto)", "（编译/林靖东）", "[shortcode]").
A line that starts with a link label, a share, newsletter or affiliate notice, an embed
placeholder or a byline label goes whole, with any sentences after it on the line.
Weaker units are kept back and used only when a story has no eligible sentence at all:
headings (a line of under 20 words, or 30 CJK characters, without sentence punctuation),
short lines that introduce a quote or list ("Jane Doe, writing for Example News:", under
15 words) and list items.

Selection, for a story with title T:
 1. The lead is the first eligible sentence, unless it is T itself (the same words, case
    and punctuation aside: feeds that repeat the headline as the first line). A
    Slashdot-style "An anonymous reader quotes a report from X:" in front of it is dropped.
 2. If the lead alone is longer than `limit`, it is cut at a word boundary with "…" and is
    the whole summary.
 3. The next 8 eligible sentences (within 5,000 characters of the lead's line) compete for
    two more places. Score: the share of T's content words the sentence holds, plus a
    position weight 0.5 / (1 + rank / 2) (rank 0 is the sentence right after the lead).
    Times 0.3 for a sentence ending in ":" (it introduces a list or quote that is not
    there), 0.6 for a question, 0.5 for one opening with a pronoun or connective ("He",
    "But", "Это", "Aber", "Mais") unless it follows the lead. Zero, so never chosen: a
    sentence of under five words (ten CJK characters) and one with an unbalanced quotation
    mark (a piece of a quote that spans sentences). Sentences that merely repeat T are
    skipped: they hold at least half of T's content words, 80% of their own content words
    are T's, and they have at most two more than T. Content words are case-folded, stop words (en/ru/de/fr) dropped, cut to a
    five-letter prefix (a crude stemmer that serves all four languages); in a sentence a
    term counts when it starts a word; Chinese text contributes character bigrams.
 4. Best first, sentences scoring at least 0.2 are added while the summary stays within
    `limit` (UTF-16 units, as Telegram counts), up to three in all with the lead, then put
    back in story order. Without a title the scores are positional: the opening sentences.
Sentences are joined by a space, or by nothing after a Chinese full stop.

Cost: a story is read line by line, each line split lazily, only as far as the lead and
the 8 candidates; boilerplate searches run only on lines holding one of their keywords.
Over the 599 stories of the real-feed corpus: a median of about 0.15 ms per story.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from news.boilerplate import (
    CJK_FOOTER,
    CJK_LINK_LABELS,
    COMMENT_PHRASES,
    FOOTER_PHRASES,
    LINK_NOUNS,
    LINK_VERBS,
    has_any,
)
from news.sentences import CJK_CHAR, CJK_MARKS, CJK_RANGE, CLOSERS, names, split_line
from news.telegram_html import shorten, utf16_len

MAX_SUMMARY = 400
MAX_SENTENCES = 3
WINDOW = 8  # eligible sentences after the lead that compete for the remaining places
MIN_SCORE = 0.2  # a sentence scoring less is not worth adding, even if it fits
REACH = 5000  # characters after the lead's line where they may be

# --- boilerplate -------------------------------------------------------------------------

_LEAD_IN = "[\\s\"'“‘«„(\\[{•*·>–—-]*"  # what may come before a label: bullets, quotes
# Link labels at the start of a sentence (news.boilerplate). Verb labels ("Read more ...")
# go whatever follows; noun labels ("Related") only when a colon, dash, arrow or nothing
# follows them.
_LABEL = re.compile(
    rf"^{_LEAD_IN}(?:"
    rf"(?:{'|'.join(LINK_VERBS)}|read\s*[:：])(?!\w)"
    rf"|(?:{'|'.join(LINK_NOUNS)}|related \w+|sources?|quelle|источник)"
    r"\s*(?:[:：»›→|]|[-–—]\s|$)"
    rf"|{'|'.join(CJK_LINK_LABELS)}"
    r")",
    re.I,
)
# A comment counter or heading alone on its line.
_COMMENT_COUNT = re.compile(
    r"(?:\d[\d,.]*k? )?(?:comments?|kommentare?|commentaires?|комментари\w*|条评论)[\s:.]*$"
)
_CJK_FOOTER_RE = re.compile(CJK_FOOTER)


def _is_comment_form(low: str) -> bool:
    if len(low) > 300:
        return False
    return has_any(low, COMMENT_PHRASES) or (len(low) <= 40 and bool(_COMMENT_COUNT.match(low)))


def _is_footer(low: str) -> bool:
    return has_any(low, FOOTER_PHRASES) or (
        ("本文" in low or "转载" in low) and _CJK_FOOTER_RE.search(low) is not None
    )


# A line starting like this is a caption or a credit, all of it.
_CAPTION_LINE = re.compile(
    rf"^{_LEAD_IN}(?:enlarge\b|gallery\s*:|slideshow\s*:|"
    r"(?:photo|image|picture|illustration|photograph|video|graphic)s?(?:\s+credits?|\s+source)?"
    r"\s*(?::|by\b|via\b|courtesy\b)|credits?\s*:|source image|"
    r"фото(?:графия)?\s*[:—-]|изображение\s*:|источник (?:фото|изображения)|иллюстрация\s*:|"
    r"bild(?:quelle)?\s*:|fotos?\s*:|grafik\s*:|crédits? photos?|crédits?\s*:|"
    r"图片来源|图片[:：]|图[:：]|图源|摄影[:：])",
    re.I,
)
# Anywhere in a sentence: an inline credit.
_CREDIT = re.compile(  # on lower-case text
    r"[(（\[](?:photo|image|picture|credit|credits|фото|bild|foto|图)s?\b[^)）\]]{0,80}[)）\]]"
    r"|\b(?:photo|image|credit)s?:\s"
)
_AGENCY_TAIL = re.compile(  # on lower-case text
    r"\b(?:getty images|shutterstock|ap photo|afp|reuters|imago|dpa)\s*[)）\]]?\s*$"
)
_WIDGET = re.compile(
    rf"^{_LEAD_IN}(?:"
    # share labels
    r"share (?:this|on|via|to)\b|share\s*$|tweet(?: this)?\s*$|click to (?:share|email|print)|"
    r"поделиться|поделитесь|teilen\s*$|partager|分享到|转发到|转播到|"
    # newsletters, follow prompts
    r"subscribe\b|sign up (?:for|to)\b|follow us\b|join (?:us|our)\b|"
    r"подпис(?:ывайтесь|ывайся|итесь|аться)\b|abonnieren sie|abonnez-vous|inscrivez-vous|"
    r"folgen sie uns|suivez-nous|关注我们|订阅|"
    # affiliate and sponsor notices
    r"we may (?:earn|receive|get) (?:a )?(?:small )?(?:commission|compensation|payment)|"
    r"deal pricing and availability|this (?:post|article|story|page) (?:may )?contains? "
    r"affiliate|as an amazon associate|disclosure:|advertisement\s*$|sponsored\b|"
    r"anzeige\s*$|реклама\s*$|publicité\s*$|"
    # embeds and players
    r"listen to (?:this|the) (?:post|article|story|episode)|log in to listen|"
    r"this (?:tweet|post|video|content|embed) is (?:currently )?unavailable|"
    r"your browser does not support|please enable javascript|watch (?:the )?video\s*:?\s*$|"
    r"an? (?:\w+ )?error (?:has )?occurred|"
    # notes about the page rather than the news
    r"this (?:article|story|post|page) (?:was|has been) (?:updated|corrected)\b|"
    r"editor['’]s note\s*:|"
    # bylines in the form of a label
    r"автор(?:ы)?\s*[:：—-]|текст\s*:|редактор\s*:|корреспондент\s*:|autor(?:in)?\s*:|"
    r"auteur\s*:|作者[:：]|文[/／]|记者[:：]|编辑[:：]|责任编辑|来源[:：]"
    r")",
    re.I,
)
_NEWSLETTER = re.compile(  # on lower-case text
    r"\b(?:subscribe|sign up|sign-up)\b.{0,60}\b(?:newsletter|our channel|our podcast)|"
    r"\bour newsletter\b|\baffiliate partner\b|\bearn (?:a )?(?:small )?commission\b|"
    r"наш (?:telegram|телеграм)-?канал|подписывайтесь на|"
    r"\bsubscribe\b.{0,80}\binbox\b|delivered (?:straight )?to your inbox|"
    r"^welcome (?:back )?to\b.{0,80}\bnewsletter|"
    r"\bwe (?:may|might|could) (?:earn|receive|get|collect) (?:a )?(?:small )?"
    r"(?:commission|payment|fee|share)|helps? us keep the site running"
)
_NAME = r"(?:[A-ZÀ-ÖØ-ÞА-ЯЁ][\w'’.-]*|(?:van|von|de|der|den|du|la|le|di|da|al|bin|ter))"
# "By Jane Doe", "Von Max Muster und Eva Beispiel (Tag, Tag)", "Ein Test von ...", "Par ...".
_BYLINE = re.compile(
    r"^(?i:(?:(?:an?|eine?|une?)\s+[^\W\d_]+\s+)?"
    r"(?:by|von|par|por|posted by|written by|reported by|words by|text by|story by))\s+"
    rf"{_NAME}(?:\s+{_NAME}){{0,4}}(?:\s*(?:,|and|&|und|et|y)\s*{_NAME}(?:\s+{_NAME}){{0,4}})*"
    r"(?:\s*(?:[,|/•·]|[-–—]\s)\s*[\w .'’@-]{0,40})?(?:\s*\([^()]{0,60}\))?\.?\s*$"
)
_DATE_MONTHS = names(
    "jan january feb february mar march apr april may jun june jul july aug august sep sept "
    "september oct october nov november dec december januar februar märz mai juni juli oktober "
    "dezember jänner janvier janv février févr mars avril avr juin juillet juil août septembre "
    "octobre novembre décembre déc января февраля марта апреля мая июня июля августа "
    "сентября октября ноября декабря январь февраль март апрель май июнь июль август "
    "сентябрь октябрь ноябрь декабрь 年 月"
)
_DATE_NOISE = names(
    "updated published posted last modified on at the of st nd rd th monday tuesday wednesday "
    "thursday friday saturday sunday mon tue tues wed thu thur thurs fri sat sun am pm a p m "
    "utc gmt est edt cst cdt pst pdt cet cest bst ist today yesterday "
    "veröffentlicht aktualisiert um uhr montag dienstag mittwoch donnerstag freitag samstag "
    "sonntag heute gestern publié mis à jour le h lundi mardi mercredi jeudi vendredi samedi "
    "dimanche aujourd hui опубликовано обновлено в г года год понедельник вторник среда "
    "четверг пятница суббота воскресенье мск сегодня вчера 日 时 分 秒 号 点 今天 昨天"
)
_LETTERS = re.compile(r"[^\W\d_]+")
_NUMERIC_DATE = re.compile(r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}|\d{4}年|\d{1,2}月\d{1,2}日")
_SLASHDOT = re.compile(
    r"^(?:an anonymous (?:reader|slashdot reader)|(?:long-time |longtime )?slashdot reader "
    r"\S+(?: \([^)]*\))?)\s+(?:\w+\s+){0,3}?(?:quotes|shares|writes|reports|passes along|"
    r"points out|tipped|sends)[^:]{0,100}:\s+",
    re.I,
)
_END_PUNCT = tuple(".!?…。！？:;")


def _is_lone_date(sentence: str) -> bool:
    """A date (and time) and nothing else: "June 7, 2023", "07.06.2023", "2016年10月14日"."""
    month = False
    for word in _LETTERS.findall(sentence.lower()):
        if word in _DATE_MONTHS:
            month = True
        elif word not in _DATE_NOISE:
            return False
    return month or _NUMERIC_DATE.search(sentence) is not None


def _bracketed(sentence: str) -> bool:
    pairs = {"(": ")", "[": "]", "（": "）", "【": "】", "{": "}"}
    close = pairs.get(sentence[0])
    if not close:
        return False
    body = sentence.rstrip(".。")
    return body.endswith(close) and body.count(close) == 1 and body.count(sentence[0]) == 1


# Substring gates: most sentences contain none of these, and a substring test is far cheaper
# than a regex search over the sentence.
# Which searches a line needs: a line holding none of a group's words skips that group.
_COMMENT_KEYS = (
    "reply",
    "comment",
    "mail",
    "required",
    "коммент",
    "ответ",
    "обязательн",
    "опубликован",
    "veröffentlicht",
    "erforderlich",
    "kommentar",
    "commentaire",
    "obligatoires",
    "publiée",
    "评论",
    "邮件",
    "必填",
)
_FOOTER_KEYS = ("appeared", "published", "本文", "转载")
_CREDIT_KEYS = ("photo", "image", "picture", "credit", "фото", "bild", "foto", "图")
_AGENCY_KEYS = ("getty", "shutterstock", "ap photo", "afp", "reuters", "imago", "dpa")
_NEWSLETTER_KEYS = (
    "we may",
    "we might",
    "site running",
    "subscri",
    "sign up",
    "sign-up",
    "newsletter",
    "inbox",
    "affiliate",
    "commission",
    "канал",
    "подпис",
)
_OK, _JUNK, _FOOTER_START = 0, 1, 2


_COMMENTS, _FOOTERS, _CREDITS, _AGENCIES, _NEWSLETTERS = 1, 2, 4, 8, 16


def _keys(text: str) -> int:
    """Which groups of search-gating keywords the text holds (a bit mask)."""
    low = text.lower()
    found = 0
    if has_any(low, _COMMENT_KEYS):
        found |= _COMMENTS
    if has_any(low, _FOOTER_KEYS):
        found |= _FOOTERS
    if has_any(low, _CREDIT_KEYS):
        found |= _CREDITS
    if has_any(low, _AGENCY_KEYS):
        found |= _AGENCIES
    if has_any(low, _NEWSLETTER_KEYS):
        found |= _NEWSLETTERS
    return found


def _boilerplate(sentence: str, keys: int | None = None) -> int:
    """_OK, _JUNK (never in a summary) or _FOOTER_START (the page footer starts here).

    `keys` is _keys() of the sentence's line: the searches run only when their keywords are
    on the line, so an ordinary sentence costs a few anchored matches.
    """
    if keys is None:
        keys = _keys(sentence)
    if keys:
        low = sentence.lower()
        if keys & _COMMENTS and _is_comment_form(low):
            return _FOOTER_START
        if keys & _FOOTERS and _is_footer(low):
            return _FOOTER_START if low.startswith("the post ") else _JUNK
        if (
            (keys & _CREDITS and _CREDIT.search(low))
            or (keys & _AGENCIES and _AGENCY_TAIL.search(low, max(0, len(low) - 30)))
            or (keys & _NEWSLETTERS and _NEWSLETTER.search(low))
        ):
            return _JUNK
    if (
        _LABEL.match(sentence)
        or _WIDGET.match(sentence)
        or _CAPTION_LINE.match(sentence)
        or _bracketed(sentence)
        or (len(sentence) <= 80 and (_BYLINE.match(sentence) or _is_lone_date(sentence)))
    ):
        return _JUNK
    return _OK


def _is_boilerplate(sentence: str) -> bool:
    """Must this sentence never be in a summary? (module docstring, "Eligibility")"""
    return _boilerplate(sentence) != _OK


def _is_heading(line: str) -> bool:
    """A short line with no sentence punctuation (a heading, a label, a price, a score), or a
    short one ending in a colon ("Jane Doe, writing for Example News:", "Key points:")."""
    tail = line.rstrip(CLOSERS)
    if tail.endswith((":", "：")):
        words = 15
    elif tail.endswith(_END_PUNCT):
        return False
    else:
        words = 20
    if CJK_CHAR.search(line):
        return len(line) < 30
    return line.count(" ") < words - 1


# --- content words -----------------------------------------------------------------------

_WORD = re.compile(rf"[^\W\d_{CJK_RANGE}]{{3,}}|\d+(?:[.,]\d+)*")
_CJK_RUN = re.compile(rf"[{CJK_RANGE}]{{2,}}")
_STOP = names(
    # en
    "the and for are but not you all any can had her was one our out has have him his how "
    "its may new now old see two way who did get got let say she too use that with this from "
    "they will would there their what about which when make like time just know take into "
    "year your some could them than then only come over also back after first well even "
    "want because these give most been were said says more other being such very where "
    "while should through does here those before between under again still each many much "
    "own same both few why off down since per via yet ever upon it's it’s"
    # ru
    " что это как его для все так она они уже или при был была были было будет может "
    "только еще ещё даже если когда чтобы этот эта эти этого этой который которая которые "
    "также тоже более того свой своей свои нам вам них над под без через после перед между "
    "очень можно нужно себя него нее неё сказал заявил"
    # de
    " der die das und ist nicht ein eine einer eines einem einen mit von für auf den dem des "
    "sich auch als bei wie aus nach noch nur oder aber wird werden wurde wurden sind hat "
    "haben kann können soll sollen über unter vor zum zur durch gegen ohne sein seine ihre "
    "ihr sie wir man mehr schon dass diese dieser dieses jetzt hier dort beim bis"
    # fr
    " les des une est pas pour que qui dans sur avec par son ses sont mais plus ont été "
    "cette ces aux leur leurs elle ils nous vous tout tous fait peut comme entre sans chez "
    "aussi être avoir très selon alors",
)


def _terms(text: str) -> frozenset[str]:
    """Content words of a headline or sentence (module docstring, "Selection" 3)."""
    # Stems are five-letter prefixes; a five-letter word loses its last letter ("plans",
    # "офиса" match "plan", "офис"). Words under three letters are not content.
    out = {
        word if len(word) < 5 else word[:4] if len(word) == 5 else word[:5]
        for word in _WORD.findall(text.lower())
        if word not in _STOP
    }
    for run in _CJK_RUN.findall(text):
        out.update(run[i : i + 2] for i in range(len(run) - 1))
    return frozenset(out)


_KEY_WORDS = re.compile(r"[^\W_]+")


def _key(text: str) -> str:
    """Text compared as a headline: case, punctuation and spacing do not matter."""
    return " ".join(_KEY_WORDS.findall(text.casefold()))


def _repeats(terms: frozenset[str], headline: frozenset[str]) -> bool:
    """Does a sentence merely repeat the headline?"""
    if not terms or not headline:
        return False
    shared = len(terms & headline)
    return shared >= 0.8 * len(terms) and len(terms) <= len(headline) + 2


# --- reading a story ---------------------------------------------------------------------

_ELIGIBLE, _WEAK = 0, 1


def _has_word(sentence: str) -> bool:
    for char in sentence:  # noqa: SIM110 - stops at the first letter, nearly always the first
        if char.isalnum():
            return True
    return False


def _is_footer_start(line: str) -> bool:
    low = line.lower()
    return _is_comment_form(low) or (low.startswith("the post ") and _is_footer(low))


def _units(text: str, german: bool) -> Iterator[tuple[str, int, int]]:
    """(sentence, kind, offset) in story order, stopping at the page footer.

    Eligible sentences come checked; weak lines (headings, list items) are only checked for
    the footer: the caller checks the one it may use (deal posts have hundreds of them).
    """
    position = 0
    size = len(text)
    while position < size:
        start = position
        newline = text.find("\n", position)
        if newline < 0:
            newline = size
        raw = text[position:newline]
        position = newline + 1
        line = " ".join(raw.split())
        if not line or _CAPTION_LINE.match(line):
            continue
        if line.startswith(("• ", "- ", "* ", "· ")) or _is_heading(line):
            if _is_footer_start(line):
                return
            yield line.lstrip("•-*· "), _WEAK, start
            continue
        if _LABEL.match(line) or _WIDGET.match(line):
            continue  # "Read also: ...", "This Tweet is unavailable. It might be ...": all of it
        keys = _keys(line)
        for sentence in split_line(line, german):
            verdict = _boilerplate(sentence, keys)
            if verdict == _FOOTER_START:
                return
            if verdict == _OK and _has_word(sentence):
                yield sentence, _ELIGIBLE, start


def _joined(parts: list[str]) -> str:
    out = parts[0]
    for part in parts[1:]:
        # After a Chinese full stop (maybe inside 」 or ）) comes no space, as in the source.
        out += part if out.rstrip(CLOSERS)[-1:] in CJK_MARKS else " " + part
    return out


def _overlap(low: str, headline: tuple[str, ...]) -> int:
    """How many headline terms occur in a lower-cased sentence (words: at a word start)."""
    hits = 0
    for term in headline:
        at = low.find(term)
        if term[0] < "\u3040":  # a word stem or a number must start a word
            while at > 0 and low[at - 1].isalnum():
                at = low.find(term, at + 1)
        if at >= 0:
            hits += 1
    return hits


_CONNECTIVES = names(
    "he she it they this that these those his her its their but and so then also however "
    "он она оно они это этот эта эти но и а его её ее их также однако "
    "er sie es dies diese dieser aber und auch doch dann "
    "il elle ils elles ce cet cette ces mais et aussi puis"
)


def _balanced(sentence: str) -> bool:
    """No quotation left open or closed from a neighbouring sentence."""
    return (
        sentence.count("“") == sentence.count("”")
        and sentence.count("«") == sentence.count("»")
        and sentence.count('"') % 2 == 0
        and sentence.count("「") == sentence.count("」")
    )


def _score(sentence: str, overlap: float, rank: int) -> float:
    """How well a sentence after the lead carries the news (module docstring, "Selection")."""
    if CJK_CHAR.search(sentence):
        if len(sentence) < 10:
            return 0.0
    elif sentence.count(" ") < 4:
        return 0.0  # "Nice.", "Chaos was the point.": too short to carry anything
    if not _balanced(sentence):
        return 0.0  # a piece of a quotation that started or ends in another sentence
    score = overlap + 0.5 / (1 + 0.5 * rank)
    tail = sentence.rstrip(CLOSERS)
    if tail.endswith((":", "：")):
        score *= 0.3  # it introduces a list or a quotation that is not there
    elif tail.endswith(("?", "？")):
        score *= 0.6
    if rank > 0 and sentence.split(" ", 1)[0].lower().strip(",") in _CONNECTIVES:
        score *= 0.5  # "He then ...", "But ...": needs the sentence before it
    return score


def summarize(title: str, text: str, language: str | None = None, limit: int = MAX_SUMMARY) -> str:
    """The lead and the sentences that best carry the headline, within `limit` (see above)."""
    if not text or limit <= 0:
        return ""
    terms = _terms(title) if title else frozenset()
    headline = tuple(terms)
    title_key = _key(title) if title else ""
    longest_repeat = 2 * len(title) + 20  # a longer sentence says more than the title
    german = bool(language) and language.lower().startswith("de")
    lead: str | None = None
    fallback: str | None = None  # a heading or list item, when nothing better exists
    repeat: str | None = None  # a sentence that only repeats the headline: the last resort
    window: list[tuple[str, float]] = []  # (sentence, share of the headline's terms)
    reach = len(text)
    for sentence, kind, offset in _units(text, german):
        if offset > reach:
            break
        if kind == _WEAK:
            if lead is None and fallback is None and _boilerplate(sentence) == _OK:
                fallback = sentence
            continue
        if lead is None:
            if title_key and _key(sentence) == title_key:
                repeat = repeat or sentence  # the story opens with its own headline
                continue
            lead = sentence
            reach = offset + REACH
            continue
        overlap = _overlap(sentence.lower(), headline) / len(headline) if headline else 0.0
        if overlap >= 0.5 and len(sentence) <= longest_repeat and _repeats(_terms(sentence), terms):
            continue
        window.append((sentence, overlap))
        if len(window) >= WINDOW:
            break
    if lead is None:
        lead = fallback or repeat
        if lead is None:
            return ""
        window = []
    strip = _SLASHDOT.match(lead)
    if strip and len(lead) - strip.end() >= 40:
        lead = lead[strip.end() :]
    size = utf16_len(lead)
    if size > limit:
        return shorten(lead, limit)
    scored = sorted(
        (-_score(sentence, overlap, rank), rank) for rank, (sentence, overlap) in enumerate(window)
    )
    chosen: list[int] = []
    for negative, rank in scored:
        if -negative < MIN_SCORE:
            break
        extra = utf16_len(window[rank][0]) + 1
        if size + extra <= limit:
            chosen.append(rank)
            size += extra
            if len(chosen) >= MAX_SENTENCES - 1:
                break
    return _joined([lead] + [window[rank][0] for rank in sorted(chosen)])
