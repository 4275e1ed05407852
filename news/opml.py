"""Reading and writing OPML, the format every feed reader imports and exports its feeds in.

Reading (`parse_opml`) follows what readers actually export rather than the letter of the spec:

- the document must be XML whose root is `<opml>` (any version) with a `<body>`; an empty body is
  fine and yields no sources;
- every `<outline>` with an `xmlUrl` is a source, wherever it sits; outlines without one are
  folders, nested to any depth, and a source's category is the text of its nearest folder;
- attribute names are matched case-insensitively (files in the wild say `xmlurl` and `XMLURL`);
- a source's title is its `text` attribute, or its `title` when `text` is empty;
- the URL is kept exactly as written apart from surrounding whitespace; URLs that are not http(s)
  (`file:`, `javascript:`, relative paths) are skipped silently, and of URLs written identically
  only the first is kept.

Because the input comes from chat users, parsing refuses, with an `OpmlError` saying why: input
over 5 MiB, more than 10,000 outlines, and any DOCTYPE (the only place entities can be declared,
so this stops "billion laughs" entity bombs without a dependency on defusedxml).

Writing (`write_opml`) produces an OPML 2.0 document in which sources without a category come first
at the top level, followed by one folder per category in order of first appearance; within each
group sources keep their order, so `parse_opml(write_opml(x))` returns `x` in that grouping.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from importlib import resources
from importlib.resources.abc import Traversable
from urllib.parse import urlsplit

from news.errors import NewsbotError

MAX_BYTES = 5 * 1024 * 1024
MAX_OUTLINES = 10_000

# Characters XML 1.0 cannot carry even escaped; a title pasted with a stray control character
# would otherwise make write_opml emit a document no parser (ours included) accepts.
_NOT_XML_CHARS = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class OpmlSource:
    """One feed from an OPML file."""

    url: str  # the xmlUrl exactly as written (whitespace trimmed), nothing else normalized
    title: str | None = None  # the outline's text (or title) attribute
    site_url: str | None = None  # htmlUrl
    category: str | None = None  # text of the nearest enclosing folder outline, if any


class OpmlError(NewsbotError, ValueError):
    """The input is not an OPML document we accept; the message says what is wrong."""


class _GuardedBuilder(ET.TreeBuilder):
    """A TreeBuilder that refuses DTDs and stops counting outlines past the limit.

    The checks run while expat parses, so a hostile document is abandoned at its DOCTYPE (before
    any entity is declared, let alone expanded) or at its 10,001st outline, not after a huge tree
    has been built in memory.
    """

    def __init__(self) -> None:
        super().__init__()
        self.outlines = 0

    def doctype(self, name: str, pubid: str | None, system: str | None) -> None:
        # Someone pasting a web page's address gets the page; say so instead of talking DTDs.
        if name.lower() == "html":
            raise OpmlError("not an OPML file: it is an HTML page")
        raise OpmlError("DTDs are not allowed in OPML files")

    def start(self, tag: str, attrs: dict[str, str]) -> ET.Element:
        if _local(tag).lower() == "outline":
            self.outlines += 1
            if self.outlines > MAX_OUTLINES:
                raise OpmlError(f"too many outlines (more than {MAX_OUTLINES:,})")
        return super().start(tag, attrs)


def _local(tag: str) -> str:
    """The tag name without an `{namespace}` prefix (a few exporters add a default namespace)."""
    return tag.rpartition("}")[2]


def _attributes(element: ET.Element) -> dict[str, str]:
    """Attributes keyed by lowercased name; of names differing only in case, the first wins."""
    result: dict[str, str] = {}
    for name, value in element.attrib.items():
        result.setdefault(_local(name).lower(), value)
    return result


def _text(value: str | None) -> str | None:
    """Trimmed text, or None for a missing or blank attribute."""
    if value is None:
        return None
    value = value.strip()
    return value or None


def _is_http_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unbalanced "[" in the host
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def _parse_xml(data: bytes | str) -> ET.Element:
    if isinstance(data, str):
        # The size rule is about bytes on the wire; a str is measured as the UTF-8 it would be.
        size = len(data) if len(data) > MAX_BYTES else len(data.encode("utf-8", "surrogatepass"))
        # A BOM or blank lines before the XML declaration are common in hand-edited files, but
        # expat rejects both ("XML declaration not at start of entity").
        data = data.lstrip("\ufeff \t\r\n")
    else:
        size = len(data)
        if not data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
            data = data.lstrip(b" \t\r\n")
    if size > MAX_BYTES:
        raise OpmlError(f"the file is too large (over {MAX_BYTES // (1024 * 1024)} MiB)")
    if not data:
        raise OpmlError("the file is empty")

    parser = ET.XMLParser(target=_GuardedBuilder())
    try:
        parser.feed(data)
        return parser.close()
    except ET.ParseError as exc:
        raise OpmlError(f"not an XML document ({exc})") from None


def parse_opml(data: bytes | str) -> list[OpmlSource]:
    """The http(s) feeds in an OPML document, in document order; see the module docstring."""
    return read_opml(data)[0]


def read_opml(data: bytes | str) -> tuple[list[OpmlSource], list[str]]:
    """parse_opml's feeds, and a line for each feed outline it skipped and why (a URL that is
    not http(s), a URL listed twice), for reports that say what they left out."""
    skipped: list[str] = []
    root = _parse_xml(data)
    if _local(root.tag).lower() != "opml":
        raise OpmlError(f"not an OPML file: the root element is <{_local(root.tag)}>, not <opml>")
    body = next((child for child in root if _local(child.tag).lower() == "body"), None)
    if body is None:
        raise OpmlError("not an OPML file: it has no <body>")

    sources: list[OpmlSource] = []
    seen: set[str] = set()
    # An explicit stack instead of recursion: nesting depth is up to the file's author, and
    # 10,000 nested folders would blow Python's recursion limit. Children are pushed in reverse
    # so they pop in document order.
    stack: list[tuple[ET.Element, str | None]] = [
        (child, None) for child in reversed(body) if _local(child.tag).lower() == "outline"
    ]
    while stack:
        outline, category = stack.pop()
        attrs = _attributes(outline)
        name = _text(attrs.get("text")) or _text(attrs.get("title"))
        url = _text(attrs.get("xmlurl"))
        if url is None:
            # A folder: the nearest one names the category, even when it has no name itself.
            child_category = name
        else:
            child_category = category
            if not _is_http_url(url):
                skipped.append(f"{url[:80]}: not an http(s) URL")
            elif url in seen:
                skipped.append(f"{url[:80]}: listed twice")
            else:
                seen.add(url)
                sources.append(
                    OpmlSource(
                        url=url,
                        title=name,
                        site_url=_text(attrs.get("htmlurl")),
                        category=category,
                    )
                )
        stack.extend(
            (child, child_category)
            for child in reversed(outline)
            if _local(child.tag).lower() == "outline"
        )
    return sources, skipped


def _clean(text: str) -> str:
    return _NOT_XML_CHARS.sub("", text)


def _source_outline(parent: ET.Element, source: OpmlSource) -> None:
    attrs = {"type": "rss", "text": _clean(source.title or "")}
    # OPML 2.0 requires `text`; an untitled source gets an empty one (which parses back to None)
    # rather than its URL, so the round trip stays exact.
    if source.title:
        attrs["title"] = _clean(source.title)
    attrs["xmlUrl"] = _clean(source.url)
    if source.site_url:
        attrs["htmlUrl"] = _clean(source.site_url)
    ET.SubElement(parent, "outline", attrs)


def write_opml(sources: Iterable[OpmlSource], title: str = "newsbot sources") -> str:
    """An OPML 2.0 document (as text, to be stored or sent as UTF-8) listing `sources`."""
    uncategorised: list[OpmlSource] = []
    folders: dict[str, list[OpmlSource]] = {}  # insertion order = first appearance
    for source in sources:
        if source.category:
            folders.setdefault(source.category, []).append(source)
        else:
            uncategorised.append(source)

    root = ET.Element("opml", {"version": "2.0"})
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = _clean(title)
    ET.SubElement(head, "dateCreated").text = format_datetime(datetime.now(UTC), usegmt=True)
    body = ET.SubElement(root, "body")
    for source in uncategorised:
        _source_outline(body, source)
    for category, members in folders.items():
        folder = ET.SubElement(body, "outline", {"text": _clean(category)})
        for source in members:
            _source_outline(folder, source)

    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def default_sources_path() -> Traversable:
    """The feed list shipped with the bot, news/data/sources.opml."""
    return resources.files("news").joinpath("data/sources.opml")


def load_default_sources() -> list[OpmlSource]:
    """The shipped feed list, parsed."""
    return parse_opml(default_sources_path().read_bytes())
