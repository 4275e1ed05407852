"""Feed HTML to clean plain text: paragraphs kept, markup, boilerplate and share bars dropped.

Pure functions over strings, no I/O. They run on every feed entry, so the HTML is walked with
one regular-expression tokenizer rather than html.parser (three times slower on a 1 MB feed,
and it raises on some marked sections), and clean_text gates its regexes behind substring
tests. TIME's 1.1 MB, 100-entry feed takes about 50 ms for html_to_text + clean_text.

html_to_text(markup), in order:
 1. No known HTML tag in the input: it is plain text. Its line breaks are kept (a blank line
    separates paragraphs); only entity decoding (rule 5) and whitespace (rule 6) apply.
 2. CDATA wrappers are unwrapped so their content is parsed as markup (feeds nest them);
    script and style elements go with their bodies; comments, doctypes, processing
    instructions and Word's "<![if ...]>" sections vanish.
 3. Dropped with their content: noscript, iframe, object, embed, svg, math, form, button,
    select, textarea, figcaption, nav, aside, template, title, video, audio, canvas, and any
    element whose class or id names a share bar, social buttons, related links, comments or a
    newsletter box ("share-buttons", "sharedaddy", "jp-relatedposts", ...; whole words only,
    so "unrelated" or "shared-image" stay). One that never closes takes the rest of the
    input with it, except one dropped for its class: the guess may be wrong, so it is kept.
 4. An unfinished tag at the end of the input, or the debris of a known tag that never
    closed ("<img src=..." cut off), is dropped as a browser would swallow it.
 5. Entities are decoded as html.unescape does, then once more when well-formed entities
    remain ("&amp;eacute;" in the XML reaches us as "&eacute;"). The second pass only
    decodes `&name;` with a known name and `&#123;` / `&#x7B;`, so "AT&T" and "&" stay.
 6. Invisible characters (zero-width space, BOM, soft hyphen, C0 controls) are removed and
    whitespace (newlines and non-breaking spaces included) collapses to single spaces.
 7. Block elements (p, div, li, h1-h6, blockquote, pre, tr, table, ul, ol, section, article,
    header, footer, figure, hr, ...) separate paragraphs; <br> breaks a line and two <br> in
    a row break the paragraph; list items start with "• "; table cells get a space; images
    produce nothing.
 8. Each line is trimmed; empty lines and paragraphs are dropped; paragraphs are joined with
    a blank line, lines inside a paragraph with a newline.

clean_text(text), on that output (or plain text), in order:
 1. Paragraphs made only of CSS rules go (a sanitizer dropped <style> but kept its text).
 2. Footer lines: "The post X appeared first on Y.", 'This article, "X" first appeared on
    Y', "This article originally appeared on Y ...", Chinese reprint notices ("本文由…原创
    发布，转载请…").
 3. Link-label lines: "Read more", "Continue reading", "Read also: <title>", "Related:",
    "See also:", "More:", "Learn more", "To read this article in full, please click here",
    site taxonomy ("Tag: X", "Buyer's Guide: X") and their Russian, German, French and Chinese
    equivalents. Verb labels ("Read more", "Weiterlesen") go when the line starts with one
    and is short (at most 8 words), ends in an arrow/ellipsis, or is "Label: <title>"; noun
    labels ("Related", "More", "Mehr dazu") only when alone or as "Label: <title>" (title at
    most 25 words). A label ending in a colon also takes the short link lines under it and
    the bullet list right after it.
 4. Comment-form text: "Leave a Reply", "Your email address will not be published", "N
    Comments", "Post Comment", "Discuss this article in our forums", ... (English, Russian,
    German, French, Chinese).
 5. Share bars: a line made only of share words and network names ("Share", "Tweet",
    "Facebook", "X", "Copy link", "Поделиться", "Teilen", ...), separated by spaces, "|",
    "·", "," or "/", provided it holds a share verb or at least two names: one bare
    "Facebook" heading stays, and so does a bullet list of apps. Lines joined by "|" whose
    parts are all such labels go too ("Read 64 remaining paragraphs | Comments").
 6. Image-credit lines ("Photo: ...", "Image credits: ...", "Credit: ...", "Фото: ...",
    "Bild: ...", "图片来源：...", at most 15 words) and lines of symbols only ("★", "* * *",
    a callout's emoji icon).
 7. Tails at the end of a line, after a sentence end: "… Continue reading →", "Read more »",
    "Weiterlesen", "Читать далее →", "(more…)", a caption's trailing "Credit: Name", a glued-on
    WordPress footer; a final "[…]" / "[...]" becomes "…" (nothing after a full stop). The
    sentence before them stays.
 8. Empty lines and paragraphs left behind are dropped; the result is trimmed.
Precision over recall: real sentences that merely contain these words stay.

clean_title(raw): tags of known HTML elements stripped ("Vector<int>" is not one), entities
decoded (twice, for double-escaped feeds), whitespace collapsed, trimmed.

first_image(markup): the src of the first <img> that is not a tracking pixel (width or height
0/1, or a feedburner/pixel/tracker/stats/gravatar URL), not an emoji and not inside a dropped
element (share bar, nav, script, ...); data: placeholders give way to data-src.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from html.entities import html5 as _HTML5_ENTITIES
from urllib.parse import urlsplit

from news.boilerplate import CJK_LINK_LABELS, LINK_NOUNS, LINK_VERBS, has_any

# --- characters and entities -------------------------------------------------------------

# Invisible characters that would otherwise glue or split words unpredictably: C0 controls,
# zero-width space, word joiner, BOM, soft hyphen; and ZWJ/ZWNJ beside an ASCII character or
# a space (MacRumors puts U+200C around product names: "iPhone\u200c 15"), while between
# emoji or letters of the scripts that need them (Persian, Indic) they stay. \x01-\x03 are
# left out: they are the walker's markers (see below).
_ALWAYS_INVISIBLE = "\x00\x04-\x08\x0e-\x1b\x7f\u200b\u2060\ufeff\xad"
_JOINERS = "\u200c\u200d"
_INVISIBLE = re.compile(
    f"[{_ALWAYS_INVISIBLE}]|(?<=[\x00-\x7f\xa0])[{_JOINERS}]+|[{_JOINERS}]+(?=[\x00-\x7f\xa0])"
)
# Any character _INVISIBLE may remove: one scan for it is cheaper than the substitution's
# lookarounds, and almost no text holds one.
_MAYBE_INVISIBLE = re.compile(f"[{_ALWAYS_INVISIBLE}{_JOINERS}]")
_MARKERS = re.compile("[\x01-\x03]")
_WS = re.compile(r"\s+")
_INLINE_WS = re.compile(r"[^\S\n]+")
_PARAGRAPH_SPLIT = re.compile(r"\n[^\S\n]*\n\s*")

# Only well-formed references, so the second pass can never touch "AT&T" or a bare "&".
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});")


def _visible(text: str) -> str:
    """Rule 6's invisible characters removed."""
    return _INVISIBLE.sub("", text) if _MAYBE_INVISIBLE.search(text) else text


def _entity(match: re.Match[str]) -> str:
    ref = match.group(0)
    if ref[1] == "#":
        return html.unescape(ref)
    return _HTML5_ENTITIES.get(ref[1:], ref)  # unknown names ("&T;") stay as written


def _decode_entities(text: str) -> str:
    """Strict entity decoding: only well-formed, known references."""
    if "&" not in text:
        return text
    return _ENTITY.sub(_entity, text)


# --- HTML walking ------------------------------------------------------------------------


def _names(spec: str) -> frozenset[str]:
    return frozenset(spec.split())


_BLOCK = _names(
    "p div li h1 h2 h3 h4 h5 h6 blockquote pre tr section article header footer ul ol table "
    "figure hr dl dt dd main address details summary center caption fieldset legend"
)
_DROP = _names(
    "script style noscript iframe object embed svg math form button select textarea "
    "figcaption nav aside template title video audio canvas"
)
# Dropped elements that still end a paragraph ("a<button>x</button>b" stays one line).
_BREAKING = _BLOCK | _names("nav aside form figcaption")
_VOID = _names("area base br col embed hr img input link meta param source track wbr")
# Known tag names only: "x<y z" or "Vector<int>" in plain text must not switch to HTML mode.
_KNOWN_TAGS = (
    "a|abbr|address|article|aside|audio|b|big|blockquote|body|br|button|caption|center|cite|"
    "code|dd|del|details|div|dl|dt|em|embed|figcaption|figure|font|footer|form|h[1-6]|head|"
    "header|hr|html|i|iframe|img|input|ins|kbd|li|link|main|mark|meta|nav|noscript|object|ol|"
    "p|picture|pre|q|s|script|section|select|small|source|span|strike|strong|style|sub|"
    "summary|sup|svg|table|tbody|td|textarea|tfoot|th|thead|time|title|tr|tt|u|ul|video|wbr"
)
_HAS_TAG = re.compile(rf"<(?:/?(?:{_KNOWN_TAGS})(?=[\s/>])|!--|!\[|!doctype)", re.I)
_CDATA = re.compile(r"<!\[CDATA\[(.*?)(?:\]\]>|$)", re.S)
# Script and style bodies are raw text that may hold "<p>"; they go before tokenizing.
_RAW_TEXT = re.compile(r"<(script|style)\b[^>]*>.*?(?:</\1\s*>|\Z)", re.I | re.S)
# One token per match; the text between matches is character data. Unclosed comments run to
# the end (as in browsers); "<!...>", "<?...>" and "</ >" are bogus comments and vanish.
_TOKEN = re.compile(
    r"<!--.*?(?:-->|\Z)"
    r"|<[!?][^>]*>"
    r"|</\s*([a-zA-Z][^\s/>]*)[^>]*>"
    r"|</[^>]*>"
    r"|<([a-zA-Z][^\s/>]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>",
    re.S,
)
# Debris of a tag that never closed ("<p class='x" at the end, "<img src=" cut off): the rest
# of that stretch of text is dropped, as a browser would swallow it into the tag.
_DEBRIS = re.compile(rf"<(?:[!?/]|(?:{_KNOWN_TAGS})(?![a-zA-Z0-9]))", re.I)
_TRAILING_DEBRIS = re.compile(r"<[a-zA-Z!?/]")
_ATTR = re.compile(r"([^\s=/>\"']+)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>\"']+)))?")

# class/id words that mark boilerplate blocks. Whole words of a class token ("share-bar",
# "jp-relatedposts", "sharedaddy"), so "unrelated" or "shared-image" are not matched.
_BOILERPLATE_HINTS = ("shar", "social", "related", "comment", "newsletter", "a2a")
# An embedded post ("social-embed", "social-card") is quoted content, not a share bar.
_BOILERPLATE_ATTR = re.compile(
    r"(?:^|[\s_-])(?:share|sharing|sharedaddy|sharebar|sharetools|addtoany|a2a_kit|"
    r"social(?![_-]?(?:embed|post|card|quote))|related|relatedposts|comments|comment-respond|"
    r"newsletter)(?=$|[\s_-]|bar|tools|buttons|links|icons|posts|box)",
    re.I,
)

# Markers in the collected text; raw \x01-\x03 are stripped from the input first.
_BULLET = "\x01"  # "• " before the next text of a list item
_LINE = "\x02"  # <br>
_PARAGRAPH = "\x03"  # a block boundary


class _Found(Exception):
    """Raised to stop walking once first_image has its answer."""


def _attributes(raw: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for match in _ATTR.finditer(raw):
        name = match.group(1).lower()
        if name not in found:  # the first of duplicate attributes wins, as in browsers
            value = match.group(2) or match.group(3) or match.group(4) or ""
            found[name] = html.unescape(value) if "&" in value else value
    return found


def _is_boilerplate(raw_attrs: str) -> bool:
    low = raw_attrs.lower()
    if not any(hint in low for hint in _BOILERPLATE_HINTS):  # cheap test: most tags fail it
        return False
    attrs = _attributes(raw_attrs)
    return any(_BOILERPLATE_ATTR.search(attrs.get(name, "")) for name in ("class", "id"))


class _Walker:
    """Collects character data and markers, dropping what the rules drop.

    Dropped elements are not muted: their text is recorded and cut off again when they close
    (`skips` keeps where each started). That way an element dropped for its class which never
    closes can be kept at the end instead of eating the rest of the page.
    """

    def __init__(self, want_image: bool = False) -> None:
        self.out: list[str] = []
        self.has_text = False  # does the current paragraph hold visible text yet?
        self.pre = 0
        # [tag, nesting depth, start index in out, has_text at start, keep if never closed]
        self.skips: list[list] = []
        self.want_image = want_image
        self.image: str | None = None

    def walk(self, markup: str) -> None:
        position = 0
        data, start, end = self.data, self.start, self.end  # hot loop: one call per token
        for match in _TOKEN.finditer(markup):
            begin = match.start()
            if begin > position:
                data(markup[position:begin], _DEBRIS)
            position = match.end()
            kind = match.lastindex  # 3: start tag, 1: end tag, None: comment and the like
            if kind == 3:
                start(match[2].lower(), match[3])
            elif kind == 1:
                end(match[1].lower())
        if position < len(markup):
            self.data(markup[position:], _TRAILING_DEBRIS)
        self.finish()

    # paragraph and line breaks; nothing is emitted before the first visible text
    def _break(self) -> None:
        if self.has_text:
            self.out.append(_PARAGRAPH)
            self.has_text = False

    def start(self, tag: str, attrs: str) -> None:
        if tag in _VOID:
            if tag == "br":
                if self.has_text:
                    self.out.append(_LINE)
            elif tag == "hr":
                self._break()
            elif tag == "img" and self.want_image and not self.skips:
                self.image = _image_src(_attributes(attrs))
                if self.image:
                    raise _Found
            return
        if attrs.endswith("/"):  # XHTML "<div class='share'/>" is empty: opens nothing
            if tag in _BLOCK:
                self._break()
            return
        if self.skips:
            if tag in _BLOCK and self.skips[-1][0] == "p":
                self._end_skip(len(self.skips) - 1)  # a block start closes an open <p>
            for skip in reversed(self.skips):
                if skip[0] == tag:
                    skip[1] += 1
                    break
        dropped = tag in _DROP
        if dropped or (attrs and _is_boilerplate(attrs)):
            if tag in _BREAKING:
                self._break()
            self.skips.append([tag, 1, len(self.out), self.has_text, not dropped])
            return
        if tag in _BLOCK:
            self._break()
            if tag == "li":
                self.out.append(_BULLET)
            elif tag == "pre":
                self.pre += 1
        elif tag == "td" or tag == "th":
            self.out.append(" ")

    def _end_skip(self, index: int) -> None:
        """Close dropped element `index` (and any opened inside it): cut its text."""
        tag, _, start, had_text, _ = self.skips[index]
        del self.out[start:]
        self.has_text = had_text
        del self.skips[index:]
        if tag in _BREAKING:
            self._break()

    def end(self, tag: str) -> None:
        for index in range(len(self.skips) - 1, -1, -1):
            skip = self.skips[index]
            if skip[0] == tag:
                skip[1] -= 1
                if skip[1] == 0:
                    self._end_skip(index)
                return
        if tag == "br":  # "</br>" is read as <br> by browsers
            if self.has_text:
                self.out.append(_LINE)
        elif tag in _BLOCK:
            if tag == "li":
                while self.out and self.out[-1] == _BULLET:  # empty item: no stray bullet
                    self.out.pop()
            elif tag == "pre" and self.pre:
                self.pre -= 1
            self._break()

    def data(self, text: str, debris: re.Pattern[str]) -> None:
        if "<" in text:
            match = debris.search(text)
            if match:
                text = text[: match.start()]
        if "&" in text:
            text = html.unescape(text)  # the first decode, as a browser does
            if "&" in text:
                text = _decode_entities(text)  # the second, for double-escaped feeds
        if self.pre:
            text = text.replace("\r\n", "\n").replace("\n", _LINE)
        if not self.has_text:
            if not text or text.isspace():
                return
            self.has_text = True
        self.out.append(text)

    def finish(self) -> None:
        # Never closed: a dropped tag (nav, form, ...) takes the rest with it; an element
        # dropped only for its class is kept, since the guess may have been wrong.
        for skip in self.skips:
            if not skip[4]:
                del self.out[skip[2] :]
                break
        self.skips.clear()


def _assemble(text: str) -> str:
    """Collected text to paragraphs: whitespace collapsed, lines trimmed, bullets placed."""
    text = _visible(text)
    paragraphs = []
    for block in text.split(_PARAGRAPH):
        lines: list[str] = []
        for line in block.split(_LINE):
            line = " ".join(line.split())  # collapses and trims all whitespace, NBSP included
            if _BULLET in line:
                rest = line.replace(_BULLET, "").strip()
                line = "• " + rest if rest and line.startswith(_BULLET) else rest
            if line:
                lines.append(line)
            elif lines:  # an empty line (<br><br>) ends the paragraph
                paragraphs.append("\n".join(lines))
                lines = []
        if lines:
            paragraphs.append("\n".join(lines))
    return "\n\n".join(paragraphs)


def _prepare(markup: str) -> str:
    """Markup ready for the tokenizer: markers, script/style bodies and sections gone."""
    if "\x01" in markup or "\x02" in markup or "\x03" in markup:
        markup = _MARKERS.sub("", markup)
    if "<![" in markup:
        # CDATA content becomes markup; other "<![...]>" (Word's "<![if ...]>") are bogus
        # comments the tokenizer drops.
        markup = _CDATA.sub(r"\1", markup)
    lowered = markup.lower()
    if "<script" in lowered or "<style" in lowered:
        markup = _RAW_TEXT.sub("", markup)
    return markup


def _plain_text(text: str) -> str:
    """Text without tags: already decoded once by the feed parser; line breaks are kept."""
    text = _decode_entities(_decode_entities(text))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _INLINE_WS.sub(" ", _visible(_MARKERS.sub("", text)))
    paragraphs = []
    for block in _PARAGRAPH_SPLIT.split(text):
        lines = [line.strip() for line in block.split("\n")]
        if any(lines):
            paragraphs.append("\n".join(line for line in lines if line))
    return "\n\n".join(paragraphs)


def html_to_text(markup: str) -> str:
    """Feed HTML (or plain text) to plain text; paragraphs joined with a blank line."""
    if not markup:
        return ""
    if not _HAS_TAG.search(markup):
        return _plain_text(markup)
    walker = _Walker()
    walker.walk(_prepare(markup))
    return _assemble("".join(walker.out))


# --- images ------------------------------------------------------------------------------

# Trackers and non-pictures, matched as substrings of the lowercased URL.
_TRACKER_WORDS = ("feedburner", "feedblitz", "tracker", "/stats", "gravatar", "doubleclick")
# "pixel" only as a host label or a whole file name ("pixel.wp.com", "/pixel.gif",
# "/pixel?id="), so a photo named "google-pixel-9.jpg" in a tech feed is not a tracker.
_PIXEL_FILES = _names("pixel pixel.gif pixel.png pixel.php tracking-pixel")
_TINY = _names("0 1 0px 1px")


def _is_tracker(src: str) -> bool:
    low = src.lower()
    if any(word in low for word in _TRACKER_WORDS) or "/emoji/" in low:
        return True
    try:
        parts = urlsplit("https:" + low if low.startswith("//") else low)
    except ValueError:
        return True  # not even a URL
    if "pixel" in (parts.hostname or "").split("."):
        return True
    return any(segment in _PIXEL_FILES for segment in parts.path.split("/"))


def _image_src(attrs: dict[str, str]) -> str | None:
    if attrs.get("width", "").strip() in _TINY or attrs.get("height", "").strip() in _TINY:
        return None
    css_class = attrs.get("class", "")
    if "emoji" in css_class or "wp-smiley" in css_class:
        return None
    # Lazy loaders put a data: placeholder in src and the picture in data-src.
    for name in ("src", "data-src", "data-lazy-src", "data-original"):
        src = attrs.get(name, "").strip()
        if src and not src.lower().startswith("data:"):
            return None if _is_tracker(src) else src
    return None


def first_image(markup: str) -> str | None:
    """The src of the first real <img> (not a tracking pixel), or None."""
    if not markup or "<img" not in markup.lower():
        return None
    walker = _Walker(want_image=True)
    try:
        walker.walk(_prepare(markup))
    except _Found:
        return walker.image
    return None


# --- titles ------------------------------------------------------------------------------

_TITLE_TAG = re.compile(rf"</?(?:{_KNOWN_TAGS})(?:\s[^<>]*)?/?>|<!--.*?(?:-->|$)", re.I | re.S)
_TITLE_BR = re.compile(r"<br\s*/?>", re.I)


def clean_title(raw: str) -> str:
    """One line of plain text: tags stripped, entities decoded, whitespace collapsed."""
    if not raw:
        return ""
    text = raw
    if "<![CDATA[" in text:
        text = _CDATA.sub(r"\1", text)
    for _ in range(2):  # escaped tags come out of the first decode
        if "<" in text:
            text = _TITLE_TAG.sub("", _TITLE_BR.sub(" ", text))
        text = _decode_entities(text)
    if "<" in text:
        text = _TITLE_TAG.sub("", _TITLE_BR.sub(" ", text))
    return _WS.sub(" ", _visible(text)).strip()


# --- boilerplate -------------------------------------------------------------------------

_ARROWS = "→⟶➔➜➝➞▸▶►›»>"
# What may decorate a label: spaces, colons, dots, ellipses, arrows, dashes, brackets.
_DECOR = rf"[\s:：.…{_ARROWS}\-–—\[\]()|*]*"
_LINK_TAIL = re.compile(rf"(?:[{_ARROWS}]|…|\.\.\.|>>)\W*$")
_COLON = re.compile(r"^\s*(?:[:：]|\s[-–—]\s|[»›])\s*(?P<title>\S.*)$", re.S)

# A short line starting with a verb label is a link, not a sentence (news.boilerplate).
_ACTION_START = re.compile(
    rf"^(?:{'|'.join(LINK_VERBS)})(?!\w)|^(?:{'|'.join(CJK_LINK_LABELS)})", re.I
)
# Noun labels only alone or as "Label: title" (a line starting "More than ..." stays).
_NOUN_START = re.compile(rf"^(?:{'|'.join(LINK_NOUNS)})(?!\w)", re.I)
_ONLY_DECOR = re.compile(rf"^{_DECOR}$")

_FOOTER = re.compile(
    r"^(?:The post .+ (?:appeared first|first appeared) on .+"
    # "This article originally appeared on Engadget at ...", MacRumors' 'This article,
    # "<title>" first appeared on MacRumors.com', TIME's "This story first appeared in ...".
    # "Originally"/"first" is required: "This article was published in 2019 ..." is a note.
    r"|This (?:article|story|post|entry)\b.{0,300}? (?:(?:was )?(?:originally|first) "
    r"(?:appeared|published)|appeared first|(?:was )?published first) (?:on|in|at) .+"
    # Chinese reprint notices: "本文由极客公园原创发布，转载请…", "转载请注明出处".
    r"|本文(?:由|为|系|来自).{0,80}(?:原创|首发|发布).{0,80}|.{0,60}转载请(?:注明|联系|添加|保留).{0,80})$",
    re.I | re.S,
)

_COMMENT_LINE = re.compile(
    r"^(?:leave a (?:reply|comment)(?: cancel reply)?|cancel reply|post (?:a )?comment|"
    r"submit comment|add (?:a )?comment|no comments(?: yet)?|\d[\d,.]*k? comments?|comments|"
    r"one comment|required fields are marked|"
    r"discuss this (?:article|story|post)(?: in our forums?)?|"
    r"join the discussion|view comments|"
    r"save my name, email, and website in this browser for the next time i comment|"
    r"you must be logged in to post a comment|(?:comment|name|email|e-mail) \*|"
    r"your email address will not be published.*|like this|like loading|"
    r"добавить комментарий|оставить комментарий|отменить ответ|комментарии|"
    r"\d+ комментари(?:й|я|ев)|обязательные поля помечены|ваш адрес email не будет опубликован.*|"
    r"kommentare|\d+ kommentare?|kommentar schreiben|"
    r"ihre e-mail-adresse wird nicht veröffentlicht.*|"
    r"laisser un commentaire|\d+ commentaires?|votre adresse (?:e-mail|email|de messagerie) "
    r"ne sera pas publiée.*|发表评论|\d+ ?条评论)"
    r"[\s.:!*…]*$",
    re.I | re.S,
)

_SHARE_VERBS = (
    r"click to (?:share on [\w.]+|email a link to a friend|email|print)|"
    r"share (?:this(?: article| story| post)?|on [\w.]+|via [\w.]+|to [\w.]+)|"
    r"shares?|sharing|tweet(?: this)?|pin(?: it)?|print(?: this)?|copy(?: link| url)?|"
    r"link copied|e-?mail this|send|поделиться|поделитесь|teilen|drucken|partager|imprimer|"
    r"分享(?:到)?|转发"
)
_SHARE_NAMES = (
    r"facebook|twitter|x|linkedin|reddit|e-?mail|mail|whatsapp|telegram|pinterest|flipboard|"
    r"threads|bluesky|mastodon|tumblr|pocket|hacker news|vk|vkontakte|вконтакте|одноклассники|"
    r"xing|weibo|wechat|微博|微信|messenger|sms"
)
_SHARE_TOKEN = re.compile(
    rf"(?P<verb>{_SHARE_VERBS})(?!\w)|(?P<name>{_SHARE_NAMES})(?!\w)|"
    r"(?P<neutral>\(opens in new window\)|\d[\d.,]*[km]?(?!\w))",
    re.I,
)
_SHARE_GAP = re.compile(r"[\s,/:：|·•]*")
_SEGMENT_SPLIT = re.compile(r"\s+[|·•]\s+|\s*\|\s*")

_CREDIT_LINE = re.compile(
    r"^(?:(?:photo|image|picture|illustration|photograph)s?(?: credits?| source)?|credits?|"
    r"source image|фото|источник фото|изображение|bild(?:quelle)?|fotos?|"
    r"crédits? photos?|crédits?|图片来源|图片|图)\s*[:：]"
    r"|^(?:photo|photograph|image|illustration)s? (?:by|via|courtesy of)\s",
    re.I,
)

_TAIL_LABELS = (
    r"continue reading|read more|read the rest(?: of (?:this|the) (?:entry|article|story|post))?|"
    r"keep reading|read (?:the )?full (?:article|story|post)|weiterlesen|weiter lesen|"
    r"mehr lesen|читать далее|читать дальше|подробнее|lire la suite|阅读更多|阅读全文|查看原文|"
    r"点击查看"
)


def _ellipsis(match: re.Match[str]) -> str:
    # After a finished sentence (maybe inside quotes) the mark says nothing more.
    before = match.string[: match.start()].rstrip().rstrip("\"'”’»)")
    return "" if before.endswith((".", "…", "!", "?", "。", "！", "？")) else "…"


_TAIL_LABEL_WORDS = (
    "continue reading",
    "read more",
    "read the rest",
    "keep reading",
    "read full",
    "read the full",
    "weiterlesen",
    "weiter lesen",
    "mehr lesen",
    "читать",
    "подробнее",
    "lire la suite",
    "阅读",
    "查看",
)

# (keywords, reach, pattern, replacement). A pattern only runs when one of its keywords is in
# the last `reach` characters of the line (lowercased), and only over those characters:
# substring tests are far cheaper than regex scans over every line of every entry.
_TAIL_REACH = 600  # the longest reach below
_TAILS: list[tuple[tuple[str, ...], int, re.Pattern[str], str | Callable[[re.Match[str]], str]]]
_TAILS = [
    # "(more…)": the WordPress excerpt link, always after the text.
    (
        ("(more", "(read more", "(mehr", "(plus", "(далее"),
        40,
        re.compile(r"\s*\((?:more|read more|mehr|plus|далее)\s*(?:…|\.\.\.)?\)\s*$", re.I),
        "",
    ),
    # "Read more »" after a sentence end; the label may carry a quoted or arrowed title.
    (
        _TAIL_LABEL_WORDS,
        240,
        re.compile(
            rf"(?<=[.!?…。！？\"”»)\]])\s*(?:…|\.\.\.)?\s*[\[(]?(?:{_TAIL_LABELS})"
            rf"(?:{_DECOR}"  # decoration only: "Read more »"
            rf"|\s+[“\"«„][^\n]{{1,150}}[”\"»“]{_DECOR}"  # a quoted title: 'Continue reading "X"'
            rf"|\s+[^\n]{{1,120}}?\s*[{_ARROWS}])$",  # a title then an arrow
            re.I,
        ),
        "",
    ),
    # A WordPress footer glued to the last sentence instead of standing alone.
    (
        ("appeared first on", "first appeared on"),
        600,
        re.compile(
            r"(?<=[.!?…])\s+The post .{1,300}? (?:appeared first|first appeared) on .{1,120}$",
            re.S,
        ),
        "",
    ),
    # "… sentence. Credit: Jane Doe" — a caption's credit; names only, no further sentence.
    (
        ("photo", "image", "credit", "фото", "bild", "foto"),
        120,
        re.compile(
            r"(?<=[.!?…\"”»)])\s+(?:photo|image|credit|фото|bild|foto)s?\s*[:：]\s*"
            r"(?:[^\s.!?:]+\s){0,5}[^\s.!?:]+$",
            re.I,
        ),
        "",
    ),
    # "[…]" / "[...]": a truncation mark; a plain "…" says the same (unless one is there).
    (("[",), 40, re.compile(r"\s*\[\s*(?:…|\.\.\.|&hellip;)\s*\]\s*$"), _ellipsis),
]

# Whole paragraphs of CSS rules: feed sanitizers drop <style> tags but keep their text.
# A selector is one line (so prose above a rule is never taken for one); declarations end
# in ";" except maybe the last, so the pattern cannot backtrack badly.
_CSS_RULES = re.compile(
    r"^(?:[^{}\n]{1,300}\{(?:\s*[-\w]+\s*:[^{};]*;)*(?:\s*[-\w]+\s*:[^{};]*)?\s*\}\s*)+$"
)
# A line without letters or digits ("★" permalinks, "* * *", "|"): decoration only.
_SYMBOLS_ONLY = re.compile(r"^[^\w]{1,5}$")

_MAX_LABEL_TITLE_WORDS = 25  # "Read also: <title>" — titles are short; paragraphs are not


def _words(text: str) -> int:
    return len(text.split())


def _is_label_line(line: str) -> bool:
    """A "Read more" / "Related: <title>" style link label (clean_text rule 3)."""
    match = _ACTION_START.match(line)
    if match:
        rest = line[match.end() :]
        if _ONLY_DECOR.match(rest) or _words(line) <= 8 or _LINK_TAIL.search(rest):
            return True
        colon = _COLON.match(rest)
        return bool(colon) and _words(colon.group("title")) <= _MAX_LABEL_TITLE_WORDS
    match = _NOUN_START.match(line)
    if match:
        rest = line[match.end() :]
        if _ONLY_DECOR.match(rest):
            return True
        colon = _COLON.match(rest)
        return bool(colon) and _words(colon.group("title")) <= _MAX_LABEL_TITLE_WORDS
    return False


def _share_segment(segment: str) -> tuple[bool, int, int]:
    """(made only of share words?, number of verbs, number of network names)."""
    verbs = names = 0
    position = _SHARE_GAP.match(segment).end()
    while position < len(segment):
        # Token by token from the left: an ordinary sentence fails on its first word.
        match = _SHARE_TOKEN.match(segment, position)
        if not match:
            return False, 0, 0
        if match.group("verb"):
            verbs += 1
        elif match.group("name"):
            names += 1
        position = _SHARE_GAP.match(segment, match.end()).end()
    return (verbs + names) > 0, verbs, names


def _is_widget_line(line: str) -> bool:
    """Share bars, comment-form text and "|"-joined link bars (clean_text rules 4-5)."""
    bulleted = line.startswith("• ")
    body = line[2:] if bulleted else line
    segments = [s for s in _SEGMENT_SPLIT.split(body) if s.strip()]
    if not segments:
        return False
    strong = False  # something that is boilerplate on its own (a verb, "Comments", ...)
    names = 0
    for segment in segments:
        segment = segment.strip()
        if _COMMENT_LINE.match(segment) or (
            len(segments) > 1 and _is_label_line(segment) and _words(segment) <= 8
        ):
            strong = True
            continue
        ok, verbs, found = _share_segment(segment)
        if not ok:
            return False
        strong = strong or verbs > 0
        names += found
    # One bare network name is left alone (a "Facebook" heading); a bullet list of networks
    # is content unless it also says "Share".
    return strong or (names >= 2 and not bulleted)


def _is_credit_line(line: str) -> bool:
    return bool(_CREDIT_LINE.match(line)) and _words(line) <= 15


def _cut_tails(line: str) -> str:
    for _ in range(4):  # tails can stack: "text […] Continue reading →"
        before = line
        low = line[-_TAIL_REACH:].lower()
        for keywords, reach, pattern, replacement in _TAILS:
            if not has_any(low[-reach:], keywords):
                continue
            # Run over twice the reach, so "[…]" can see the sentence before it.
            split = max(0, len(line) - 2 * reach)
            end = line[split:]
            cut = pattern.sub(replacement, end, count=1)
            if cut != end:
                line = (line[:split] + cut).rstrip()
                low = line[-_TAIL_REACH:].lower()
        if line == before:
            break
    return line


def _is_link_line(line: str) -> bool:
    """A short line that can only be a linked title (follows a "Related:" label)."""
    return _words(line) <= _MAX_LABEL_TITLE_WORDS and not line.endswith((":", "："))


def clean_text(text: str) -> str:
    """Drop feed boilerplate (see the module docstring) from html_to_text output."""
    if not text:
        return ""
    paragraphs: list[str] = []
    label_at = -1  # block index of a dropped "Related:" label; its link lines may follow
    for index, block in enumerate(_PARAGRAPH_SPLIT.split(text.strip())):
        if "{" in block and _CSS_RULES.match(block):
            continue
        kept: list[str] = []
        for raw in block.split("\n"):
            line = raw.strip()
            if not line:
                continue
            # Under a dropped "Related:" label: its lines, or a bullet list right after it.
            if (
                label_at >= 0
                and _is_link_line(line)
                and (label_at == index or line.startswith("• "))
            ):
                label_at = index
                continue
            label_at = -1
            if (len(line) <= 600 and _FOOTER.match(line)) or _is_label_line(line):
                if line.endswith((":", "：")) and not kept:
                    label_at = index
                continue
            if len(line) <= 300 and (
                _is_widget_line(line) or _is_credit_line(line) or _SYMBOLS_ONLY.match(line)
            ):
                continue
            line = _cut_tails(line)
            if line and not _ONLY_DECOR.match(line):
                kept.append(line)
        if kept:
            paragraphs.append("\n".join(kept))
    return "\n\n".join(paragraphs)
