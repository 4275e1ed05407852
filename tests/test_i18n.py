"""news/i18n.py's rules, and the catalogues themselves: every message the code writes is in
the template and translated, with its placeholders and tags kept, and what the bot writes in
Russian stays within Telegram's rules (the end-to-end Russian chat is test_russian.py)."""

from __future__ import annotations

import ast
import re
import string
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from news import replies
from news.bundles import render_bundle
from news.catalogue import load_catalogue
from news.digest import DigestDay, DigestStory, Section
from news.i18n import (
    ARGUMENT_WORDS,
    LANGUAGES,
    english_words,
    language_for,
    parse_language,
    translator,
)
from news.limits import MAX_COMMAND_TEXT, MAX_DESCRIPTION, MAX_SHORT_DESCRIPTION
from news.models import Source, SourceOrigin, SourceStatus
from news.render import StoryView, render_list
from tests.fakes.telegram_html import check_entity_count, check_length, check_raw_size, parse_html

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "news" / "locale"
# The README's extraction command (tests below hold the README to it).
EXTRACT = (
    "pybabel extract -F babel.cfg --no-default-keywords -k t -k plural:1,2 -k when:3 -k N_"
    " --add-comments=TRANSLATORS: --sort-output -o news/locale/newsbot.pot ."
)
RU = translator("ru")
EN = translator("en")


def _catalog(path: Path, locale: str | None = None):
    with path.open("rb") as f:
        return read_po(f, locale=locale)


def _ids(catalog) -> set[str | tuple[str, ...]]:
    return {m.id for m in catalog if m.id}


def _text(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _in_code() -> set[str | tuple[str, ...]]:
    """Every message the code writes, read from its syntax tree (not with Babel, so that a
    call pybabel misreads, e.g. a plural with `t` among its arguments, is caught too)."""
    found: set[str | tuple[str, ...]] = set()
    for folder in ("news", "handlers", "bot", "usecases"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text("utf-8"))):
                if not isinstance(node, ast.Call) or not node.args:
                    continue
                function, args = node.func, node.args
                if isinstance(function, ast.Name) and function.id in ("t", "N_"):
                    found.add(_text(args[0]) or "")
                elif (
                    isinstance(function, ast.Attribute) and getattr(function.value, "id", "") == "t"
                ):
                    if function.attr == "plural" and len(args) >= 2:
                        found.add((_text(args[0]) or "", _text(args[1]) or ""))
                    elif function.attr == "when" and len(args) >= 3:
                        found.add(_text(args[2]) or "")
    return found - {""}


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def _tags(text: str) -> list[str]:
    return sorted(set(re.findall(r"</?[a-z]+", text)))


def _translations() -> list[tuple[str, object, object]]:
    """(language, msgid, msgstr) of every shipped catalogue."""
    rows = []
    for language in LANGUAGES[1:]:
        catalog = _catalog(LOCALE / language / "LC_MESSAGES" / "newsbot.po", language)
        rows += [(language, m.id, m.string) for m in catalog if m.id]
    return rows


# --- the catalogues -------------------------------------------------------------------------


def test_the_template_lists_exactly_the_messages_in_the_code():
    template = _ids(_catalog(LOCALE / "newsbot.pot"))
    code = _in_code()
    assert code - template == set(), f"run the README's extraction command: {EXTRACT}"
    assert template - code == set(), "the template has messages the code no longer writes"


def test_the_readme_gives_the_extraction_command_the_tests_use():
    readme = (ROOT / "README.md").read_text("utf-8")
    assert EXTRACT in " ".join(readme.replace("\\\n", " ").split())
    assert "pybabel update -i news/locale/newsbot.pot -d news/locale -D newsbot" in readme


@pytest.mark.parametrize("language", LANGUAGES[1:])
def test_every_message_of_the_template_is_translated(language):
    template = _ids(_catalog(LOCALE / "newsbot.pot"))
    catalog = _catalog(LOCALE / language / "LC_MESSAGES" / "newsbot.po", language)
    done = {
        m.id
        for m in catalog
        if m.id
        and not m.fuzzy
        and all(m.string if isinstance(m.string, tuple) else (m.string,))
        and (not isinstance(m.id, tuple) or len(m.string) == catalog.num_plurals)
    }
    assert sorted(map(str, template - done)) == []
    assert _ids(catalog) - template == set(), "the catalogue has messages no longer used"


@pytest.mark.parametrize(("language", "message", "translation"), _translations())
def test_a_translation_keeps_the_placeholders_and_tags_of_its_original(
    language, message, translation
):
    if isinstance(message, tuple):  # plural forms: any form may leave out the count
        allowed = _placeholders(message[0]) | _placeholders(message[1])
        for form in translation:
            assert _placeholders(form) <= allowed
            assert allowed - {"n"} <= _placeholders(form)
            assert _tags(form) == _tags(message[1])
    else:
        assert _placeholders(translation) == _placeholders(message)
        assert _tags(translation) == _tags(message)


@pytest.mark.parametrize(("language", "message", "translation"), _translations())
def test_a_translation_is_valid_telegram_html(language, message, translation):
    for form in translation if isinstance(translation, tuple) else (translation,):
        values = {name: "x" for name in _placeholders(form)}
        parse_html(form.format(**values) if values else form)


@pytest.mark.parametrize("language", LANGUAGES)
def test_argument_words_are_single_distinct_words_in_every_language(language):
    t = translator(language)
    words = [t(word) for word in ARGUMENT_WORDS]
    assert all(len(w.split()) == 1 and w == w.casefold() for w in words)
    assert len(set(words)) == len(words)


def test_the_shipped_brand_categories_are_translated():
    headings = [heading for heading, _ in load_catalogue().by_category()]
    assert set(headings) <= set(replies.CATEGORY_HEADINGS)


@pytest.mark.parametrize("language", LANGUAGES)
def test_descriptions_and_menu_texts_fit_telegrams_limits(language):
    t = translator(language)
    assert 0 < len(t(replies.DESCRIPTION)) <= MAX_DESCRIPTION
    assert 0 < len(t(replies.SHORT_DESCRIPTION)) <= MAX_SHORT_DESCRIPTION
    texts = [*replies.COMMAND_TEXT.values(), *replies.OPERATOR_COMMAND_TEXT.values()]
    assert all(0 < len(t(text.menu)) <= MAX_COMMAND_TEXT for text in texts)


# --- rules 5-8 ------------------------------------------------------------------------------

PLURALS = [
    (0, "0 новостей"),
    (1, "1 новость"),
    (2, "2 новости"),
    (4, "4 новости"),
    (5, "5 новостей"),
    (11, "11 новостей"),
    (12, "12 новостей"),
    (14, "14 новостей"),
    (21, "21 новость"),
    (22, "22 новости"),
    (25, "25 новостей"),
    (101, "101 новость"),
    (111, "111 новостей"),
]


@pytest.mark.parametrize(("n", "expected"), PLURALS)
def test_russian_counts_take_the_plural_form_of_their_number(n, expected):
    assert RU.plural("{n} story", "{n} stories", n) == expected


@pytest.mark.parametrize(("n", "expected"), [(1, "1 story"), (2, "2 stories"), (0, "0 stories")])
def test_english_counts_take_the_plural_form_of_their_number(n, expected):
    assert EN.plural("{n} story", "{n} stories", n) == expected


TS = int(datetime(2026, 12, 1, 6, 0, tzinfo=UTC).timestamp())  # a Tuesday; 09:00 in Moscow
DATES = [
    (EN, lambda t: replies.format_time(t, TS, "Europe/Moscow"), "1 Dec 2026, 09:00 MSK"),
    (RU, lambda t: replies.format_time(t, TS, "Europe/Moscow"), "1 декабря 2026, 09:00 MSK"),
    (RU, lambda t: replies.format_short_time(t, TS, "Europe/Moscow", TS + 86400), "1 декабря, 09:00"),
    (EN, lambda t: replies.format_short_time(t, TS, "Europe/Moscow", TS + 86400), "1 Dec, 09:00"),
    (RU, lambda t: replies.digest_header(t, TS, "Europe/Moscow"), "<b>Ежедневная сводка</b> · 1 декабря 2026"),
    (RU, lambda t: t.when(TS, "Europe/Moscow", "EEE d MMM"), "вторник, 1 декабря"),
    (EN, lambda t: t.when(TS, "Europe/Moscow", "EEE d MMM"), "Tue 1 Dec"),
    (RU, lambda t: t.zone_city("Asia/Novosibirsk"), "Новосибирск"),
    (EN, lambda t: t.zone_city("Asia/Novosibirsk"), "Novosibirsk"),
    (RU, lambda t: t.zone_city("UTC"), "UTC"),
]  # fmt: skip


@pytest.mark.parametrize(("t", "shown", "expected"), DATES)
def test_dates_months_weekdays_and_places_are_in_the_chats_language(t, shown, expected):
    assert shown(t) == expected


LANGUAGE_CODES = [
    ("ru", "ru"),
    ("ru-RU", "ru"),
    ("RU", "ru"),
    ("be", "ru"),
    ("kk", "ru"),
    ("ky", "ru"),
    ("tg", "ru"),
    ("uk", "en"),  # rule 7: Ukrainian users are not put into Russian unasked
    ("en", "en"),
    ("en-GB", "en"),
    ("de", "en"),
    ("pt-br", "en"),
    ("", "en"),
    (None, "en"),
]


@pytest.mark.parametrize(("code", "language"), LANGUAGE_CODES)
def test_a_chat_starts_in_the_language_its_telegram_code_reads(code, language):
    assert language_for(code) == language


@pytest.mark.parametrize(
    ("typed", "language"),
    [
        ("ru", "ru"),
        ("RU", "ru"),
        ("русский", "ru"),
        ("Русский", "ru"),
        ("russian", "ru"),
        ("en", "en"),
        ("English", "en"),
        ("английский", "en"),
        (" english ", "en"),
        ("klingon", None),
        ("", None),
        ("ru en", None),
    ],
)
def test_language_arguments_are_codes_or_names_in_any_language_spoken(typed, language):
    assert parse_language(typed) == language


@pytest.mark.parametrize(
    ("typed", "english"),
    [
        ("выкл", "off"),
        ("ВЫКЛ", "off"),
        ("всё", "all"),
        ("Все", "all"),
        ("сводка", "digest"),
        ("мгновенно", "instant"),
        ("оба", "both"),
        ("сейчас", "now"),
        ("23:00-07:00 отложить", "23:00-07:00 hold"),
        ("пусто писать", "empty note"),
        ("08:30 Москва", "08:30 Москва"),  # names, times and zones stay as typed
        ("off", "off"),
    ],
)
def test_argument_words_of_any_language_read_as_english(typed, english):
    assert english_words(typed) == english


def test_a_message_a_catalogue_lacks_reads_in_english():
    assert RU("A sentence no catalogue has, {name}.", name="Ann") == (
        "A sentence no catalogue has, Ann."
    )


# --- Russian within Telegram's limits ---------------------------------------------------------


def _valid(message: str) -> None:
    plain, entities = parse_html(message)
    assert check_length(plain) is None
    assert check_entity_count(entities) is None
    assert check_raw_size(message) is None


def test_a_russian_digest_splits_within_telegrams_limits():
    stories = [
        DigestStory(
            id=i,
            title=f"Новость номер {i}: " + "очень длинный заголовок " * 8,
            link=f"https://example.ru/{i}",
            source="3DNews",
            summary="Первое предложение пересказа новости. " * 6,
            published_at=TS - i,
            first_seen_at=TS - i,
            brands=(f"b{i % 40}",),
        )
        for i in range(1, 400)
    ]
    sections = [Section(f"b{k}", f"Бренд {k}", f"/latest Бренд {k}") for k in range(40)]
    messages = DigestDay(stories).compose(
        RU, sections, after_id=0, timezone="Europe/Moscow", now=TS
    )
    assert len(messages) > 1
    assert messages[0].startswith("<b>Ежедневная сводка</b> · 1 декабря 2026")
    assert any("и ещё 5 — /latest Бренд" in m for m in messages)
    for message in messages:
        _valid(message)


def test_a_russian_bundle_of_hundreds_of_stories_fits_one_message():
    stories = [
        StoryView(
            id=i,
            title="Xiaomi представила " + "новый смартфон " * 12,
            link=f"https://example.ru/{i}",
            source="iXBT",
            published_at=TS,
            summary="",
            brands=("xiaomi",),
        )
        for i in range(300)
    ]
    text = render_bundle(RU, stories, ["Xiaomi"], "Europe/Moscow", TS)
    assert text.startswith("<b>300 свежих новостей: Xiaomi</b>")
    assert re.search(r"и ещё \d+ — /latest$", text)
    _valid(text)


def test_russian_operator_and_catalogue_pages_stay_within_telegrams_limits():
    sources = [
        Source(
            id=i,
            url=f"https://example.ru/{'лента' * 30}/{i}.xml",
            title="Очень длинное название источника " * 4,
            site_url=None,
            origin=SourceOrigin.FILE,
            status=SourceStatus.ERROR,
            last_error="Ошибка соединения " * 20,
            error_count=21,
            failing_since=TS,
            alerted=False,
            etag=None,
            last_modified=None,
            last_checked_at=TS,
            last_success_at=None,
            next_check_at=TS,
            backlog_done=True,
        )
        for i in range(1, 40)
    ]
    findings = [("the database cannot be written ({problem})", {"problem": "full"})]
    health = replies.health_line(RU, findings, 3, 120)
    assert health == "⚠️ в базу данных нельзя писать (full) · очередь: 3, самое старое ждёт 120 с"
    text, pages = replies.sources_page(RU, sources, {}, health, 0)
    assert pages == 4 and "21 ошибка подряд" in text and "39 источников" in text
    _valid(text)
    for message in replies.brands_list(RU, load_catalogue()):
        _valid(message)
    _valid(replies.welcome(RU, [[name] for name in replies.COMMAND_TEXT], [["sources"]]))


def test_a_russian_latest_page_of_long_stories_fits_one_message():
    stories = [
        StoryView(
            id=i,
            title="Samsung показала " + "складной смартфон " * 15,
            link=f"https://example.ru/{i}",
            source="Хабр",
            published_at=TS - 86400 * 40,
            summary="Первое предложение пересказа очень длинное. " * 8,
            also=(),
        )
        for i in range(20)
    ]
    text, shown = render_list(RU, "<b>Свежие новости: Samsung</b>", stories, "Europe/Moscow", TS)
    assert 1 <= shown < 20 and "октября, " in text
    _valid(text)
