"""The bot's languages: gettext catalogues, read with Babel, and the chat's language.

Rules:
1. English is the source language. Every text the bot writes is English in the code, inside
   `t("...")` (or `N_("...")` for a constant that is translated where it is used), and
   `pybabel extract` collects it into `news/locale/newsbot.pot` (the command is in the
   README; tests/test_i18n.py fails when the template is out of date).
2. A language is one catalogue file, `news/locale/<code>/LC_MESSAGES/newsbot.po`: adding a
   language is adding that file (LANGUAGES is read from the folder), not a code change.
3. A message a catalogue lacks reads in English, never as an error (tests/test_i18n.py fails
   when the shipped Russian catalogue lacks any).
4. Placeholders are `str.format` names (`{count}`); a translation uses the same names and the
   same HTML tags as its original (tested).
5. Plurals use the catalogue's plural forms through gettext: 1 новость, 2 новости, 5 новостей,
   11 новостей, 21 новость. `{n}` in a plural message is the count.
6. Dates and times are Babel's, in the chat's language: `t.when(ts, zone, "d MMM y, HH:mm")`
   takes a CLDR pattern that is itself a message, so a translator may reorder it ("1 декабря,
   09:00"); month and weekday names come from Babel's locale data, never from tables here.
7. A chat's first language is its first user's Telegram language (`language_for`): a language
   with a catalogue is itself; Belarusian, Kazakh, Kyrgyz and Tajik read Russian (Russian is an
   official or everyday language there, and the bot has no catalogue of theirs); everything else,
   Ukrainian included, reads English. Ukrainian users are not put into Russian unasked: many
   would take it badly, and `/language ru` is one command away for those who want it.
8. The words users type after a command are messages too (ARGUMENT_WORDS, one word each):
   `/mode сводка`, `/digest выкл`, `/quiet 23:00-07:00 отложить` read as their English words
   in every chat, whatever its language (`english_words`); names, times and zones stay as
   typed.
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Sequence
from datetime import datetime
from functools import cache, lru_cache
from importlib import resources

from babel import Locale
from babel.dates import format_datetime, get_timezone_location
from babel.lists import format_list
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from news.digest_schedule import chat_zone

DOMAIN = "newsbot"
DEFAULT = "en"  # the language of the code's messages
# Rule 7: languages without a catalogue whose speakers read this one rather than English.
READ_AS = {"be": "ru", "kk": "ru", "ky": "ru", "tg": "ru"}


def N_(message: str) -> str:
    """Mark a constant for the catalogue; translate it where it is used (`t(CONSTANT)`)."""
    return message


def _catalogue_codes() -> tuple[str, ...]:
    folder = resources.files("news").joinpath("locale")
    found = [
        entry.name
        for entry in folder.iterdir()
        if entry.is_dir() and entry.joinpath("LC_MESSAGES", f"{DOMAIN}.po").is_file()
    ]
    return tuple(sorted(set(found) - {DEFAULT}))


LANGUAGES: tuple[str, ...] = (DEFAULT, *_catalogue_codes())  # rule 2


def language_for(code: str | None) -> str:
    """Rule 7: the language a chat starts in, from Telegram's `language_code` ("ru", "pt-br")."""
    base = (code or "").replace("_", "-").split("-")[0].casefold()
    if base in LANGUAGES:
        return base
    return READ_AS.get(base, DEFAULT)


def chat_language(chosen: str | None, code: str | None) -> str:
    """A chat's language: the one chosen (/language, or set when the chat was first seen),
    else (a chat from before languages) the one its Telegram language_code starts in."""
    return known(chosen) if chosen else language_for(code)


def known(language: str | None) -> str:
    """A stored language as one the bot speaks (a catalogue removed since reads English)."""
    return language if language in LANGUAGES else DEFAULT


@cache
def _translations(language: str) -> gettext.NullTranslations:
    if language == DEFAULT:
        return gettext.NullTranslations()
    path = resources.files("news").joinpath("locale", language, "LC_MESSAGES", f"{DOMAIN}.po")
    with path.open("rb") as f:
        catalog = read_po(f, locale=language, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)  # fuzzy entries are left out: they read in English (rule 3)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


class Tr:
    """The bot's voice in one language; `t = translator("ru")`, then `t("Read also:")`."""

    def __init__(self, language: str) -> None:
        self.language = known(language)
        self.locale = Locale.parse(self.language)
        self._gettext = _translations(self.language)

    def __call__(self, message: str, /, **values: object) -> str:
        text = self._gettext.gettext(message)
        return text.format(**values) if values else text

    def plural(self, singular: str, plural: str, n: int, /, **values: object) -> str:
        """Rule 5: the form for `n`; `{n}` is the count."""
        return self._gettext.ngettext(singular, plural, n).format(n=n, **values)

    def when(self, ts: int, timezone: str, pattern: str) -> str:
        """Rule 6: `ts` in the chat's zone, in a CLDR pattern translated like any message."""
        return _when(self.language, ts, timezone, self(pattern))

    def zone_city(self, timezone: str) -> str:
        """The place a zone is named after, in this language ("Москва" for Europe/Moscow)."""
        if "/" not in timezone:
            return timezone
        try:
            return get_timezone_location(chat_zone(timezone), self.locale, return_city=True)
        except (LookupError, ValueError):
            return timezone.rsplit("/", 1)[-1].replace("_", " ")

    def join(self, items: Sequence[str]) -> str:
        """ "A, B and C" / "A, B и C"."""
        return format_list(list(items), locale=self.locale) if items else ""

    def language_name(self, language: str) -> str:
        """A language's name in this language, capitalised: "Русский", "English"."""
        name = Locale.parse(language).get_display_name(self.locale) or language
        return name[:1].upper() + name[1:]


@lru_cache(maxsize=4096)
def _when(language: str, ts: int, timezone: str, pattern: str) -> str:
    """Babel's formatting costs some 15 µs; a story's time is written once per language and
    zone, however many chats a push goes to."""
    local = datetime.fromtimestamp(ts, chat_zone(timezone))
    return format_datetime(local, pattern, locale=language)


@cache
def translator(language: str | None) -> Tr:
    return Tr(known(language))


ENGLISH = translator(DEFAULT)


ARGUMENT_WORDS = (  # rule 8
    N_("on"),
    N_("off"),
    N_("now"),
    N_("instant"),
    N_("digest"),
    N_("both"),
    N_("hold"),
    N_("empty"),
    N_("note"),
    N_("silent"),
    N_("all"),
)


@cache
def _argument_words() -> dict[str, str]:
    words: dict[str, str] = {}
    for language in LANGUAGES:
        t = translator(language)
        for word in ARGUMENT_WORDS:
            words.setdefault(_word_key(t(word)), word)
    return words


def _word_key(word: str) -> str:
    """How argument words are compared: casefolded, and "ё" read as "е" ("всё" is "все")."""
    return word.casefold().replace("ё", "е")


def english_words(argument: str) -> str:
    """Rule 8: a command's argument with each argument word of any language the bot speaks
    as its English word ("08:30 выкл" -> "08:30 off"); everything else as typed."""
    words = _argument_words()
    return " ".join(words.get(_word_key(word), word) for word in argument.split())


def parse_language(text: str) -> str | None:
    """A /language argument: a code ("ru", "EN") or a language's name in any language the bot
    speaks ("русский", "Russian", "английский"); None when it is none of them."""
    wanted = " ".join(text.split()).casefold()
    for language in LANGUAGES:
        names = {language, *(translator(o).language_name(language).casefold() for o in LANGUAGES)}
        if wanted in names:
            return language
    return None
