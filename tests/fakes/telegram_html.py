"""Telegram's message rules as pure functions, for the fake Bot API server.

`parse_html` mirrors the Bot API's HTML parse mode: it accepts exactly the tags and entities
Telegram documents and returns the plain text plus the `MessageEntity` dicts Telegram would
build (offsets and lengths in UTF-16 code units, as the Bot API counts them). Where real
Telegram is lenient but its documentation is not (a bare `&`, an unknown named entity such as
`&nbsp;`, `<a>` without href), the documentation wins: a bot that relies on undocumented
leniency breaks when the server changes, so it should fail its tests instead.

The `check_*` functions each return a problem description (naming the rule and quoting the
offending bit) or None. The fake server decides which Telegram error answers each problem.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from typing import Any

MAX_MESSAGE_LENGTH = 4096  # UTF-16 code units after entity parsing
MAX_RAW_TEXT_BYTES = 32768  # the text parameter as sent, UTF-8
MAX_ENTITIES = 100
MAX_CALLBACK_DATA_BYTES = 64
MAX_INLINE_BUTTONS = 100
MAX_INLINE_BUTTONS_PER_ROW = 8
MAX_CALLBACK_ANSWER_LENGTH = 200
MAX_BOT_COMMANDS = 100
MAX_DESCRIPTION = 512  # setMyDescription
MAX_SHORT_DESCRIPTION = 120  # setMyShortDescription

# Tag -> MessageEntity type. `a`, `span`, `pre`, `blockquote`, `tg-emoji` and `tg-time` are
# refined from their attributes in `_make_entity`.
_TAG_ENTITY_TYPES = {
    "a": "text_link",
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "tg-emoji": "custom_emoji",
    "tg-time": "date_time",
}
SUPPORTED_TAGS = frozenset(_TAG_ENTITY_TYPES)

# Exactly one of these makes an inline button do something; a button with none of them is a
# "text button", which Telegram only allows in reply keyboards.
INLINE_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)

_SPECIAL = re.compile(r"[<&]")
_ENTITY = re.compile(r"&(?:(lt|gt|amp|quot)|#([0-9]{1,8})|#[xX]([0-9a-fA-F]{1,8}));")
_NAMED_ENTITY_LIKE = re.compile(r"&[A-Za-z][A-Za-z0-9]*;")
_TAG_NAME = re.compile(r"[^\s>/]*")
_ATTR_NAME = re.compile(r"[A-Za-z0-9_:-]+")
_UNQUOTED_VALUE = re.compile(r"[^\s>]+")
_WHITESPACE = re.compile(r"\s*")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_TIME_FORMAT = re.compile(r"r|w?[dD]?[tT]?")
_URL_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
_LINK_SCHEMES = frozenset({"http", "https", "tg", "ton", "mailto"})
_BOT_COMMAND = re.compile(r"[a-z0-9_]{1,32}")


class HtmlParseError(ValueError):
    """The HTML would make Telegram answer "can't parse entities".

    `message` is worded like Telegram's own (byte offsets into the UTF-8 text), `excerpt` is the
    text around the problem so a failing test shows what the bot wrote.
    """

    def __init__(self, message: str, text: str, position: int) -> None:
        self.message = message
        self.position = position
        self.excerpt = excerpt(text, position)
        super().__init__(f"{message} near {self.excerpt!r}")


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji outside the BMP counts 2)."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le")) // 2


def excerpt(text: str, position: int = 0, width: int = 60) -> str:
    """Up to `width` characters of `text` around `position`, marked with … where cut."""
    start = max(0, position - width // 3)
    end = min(len(text), start + width)
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")


def _byte_offset(text: str, position: int) -> int:
    return len(text[:position].encode("utf-8"))


def _error(text: str, position: int, message: str) -> HtmlParseError:
    return HtmlParseError(message.format(b=_byte_offset(text, position)), text, position)


def _decode_entity(text: str, position: int) -> tuple[str, int]:
    """Decode the entity starting at text[position] == "&"; return (character, end)."""
    m = _ENTITY.match(text, position)
    if m is None:
        named = _NAMED_ENTITY_LIKE.match(text, position)
        if named is not None:
            raise _error(
                text,
                position,
                f'Unsupported HTML entity "{named.group()}" at byte offset {{b}}; only &lt; '
                "&gt; &amp; &quot; and numeric entities are allowed",
            )
        raise _error(text, position, 'Character "&" must be escaped as "&amp;" at byte offset {b}')
    name, decimal, hexadecimal = m.groups()
    if name is not None:
        return _NAMED[name], m.end()
    code = int(decimal) if decimal is not None else int(hexadecimal, 16)
    if not 0 < code <= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        raise _error(text, position, "Invalid numeric HTML entity at byte offset {b}")
    return chr(code), m.end()


def _unescape_attribute(text: str, start: int, end: int) -> str:
    raw = text[start:end]
    if "&" not in raw:
        return raw
    out: list[str] = []
    i = start
    while True:
        j = text.find("&", i, end)
        if j < 0:
            out.append(text[i:end])
            return "".join(out)
        out.append(text[i:j])
        char, i = _decode_entity(text, j)
        if i > end:  # the entity ran past the closing quote
            raise _error(text, j, 'Character "&" must be escaped as "&amp;" at byte offset {b}')
        out.append(char)


def _parse_start_tag(text: str, position: int) -> tuple[str, dict[str, str], int]:
    """Parse the tag at text[position] == "<"; return (name, attributes, end)."""
    n = len(text)
    m = _TAG_NAME.match(text, position + 1)
    assert m is not None  # the pattern can match the empty string
    name = m.group().lower()
    if name not in SUPPORTED_TAGS:
        raise _error(text, position, f'Unsupported start tag "{name}" at byte offset {{b}}')
    attributes: dict[str, str] = {}
    i = m.end()
    while True:
        i = _WHITESPACE.match(text, i).end()  # type: ignore[union-attr]
        if i >= n:
            raise _error(text, position, "Unclosed start tag at byte offset {b}")
        if text[i] == ">":
            return name, attributes, i + 1
        attr = _ATTR_NAME.match(text, i)
        if attr is None:
            raise _error(
                text, i, f'Unexpected "{text[i]}" in start tag "{name}" at byte offset {{b}}'
            )
        attr_name = attr.group().lower()
        i = _WHITESPACE.match(text, attr.end()).end()  # type: ignore[union-attr]
        if i < n and text[i] == "=":
            i = _WHITESPACE.match(text, i + 1).end()  # type: ignore[union-attr]
            if i >= n:
                raise _error(text, position, "Unclosed start tag at byte offset {b}")
            if text[i] in "\"'":
                close = text.find(text[i], i + 1)
                if close < 0:
                    raise _error(text, position, "Unclosed start tag at byte offset {b}")
                value = _unescape_attribute(text, i + 1, close)
                i = close + 1
            else:
                unquoted = _UNQUOTED_VALUE.match(text, i)
                if unquoted is None:
                    raise _error(text, i, "Empty attribute value at byte offset {b}")
                value = _unescape_attribute(text, i, unquoted.end())
                i = unquoted.end()
        else:
            # Valueless attributes are legal: `<blockquote expandable>` is documented.
            value = ""
        attributes[attr_name] = value


def _check_tag_attributes(text: str, position: int, name: str, attrs: dict[str, str]) -> None:
    if name == "a" and not attrs.get("href"):
        raise _error(text, position, 'Tag "a" must have a non-empty "href" at byte offset {b}')
    if name == "span" and attrs.get("class") != "tg-spoiler":
        raise _error(text, position, 'Tag "span" must have class "tg-spoiler" at byte offset {b}')
    if name == "tg-emoji" and not attrs.get("emoji-id", "").isdigit():
        raise _error(
            text, position, 'Tag "tg-emoji" must have a numeric "emoji-id" at byte offset {b}'
        )
    if name == "tg-time":
        if not attrs.get("unix", "").lstrip("-").isdigit():
            raise _error(
                text, position, 'Tag "tg-time" must have a numeric "unix" at byte offset {b}'
            )
        if not _TIME_FORMAT.fullmatch(attrs.get("format", "")):
            raise _error(text, position, 'Invalid "format" of tag "tg-time" at byte offset {b}')


def _make_entity(name: str, attrs: dict[str, str], offset: int, length: int) -> dict[str, Any]:
    entity: dict[str, Any] = {"type": _TAG_ENTITY_TYPES[name], "offset": offset, "length": length}
    if name == "a":
        entity["url"] = attrs["href"]
    elif name == "blockquote" and "expandable" in attrs:
        entity["type"] = "expandable_blockquote"
    elif name == "tg-emoji":
        entity["custom_emoji_id"] = attrs["emoji-id"]
    elif name == "tg-time":
        entity["unix_time"] = int(attrs["unix"])
        if attrs.get("format"):
            entity["date_time_format"] = attrs["format"]
    return entity


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Parse Telegram HTML into (plain text, entities); raise HtmlParseError like Telegram would.

    Entities with zero length are dropped (Telegram drops them too). `<pre><code
    class="language-x">` becomes one `pre` entity with a language, as Telegram reports it.
    """
    chunks: list[str] = []
    units = 0  # UTF-16 length of "".join(chunks), kept incrementally
    # (name, attributes, start offset in UTF-16 units, position of "<" in text)
    stack: list[tuple[str, dict[str, str], int, int]] = []
    entities: list[dict[str, Any]] = []
    code_languages: dict[int, str] = {}  # stack depth of a <pre> -> language of its inner <code>
    i = 0
    n = len(text)
    while i < n:
        m = _SPECIAL.search(text, i)
        j = n if m is None else m.start()
        if j > i:
            chunk = text[i:j]
            chunks.append(chunk)
            units += utf16_len(chunk)
        if m is None:
            break
        if text[j] == "&":
            char, i = _decode_entity(text, j)
            chunks.append(char)
            units += 2 if ord(char) > 0xFFFF else 1
            continue
        if text.startswith("</", j):
            close = text.find(">", j)
            if close < 0:
                raise _error(text, j, "Unclosed end tag at byte offset {b}")
            end_name = text[j + 2 : close].strip().lower()
            if not stack:
                raise _error(text, j, f'Unexpected end tag "</{end_name}>" at byte offset {{b}}')
            name, attrs, start, _ = stack[-1]
            if end_name != name:
                raise _error(
                    text,
                    j,
                    f"Unmatched end tag at byte offset {{b}}, expected "
                    f'"</{name}>", found "</{end_name}>"',
                )
            stack.pop()
            language = attrs.get("class", "")
            if (
                name == "code"
                and stack
                and stack[-1][0] == "pre"
                and language.startswith("language-")
            ):
                code_languages[len(stack)] = language[len("language-") :]
            elif units > start:
                entity = _make_entity(name, attrs, start, units - start)
                if name == "pre" and (lang := code_languages.pop(len(stack) + 1, None)):
                    entity["language"] = lang
                entities.append(entity)
            i = close + 1
            continue
        name, attrs, i = _parse_start_tag(text, j)
        _check_tag_attributes(text, j, name, attrs)
        stack.append((name, attrs, units, j))
    if stack:
        name, _, _, position = stack[-1]
        raise _error(text, position, f'Can\'t find end tag corresponding to start tag "{name}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(chunks), entities


def html_to_plain(text: str) -> str:
    """The text a user sees; falls back to naive tag stripping when the HTML is invalid."""
    try:
        return parse_html(text)[0]
    except HtmlParseError:
        return html.unescape(re.sub(r"<[^>]*>", "", text))


def check_html(text: str) -> str | None:
    try:
        parse_html(text)
    except HtmlParseError as exc:
        return f"can't parse entities: {exc}"
    return None


def check_text_given(text: object) -> str | None:
    if not isinstance(text, str) or not text:
        return "text is missing or empty"
    return None


def check_raw_size(text: str) -> str | None:
    size = len(text.encode("utf-8"))
    if size > MAX_RAW_TEXT_BYTES:
        return (
            f"text parameter is {size} bytes UTF-8, more than {MAX_RAW_TEXT_BYTES}: "
            f"{excerpt(text)!r}"
        )
    return None


def check_not_empty(plain: str) -> str | None:
    # Telegram trims the text before sending, so whitespace-only text is empty text.
    if not plain.strip():
        return f"text is empty after entity parsing: {plain!r}"
    return None


def check_length(plain: str) -> str | None:
    # Telegram trims surrounding whitespace before measuring.
    length = utf16_len(plain.strip())
    if length > MAX_MESSAGE_LENGTH:
        return (
            f"text is {length} UTF-16 code units after entity parsing, more than "
            f"{MAX_MESSAGE_LENGTH}: {excerpt(plain, MAX_MESSAGE_LENGTH)!r}"
        )
    return None


def check_entity_count(entities: Sequence[object]) -> str | None:
    if len(entities) > MAX_ENTITIES:
        return (
            f"{len(entities)} formatting entities, more than {MAX_ENTITIES}; Telegram silently "
            "drops the rest"
        )
    return None


def check_link_url(url: str) -> str | None:
    """A URL Telegram cannot use: it drops such a text_link and rejects such a url button."""
    if not url or any(c.isspace() for c in url):
        return f"URL {url!r} is empty or contains whitespace"
    scheme = _URL_SCHEME.match(url)
    if scheme is not None:
        if scheme.group(1).lower() in _LINK_SCHEMES:
            return None
        if url[scheme.end() :].startswith("//"):
            return f"URL {url!r} has an unsupported scheme"
        # else "host:port/path" or "javascript:...", judged as a scheme-less address below
    if url[0] in "/#?." or "." not in url.split("/", 1)[0]:
        return f"URL {url!r} is relative, not absolute"
    return None


def check_callback_data(data: object) -> str | None:
    if not isinstance(data, str):
        return f"callback_data must be a string, got {data!r}"
    size = len(data.encode("utf-8"))
    if not 1 <= size <= MAX_CALLBACK_DATA_BYTES:
        return (
            f"callback_data must be 1-{MAX_CALLBACK_DATA_BYTES} bytes UTF-8, got {size}: {data!r}"
        )
    return None


def check_reply_markup_structure(markup: object) -> str | None:
    """A JSON object; if it is an inline keyboard, an array of arrays of button objects."""
    if not isinstance(markup, Mapping):
        return f"reply_markup must be a JSON object, got {excerpt(repr(markup))}"
    if "inline_keyboard" not in markup:
        return None  # reply keyboards, ReplyKeyboardRemove, ForceReply: not checked here
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(
        isinstance(row, list) and all(isinstance(button, Mapping) for button in row) for row in rows
    ):
        return f"inline_keyboard must be an array of arrays of buttons, got {excerpt(repr(rows))}"
    return None


def check_inline_keyboard_size(markup: Mapping[str, Any]) -> str | None:
    """At most 100 buttons, at most 8 in a row; call after `check_reply_markup_structure`."""
    rows = markup.get("inline_keyboard", ())
    total = sum(len(row) for row in rows)
    if total > MAX_INLINE_BUTTONS:
        return f"inline keyboard has {total} buttons, more than {MAX_INLINE_BUTTONS}"
    for index, row in enumerate(rows):
        if len(row) > MAX_INLINE_BUTTONS_PER_ROW:
            return (
                f"inline keyboard row {index} has {len(row)} buttons, more than "
                f"{MAX_INLINE_BUTTONS_PER_ROW}: {[button.get('text') for button in row]}"
            )
    return None


def check_inline_button(button: object) -> str | None:
    """Text present and exactly one action; callback_data itself is `check_callback_data`'s."""
    if not isinstance(button, Mapping):
        return f"inline button must be an object, got {button!r}"
    text = button.get("text")
    if not isinstance(text, str) or not text.strip():
        return f"inline button has no text: {dict(button)!r}"
    actions = [key for key in INLINE_BUTTON_ACTIONS if key in button]
    if len(actions) != 1:
        return (
            f"inline button {text!r} must have exactly one of url/callback_data/..., "
            f"has {actions or 'none'}"
        )
    return None


def iter_inline_buttons(markup: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [button for row in markup.get("inline_keyboard", ()) for button in row]


def check_bot_command(command: object) -> str | None:
    if not isinstance(command, Mapping):
        return f"bot command must be an object, got {command!r}"
    name = command.get("command")
    if not isinstance(name, str) or not _BOT_COMMAND.fullmatch(name):
        return f"command {name!r} must be 1-32 characters of a-z, 0-9 and _"
    description = command.get("description")
    if not isinstance(description, str) or not 1 <= len(description) <= 256:
        return f"description of /{name} must be 1-256 characters, got {description!r}"
    return None
