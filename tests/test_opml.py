"""news.opml: reading feed readers' exports, refusing hostile files, writing them back."""

from __future__ import annotations

import pytest

from news.opml import (
    MAX_BYTES,
    MAX_OUTLINES,
    OpmlError,
    OpmlSource,
    default_sources_path,
    load_default_sources,
    parse_opml,
    write_opml,
)


def opml(body: str, head: str = "<head><title>t</title></head>") -> str:
    declaration = '<?xml version="1.0" encoding="UTF-8"?>'
    return f'{declaration}<opml version="2.0">{head}<body>{body}</body></opml>'


NESTED = opml(
    """
    <outline type="rss" text="Top" xmlUrl="https://top.example/feed" htmlUrl="https://top.example/"/>
    <outline text="Tech">
      <outline type="rss" text="A" xmlUrl="https://a.example/feed"/>
      <outline text="Phones">
        <outline text="Deeper">
          <outline type="rss" text="B" xmlUrl="https://b.example/rss"/>
        </outline>
        <outline type="rss" text="C" xmlUrl="https://c.example/rss"/>
      </outline>
      <outline type="rss" text="D" xmlUrl="https://d.example/rss"/>
    </outline>
    <outline type="rss" text="E" xmlUrl="https://e.example/rss"/>
    """
)


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        pytest.param(
            NESTED,
            [
                OpmlSource("https://top.example/feed", "Top", "https://top.example/", None),
                OpmlSource("https://a.example/feed", "A", None, "Tech"),
                OpmlSource("https://b.example/rss", "B", None, "Deeper"),
                OpmlSource("https://c.example/rss", "C", None, "Phones"),
                OpmlSource("https://d.example/rss", "D", None, "Tech"),
                OpmlSource("https://e.example/rss", "E", None, None),
            ],
            id="nested folders, nearest folder wins, document order",
        ),
        pytest.param(
            opml(
                '<outline TEXT="Lower" xmlurl="https://l.example/" HTMLURL="https://l.example/s"/>'
                '<outline Title="Upper" XMLURL="https://u.example/"/>'
                '<outline text="Mixed" XmlUrl="https://m.example/"/>'
            ),
            [
                OpmlSource("https://l.example/", "Lower", "https://l.example/s"),
                OpmlSource("https://u.example/", "Upper"),
                OpmlSource("https://m.example/", "Mixed"),
            ],
            id="attribute names in any case",
        ),
        pytest.param(
            opml(
                '<outline text="First" xmlUrl="https://x.example/feed"/>'
                '<outline text="Folder"><outline text="Again" xmlUrl="https://x.example/feed"/>'
                "</outline>"
                '<outline text="Other" xmlUrl="https://x.example/feed/"/>'
            ),
            [
                OpmlSource("https://x.example/feed", "First"),
                OpmlSource("https://x.example/feed/", "Other"),
            ],
            id="duplicate URLs: the first is kept, nothing else is normalized",
        ),
        pytest.param(
            opml(
                '<outline text="ftp" xmlUrl="ftp://f.example/feed"/>'
                '<outline text="file" xmlUrl="file:///etc/passwd"/>'
                '<outline text="js" xmlUrl="javascript:alert(1)"/>'
                '<outline text="relative" xmlUrl="/feed.xml"/>'
                '<outline text="no host" xmlUrl="http:///feed"/>'
                '<outline text="ok" xmlUrl="  HTTP://Ok.Example/Feed?a=1&amp;b=2  "/>'
                '<outline text="tls" xmlUrl="https://tls.example/feed"/>'
            ),
            [
                OpmlSource("HTTP://Ok.Example/Feed?a=1&b=2", "ok"),
                OpmlSource("https://tls.example/feed", "tls"),
            ],
            id="non-http skipped, http kept exactly (trimmed)",
        ),
        pytest.param(
            opml(
                '<outline title="Only title" xmlUrl="https://t.example/"/>'
                '<outline text="  " title="Blank text" xmlUrl="https://b.example/"/>'
                '<outline xmlUrl="https://n.example/" htmlUrl=" "/>'
                '<outline text="Text wins" title="Title" xmlUrl="https://w.example/"/>'
            ),
            [
                OpmlSource("https://t.example/", "Only title"),
                OpmlSource("https://b.example/", "Blank text"),
                OpmlSource("https://n.example/", None, None),
                OpmlSource("https://w.example/", "Text wins"),
            ],
            id="title from text, then title; blanks are None",
        ),
        pytest.param(
            opml(
                '<outline xmlUrl="https://a.example/"/>'
                '<outline><outline text="In unnamed" xmlUrl="https://b.example/"/></outline>'
                '<outline text="Empty folder"/>'
            ),
            [OpmlSource("https://a.example/"), OpmlSource("https://b.example/", "In unnamed")],
            id="unnamed and empty folders",
        ),
        pytest.param(opml(""), [], id="empty body"),
        pytest.param("<opml><body/></opml>", [], id="no head, self-closed body"),
        pytest.param(
            '<opml xmlns="http://opml.org/spec2"><body><outline text="N" xmlUrl="https://n.example/"/>'
            "</body></opml>",
            [OpmlSource("https://n.example/", "N")],
            id="default namespace",
        ),
        pytest.param(
            '\ufeff\n  <?xml version="1.0"?><opml version="1.0"><body>'
            '<outline text="Хабр" xmlUrl="https://habr.com/ru/rss/news/?fl=ru"/></body></opml>',
            [OpmlSource("https://habr.com/ru/rss/news/?fl=ru", "Хабр")],
            id="BOM and blank lines before the declaration, OPML 1.0",
        ),
        pytest.param(
            '<?xml version="1.0" encoding="windows-1251"?><opml><body>'
            '<outline text="Новости" xmlUrl="https://r.example/"/></body></opml>'.encode("cp1251"),
            [OpmlSource("https://r.example/", "Новости")],
            id="bytes in a declared legacy encoding",
        ),
        pytest.param(
            "<opml><body><outline text='UTF-16 ✓' xmlUrl='https://u.example/'/></body></opml>".encode(
                "utf-16"
            ),
            [OpmlSource("https://u.example/", "UTF-16 ✓")],
            id="UTF-16 bytes with BOM",
        ),
    ],
)
def test_parse(document: str | bytes, expected: list[OpmlSource]) -> None:
    assert parse_opml(document) == expected


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<opml version="2.0"><head><title>&lol9;</title></head>
<body><outline text="&lol9;" xmlUrl="https://x.example/"/></body></opml>"""


def _too_many_outlines() -> str:
    return opml('<outline text="x"/>' * (MAX_OUTLINES + 1))


@pytest.mark.parametrize(
    ("document", "message"),
    [
        pytest.param(BILLION_LAUGHS, "DTDs are not allowed", id="billion laughs"),
        pytest.param(
            BILLION_LAUGHS.encode("utf-16"), "DTDs are not allowed", id="billion laughs, UTF-16"
        ),
        pytest.param(
            '<?xml version="1.0"?><!DOCTYPE opml SYSTEM "file:///etc/passwd"><opml><body/></opml>',
            "DTDs are not allowed",
            id="external DTD",
        ),
        pytest.param(
            '<!DOCTYPE opml [<!ENTITY x SYSTEM "file:///etc/passwd">]><opml><body>'
            '<outline text="&x;" xmlUrl="https://x.example/"/></body></opml>',
            "DTDs are not allowed",
            id="external entity",
        ),
        pytest.param(
            "<!DOCTYPE html><html><body>Not found</body></html>", "HTML page", id="a web page"
        ),
        pytest.param("", "empty", id="empty string"),
        pytest.param(b"  \n", "empty", id="blank bytes"),
        pytest.param("just some text", "not an XML document", id="plain text"),
        pytest.param('{"feeds": []}', "not an XML document", id="JSON"),
        pytest.param(
            "<opml><body><outline></body></opml>", "not an XML document", id="bad nesting"
        ),
        pytest.param("<opml><body>", "not an XML document", id="truncated"),
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00", "not an XML document", id="binary"),
        pytest.param(
            '<rss version="2.0"><channel><title>x</title></channel></rss>',
            "root element is <rss>",
            id="an RSS feed instead",
        ),
        pytest.param("<opml><head><title>t</title></head></opml>", "no <body>", id="no body"),
        pytest.param(_too_many_outlines(), "too many outlines", id="10,001 outlines"),
        pytest.param(
            b" " * (MAX_BYTES + 1) + b"<opml><body/></opml>", "too large", id="over 5 MiB, bytes"
        ),
        pytest.param(
            "<opml><body/></opml><!--" + "é" * (MAX_BYTES // 2) + "-->",
            "too large",
            id="over 5 MiB once encoded, str",
        ),
    ],
)
def test_refused(document: str | bytes, message: str) -> None:
    with pytest.raises(OpmlError, match=message):
        parse_opml(document)


def test_exactly_the_outline_limit_is_accepted() -> None:
    document = opml(
        '<outline text="f">' + '<outline text="x"/>' * (MAX_OUTLINES - 1) + "</outline>"
    )
    assert parse_opml(document) == []


def test_deep_nesting_does_not_recurse() -> None:
    depth = 5_000  # well past Python's recursion limit
    document = opml(
        '<outline text="d">' * depth
        + '<outline text="leaf" xmlUrl="https://deep.example/"/>'
        + "</outline>" * depth
    )
    assert parse_opml(document) == [OpmlSource("https://deep.example/", "leaf", None, "d")]


def test_opml_error_is_a_value_error() -> None:
    assert issubclass(OpmlError, ValueError)


def _grouped(sources: list[OpmlSource]) -> list[OpmlSource]:
    """The order write_opml promises: uncategorised first, then folders by first appearance."""
    folders = list(dict.fromkeys(s.category for s in sources if s.category))
    return [s for s in sources if not s.category] + [
        s for folder in folders for s in sources if s.category == folder
    ]


ROUND_TRIP_CASES = [
    pytest.param([], id="nothing"),
    pytest.param(
        [OpmlSource("https://a.example/feed", "A", "https://a.example/")], id="one, no category"
    ),
    pytest.param(
        [
            OpmlSource("https://a.example/feed", "A", "https://a.example/", "Phones"),
            OpmlSource("https://b.example/feed", "B", None, None),
            OpmlSource("https://c.example/feed", "C", None, "Chips"),
            OpmlSource("https://d.example/feed", None, None, "Phones"),
            OpmlSource("https://e.example/feed", "E", "https://e.example/", None),
        ],
        id="mixed categories, regrouped",
    ),
    pytest.param(
        [
            OpmlSource(
                "https://x.example/rss.php?feed=RSS2.0&lang=en&q=\"a\"<b>'c'",
                'Tom\'s <Hardware> & "Friends"',
                "https://x.example/?a=1&b=2",
                "News & <Views>",
            ),
            OpmlSource("https://ithome.example/rss/", "IT之家", None, "Китай 🇨🇳"),
            OpmlSource("https://tab.example/", "Tabs\tand\nnewlines", None, None),
        ],
        id="escaping, non-ASCII, whitespace inside",
    ),
]


@pytest.mark.parametrize("sources", ROUND_TRIP_CASES)
def test_round_trip(sources: list[OpmlSource]) -> None:
    text = write_opml(sources)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0">')
    assert parse_opml(text) == _grouped(sources)
    assert parse_opml(text.encode("utf-8")) == _grouped(sources)


def test_round_trip_of_the_shipped_list() -> None:
    sources = load_default_sources()
    assert parse_opml(write_opml(sources)) == sources


def test_write_shape() -> None:
    text = write_opml(
        [
            OpmlSource("https://a.example/", "A", "https://a.example/site", "Folder"),
            OpmlSource("https://b.example/", None),
        ],
        title="My <feeds> & more",
    )
    assert "<title>My &lt;feeds&gt; &amp; more</title>" in text
    assert "<dateCreated>" in text
    assert (
        '<outline type="rss" text="A" title="A" xmlUrl="https://a.example/" '
        'htmlUrl="https://a.example/site" />' in text
    )
    assert '<outline type="rss" text="" xmlUrl="https://b.example/" />' in text
    assert '<outline text="Folder">' in text
    # Uncategorised sources come before the folders.
    assert text.index("https://b.example/") < text.index('text="Folder"')


def test_write_drops_characters_xml_cannot_carry() -> None:
    text = write_opml([OpmlSource("https://a.example/", "Bell\x07 and NUL\x00", None, "F\x1b")])
    assert parse_opml(text) == [OpmlSource("https://a.example/", "Bell and NUL", None, "F")]


def test_default_sources() -> None:
    assert default_sources_path().name == "sources.opml"
    assert default_sources_path().is_file()
    sources = load_default_sources()
    assert len(sources) >= 18
    urls = [s.url for s in sources]
    assert len(set(urls)) == len(urls)
    for source in sources:
        assert source.url.startswith(("https://", "http://")), source
        assert source.title, source
        assert source.site_url and source.site_url.startswith("https://"), source
        assert source.category, source
    # The shipped file itself carries no duplicates (parse_opml would hide them).
    raw = default_sources_path().read_text("utf-8")
    assert raw.count("xmlUrl=") == len(sources)


def test_default_sources_cover_the_catalogue_areas() -> None:
    categories = {s.category for s in load_default_sources()}
    assert categories == {
        "General tech",
        "Apple",
        "Android & phones",
        "Chinese tech",
        "PCs & chips",
        "Cars & space",
        "German",
        "Russian",
    }
