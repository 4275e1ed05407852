"""Feed bytes to normalized stories. CPU only: the caller runs `parse_feed` in a worker thread.

feedparser is handed a BytesIO, never a str or bytes (it would treat them as a path or URL and
fetch it), together with the response headers so it can pick the encoding and resolve
relative links against the final URL. Its HTML sanitizer is off: we never display feed HTML,
we reduce it to text.

Before parsing, the bytes are checked against the encoding they declare (HTTP charset, else
the XML declaration, else XML's default, UTF-8). feedparser alone, given a "UTF-8" document
with a few invalid bytes, decodes the *whole* document as Latin-2 or cp1252: every accented
letter and dash in every story becomes mojibake. So, for a document declared (or defaulting
to) UTF-8 that is not valid UTF-8 (`repair_encoding`):
a. a document that is UTF-8 with a few invalid sequences (it has valid multi-byte UTF-8, and
   at most REPAIR_LIMIT of its bytes, or 16, are invalid) drops them and is read as the UTF-8
   it is: stray bytes are garbage, not letters;
b. otherwise (no valid UTF-8 beyond ASCII at all: the whole document is in another 8-bit
   encoding, cp1252 or cp1251, mislabelled; or too much is invalid) charset-normalizer says
   what the bytes really are, and they are read as that;
c. bytes that are text in no encoding it trusts make the document a problem on the source
   ("not text in the encoding it declares"), never mojibake in a chat.
Documents declaring another encoding (windows-1251, GB2312, ...) are feedparser's to decode.

Normalizing an entry, in order:
1. Skip phantoms: entries with neither a title, a link nor any text (feeds with illegally
   nested <item/> produce them).
2. Link: absolute against the feed, fragment and tracking parameters removed (news.links).
3. Text: Atom/`content:encoded` content is preferred over the description (it is the full
   article); HTML becomes plain text with paragraphs, and site boilerplate is removed
   (news.text). Stored text is capped: summaries and matching need the lead, not the novel.
4. Title: entities decoded, tags stripped, whitespace collapsed; an entry with no title takes
   the start of its text. Titles are capped at MAX_TITLE characters, authors at MAX_AUTHOR,
   guids and links at MAX_IDENTITY (a hostile feed's megabyte title is not stored whole).
5. Published time in UTC; missing, or in the future, means "first seen now".
6. Identity within the source: guid, else canonical link, else a hash of title and text.
7. An entry the source's last ingested document already had, field for field, is not
   normalized again (`seen`: the fingerprints of that document's entries, which every parse
   returns as `ParsedFeed.fingerprints`): it is counted in `unchanged` and left out of
   `stories`, since storage has it as it is. A fingerprint is a BLAKE2b digest of the raw
   fields steps 2-6 read, with the feed's link and language; an entry whose fields change at
   all (an edit, a new date) is normalized, and storage's content hash decides the rest.
"""

from __future__ import annotations

import calendar
import hashlib
import io
import itertools
import re
import time
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import charset_normalizer
import feedparser

from news.links import canonical_link
from news.models import StoryDraft
from news.telegram_html import shorten
from news.text import clean_text, clean_title, first_image, html_to_text

REPAIR_LIMIT = 0.01  # share of a UTF-8 document's bytes that may be invalid and dropped (a)
MAX_CHAOS = 0.2  # charset-normalizer's "chaos" above which a guess is not trusted (b, c)
MAX_TEXT = 20_000  # characters of story text kept
MAX_TITLE = 500  # a headline; real ones are under 200
MAX_AUTHOR = 200
MAX_IDENTITY = 2048  # a guid or link; longer ones are not identities but payloads
FUTURE_TOLERANCE = 300  # seconds: clocks differ a little; beyond that a date is not believed
FINGERPRINT = 16  # bytes of an entry's fingerprint (rule 7)
MAX_FINGERPRINTS = 1000  # entries of a document remembered; a longer feed's rest is re-read
# what steps 2-6 read of an entry: a change in any of them is normalized again (rule 7)
_ENTRY_FIELDS = ("id", "title", "link", "author", "language", "published_parsed",
                 "updated_parsed", "summary", "content", "media_content", "media_thumbnail",
                 "enclosures")  # fmt: skip
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


@dataclass
class ParsedFeed:
    title: str | None = None
    site_url: str | None = None
    language: str | None = None
    ttl_minutes: int | None = None
    stories: list[StoryDraft] = field(default_factory=list)
    problem: str | None = None  # set when the document is not a usable feed
    unchanged: int = 0  # rule 7: entries left out as the last document had them
    fingerprints: bytes = b""  # rule 7: of this document's entries, FINGERPRINT bytes each


def split_fingerprints(blob: bytes | None) -> frozenset[bytes]:
    """`ParsedFeed.fingerprints` as stored -> the set `parse_feed(seen=...)` takes."""
    blob = blob or b""
    return frozenset(blob[i : i + FINGERPRINT] for i in range(0, len(blob), FINGERPRINT))


def _fingerprint(context: bytes, entry: Any) -> bytes:
    """Rule 7: what tells an entry's raw fields from any other's."""
    h = hashlib.blake2b(context, digest_size=FINGERPRINT)
    for key in _ENTRY_FIELDS:  # the stored keys: FeedParserDict's aliases would warn
        _feed_hash(h, dict.get(entry, key))
    if detail := dict.get(entry, "summary_detail"):
        _feed_hash(h, detail.get("type"))
    return h.digest()


def _feed_hash(h: Any, value: Any) -> None:
    """Feed `value` to the digest, tagged by its type: a title "None" is not a missing one."""
    if isinstance(value, str):
        h.update(b"s" + value.encode("utf-8", "surrogatepass"))
    elif isinstance(value, dict):
        h.update(b"{")
        for key, item in value.items():
            h.update(str(key).encode())
            _feed_hash(h, item)
    elif isinstance(value, list | tuple):
        h.update(b"[")
        for item in value:
            _feed_hash(h, item)
    else:
        h.update(b"r" + repr(value).encode())
    h.update(b"\x00")


def digest(*parts: str) -> str:
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\x00")
    return h.hexdigest()


def title_key(title: str) -> str:
    """Headlines compared for clustering: case, punctuation and spacing do not matter."""
    return " ".join(_NON_WORD.sub(" ", unicodedata.normalize("NFKC", title).casefold()).split())


def _timestamp(entry: Any, now: int) -> int:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return now
    try:
        ts = calendar.timegm(parsed)  # feedparser's struct_time is UTC
    except (TypeError, ValueError, OverflowError):
        return now
    return now if ts > now + FUTURE_TOLERANCE else ts


def _entry_text(entry: Any) -> tuple[str, str]:
    """(plain text, the HTML it came from) preferring full content over the description."""
    candidates = [c for c in entry.get("content") or [] if c.get("value")]
    if candidates:
        best = max(candidates, key=lambda c: len(c["value"]))
        raw, kind = best["value"], best.get("type", "text/html")
    else:
        detail = entry.get("summary_detail") or {}
        raw, kind = entry.get("summary") or "", detail.get("type", "text/html")
    if "html" in kind:
        return clean_text(html_to_text(raw)), raw
    return clean_text(" ".join(raw.split()) if "\n\n" not in raw else raw), ""


def _image(entry: Any, html: str) -> str | None:
    for key in ("media_content", "media_thumbnail"):
        for media in entry.get(key) or []:
            url = media.get("url")
            if url and media.get("medium", "image") == "image":
                return url
    for enclosure in entry.get("enclosures") or []:
        if str(enclosure.get("type", "")).startswith("image/") and enclosure.get("href"):
            return enclosure["href"]
    return first_image(html) if html else None


def _language(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    # "en-US", "en_us", "ru-RU" -> the primary subtag is what summaries and search care about
    return re.split(r"[-_]", value.strip(), maxsplit=1)[0].lower()[:8] or None


def normalize_entry(
    entry: Any, *, base_url: str, language: str | None, now: int
) -> StoryDraft | None:
    text, html = _entry_text(entry)
    title = shorten(clean_title(str(entry.get("title") or "")[: MAX_TITLE * 4]), MAX_TITLE)
    raw_link = entry.get("link")
    link = canonical_link(raw_link, base_url) if len(str(raw_link or "")) <= MAX_IDENTITY else None
    if not title and not link and not text:
        return None  # a phantom entry
    if not title:
        title = shorten(text.split("\n", 1)[0], 120) if text else link or ""
    if len(text) > MAX_TEXT:
        text = shorten(text, MAX_TEXT)
    guid = str(entry.get("id") or "").strip()[:MAX_IDENTITY]
    if guid:
        identity = f"guid:{guid}"
    elif link:
        identity = f"link:{link}"
    else:
        identity = f"hash:{digest(title, text)}"
    author = shorten(clean_title(str(entry.get("author") or "")[: MAX_AUTHOR * 4]), MAX_AUTHOR)
    author = author or None
    story_language = _language(entry.get("language")) or language
    return StoryDraft(
        identity=identity,
        link=link,
        title=title,
        title_key=title_key(title),
        text=text,
        author=author,
        image_url=canonical_link(_image(entry, html), base_url),
        language=story_language,
        published_at=_timestamp(entry, now),
        content_hash=digest(title, text, link or ""),
    )


def parse_feed(
    body: bytes,
    *,
    url: str,
    content_type: str | None = None,
    now: int | None = None,
    seen: frozenset[bytes] = frozenset(),
) -> ParsedFeed:
    """Parse a fetched document, leaving out the entries in `seen` (rule 7). Never raises for
    bad input: a problem is reported instead."""
    now = int(time.time()) if now is None else now
    body, content_type, problem = repair_encoding(body, content_type)
    if problem:
        return ParsedFeed(problem=problem)
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    try:
        parsed = feedparser.parse(
            io.BytesIO(body),
            response_headers=headers,
            # Entry HTML is never shown: news.text turns it into plain text (dropping scripts,
            # styles and embeds) and news.links resolves links. feedparser's own sanitizing
            # and relative-URI rewriting of that HTML would double the cost of a poll.
            sanitize_html=False,
            resolve_relative_uris=False,
        )
    except Exception as exc:  # feedparser is robust, but a parser bug must not stop a poll
        return ParsedFeed(problem=f"unparseable document ({type(exc).__name__}: {exc})")
    if not parsed.get("version") and not parsed.entries:
        return ParsedFeed(problem=_not_a_feed(parsed, body, content_type))
    feed = parsed.feed
    language = _language(feed.get("language"))
    base = canonical_link(feed.get("link"), url) or url
    stories: list[StoryDraft] = []
    identities: set[str] = set()
    context = f"{base}\x00{language}\x00".encode("utf-8", "surrogatepass")
    prints: dict[bytes, None] = {}
    unchanged = 0
    for entry in parsed.entries:
        mark = _fingerprint(context, entry)
        if mark in seen:
            unchanged += 1
            prints[mark] = None
            continue
        story = normalize_entry(entry, base_url=base, language=language, now=now)
        if story is not None and story.identity not in identities:  # a feed may repeat items
            identities.add(story.identity)
            stories.append(story)
            prints[mark] = None
    if not stories and not unchanged and parsed.get("bozo"):
        # Nothing usable and the parser complained: a broken document, not an empty feed.
        return ParsedFeed(problem=f"unparseable document ({parsed.get('bozo_exception')})")
    return ParsedFeed(
        title=clean_title(feed.get("title") or "") or None,
        site_url=canonical_link(feed.get("link"), url),
        language=language,
        ttl_minutes=_ttl(feed.get("ttl")),
        stories=stories,
        unchanged=unchanged,
        fingerprints=b"".join(itertools.islice(prints, MAX_FINGERPRINTS)),
    )


_DECLARED = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_CHARSET = re.compile(r";\s*charset\s*=\s*\"?([^;\s\"]+)\"?", re.IGNORECASE)
_UTF8 = {"utf-8", "utf8", "utf_8"}


def _declared_encoding(body: bytes, content_type: str | None) -> str | None:
    found = _CHARSET.search(content_type or "")
    if found:
        return found.group(1).lower()
    declared = _DECLARED.match(body[:512])
    return declared.group(1).decode("ascii").lower() if declared else None


def _as_utf8(text: str, content_type: str | None) -> tuple[bytes, str]:
    """The document as UTF-8 bytes, its XML declaration and charset saying so."""
    data = text.encode("utf-8")
    declared = _DECLARED.match(data[:512])
    if declared:
        start, end = declared.span(1)
        data = data[:start] + b"utf-8" + data[end:]
    media = (content_type or "application/xml").split(";", 1)[0].strip()
    return data, f"{media}; charset=utf-8"


def repair_encoding(body: bytes, content_type: str | None) -> tuple[bytes, str | None, str | None]:
    """Steps a-c of the module docstring: (body, content type, problem or None)."""
    declared = _declared_encoding(body, content_type)
    if declared not in (None, *_UTF8) or body.startswith((b"\xff\xfe", b"\xfe\xff")):
        return body, content_type, None  # another encoding, or UTF-16: feedparser's
    try:
        body.decode("utf-8")
        return body, content_type, None
    except UnicodeDecodeError:
        pass
    text = body.decode("utf-8", errors="replace")
    invalid = text.count("\ufffd")
    multibyte = sum(1 for ch in text if ch > "\x7f") - invalid
    if multibyte and invalid <= max(16, REPAIR_LIMIT * len(body)):  # a: a few stray bytes
        return (*_as_utf8(text.replace("\ufffd", ""), content_type), None)
    guess = charset_normalizer.from_bytes(body).best()  # b: what the bytes really are
    if guess is not None and guess.chaos <= MAX_CHAOS and guess.encoding not in _UTF8:
        return (*_as_utf8(_latin_as_cp1252(body, str(guess)), content_type), None)
    return (
        body,
        content_type,
        (  # c
            f"not text in the encoding it declares ({declared or 'UTF-8'}: {invalid} invalid"
            " byte sequences)"
        ),
    )


def _latin_as_cp1252(body: bytes, guessed: str) -> str:
    """A guess whose letters are all Latin rests on a handful of accented bytes, and between
    the dozen Latin code pages that read them plausibly (cp1250, cp775, cp850, Mac Roman...)
    the web's own answer is cp1252, which WHATWG decodes every "latin1" label as; a Cyrillic
    or Greek guess (cp1251, koi8-r) has the evidence of whole words and is kept."""
    latin = all(
        unicodedata.name(ch, "").startswith("LATIN")
        for ch in guessed
        if ch.isalpha() and ch > "\x7f"
    )
    if latin:
        try:
            return body.decode("cp1252")
        except UnicodeDecodeError:  # one of its five unassigned bytes: not cp1252 after all
            pass
    return guessed


def _ttl(value: Any) -> int | None:
    try:
        minutes = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return minutes if minutes > 0 else None


def _not_a_feed(parsed: Any, body: bytes, content_type: str | None) -> str:
    head = body[:2048].lstrip().lower()
    if (content_type and "html" in content_type) or head.startswith((b"<!doctype html", b"<html")):
        return "not a feed (an HTML page)"
    if not body.strip():
        return "empty document"
    reason = parsed.get("bozo_exception")
    return f"not a feed ({reason})" if reason else "not a feed"
