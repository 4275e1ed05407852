"""Tests of the fake Telegram Bot API itself, so bot tests can trust what it reports.

Driven two ways: raw HTTP (httpx) to pin the wire format, and a real `telegram.Bot` to prove
python-telegram-bot understands every answer and maps errors to its exceptions.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import json

import httpx
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    NetworkError,
    RetryAfter,
)

from tests.fakes import telegram_html as th
from tests.fakes.telegram_api import TOKEN, FakeTelegram, RateLimits

# PTB 22 warns whenever it builds a RetryAfter (its retry_after is turning into a timedelta);
# that is PTB's own noise, not something these tests could act on.
pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")


class ManualClock:
    """Rate limits are tested against this so they do not depend on the machine's speed."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
async def fake():
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def bot(fake):
    async with Bot(TOKEN, base_url=fake.api_url) as client:
        yield client


@pytest.fixture
async def http(fake):
    async with httpx.AsyncClient(base_url=f"{fake.api_url}{TOKEN}/", timeout=10) as client:
        yield client


def seconds(value: int | dtm.timedelta) -> float:
    return value.total_seconds() if isinstance(value, dtm.timedelta) else value


def retry_after_of(exc: RetryAfter) -> float:
    return seconds(exc.retry_after)


def keyboard(*rows: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(text, callback_data=data) for text, data in row] for row in rows]
    )


# ---------------------------------------------------------------- the HTML rules, pure


@pytest.mark.parametrize(
    ("html", "plain", "entities"),
    [
        ("<b>bold</b> text", "bold text", [("bold", 0, 4)]),
        (
            "<strong>a</strong><em>b</em><ins>c</ins>",
            "abc",
            [("bold", 0, 1), ("italic", 1, 1), ("underline", 2, 1)],
        ),
        (
            "<s>a</s><strike>b</strike><del>c</del>",
            "abc",
            [("strikethrough", 0, 1), ("strikethrough", 1, 1), ("strikethrough", 2, 1)],
        ),
        ("<B>upper case tag</B>", "upper case tag", [("bold", 0, 14)]),
        ("<code>x</code> and <u>y</u>", "x and y", [("code", 0, 1), ("underline", 6, 1)]),
        ("<b>outer <i>inner</i></b>", "outer inner", [("bold", 0, 11), ("italic", 6, 5)]),
        ("<blockquote expandable>q</blockquote>", "q", [("expandable_blockquote", 0, 1)]),
        ("<blockquote>q</blockquote>", "q", [("blockquote", 0, 1)]),
        (
            '<span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler>',
            "st",
            [("spoiler", 0, 1), ("spoiler", 1, 1)],
        ),
        ('<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>', "👍", [("custom_emoji", 0, 2)]),
        ('<tg-time unix="1700000000" format="wDT">now</tg-time>', "now", [("date_time", 0, 3)]),
        ("😀<b>x</b>", "😀x", [("bold", 2, 1)]),
        (
            "a &lt; b &gt; c &amp; &quot;d&quot; &#39;e&#x27; x > y",
            "a < b > c & \"d\" 'e' x > y",
            [],
        ),
        ("<b></b>empty tags make no entity", "empty tags make no entity", []),
        ("plain", "plain", []),
    ],
)
def test_parse_html_gives_telegrams_text_and_entities(html, plain, entities):
    text, parsed = th.parse_html(html)
    assert text == plain
    assert [(e["type"], e["offset"], e["length"]) for e in parsed] == entities


def test_parse_html_keeps_link_url_and_pre_language():
    _, entities = th.parse_html(
        '<a href="https://example.com/?a=1&amp;b=2">link</a> '
        '<pre><code class="language-python">x = 1</code></pre>'
    )
    assert entities == [
        {"type": "text_link", "offset": 0, "length": 4, "url": "https://example.com/?a=1&b=2"},
        {"type": "pre", "offset": 5, "length": 5, "language": "python"},
    ]


@pytest.mark.parametrize(
    ("html", "problem"),
    [
        ("<div>x</div>", 'Unsupported start tag "div" at byte offset 0'),
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("<br>", 'Unsupported start tag "br"'),
        ("<b>unclosed", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'expected "</i>", found "</b>"'),
        ("x</b>", "Unexpected end tag"),
        ("<b", "Unclosed start tag"),
        ("&nbsp;", 'Unsupported HTML entity "&nbsp;"'),
        ("Tom & Jerry", 'Character "&" must be escaped as "&amp;" at byte offset 4'),
        ("&amp", 'Character "&" must be escaped'),
        ("&#0;", "Invalid numeric HTML entity"),
        ("<a>x</a>", 'Tag "a" must have a non-empty "href"'),
        ('<a href="x&y.com">z</a>', 'Character "&" must be escaped'),
        ('<span class="red">x</span>', 'Tag "span" must have class "tg-spoiler"'),
        ("<tg-emoji>x</tg-emoji>", '"emoji-id"'),
        ('<tg-time unix="soon">x</tg-time>', '"unix"'),
        ("<b/>", 'Unexpected "/" in start tag "b"'),
        ("é<div>", "at byte offset 2"),  # offsets count UTF-8 bytes, like Telegram's
    ],
)
def test_invalid_html_is_reported_like_telegram(html, problem):
    with pytest.raises(th.HtmlParseError) as raised:
        th.parse_html(html)
    assert problem in raised.value.message
    assert problem in th.check_html(html)
    assert th.check_html(html).startswith("can't parse entities")


@pytest.mark.parametrize(
    ("text", "units"), [("abc", 3), ("é", 1), ("😀", 2), ("👍🏽", 4), ("a😀b", 4)]
)
def test_utf16_len_counts_like_telegram(text, units):
    assert th.utf16_len(text) == units


@pytest.mark.parametrize(
    ("plain", "ok"),
    [
        ("a" * 4096, True),
        ("a" * 4097, False),
        ("😀" * 2048, True),
        ("😀" * 2048 + "a", False),
        (" " + "a" * 4096 + "\n", True),  # Telegram trims before measuring
    ],
)
def test_check_length(plain, ok):
    assert (th.check_length(plain) is None) is ok


@pytest.mark.parametrize(
    ("data", "ok"),
    [
        ("x", True),
        ("x" * 64, True),
        ("x" * 65, False),
        ("", False),
        ("é" * 32, True),
        ("é" * 33, False),
        (7, False),
    ],
)
def test_check_callback_data_counts_utf8_bytes(data, ok):
    assert (th.check_callback_data(data) is None) is ok


@pytest.mark.parametrize(
    ("button", "ok"),
    [
        ({"text": "a", "callback_data": "x"}, True),
        ({"text": "a", "url": "https://example.com"}, True),
        ({"text": "a", "web_app": {"url": "https://example.com"}}, True),
        ({"text": "a"}, False),
        ({"text": "", "callback_data": "x"}, False),
        ({"callback_data": "x"}, False),
        ({"text": "a", "callback_data": "x", "url": "https://example.com"}, False),
    ],
)
def test_check_inline_button(button, ok):
    assert (th.check_inline_button(button) is None) is ok


@pytest.mark.parametrize(
    ("rows", "ok"),
    [
        ([[{"text": "a", "callback_data": "a"}] * 8], True),
        ([[{"text": "a", "callback_data": "a"}] * 9], False),
        ([[{"text": "a", "callback_data": "a"}] * 5] * 20, True),
        (
            [[{"text": "a", "callback_data": "a"}] * 5] * 20 + [[{"text": "b", "url": "x.org"}]],
            False,
        ),
    ],
)
def test_check_inline_keyboard_size(rows, ok):
    assert (th.check_inline_keyboard_size({"inline_keyboard": rows}) is None) is ok


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://example.com/a?b=c", True),
        ("http://example.com", True),
        ("tg://user?id=1", True),
        ("mailto:a@example.com", True),
        ("example.com/path", True),
        ("/relative/path", False),
        ("#anchor", False),
        ("ftp://example.com", False),
        ("", False),
        ("https://exa mple.com", False),
    ],
)
def test_check_link_url(url, ok):
    assert (th.check_link_url(url) is None) is ok


def test_entity_count_over_100_is_a_problem():
    assert th.check_entity_count([{}] * 100) is None
    assert "101" in th.check_entity_count([{}] * 101)


# ---------------------------------------------------------------- wire format (raw HTTP)


async def test_wrong_token_is_401_and_not_recorded(fake):
    async with httpx.AsyncClient() as client:
        response = await client.post(f"{fake.api_url}999:wrong/getMe")
    assert response.status_code == 401
    assert response.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    assert fake.calls == []
    assert fake.violations == []


async def test_unknown_method_is_404_and_a_violation(fake, http):
    response = await http.post("sendPhoto", data={"chat_id": "1"})
    assert response.status_code == 404
    assert response.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
    assert [c.method for c in fake.calls] == ["sendPhoto"]
    assert len(fake.violations) == 1
    assert "unknown method" in fake.violations[0]


async def test_method_names_are_case_insensitive(fake, http):
    response = await http.post("SENDMESSAGE", data={"chat_id": "1001", "text": "hi"})
    assert response.json()["ok"] is True
    assert fake.calls_to("sendMessage")[0].method == "sendMessage"


async def test_form_values_are_json_decoded_except_string_parameters(fake, http):
    markup = {"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]}
    response = await http.post(
        "sendMessage",
        data={
            "chat_id": "1001",
            "text": "123",
            "parse_mode": "HTML",
            "reply_markup": json.dumps(markup),
            "link_preview_options": json.dumps({"is_disabled": True}),
            "disable_notification": "true",
        },
    )
    assert response.status_code == 200
    params = fake.calls[0].params
    assert params["chat_id"] == 1001
    assert params["text"] == "123"  # stays text, though it is valid JSON
    assert params["reply_markup"] == markup
    assert params["disable_notification"] is True
    [message] = fake.sent
    assert (message.chat_id, message.text, message.reply_markup) == (1001, "123", markup)
    assert message.link_preview_options == {"is_disabled": True}
    assert message.buttons() == [("Go", "go")]


@pytest.mark.parametrize("encoding", ["json", "multipart", "query"])
async def test_json_multipart_and_query_bodies_are_accepted(fake, http, encoding):
    if encoding == "json":
        response = await http.post("sendMessage", json={"chat_id": 1001, "text": "hi"})
    elif encoding == "multipart":
        response = await http.post(
            "sendMessage",
            data={"chat_id": "1001", "text": "hi"},
            files={"thumbnail": ("a.txt", b"abc", "text/plain")},
        )
    else:
        response = await http.get("sendMessage", params={"chat_id": "1001", "text": "hi"})
    assert response.status_code == 200
    assert response.json()["result"]["text"] == "hi"
    assert fake.sent[0].chat_id == 1001
    if encoding == "multipart":
        assert fake.calls[0].params["thumbnail"]["size"] == 3


async def test_send_message_answers_a_full_message(fake, http):
    response = await http.post(
        "sendMessage", data={"chat_id": "1001", "text": "<b>Hi</b> 😀", "parse_mode": "HTML"}
    )
    body = response.json()
    assert body["ok"] is True
    result = body["result"]
    assert result["message_id"] == 1
    assert isinstance(result["date"], int)
    assert result["chat"] == {"id": 1001, "type": "private", "first_name": "User1001"}
    assert result["from"]["id"] == fake.bot_id
    assert result["from"]["is_bot"] is True
    assert result["text"] == "Hi 😀"
    assert result["entities"] == [{"type": "bold", "offset": 0, "length": 2}]


@pytest.mark.parametrize(
    ("arrange", "status", "body"),
    [
        (
            lambda f: f.rate_limit_next("sendMessage", retry_after=3),
            429,
            {
                "ok": False,
                "error_code": 429,
                "description": "Too Many Requests: retry after 3",
                "parameters": {"retry_after": 3},
            },
        ),
        (
            lambda f: f.block(1001),
            403,
            {
                "ok": False,
                "error_code": 403,
                "description": "Forbidden: bot was blocked by the user",
            },
        ),
        (
            lambda f: f.migrate(1001, -1001234567890, announce=False),
            400,
            {
                "ok": False,
                "error_code": 400,
                "description": "Bad Request: group chat was upgraded to a supergroup chat",
                "parameters": {"migrate_to_chat_id": -1001234567890},
            },
        ),
        (
            lambda f: f.fail_next("sendMessage", status=500, description="Internal Server Error"),
            500,
            {"ok": False, "error_code": 500, "description": "Internal Server Error"},
        ),
    ],
    ids=["429", "blocked", "migrated", "500"],
)
async def test_error_answers_have_telegrams_shape(fake, http, arrange, status, body):
    arrange(fake)
    response = await http.post("sendMessage", data={"chat_id": "1001", "text": "hi"})
    assert response.status_code == status
    assert response.json() == body
    assert fake.sent == []
    assert fake.calls[0].status == status
    assert fake.violations == []  # scripted trouble is not the bot's fault


async def test_missing_chat_id_is_a_violation(fake, http):
    response = await http.post("sendMessage", data={"text": "hi"})
    assert response.status_code == 400
    assert response.json()["description"] == "Bad Request: chat_id is empty"
    assert "chat_id missing" in fake.violations[0]


async def test_raw_text_over_32768_bytes_is_rejected(fake, http):
    text = "<b></b>" * 4700  # plain text is empty, but the raw parameter is too big first
    response = await http.post(
        "sendMessage", data={"chat_id": "1001", "text": text, "parse_mode": "HTML"}
    )
    assert response.json()["description"] == "Bad Request: message is too long"
    assert "32768" in fake.violations[0]


async def test_over_100_entities_is_accepted_but_a_violation(fake, http):
    response = await http.post(
        "sendMessage", data={"chat_id": "1001", "text": "<b>x</b> " * 101, "parse_mode": "HTML"}
    )
    assert response.status_code == 200  # Telegram silently drops the 101st
    assert len(fake.sent) == 1
    assert "too many entities" in fake.violations[0]


async def test_relative_link_is_accepted_but_a_violation(fake, http):
    response = await http.post(
        "sendMessage",
        data={"chat_id": "1001", "text": '<a href="/news/1">x</a>', "parse_mode": "HTML"},
    )
    assert response.status_code == 200
    assert "/news/1" in fake.violations[0]


# ---------------------------------------------------------------- python-telegram-bot


async def test_get_me_describes_the_bot(bot, fake):
    me = await bot.get_me()
    assert me.id == fake.bot_id == 123456
    assert me.is_bot is True
    assert me.username == "newsbot_test_bot"
    assert me.can_join_groups is True
    assert me.can_read_all_group_messages is False
    assert me.supports_inline_queries is False


async def test_valid_html_is_sent_and_recorded(bot, fake):
    message = await bot.send_message(
        1001,
        '<b>Apple</b> &amp; <a href="https://example.com/a?b=1&amp;c=2">more</a>',
        parse_mode="HTML",
        reply_markup=keyboard([("Next", "page:2"), ("Close", "close")]),
    )
    assert message.text == "Apple & more"
    assert message.entities[1].url == "https://example.com/a?b=1&c=2"
    assert message.from_user.id == fake.bot_id
    [sent] = fake.sent
    assert sent.message_id == message.message_id
    assert sent.chat_id == 1001
    assert sent.parse_mode == "HTML"
    assert sent.plain_text == "Apple & more"
    assert sent.buttons() == [("Next", "page:2"), ("Close", "close")]
    assert fake.sent_to(1001) == [sent]
    assert fake.sent_to(1002) == []
    assert fake.violations == []


@pytest.mark.parametrize(
    ("text", "violation"),
    [
        ("<div>x</div>", 'Unsupported start tag "div"'),
        ("a < b", 'Unsupported start tag ""'),
        ("<b>unclosed", 'start tag "b"'),
        ("&nbsp;", "&nbsp;"),
        ("R&D news", 'Character "&"'),
        ("<b><i>x</b></i>", "Unmatched end tag"),
    ],
)
async def test_invalid_html_raises_bad_request_and_records_a_violation(bot, fake, text, violation):
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(1001, text, parse_mode="HTML")
    assert fake.sent == []
    [recorded] = fake.violations
    assert "invalid HTML" in recorded
    assert violation in recorded


async def test_html_rules_do_not_apply_without_parse_mode(bot, fake):
    await bot.send_message(1001, "a < b & <div>")
    assert fake.sent[0].plain_text == "a < b & <div>"
    assert fake.violations == []


@pytest.mark.parametrize(
    ("text", "parse_mode", "accepted"),
    [
        ("a" * 4096, None, True),
        ("a" * 4097, None, False),
        ("😀" * 2048, None, True),  # 4096 UTF-16 units
        ("😀" * 2048 + "a", None, False),
        ("<b>" + "a" * 4096 + "</b>", "HTML", True),  # measured after parsing
        ("&amp;" * 4097, "HTML", False),
    ],
    ids=["4096", "4097", "2048-emoji", "2048-emoji+1", "4096-in-tags", "4097-entities"],
)
async def test_message_length_limit(bot, fake, text, parse_mode, accepted):
    if accepted:
        await bot.send_message(1001, text, parse_mode=parse_mode)
        assert len(fake.sent) == 1
        assert fake.violations == []
    else:
        with pytest.raises(BadRequest, match=r"(?i)message is too long"):
            await bot.send_message(1001, text, parse_mode=parse_mode)
        assert fake.sent == []
        assert "text too long" in fake.violations[0]


async def test_whitespace_only_text_is_rejected(bot, fake):
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(1001, "<b> </b>", parse_mode="HTML")
    assert "empty text" in fake.violations[0]


@pytest.mark.parametrize(
    ("markup", "error", "violation"),
    [
        (keyboard([("Go", "x" * 65)]), "BUTTON_DATA_INVALID", "65"),
        (keyboard([("Go", "é" * 33)]), "BUTTON_DATA_INVALID", "66"),
        (keyboard([("b", str(i)) for i in range(9)]), "BUTTONS_TOO_MUCH", "9 buttons"),
        (
            keyboard(*[[("b", f"{r}.{c}") for c in range(6)] for r in range(17)]),
            "BUTTONS_TOO_MUCH",
            "102 buttons",
        ),
        (
            InlineKeyboardMarkup([[InlineKeyboardButton("x", url="/relative")]]),
            "BUTTON_URL_INVALID",
            "/relative",
        ),
    ],
    ids=["65-bytes", "66-bytes-utf8", "9-in-a-row", "102-buttons", "relative-url"],
)
async def test_bad_inline_keyboards_are_rejected(bot, fake, markup, error, violation):
    with pytest.raises(BadRequest, match=rf"(?i){error}"):
        await bot.send_message(1001, "pick", reply_markup=markup)
    assert fake.sent == []
    assert violation in fake.violations[0]


async def test_64_byte_callback_data_is_accepted(bot, fake):
    await bot.send_message(1001, "pick", reply_markup=keyboard([("Go", "x" * 64)]))
    assert fake.sent[0].buttons() == [("Go", "x" * 64)]
    assert fake.violations == []


async def test_button_without_action_is_rejected(fake, http):
    markup = {"inline_keyboard": [[{"text": "just text"}]]}
    response = await http.post(
        "sendMessage", json={"chat_id": 1001, "text": "pick", "reply_markup": markup}
    )
    assert response.status_code == 400
    assert "inline keyboard button" in response.json()["description"]
    assert "exactly one of" in fake.violations[0]


async def test_blocked_chat_raises_forbidden(bot, fake):
    await bot.send_message(1001, "before")
    fake.block(1001)
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_message(1001, "after")
    with pytest.raises(Forbidden):
        await bot.edit_message_text("edited", chat_id=1001, message_id=1)
    await bot.send_message(1002, "others still get messages")
    fake.unblock(1001)
    await bot.send_message(1001, "again")
    assert [m.text for m in fake.sent] == ["before", "others still get messages", "again"]
    assert fake.violations == []


async def test_migrated_group_raises_chat_migrated_and_announces(bot, fake):
    fake.user_sends("/start", chat_id=-500, chat_title="Fans")
    fake.migrate(-500, -1009876543210)
    with pytest.raises(ChatMigrated) as raised:
        await bot.send_message(-500, "hi")
    assert raised.value.new_chat_id == -1009876543210
    await bot.send_message(-1009876543210, "hi again")
    updates = await bot.get_updates()
    assert updates[1].message.migrate_to_chat_id == -1009876543210
    assert updates[2].message.migrate_from_chat_id == -500
    assert updates[2].message.chat.type == "supergroup"
    assert updates[2].message.chat.title == "Fans"


async def test_scripted_429_raises_retry_after(bot, fake):
    fake.fail_next(
        "sendMessage",
        status=429,
        description="Too Many Requests: retry after 7",
        parameters={"retry_after": 7},
    )
    with pytest.raises(RetryAfter) as raised:
        await bot.send_message(1001, "hi")
    assert retry_after_of(raised.value) == 7
    await bot.send_message(1001, "hi")  # only the next call failed
    assert [c.status for c in fake.calls_to("sendMessage")] == [429, 200]


async def test_fail_next_times_and_fail_method(bot, fake):
    fake.fail_next("getChat", status=500, description="Internal Server Error", times=2)
    fake.fail_method("setMyCommands", 400, "Bad Request: commands are refused")
    for _ in range(2):
        with pytest.raises(NetworkError, match="Internal Server Error"):
            await bot.get_chat(1001)
    assert (await bot.get_chat(1001)).id == 1001
    for _ in range(3):
        with pytest.raises(BadRequest, match=r"(?i)commands are refused"):
            await bot.set_my_commands([("start", "Start")])
    fake.clear_failures("setMyCommands")
    assert await bot.set_my_commands([("start", "Start")]) is True
    assert fake.my_commands() == [{"command": "start", "description": "Start"}]


def test_scripting_an_unknown_method_is_a_test_error():
    with pytest.raises(ValueError, match="sendMesage"):
        FakeTelegram().fail_next("sendMesage", status=500, description="x")


@pytest.mark.parametrize(
    ("kwargs", "command", "chat_type", "user_id"),
    [
        ({}, "/start", "private", 1001),
        ({"chat_id": -42}, "/start", "group", 2001),
        ({"chat_id": -1001234567890, "user_id": 7}, "/start", "supergroup", 7),
    ],
)
async def test_user_sends_a_command_the_bot_can_parse(
    bot, fake, kwargs, command, chat_type, user_id
):
    sent = fake.user_sends(f"{command}@newsbot_test_bot apple", **kwargs)
    [update] = await bot.get_updates()
    assert update.update_id == sent["update_id"]
    message = update.message
    assert message.text == "/start@newsbot_test_bot apple"
    assert message.chat.type == chat_type
    assert message.from_user.id == user_id
    [entity] = message.entities
    assert (entity.type, entity.offset, entity.length) == ("bot_command", 0, 23)
    assert message.parse_entities() == {entity: "/start@newsbot_test_bot"}
    assert Update.de_json(sent, bot) == update


@pytest.mark.parametrize(
    ("text", "entity"),
    [
        ("/latest", ("bot_command", 0, 7)),
        ("/latest apple", ("bot_command", 0, 7)),
        ("hello /x", None),
        ("/", None),
    ],
)
def test_command_entity_only_for_a_leading_command(text, entity):
    message = FakeTelegram().user_sends(text)["message"]
    got = [(e["type"], e["offset"], e["length"]) for e in message.get("entities", [])]
    assert got == ([entity] if entity else [])


def test_chat_type_must_fit_the_chat_id():
    with pytest.raises(ValueError, match="private"):
        FakeTelegram().user_sends("hi", chat_id=-5, chat_type="private")


async def test_reply_to_bot_quotes_the_bots_last_message(bot, fake):
    await bot.send_message(1001, "Which brand?")
    fake.user_sends("Apple", reply_to_bot=True)
    [update] = await bot.get_updates()
    assert update.message.reply_to_message.text == "Which brand?"
    assert update.message.reply_to_message.from_user.id == fake.bot_id


async def test_button_press_round_trip(bot, fake):
    await bot.send_message(1001, "page 1", reply_markup=keyboard([("Next", "page:2")]))
    [sent] = fake.sent
    with pytest.raises(ValueError, match="page:9"):
        fake.user_presses(sent, "page:9")  # users can only press buttons that exist
    fake.user_presses(sent, "page:2")
    [update] = await bot.get_updates()
    query = update.callback_query
    assert query.data == "page:2"
    assert query.from_user.id == 1001
    assert query.message.message_id == sent.message_id
    assert query.message.reply_markup.inline_keyboard[0][0].callback_data == "page:2"
    assert fake.unanswered_callback_queries == [query.id]

    assert await query.answer("ok") is True
    assert fake.unanswered_callback_queries == []
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await query.answer()
    assert "already answered" in fake.violations[0]


async def test_edits_follow_telegrams_semantics(bot, fake):
    await bot.send_message(
        1001, "<b>page 1</b>", parse_mode="HTML", reply_markup=keyboard([("Next", "n")])
    )
    edited = await bot.edit_message_text(
        "page 2", chat_id=1001, message_id=1, reply_markup=keyboard([("Back", "b")])
    )
    assert edited.text == "page 2"
    assert fake.message_state(1001, 1).buttons() == [("Back", "b")]
    assert fake.sent[0].text == "<b>page 1</b>"  # the record of what was sent stays

    with pytest.raises(BadRequest, match=r"(?i)not modified"):
        await bot.edit_message_reply_markup(1001, 1, reply_markup=keyboard([("Back", "b")]))

    # Without reply_markup, editMessageText removes the keyboard, as in Telegram.
    await bot.edit_message_text("page 3", chat_id=1001, message_id=1)
    assert fake.message_state(1001, 1).buttons() == []
    with pytest.raises(ValueError, match="offers \\[\\]"):
        fake.user_presses(fake.sent[0], "b")

    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", chat_id=1001, message_id=99)
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.edit_message_text("<p>x</p>", chat_id=1001, message_id=1, parse_mode="HTML")

    assert [c.method for c in fake.edits] == ["editMessageText", "editMessageText"]
    assert len(fake.violations) == 2
    assert "never sent" in fake.violations[0]
    assert "invalid HTML" in fake.violations[1]


@pytest.mark.parametrize(
    ("chat_id", "chat_type", "status", "error"),
    [
        (1001, "private", "kicked", "bot was blocked by the user"),
        (-42, "group", "left", "bot is not a member of the group chat"),
        (-1001234567890, "supergroup", "kicked", "bot was kicked from the supergroup chat"),
    ],
)
async def test_bot_removed_sends_my_chat_member_then_forbids(
    bot, fake, chat_id, chat_type, status, error
):
    fake.bot_removed(chat_id, status=status)
    [update] = await bot.get_updates()
    change = update.my_chat_member
    assert change.chat.id == chat_id
    assert change.chat.type == chat_type
    assert change.old_chat_member.status == "member"
    assert change.new_chat_member.status == status
    assert change.new_chat_member.user.id == fake.bot_id
    with pytest.raises(Forbidden, match=rf"(?i){error}"):
        await bot.send_message(chat_id, "still there?")

    fake.bot_added(chat_id)
    [_, update] = await bot.get_updates()
    assert update.my_chat_member.new_chat_member.status == "member"
    await bot.send_message(chat_id, "back")


@pytest.mark.parametrize(
    ("user_id", "status"), [(10, "creator"), (11, "administrator"), (12, "member")]
)
async def test_chat_member_status_comes_from_set_admins(bot, fake, user_id, status):
    fake.set_admins(-42, [10, 11])
    member = await bot.get_chat_member(-42, user_id)
    assert member.status == status
    assert member.user.id == user_id
    admins = await bot.get_chat_administrators(-42)
    assert [(a.user.id, a.status) for a in admins] == [(10, "creator"), (11, "administrator")]


async def test_private_chat_has_no_administrators(bot, fake):
    with pytest.raises(BadRequest, match=r"(?i)no administrators"):
        await bot.get_chat_administrators(1001)


async def test_get_chat_knows_chats_users_wrote_in(bot, fake):
    fake.user_sends("hi", chat_id=-42, chat_title="Tech fans")
    chat = await bot.get_chat(-42)
    assert (chat.id, chat.type, chat.title) == (-42, "group", "Tech fans")


async def test_commands_are_stored_per_scope_and_language(bot, fake):
    await bot.set_my_commands([("latest", "Latest news")])
    await bot.set_my_commands([("latest", "Последние новости")], language_code="ru")
    assert [c.description for c in await bot.get_my_commands()] == ["Latest news"]
    ru = await bot.get_my_commands(language_code="ru")
    assert [c.description for c in ru] == ["Последние новости"]
    await bot.delete_my_commands(language_code="ru")
    assert await bot.get_my_commands(language_code="ru") == ()
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([("Latest", "Upper case is not allowed")])
    assert "invalid command" in fake.violations[0]


async def test_descriptions_are_stored_per_language_and_fall_back_to_the_default(bot, fake):
    assert await bot.set_my_description("Tech news by brand.") is True
    await bot.set_my_description("Новости технологий.", language_code="ru")
    await bot.set_my_short_description("Short.", language_code="ru")
    assert (await bot.get_my_description(language_code="ru")).description == "Новости технологий."
    assert (await bot.get_my_description(language_code="de")).description == "Tech news by brand."
    assert (await bot.get_my_short_description(language_code="ru")).short_description == "Short."
    with pytest.raises(BadRequest, match="too long"):
        await bot.set_my_short_description("x" * 121)
    with pytest.raises(BadRequest, match=r"(?i)language_code_invalid"):
        await bot.set_my_description("Hi", language_code="rus")
    assert len(fake.violations) == 2


async def test_housekeeping_methods(bot, fake):
    assert await bot.delete_webhook() is True
    assert (await bot.get_webhook_info()).url == ""
    assert await bot.send_chat_action(1001, "typing") is True
    with pytest.raises(BadRequest):
        await bot.send_chat_action(1001, "dancing")
    assert "unknown chat action" in fake.violations[0]


# ---------------------------------------------------------------- getUpdates


async def test_updates_stay_until_confirmed_by_offset(bot, fake):
    for text in ("one", "two", "three"):
        fake.user_sends(text)
    first = await bot.get_updates(limit=2)
    assert [u.message.text for u in first] == ["one", "two"]
    again = await bot.get_updates()
    assert [u.message.text for u in again] == ["one", "two", "three"]  # nothing confirmed yet
    rest = await bot.get_updates(offset=first[-1].update_id + 1)
    assert [u.message.text for u in rest] == ["three"]
    await bot.get_updates(offset=rest[-1].update_id + 1)
    assert fake.pending_updates == []


async def test_negative_offset_keeps_only_the_newest(bot, fake):
    for text in ("one", "two", "three"):
        fake.user_sends(text)
    assert [u.message.text for u in await bot.get_updates(offset=-1)] == ["three"]
    assert len(fake.pending_updates) == 1


async def test_allowed_updates_filters_and_sticks(bot, fake):
    fake.user_sends("hi")
    fake.bot_removed(1002)
    only = await bot.get_updates(allowed_updates=["my_chat_member"])
    assert [u.my_chat_member is not None for u in only] == [True]
    assert len(await bot.get_updates()) == 1  # the choice persists, as in Telegram
    assert len(await bot.get_updates(allowed_updates=[])) == 2  # [] resets to the default


async def test_long_poll_returns_as_soon_as_an_update_arrives(bot, fake):
    loop = asyncio.get_running_loop()
    poll = asyncio.create_task(bot.get_updates(timeout=20))
    await fake.wait_for_call("getUpdates")
    await asyncio.sleep(0.05)  # the poll is now waiting inside the fake
    started = loop.time()
    fake.user_sends("/start")
    updates = await asyncio.wait_for(poll, 2)
    assert loop.time() - started < 1
    assert updates[0].message.text == "/start"


async def test_long_poll_times_out_empty(bot, fake):
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await bot.get_updates(timeout=1) == ()
    assert 0.9 < loop.time() - started < 3


async def test_stop_releases_a_pending_long_poll_quickly(bot, fake):
    loop = asyncio.get_running_loop()
    poll = asyncio.create_task(bot.get_updates(timeout=30))
    await fake.wait_for_call("getUpdates")
    await asyncio.sleep(0.05)
    started = loop.time()
    await fake.stop()
    assert await asyncio.wait_for(poll, 2) == ()
    assert loop.time() - started < 1.5


async def test_second_poller_takes_over_with_409_for_the_first(fake):
    async with (
        Bot(TOKEN, base_url=fake.api_url) as first,
        Bot(TOKEN, base_url=fake.api_url) as second,
    ):
        old = asyncio.create_task(first.get_updates(timeout=20))
        await fake.wait_for_call("getUpdates")
        await asyncio.sleep(0.05)
        new = asyncio.create_task(second.get_updates(timeout=20))
        with pytest.raises(Conflict, match=r"(?i)terminated by other getUpdates"):
            await asyncio.wait_for(old, 2)
        fake.user_sends("hi")
        assert (await asyncio.wait_for(new, 2))[0].message.text == "hi"


# ---------------------------------------------------------------- waiting helpers


async def test_wait_for_sent_wakes_on_a_concurrent_send(bot, fake):
    async def send_later() -> None:
        await asyncio.sleep(0.05)
        await bot.send_message(1001, "one")
        await bot.send_message(1002, "other chat")
        await bot.send_message(1001, "two")

    task = asyncio.create_task(send_later())
    messages = await fake.wait_for_sent(2, chat_id=1001, timeout=3)
    assert [m.text for m in messages] == ["one", "two"]
    await task
    assert len(await fake.wait_for_sent(3)) == 3


async def test_wait_for_sent_timeout_explains_what_happened(bot, fake):
    await bot.send_message(1002, "to someone else")
    with pytest.raises(AssertionError) as raised:
        await fake.wait_for_sent(1, chat_id=1001, timeout=0.2)
    report = str(raised.value)
    assert "expected at least 1 sent message(s) to chat 1001" in report
    assert "to someone else" in report
    assert "sendMessage -> 200" in report


async def test_wait_for_call(bot, fake):
    task = asyncio.create_task(bot.send_chat_action(1001, "typing"))
    [call] = await fake.wait_for_call("sendChatAction", timeout=3)
    assert call.params == {"chat_id": 1001, "action": "typing"}
    await task
    with pytest.raises(AssertionError, match="sendMessage"):
        await fake.wait_for_call("sendMessage", timeout=0.1)


# ---------------------------------------------------------------- rate limits


@pytest.fixture
async def limited():
    clock = ManualClock()
    server = FakeTelegram(enforce_rate_limits=True, clock=clock)
    await server.start()
    async with Bot(TOKEN, base_url=server.api_url) as client:
        yield server, client, clock
    await server.stop()


async def test_private_chat_allows_one_per_second_plus_a_burst_of_one(limited):
    fake, bot, clock = limited
    await bot.send_message(1001, "1")
    await bot.send_message(1001, "2")
    with pytest.raises(RetryAfter) as raised:
        await bot.send_message(1001, "3")
    assert retry_after_of(raised.value) == 1
    await bot.send_message(1002, "other chats are not affected")
    clock.advance(1.0)
    await bot.send_message(1001, "3")
    with pytest.raises(RetryAfter):
        await bot.send_message(1001, "4")
    assert fake.rate_limited == 2
    assert fake.violations == []


async def test_group_allows_20_per_minute(limited):
    fake, bot, clock = limited
    for i in range(20):
        clock.advance(0.1)  # keep under the overall limit; the group bucket barely drains
        await bot.send_message(-42, str(i))
    with pytest.raises(RetryAfter) as raised:
        await bot.send_message(-42, "21st")
    assert 1 <= retry_after_of(raised.value) <= 3
    clock.advance(3.0)
    await bot.send_message(-42, "after a pause")
    assert len(fake.sent_to(-42)) == 21


async def test_overall_limit_is_30_per_second(limited):
    fake, bot, clock = limited
    for chat_id in range(1, 31):
        await bot.send_message(chat_id, "news")
    with pytest.raises(RetryAfter):
        await bot.send_message(31, "news")
    clock.advance(0.5)  # half the bucket has drained
    for chat_id in range(31, 46):
        await bot.send_message(chat_id, "news")
    with pytest.raises(RetryAfter):
        await bot.send_message(46, "news")
    assert fake.rate_limited == 2


async def test_paid_broadcasts_pass_the_30_per_second_up_to_1000(limited):
    fake, bot, clock = limited
    sent = 0
    with pytest.raises(RetryAfter):  # all in the same instant: past 30, then the 1,000/s
        for chat_id in range(1, 1101):
            await bot.send_message(chat_id, "news", allow_paid_broadcast=True)
            sent += 1
    tolerance = fake.rate_limits.tolerance * fake.rate_limits.paid_per_second
    assert 1000 <= sent <= 1000 + tolerance and fake.paid_broadcasts == sent
    for chat_id in range(2001, 2031):  # free messages keep their own 30/s
        await bot.send_message(chat_id, "news")
    with pytest.raises(RetryAfter):
        await bot.send_message(2031, "news")
    clock.advance(1.0)
    await bot.send_message(3001, "news", allow_paid_broadcast=True)
    assert fake.rate_limited == 2


async def test_custom_rate_limits():
    custom = FakeTelegram(
        enforce_rate_limits=True, rate_limits=RateLimits(private_burst=5), clock=ManualClock()
    )
    await custom.start()
    try:
        async with Bot(TOKEN, base_url=custom.api_url) as client:
            for i in range(5):
                await client.send_message(1001, str(i))
            with pytest.raises(RetryAfter):
                await client.send_message(1001, "6th")
    finally:
        await custom.stop()
