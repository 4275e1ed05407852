"""Events: which stories from different outlets report the same news. Pure: no I/O, no SQL.

A new story joins the event (cluster) of an earlier story when the rules below say they
report the same announcement, incident, report or launch; otherwise it starts an event of
its own. When unsure, it does not join: a missed merge costs one extra push, a wrong merge
hides a story from a reader. The rules were chosen by measuring on a hand-labelled window of
12 outlets (../shared/corpus/clusters; bench/clusters.py prints the figures).

What a story is compared by (`terms`): its headline and the first LEAD characters of its
text, as content words: casefolded, stop words dropped, possessives and English plurals cut,
and a name followed by a small number joined ("Pixel 8" -> "pixel8", "iOS 17" -> "ios17").
Each word weighs by how rare it is among the stories of the window (IDF over the index,
scaled to 0..1), so "Kuiper" counts and "Google" on a Google event day does not.

1. Only stories within WINDOW of each other (by publication time) are compared, and an event
   only grows for WINDOW after its first story: a day-old story that gets the same headline
   tomorrow is a new event, and a date far in the past (1970) never matches anything. The
   index holds at most MAX_STORIES: past that, the stories published longest ago leave
   first, so its memory is bounded however many sources are polled (a missed merge, never
   a wrong one, is what a story beyond it can cost).
2. Never by similarity within one source: a source's second story about an event is a
   follow-up (its own republish is one story by the link and guid rules of storage). An
   event holds at most one story per source, so a recurring format of one outlet ("Deals of
   the day", a weekly report) can never chain its editions together.
3. A headline with fewer than MIN_TITLE_WORDS content words ("Update", a site's name, an
   empty title) is never merged: there is nothing to compare.
4. The format must agree (`kind`): comparisons ("X vs Y", "which should you buy") never
   merge; buyer's guides, "how to watch" pieces, live blogs, roundups ("everything
   announced"), reviews and hands-ons, and yes/no-question opinion pieces merge only with
   their own kind. A rumour or a plan ("could", "leak", "tipped", "likely", "preparing")
   never merges with a report: the report that a fix is coming is not the fix.
5. Brands: when both stories are about catalogue brands, they share one.
6. Versions: headlines naming different versions ("iOS 17.1" and "iOS 17.0.3") differ.
7. Same news, by words: the share of each headline's weight found in the other story's
   headline or lead is at least COVER (both ways), and the words they share weigh at least
   SHARED; or the headlines themselves overlap by TITLE_OVERLAP (of the shorter one) with
   COVER both ways and SHARED_TITLES of shared weight.
8. Same news, by anchors, in any language: the headlines name the same subject (the first
   "name + number" of each, or a rare capitalized name, allowing the inflected endings of
   Slavic languages: "Ubisoft"/"Ubisoftu") and the same kind of action from ACTIONS
   (launch, release, fix, shutdown, lawsuit, arrest, breach, a price change, layoffs,
   funding, acquisition, arrival), in English, Russian or Polish. A launch, a release or an
   arrival anchors only with the same product: a company launches several things a day.
9. Among the events whose stories qualify, the one they qualify for most strongly is joined:
   each qualifying story adds its similarity (cover plus headline overlap), and ANCHOR_BONUS
   when it also has the same subject and action (rule 8), the surest sign of one event.
"""

from __future__ import annotations

import itertools
import math
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from news.related import STOPWORDS as _RELATED_STOPWORDS

WINDOW = 48 * 3600  # seconds; same-event coverage in the labelled window came within ~30 h
LEAD = 600  # characters of text compared
MAX_TITLE = 300  # characters of a headline compared (a 3,000-character "headline" is text)
MIN_TITLE_WORDS = 3
MIN_POPULATION = 400  # the IDF of a small index is computed as if it held this many stories
MIN_SAMPLE = 50
RARE_NAME = 0.03  # a name in at most this share of the window's headlines is "rare"
COVER = 0.30
SHARED = 3.65
TITLE_OVERLAP = 0.60
SHARED_TITLES = 2.0
ANCHOR_BONUS = 0.5  # rule 9: the same subject and action is the strongest sign of one event
CANDIDATES = 60  # at most this many earlier stories are scored, from the rarest word up
MAX_STORIES = 30_000  # rule 1: two days at 15,000 stories a day; about 3 KB each

_EXTRA_STOPWORDS = (
    "a an of to in on at by is it as or be we i my me us if so no do does did too very"
    " than here's what's that's it's isn't new news now today week latest finally"
    " report reportedly official officially update updates adds gets getting coming comes"
    " available announces announced launches launched reveals unveils"
)
STOPWORDS = frozenset(_RELATED_STOPWORDS | set(_EXTRA_STOPWORDS.split()))

_WORD = re.compile(r"[\w$][\w.$+'-]*\w|\w", re.UNICODE)
_VERSION = re.compile(r"(?<![\w.])\d+\.\d+(?:\.\d+)*(?![\w.])")
_NAME = re.compile(r"(?<!\w)([^\W\d_a-z][\w]*\w)", re.UNICODE)
_MODEL = re.compile(r"([^\W\d_][\w-]*)\s?(\d{1,2}(?:\.\d+)*)(?![\w.])", re.UNICODE)
_ROMAN = {"II": "2", "III": "3", "IV": "4", "VI": "6"}
_NOT_MODEL_TEXT = (
    "the in on at to of for by up and with over cross than top best until from about into"
    " only just all nearly almost under w z i o na do в на и за до от с по"
)
_NOT_MODEL = frozenset(_NOT_MODEL_TEXT.split())

# Formats (rule 4), first match wins. English and Russian; lower-case, apostrophes as "'".
KINDS: tuple[tuple[str, str], ...] = (
    (
        "compare",
        r"\bvs\.?\b|\bversus\b|which (?:one )?should you|should you (?:buy|upgrade|get)"
        r"|\bсравнени\w*|\bпротив\b",
    ),
    ("watch", r"how to watch|\bwatch\b.*\blive\b|\blivestream\b|как смотреть|трансляци\w*"),
    ("live", r"\blive ?blog\b|\blive updates\b|\bliveblog\b|онлайн-трансляци\w*"),
    (
        "roundup",
        r"\beverything (?:\w+ )?(?:announced|revealed|unveiled)\b|\ball the news\b"
        r"|\bbiggest announcements\b|\bmorning after\b|\brecap\b|\broundup\b"
        r"|\bthis week\b|\bweekly\b|\bdigest\b|итоги|всё, что показали|все анонсы",
    ),
    (
        "guide",
        r"^(?:the )?best\b|\bhow to\b|\bwhere to\b|\bdeals?\b|\balternatives\b"
        r"|\baccessories\b|\bchargers?\b|\bcases\b|\bguide\b|\btips\b|\bpre-?orders?\b"
        r"|^лучшие\b|^как\b|\bскидк\w*",
    ),
    (
        "review",
        r"\breview\b|\bhands[- ]on\b|\bfirst look\b|\bfirst impressions\b|\bwe tested\b"
        r"|\bi tried\b|\bwe tried\b|\bобзор\w*|\bтест\b",
    ),
    (
        "opinion",
        r"^(?:is|are|does|do|can|should|will|would|has|have|did)\b.*\?$|\bopinion\b"
        r"|\bwhy i\b|\bi'm\b|\bмнение\b",
    ),
)
_KINDS = tuple((kind, re.compile(pattern)) for kind, pattern in KINDS)
_RUMOR = re.compile(
    r"\b(?:rumou?r(?:s|ed)?|leak(?:s|ed)?|tipped|could|might|reportedly (?:working|planning"
    r"|developing|testing)|likely|preparing|expected to|слух\w*"
    r"|утечк\w* данных не|может получить|могут|готовит|prawdopodobnie)\b"
)
_SAYS = re.compile(r"\b(?:says|said|claims|thinks|заявил\w*)\b")

# Kinds of action (rule 8); regular-expression fragments matched as whole words, lower-case.
ACTIONS: dict[str, str] = {
    "launch": r"announc\w*|unveil\w*|debut\w*|launch(?:es|ed)?|official(?:ly)?|is here"
    r"|are here|arriv\w*|introduc\w*|reveals(?! why| how)|revealed|oficjaln\w*"
    r"|zaprezentowa\w*|zapowiada\w*|представ\w*|анонс\w*|официальн\w*",
    "release": r"releas\w*|rolls? out|rolling out|now available|available (?:to download|now)"
    r"|finally here|dostępn\w*|wypuści\w*|выпуст\w*|вышл[аио]|вышел|доступн\w*",
    "fix": r"fix(?:es|ed)?|address(?:es|ed)?|patch(?:es|ed)?|poprawk\w*|исправ\w*",
    "shutdown": r"shut(?:s|ting)? down|shutter\w*|clos(?:es|ing|ed) (?:up shop|down)"
    r"|pulls? the plug|offline|wyłącz\w*|закрыва\w*|закро\w*",
    "sue": r"sue[sd]?|suing|lawsuit|pozew|pozyw\w*|иск\w*|су[дт]ит\w*",
    "arrest": r"arrest\w*|areszt\w*|арест\w*|задерж\w*",
    "breach": r"breach\w*|hack(?:ed|s)?|włamani\w*|wyciek\w*|взлом\w*|утечк\w*",
    # a price change, not a price: "lowest prices ever" is a deal, not news about Amazon
    "price": r"price (?:cuts?|hikes?|increases?|drops?|rises?|changes?|war)"
    r"|(?:rais|hik|cut|lower|increas|drop|slash)\w* (?:its |their |the )?prices?"
    r"|more expensive|cheaper|podwyżk\w*|podnosi ceny|podniesie ceny|obniż\w* cen\w*"
    r"|подорож\w*|(?:снизи|повыси|снижа|повыша)\w* цен\w*",
    "layoff": r"layoffs?|lays? off|laid off|zwolni\w*|сокращ\w*|увольн\w*",
    "funding": r"raises? \$|funding|seed round|series [a-d]|pozysk\w*|привлек\w*",
    "acquire": r"acquir\w*|to buy|buys|purchas\w*|przejm\w*|покупа\w*|купи\w*",
    "arrive": r"com(?:es|ing) to|headed to|trafi\w*|появ\w*",
}
# A company launches, releases and brings several things in a day: these actions anchor only
# with the same product ("Pixel Watch 2"), the others with a rare name too ("Ubisoft").
PRODUCT_ACTIONS = frozenset({"launch", "release", "arrive"})
_ACTIONS = tuple(
    (action, re.compile(r"(?<!\w)(?:" + pattern + r")(?!\w)"))
    for action, pattern in ACTIONS.items()
)


def _plain(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace("\u2019", "'").replace("\u2018", "'")


def _content_words(text: str) -> list[str]:
    words: list[str] = []
    for word in _WORD.findall(text):
        word = word.casefold().strip(".-+'")
        if word.endswith("'s"):
            word = word[:-2]
        if len(word) > 4 and word.endswith("s") and not word.endswith("ss") and word.isalpha():
            word = word[:-1]
        if (len(word) < 2 and not word.isdigit()) or word in STOPWORDS:
            continue
        words.append(word)
    joined = [
        a + b for a, b in itertools.pairwise(words) if b.isdigit() and len(b) <= 2 and a.isalpha()
    ]
    return words + joined


def kind(title: str) -> str:
    """Rule 4: the format a headline announces; "report" for plain news."""
    low = _plain(title).strip().casefold()
    for name, pattern in _KINDS:
        if pattern.search(low):
            return name
    return "report"


def _models(title: str) -> list[str]:
    text = re.sub(r"\b(?:II|III|IV|VI)\b", lambda m: _ROMAN[m.group()], title)
    found = []
    for match in _MODEL.finditer(text):
        word = match.group(1).casefold()
        if word not in _NOT_MODEL:
            found.append(word + match.group(2).split(".")[0])
    return found


@dataclass(frozen=True, slots=True)
class Terms:
    """What rules 3-8 compare of one story."""

    title: frozenset[str]
    lead: frozenset[str]  # the lead's words that are not headline words
    kind: str
    rumor: bool
    subject: str | None  # rule 8: the first "name + number" of the headline
    names: frozenset[str]  # capitalized words of the headline, casefolded
    actions: frozenset[str]
    versions: frozenset[str]

    @property
    def comparable(self) -> bool:
        """Rule 3."""
        return len(self.title) >= MIN_TITLE_WORDS


def terms(title: str, text: str) -> Terms:
    """A story's terms (see the module docstring)."""
    head = _plain(title[:MAX_TITLE])
    low = head.casefold()
    title_words = frozenset(_content_words(head))
    models = _models(head)
    return Terms(
        title=title_words,
        lead=frozenset(_content_words(_plain(text[:LEAD]))) - title_words,
        kind=kind(head),
        rumor=bool(_RUMOR.search(low)) and not _SAYS.search(low),
        subject=models[0] if models else None,
        names=frozenset(m.group(1).casefold() for m in _NAME.finditer(head)),
        actions=frozenset(action for action, rx in _ACTIONS if rx.search(low)),
        versions=frozenset(_VERSION.findall(head)),
    )


@dataclass(frozen=True, slots=True)
class Story:
    """A story given to the index: what it is compared by, and where it belongs."""

    id: int
    cluster_id: int
    source_id: int
    published_at: int
    brands: frozenset[str]
    terms: Terms


@dataclass(slots=True)
class _Held:
    """A story as the index holds it for WINDOW: its words as tuples of interned strings (a
    tuple of 40 words takes a sixth of a frozenset's memory, and `set.intersection` reads a
    tuple at C speed), its small sets shared with every story that has the same ones."""

    id: int
    cluster_id: int
    source_id: int
    published_at: int
    brands: frozenset[str]
    title: tuple[str, ...]
    lead: tuple[str, ...]
    names: tuple[str, ...]
    kind: str
    rumor: bool
    subject: str | None
    actions: frozenset[str]
    versions: frozenset[str]
    title_weight: float  # its headline's weight as the index was when it arrived
    comparable: bool  # rule 3


@dataclass(frozen=True)
class Match:
    cluster_id: int
    story_id: int  # the earlier story the new one matched
    score: float
    rule: str  # "words", "headlines" or "anchors" (rules 7 and 8)


def _stems(names: Iterable[str]) -> set[str]:
    return {name[:5] for name in names if len(name) >= 5}


def _same_stem(a: str, b: str) -> bool:
    """Names equal, or one an inflected form of the other ("ubisoft"/"ubisoftu")."""
    if a == b:
        return True
    if min(len(a), len(b)) < 5:
        return False
    common = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        common += 1
    return common >= max(5, max(len(a), len(b)) - 3)


def _versions_differ(a: frozenset[str], b: frozenset[str]) -> bool:
    """Rule 6: both name versions and none is the other's prefix ("17" fits "17.0.3")."""
    if not a or not b:
        return False
    return not any(x.startswith(y) or y.startswith(x) for x in a for y in b)


@dataclass
class EventIndex:
    """The stories of the last WINDOW, indexed by their words. Holds no I/O: the caller feeds
    it the stories it stores (`add`) and asks it where a new one belongs (`match`).

    It holds every story of the window (tens of thousands on a busy day, all of a first
    poll's backlog), so it keeps each one small: `_Held` records, postings as lists of ids
    (most words of a day occur in one or two stories), one copy of each word and small set."""

    window: int = WINDOW
    capacity: int = MAX_STORIES
    stories: dict[int, _Held] = field(default_factory=dict)
    last_id: int = 0  # the newest story id added: storage reads only what is newer
    # word -> the stories with it, oldest first; how many there are is the word's frequency
    _postings: dict[str, list[int]] = field(default_factory=dict)
    _name_df: Counter[str] = field(default_factory=Counter)
    # a name's first 5 letters -> the stories with an action (rule 8) naming it
    _stems: dict[str, list[int]] = field(default_factory=dict)
    _members: dict[int, set[int]] = field(default_factory=dict)  # cluster -> its stories here
    _cluster_sources: dict[int, set[int]] = field(default_factory=dict)
    _cluster_start: dict[int, int] = field(default_factory=dict)
    _shared: dict[frozenset[str], frozenset[str]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.stories)

    def add(self, story: Story) -> None:
        self.last_id = max(self.last_id, story.id)
        if story.id in self.stories:
            return
        t = story.terms
        # Interned: the same words recur in thousands of stories (and terms computed in another
        # process arrive as new strings): one string each instead of one per story.
        held = _Held(
            story.id, story.cluster_id, story.source_id, story.published_at,
            self._one(story.brands), tuple(map(sys.intern, t.title)),
            tuple(map(sys.intern, t.lead)), tuple(map(sys.intern, t.names)), sys.intern(t.kind),
            t.rumor, t.subject, self._one(t.actions), self._one(t.versions), 0.0, t.comparable,
        )  # fmt: skip
        self.stories[story.id] = held
        for word in itertools.chain(held.title, held.lead):
            self._postings.setdefault(word, []).append(story.id)
        # its words' rarity drifts slowly; recomputing it for every candidate of every match
        # was most of the cost
        held.title_weight = sum(map(self._weights(), t.title)) or 1.0
        self._name_df.update(held.names)
        for stem in _stems(held.names) if held.actions else ():
            self._stems.setdefault(stem, []).append(story.id)
        self._members.setdefault(story.cluster_id, set()).add(story.id)
        self._cluster_sources.setdefault(story.cluster_id, set()).add(story.source_id)
        start = self._cluster_start.get(story.cluster_id)
        if start is None or story.published_at < start:
            self._cluster_start[story.cluster_id] = story.published_at
        if len(self.stories) > self.capacity + self.capacity // 20:  # a sort per 5% added
            by_age = sorted(self.stories.values(), key=lambda s: (s.published_at, s.id))
            self._forget(by_age[: len(by_age) - self.capacity])

    def _one(self, small: frozenset[str]) -> frozenset[str]:
        """One shared copy of a small set (brands, actions, versions recur in thousands)."""
        return self._shared.setdefault(small, small)

    def forget_before(self, horizon: int) -> None:
        """Drop the stories published before `horizon` (rule 1): they can match nothing new.
        An event keeps the time of its first story, so it still stops growing on time."""
        self._forget([s for s in self.stories.values() if s.published_at < horizon])

    def _forget(self, old: list[_Held]) -> None:
        """Drop these stories, and the events left with none here."""
        self._drop(old)
        for cluster_id in {s.cluster_id for s in old}:
            if not self._members.get(cluster_id):
                self._members.pop(cluster_id, None)
                self._cluster_sources.pop(cluster_id, None)
                self._cluster_start.pop(cluster_id, None)

    def remove(self, story_ids: Iterable[int]) -> None:
        """Take back stories added by a transaction that rolled back, as if never added."""
        gone = [self.stories[i] for i in dict.fromkeys(story_ids) if i in self.stories]
        self._forget(gone)
        for cluster in {s.cluster_id for s in gone}:  # the events that keep stories here
            members = [self.stories[m] for m in self._members.get(cluster, ())]
            if not members:
                continue
            self._cluster_sources[cluster] = {m.source_id for m in members}
            self._cluster_start[cluster] = min(m.published_at for m in members)

    def _drop(self, stories: list[_Held]) -> None:
        if not stories:
            return
        gone = {s.id for s in stories}
        words: set[str] = set()
        stems: set[str] = set()
        for story in stories:
            del self.stories[story.id]
            self._members.get(story.cluster_id, set()).discard(story.id)
            self._name_df.subtract(story.names)
            words.update(story.title, story.lead)
            stems.update(_stems(story.names))
            for name in story.names:
                if self._name_df[name] <= 0:
                    del self._name_df[name]
        for postings, keys in ((self._postings, words), (self._stems, stems)):
            for key in keys:
                kept = [i for i in postings.get(key, ()) if i not in gone]
                if kept:
                    postings[key] = kept
                else:
                    postings.pop(key, None)

    def _weights(self) -> Callable[[str], float]:
        """A word's weight as the index is now: how rare it is, 0..1."""
        # A small index (the first hours after a start) counts as MIN_POPULATION stories with
        # the same proportions, so a word in 5 of 50 stories is as common as 40 in 400; below
        # MIN_SAMPLE stories the proportions say too little to be scaled further.
        population = max(len(self.stories), MIN_POPULATION)
        scale = population / max(len(self.stories), MIN_SAMPLE)
        top = population + 1
        log_n = math.log(top)
        postings = self._postings

        def weight(word: str) -> float:
            return math.log(top / (len(postings.get(word, ())) * scale + 1)) / log_n

        return weight

    def match(
        self, new: Terms, *, source_id: int, published_at: int, brands: Iterable[str] = ()
    ) -> Match | None:
        """Rules 1-9: the event a new story joins, or None for a new event."""
        if not new.comparable or new.kind == "compare":
            return None
        brands = frozenset(brands)
        new_title = new.title
        new_all = new.title | new.lead
        # every set compared below is within the new story's words
        weight = self._weights()
        mine = {w: weight(w) for w in new_all}

        def own(words: Iterable[str]) -> float:
            return sum(map(mine.__getitem__, words))

        new_title_weight = own(new_title) or 1.0
        best: dict[int, Match] = {}  # cluster -> its most similar story
        totals: dict[int, float] = {}  # cluster -> the scores of its stories that qualify
        for old in self._candidates(new):
            if (
                abs(old.published_at - published_at) > self.window
                or published_at - self._cluster_start.get(old.cluster_id, 0) > self.window
                or source_id in self._cluster_sources.get(old.cluster_id, ())
                or not old.comparable
                or old.kind != new.kind
                or old.rumor != new.rumor
                or (brands and old.brands and not brands & old.brands)
                or _versions_differ(new.versions, old.versions)
            ):
                continue  # rules 1, 2, 3, 4, 5, 6
            in_title = new_all.intersection(old.title)  # old headline words the new one has
            in_lead = new_all.intersection(old.lead)  # old lead words the new one has
            both_titles = own(new_title & in_title)
            forward = (both_titles + own(new_title & in_lead)) / new_title_weight
            if forward < COVER and not new.actions & old.actions:
                continue  # neither rule 7 (cover) nor rule 8 (a shared action) can hold
            back = own(in_title)
            cover = min(forward, back / old.title_weight)
            shared = back + own(in_lead)
            overlap = both_titles / min(new_title_weight, old.title_weight)
            anchored = self._anchored(new, old)
            rule = None
            if cover >= COVER and shared >= SHARED:
                rule = "words"
            elif overlap >= TITLE_OVERLAP and cover >= COVER and shared >= SHARED_TITLES:
                rule = "headlines"
            elif anchored:
                rule = "anchors"
            if rule is None:
                continue
            score = cover + overlap + (ANCHOR_BONUS if anchored else 0.0)
            cluster = old.cluster_id
            totals[cluster] = totals.get(cluster, 0.0) + score
            if cluster not in best or score > best[cluster].score:
                best[cluster] = Match(cluster, old.id, score, rule)
        if not best:
            return None
        return best[max(totals, key=lambda c: (totals[c], -c))]

    def _anchored(self, new: Terms, old: _Held) -> bool:
        """Rule 8."""
        actions = new.actions & old.actions
        if not actions:
            return False
        if new.subject is not None and new.subject == old.subject:
            return True
        if actions <= PRODUCT_ACTIONS:
            return False  # a company launches many things a day; it is sued once
        limit = max(RARE_NAME * len(self.stories), 2)
        rare_old = [n for n in old.names if self._name_df.get(n, 0) <= limit]
        return any(
            _same_stem(a, b)
            for a in new.names
            if self._name_df.get(a, 0) <= limit
            for b in rare_old
        )

    def _candidates(self, new: Terms) -> list[_Held]:
        """Earlier stories sharing a headline word or a name stem of the new one, read from
        the rarest word up and, for each word, from the newest story back, at most CANDIDATES
        of them. Rule 7 needs a third of the headline's weight in common, which a story
        sharing only the commonest words cannot reach; among many that share a word, the
        newest are the likeliest to report the same news."""
        found: dict[int, None] = {}
        for word in sorted(new.title, key=lambda w: len(self._postings.get(w, ()))):
            for story_id in reversed(self._postings.get(word, ())):
                found[story_id] = None
                if len(found) >= CANDIDATES:
                    break
            if len(found) >= CANDIDATES:
                break
        if new.actions:
            # rule 8 across languages: an inflected name shares no word, only a stem (the
            # stems of stories with an action: no other can anchor)
            for stem in _stems(new.names):
                for story_id in itertools.islice(reversed(self._stems.get(stem, ())), CANDIDATES):
                    found[story_id] = None
        return [self.stories[i] for i in found]
