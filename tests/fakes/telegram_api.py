"""A fake Telegram Bot API server on loopback, for driving the real python-telegram-bot.

The bot under test talks HTTP to this server exactly as it would to api.telegram.org, so the
whole stack (PTB's request encoding, error mapping, polling loop, rate limiter) runs for real::

    fake = FakeTelegram()
    await fake.start()
    app = ApplicationBuilder().token(TOKEN).base_url(fake.api_url).build()
    ...  # start the application with polling
    fake.user_sends("/start")
    [reply] = await fake.wait_for_sent(1, chat_id=1001)
    fake.user_presses(reply, "page:2")
    ...
    assert fake.violations == []
    await fake.stop()

What it covers:

* Methods: getMe, getUpdates (long polling with offset confirmation, limit, allowed_updates and
  409 when a second poller takes over), sendMessage, editMessageText, editMessageReplyMarkup,
  answerCallbackQuery, getChatMember, getChatAdministrators, getChat, set/get/deleteMyCommands,
  set/getMyDescription and set/getMyShortDescription (recorded in `descriptions` and
  `short_descriptions` by language_code),
  setWebhook (recorded in `webhook`; getUpdates then answers 409, as Telegram does),
  deleteWebhook, getWebhookInfo, close, logOut, sendChatAction. Anything else answers 404 like
  Telegram and counts as a violation; a wrong token answers 401 and is not recorded at all.
* Telegram's rules for messages (see `telegram_html`): HTML parse mode, 4096 UTF-16 units,
  inline keyboards, callback_data size. A breach is answered the way Telegram answers it *and*
  appended to `violations`, so a bot that swallows the 400 still fails a test that ends with
  `assert fake.violations == []`. Markdown parse modes are passed through unchecked.
* Behaviour the bot must cope with: blocked users and kicked bots (403), group-to-supergroup
  migration (400 with migrate_to_chat_id), scripted failures of any method (`fail_next`,
  `fail_method`), and optionally Telegram's flood limits (429 with retry_after).
* State a user would see: `message_state` follows edits; editMessageText without reply_markup
  removes the keyboard, and an edit that changes nothing gets "message is not modified", both as
  in Telegram. `user_presses` only presses buttons the message currently has.

Not covered: media, inline mode, payments, webhooks, and privacy mode in groups (every group
message is delivered to the bot).

The request path is O(1) in the number of messages already sent, so the same fake serves a
100,000-message benchmark.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import itertools
import json
import math
import re
import socket
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from .telegram_html import (
    MAX_BOT_COMMANDS,
    MAX_CALLBACK_ANSWER_LENGTH,
    MAX_DESCRIPTION,
    MAX_SHORT_DESCRIPTION,
    HtmlParseError,
    check_bot_command,
    check_callback_data,
    check_entity_count,
    check_inline_button,
    check_inline_keyboard_size,
    check_length,
    check_link_url,
    check_not_empty,
    check_raw_size,
    check_reply_markup_structure,
    check_text_given,
    excerpt,
    html_to_plain,
    iter_inline_buttons,
    parse_html,
    utf16_len,
)

TOKEN = "123456:TEST-fake-token-aaaaaaaaaaaaaaaaaaa"
DEFAULT_CHAT_ID = 1001
DEFAULT_GROUP_USER_ID = 2001
FIRST_UPDATE_ID = 100_000_001

METHODS = (
    "getMe",
    "getUpdates",
    "sendMessage",
    "editMessageText",
    "editMessageReplyMarkup",
    "answerCallbackQuery",
    "getChatMember",
    "getChatAdministrators",
    "getChat",
    "setMyCommands",
    "deleteMyCommands",
    "getMyCommands",
    "setMyDescription",
    "getMyDescription",
    "setMyShortDescription",
    "getMyShortDescription",
    "setWebhook",
    "deleteWebhook",
    "getWebhookInfo",
    "close",
    "logOut",
    "sendChatAction",
)
# Telegram matches method names case-insensitively.
_CANONICAL = {name.lower(): name for name in METHODS}

BLOCKED = "Forbidden: bot was blocked by the user"
MIGRATED = "Bad Request: group chat was upgraded to a supergroup chat"
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
CONFLICT = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is "
    "running"
)
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)

# Form values are JSON text unless the parameter is a string (PTB's RequestParameter.json_value
# sends str values raw): "123" as `text` must stay a string, "123" as `chat_id` is a number.
_STRING_PARAMS = frozenset(
    {
        "text",
        "parse_mode",
        "callback_query_id",
        "url",
        "inline_message_id",
        "action",
        "language_code",
        "business_connection_id",
        "message_effect_id",
        "secret_token",
        "ip_address",
        "caption",
        "title",
        "description",
        "short_description",
        "name",
        "custom_title",
        "emoji",
        "custom_emoji_id",
        "file_id",
        "invite_link",
        "query_id",
        "game_short_name",
    }
)
_JSON_START = frozenset('{["-0123456789tfn')
_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")


@dataclass(slots=True)
class ApiCall:
    """One request the bot made. `status` is the HTTP status answered (0 while unanswered, e.g.
    a long poll the client gave up on); `at` is the fake's clock when it arrived."""

    method: str
    params: dict[str, Any]
    status: int = 0
    at: float = 0.0


@dataclass(slots=True)
class SentMessage:
    """A message the bot sent (as sent: `text` is the raw parameter, HTML and all)."""

    message_id: int
    chat_id: int
    text: str
    parse_mode: str | None
    reply_markup: dict[str, Any] | None
    link_preview_options: dict[str, Any] | None
    params: dict[str, Any]
    date: int = 0

    def buttons(self) -> list[tuple[str, str]]:
        """Inline buttons as (text, callback_data), flattened; link buttons give their url."""
        if not self.reply_markup or "inline_keyboard" not in self.reply_markup:
            return []
        return [
            (button.get("text", ""), button.get("callback_data", button.get("url", "")))
            for button in iter_inline_buttons(self.reply_markup)
        ]

    @property
    def plain_text(self) -> str:
        """What the user reads: tags removed and entities decoded when parse_mode is HTML."""
        if (self.parse_mode or "").lower() == "html":
            return html_to_plain(self.text)
        return self.text


@dataclass(frozen=True)
class RateLimits:
    """Telegram's flood limits, as leaky buckets (capacity `burst`, drained at the rate).

    Buckets rather than sliding windows because PTB's AIORateLimiter (aiolimiter) is a leaky
    bucket: a bot that paces itself with it must never see a 429 from the fake, and a sliding
    window of the same rate would refuse some of its bursts. `tolerance` (seconds) absorbs the
    jitter between the bot's clock and the moment a request reaches the fake.
    """

    private_per_second: float = 1.0
    private_burst: int = 2  # one message plus a burst of one
    group_per_minute: float = 20.0
    group_burst: int = 20
    overall_per_second: float = 30.0
    overall_burst: int = 30
    # Messages sent with allow_paid_broadcast: Telegram's paid broadcasts, up to 1,000/s.
    paid_per_second: float = 1000.0
    paid_burst: int = 1000
    tolerance: float = 0.03


class _Bucket:
    __slots__ = ("level", "stamp")

    def __init__(self, now: float) -> None:
        self.level = 0.0
        self.stamp = now

    def _level_at(self, now: float, rate: float) -> float:
        return max(0.0, self.level - (now - self.stamp) * rate)

    def wait(self, now: float, burst: int, rate: float, tolerance: float) -> float:
        """Seconds until one more message fits, 0 if it fits now."""
        excess = self._level_at(now, rate) + 1 - burst - tolerance * rate
        return excess / rate if excess > 0 else 0.0

    def take(self, now: float, rate: float) -> None:
        self.level = self._level_at(now, rate) + 1
        self.stamp = now


class _Signal:
    """Wakes every current waiter on notify(). Costs nothing while nobody waits, which keeps
    the request path cheap when tests are not waiting on anything."""

    __slots__ = ("_event",)

    def __init__(self) -> None:
        self._event: asyncio.Event | None = None

    def notify(self) -> None:
        event = self._event
        if event is not None:
            self._event = None
            event.set()

    async def wait(self, seconds: float) -> None:
        if self._event is None:
            self._event = asyncio.Event()
        event = self._event
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await event.wait()


class ApiError(Exception):
    """An error answer: {"ok": false, "error_code": status, "description", "parameters"}."""

    def __init__(
        self, status: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


@dataclass
class _Failure:
    status: int
    description: str
    parameters: dict[str, Any] | None
    times: int | None  # None: forever


def _json_response(status: int, payload: dict[str, Any]) -> web.Response:
    return web.Response(
        body=json.dumps(payload, ensure_ascii=False).encode(),
        status=status,
        content_type="application/json",
    )


def _error_response(error: ApiError) -> web.Response:
    payload: dict[str, Any] = {
        "ok": False,
        "error_code": error.status,
        "description": error.description,
    }
    if error.parameters:
        payload["parameters"] = error.parameters
    return _json_response(error.status, payload)


def _decode_value(name: str, value: str) -> Any:
    if name in _STRING_PARAMS or not value or value[0] not in _JSON_START:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value  # e.g. chat_id "@channelusername"


async def _read_params(request: web.Request) -> dict[str, Any]:
    """Parameters from the query string and a form, multipart or JSON body, as Telegram takes
    them; values JSON-encoded inside forms (PTB's way) are decoded back into objects."""
    params: dict[str, Any] = {
        name: _decode_value(name, value) for name, value in request.query.items()
    }
    if not request.body_exists:
        return params
    content_type = request.content_type
    if content_type == "application/json":
        body = await request.read()
        if body.strip():
            data = json.loads(body)
            if not isinstance(data, dict):
                raise ValueError("JSON body is not an object")
            for name, value in data.items():
                params[name] = _decode_value(name, value) if isinstance(value, str) else value
    elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        for name, value in form.items():
            if isinstance(value, web.FileField):
                params[name] = {
                    "filename": value.filename,
                    "content_type": value.content_type,
                    "size": len(value.file.read()),
                }
            else:
                params[name] = _decode_value(name, value)
    return params


def _as_int(value: Any, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


class FakeTelegram:
    """The fake server plus the user side of Telegram; see the module docstring.

    Records: `calls` (every request with a valid token, in arrival order), `sent` (successful
    sendMessage calls, as sent), `edits` (successful editMessageText/editMessageReplyMarkup
    calls), `violations` (rule breaches, one readable line each), `rate_limited` (429s the
    flood limits answered; scripted 429s from `fail_next` are not counted).

    `enforce_rate_limits` applies `rate_limits` to sendMessage; `clock` is what they (and
    `ApiCall.at`) measure time with, replaceable so tests need not sleep.
    """

    def __init__(
        self,
        token: str = TOKEN,
        bot_username: str = "newsbot_test_bot",
        *,
        enforce_rate_limits: bool = False,
        rate_limits: RateLimits | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.token = token
        self.bot_username = bot_username
        self.bot_id = int(token.split(":", 1)[0])
        self.enforce_rate_limits = enforce_rate_limits
        self.rate_limits = rate_limits or RateLimits()
        self._clock = clock

        self.calls: list[ApiCall] = []
        self.sent: list[SentMessage] = []
        self.edits: list[ApiCall] = []
        self.violations: list[str] = []
        self.rate_limited = 0

        self._bot_user = {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "Newsbot Test",
            "username": bot_username,
        }
        self._calls_by_method: defaultdict[str, list[ApiCall]] = defaultdict(list)
        self._sent_by_chat: defaultdict[int | str, list[SentMessage]] = defaultdict(list)
        self._current: dict[tuple[int | str, int], SentMessage] = {}  # after edits
        self._message_ids: dict[int | str, int] = {}
        self._chats: dict[int | str, dict[str, Any]] = {}
        self._users: dict[int, dict[str, Any]] = {}
        self._admins: dict[int | str, list[int]] = {}
        self._forbidden: dict[int | str, str] = {}
        self._migrated: dict[int | str, int] = {}
        self._failures: dict[str, deque[_Failure]] = defaultdict(deque)
        self._garbled: dict[str, int] = {}  # method -> answers left to garble (garble_next)
        self._delays: dict[str, float] = {}  # method -> seconds its next answer waits
        self._commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.descriptions: dict[str, str] = {}  # language_code ("" for the default) -> text
        self.short_descriptions: dict[str, str] = {}
        self._open_queries: dict[str, tuple[int | str, int]] = {}
        self._query_ids = itertools.count(7_000_000_001)
        self._buckets: dict[int | str, _Bucket] = {}
        self._overall_bucket = _Bucket(clock())
        self._paid_bucket = _Bucket(clock())  # allow_paid_broadcast messages
        self.paid_broadcasts = 0  # messages sent with allow_paid_broadcast (each costs Stars)

        # (update_id, update type, update) in id order; confirmed ones are popped from the left.
        self._updates: deque[tuple[int, str, dict[str, Any]]] = deque()
        self.webhook: dict[str, Any] | None = None  # setWebhook's parameters while one is set
        self._update_ids = itertools.count(FIRST_UPDATE_ID)
        self._allowed_updates: frozenset[str] | None = None
        self._poll_generation = 0
        self._updates_signal = _Signal()
        self._activity_signal = _Signal()

        self._handlers: dict[str, Callable[[ApiCall], Awaitable[Any]]] = {
            name: getattr(self, "_api_" + name) for name in METHODS
        }
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._stopping = False

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Serve on 127.0.0.1 on a free port."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        # handler_cancellation: when PTB gives up on a long poll (shutdown, restart), the poll
        # must end here too, or it would linger and answer 409 to the next one.
        self._runner = web.AppRunner(
            app, handler_cancellation=True, access_log=None, shutdown_timeout=1.0
        )
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self._port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()
        self._stopping = False

    async def stop(self) -> None:
        """Stop serving; pending long polls are answered with no updates at once."""
        self._stopping = True
        self._updates_signal.notify()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeTelegram is not started")
        return self._port

    @property
    def api_url(self) -> str:
        """Base URL for PTB (`base_url`); PTB appends the token and then /method."""
        return f"http://127.0.0.1:{self.port}/bot"

    # ------------------------------------------------------------------ inspection

    def calls_to(self, method: str) -> list[ApiCall]:
        return list(self._calls_by_method.get(_CANONICAL.get(method.lower(), method), ()))

    def sent_to(self, chat_id: int | str) -> list[SentMessage]:
        return list(self._sent_by_chat.get(chat_id, ()))

    def message_state(self, chat_id: int | str, message_id: int) -> SentMessage | None:
        """The message as the user sees it now, edits applied; None if the bot never sent it."""
        return self._current.get((chat_id, message_id))

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates enqueued but not yet confirmed by the bot through getUpdates' offset."""
        return [update for _, _, update in self._updates]

    @property
    def unanswered_callback_queries(self) -> list[str]:
        """Ids of button presses the bot has not answered (the user still sees a spinner)."""
        return list(self._open_queries)

    def my_commands(self, scope: dict[str, Any] | None = None, language_code: str = "") -> list:
        return list(self._commands.get(self._commands_key(scope, language_code), ()))

    def report(self, last: int = 15) -> str:
        """A readable summary of what the bot did, for assertion messages."""
        lines = [f"sent {len(self.sent)} message(s); last {min(last, len(self.sent))}:"]
        lines += [
            f"  chat {m.chat_id} #{m.message_id}: {excerpt(m.text, 0, 100)!r}"
            + (f" buttons={m.buttons()}" if m.buttons() else "")
            for m in self.sent[-last:]
        ]
        lines.append(f"{len(self.calls)} call(s); last {min(last, len(self.calls))}:")
        lines += [
            f"  {c.method} -> {c.status or 'pending'} "
            f"{excerpt(json.dumps(c.params, ensure_ascii=False, default=str), 0, 100)}"
            for c in self.calls[-last:]
        ]
        lines.append(f"violations: {self.violations or 'none'}")
        return "\n".join(lines)

    async def wait_for_sent(
        self,
        count: int = 1,
        *,
        chat_id: int | str | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - a deadline for the test, not a cancel scope
    ) -> list[SentMessage]:
        """Wait until at least `count` messages were sent in total (to `chat_id` if given) and
        return all of them; on timeout fail with a report of what the bot did instead."""

        def ready() -> list[SentMessage] | None:
            messages = self.sent if chat_id is None else self._sent_by_chat.get(chat_id, [])
            return list(messages) if len(messages) >= count else None

        where = "" if chat_id is None else f" to chat {chat_id}"
        return await self._wait(
            ready,
            timeout,
            lambda: f"expected at least {count} sent message(s){where} within {timeout}s",
        )

    async def wait_for_call(
        self,
        method: str,
        *,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - a deadline for the test, not a cancel scope
    ) -> list[ApiCall]:
        """Wait until `method` was called at least `count` times in total; return those calls."""
        name = _CANONICAL.get(method.lower(), method)

        def ready() -> list[ApiCall] | None:
            calls = self._calls_by_method.get(name, [])
            return list(calls) if len(calls) >= count else None

        return await self._wait(
            ready, timeout, lambda: f"expected at least {count} call(s) to {name} within {timeout}s"
        )

    async def _wait(self, ready: Callable[[], Any], seconds: float, what: Callable[[], str]):
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while (result := ready()) is None:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(f"{what()}\n{self.report()}")
            await self._activity_signal.wait(remaining)
        return result

    # ------------------------------------------------------------------ the user's side

    def user_sends(
        self,
        text: str,
        *,
        chat_id: int = DEFAULT_CHAT_ID,
        user_id: int | None = None,
        chat_type: str | None = None,
        first_name: str = "Ann",
        username: str | None = "ann",
        language_code: str | None = "en",
        chat_title: str | None = None,
        reply_to_bot: bool = False,
    ) -> dict[str, Any]:
        """Enqueue a text message update and return it. `chat_type` defaults to what the chat
        is known as, else "private" for positive ids and "group"/"supergroup" for negative.
        A leading /command gets its bot_command entity, as Telegram adds it."""
        chat_type = self._resolve_chat_type(chat_id, chat_type)
        if user_id is None:
            user_id = chat_id if chat_type == "private" else DEFAULT_GROUP_USER_ID
        user = self._remember_user(user_id, first_name, username, language_code)
        chat = self._remember_chat(chat_id, chat_type, title=chat_title, user=user)
        message: dict[str, Any] = {
            "message_id": self._next_message_id(chat_id),
            "from": user,
            "chat": chat,
            "date": int(time.time()),
            "text": text,
        }
        command = _COMMAND.match(text)
        if command is not None:
            message["entities"] = [
                {"type": "bot_command", "offset": 0, "length": utf16_len(command.group())}
            ]
        if reply_to_bot:
            mine = self._sent_by_chat.get(chat_id)
            if not mine:
                raise ValueError(f"reply_to_bot: the bot sent nothing to chat {chat_id} yet")
            last = self._current[(chat_id, mine[-1].message_id)]
            message["reply_to_message"] = self._message_dict(last)
        return self._enqueue("message", message)

    def user_presses(
        self,
        message: SentMessage,
        callback_data: str,
        *,
        user_id: int | None = None,
        forged: bool = False,
    ) -> dict[str, Any]:
        """Enqueue a callback_query for a button the message (as edited so far) really has;
        `forged` sends any data (a modified client, or a button of an old bot version)."""
        current = self._current.get((message.chat_id, message.message_id))
        if current is None:
            raise ValueError(f"chat {message.chat_id} has no bot message #{message.message_id}")
        offered = [
            button.get("callback_data")
            for button in iter_inline_buttons(current.reply_markup or {})
            if "callback_data" in button
        ]
        if callback_data not in offered and not forged:
            raise ValueError(
                f"message #{current.message_id} in chat {current.chat_id} has no button with "
                f"callback_data {callback_data!r}; it offers {offered}"
            )
        chat = self._chat(current.chat_id)
        if user_id is None:
            user_id = current.chat_id if chat["type"] == "private" else DEFAULT_GROUP_USER_ID
        query_id = str(next(self._query_ids))
        self._open_queries[query_id] = (current.chat_id, current.message_id)
        return self._enqueue(
            "callback_query",
            {
                "id": query_id,
                "from": self._user(user_id),
                "message": self._message_dict(current),
                "chat_instance": f"instance-{current.chat_id}",
                "data": callback_data,
            },
        )

    def bot_removed(
        self,
        chat_id: int,
        *,
        chat_type: str | None = None,
        status: str | None = None,
        by_user_id: int | None = None,
    ) -> dict[str, Any]:
        """my_chat_member: the user blocked the bot (private, "kicked") or the bot was removed
        from a group ("left", or "kicked" if banned). Sends there then answer 403."""
        chat_type = self._resolve_chat_type(chat_id, chat_type)
        private = chat_type == "private"
        status = status or ("kicked" if private else "left")
        if private:
            self._forbidden[chat_id] = BLOCKED
        elif status == "kicked":
            self._forbidden[chat_id] = f"Forbidden: bot was kicked from the {chat_type} chat"
        else:
            self._forbidden[chat_id] = f"Forbidden: bot is not a member of the {chat_type} chat"
        new_member: dict[str, Any] = {"status": status, "user": self._bot_user}
        if status == "kicked":
            new_member["until_date"] = 0
        return self._chat_member_update(
            chat_id, chat_type, by_user_id, {"status": "member", "user": self._bot_user}, new_member
        )

    def bot_added(
        self, chat_id: int, chat_type: str | None = None, *, by_user_id: int | None = None
    ) -> dict[str, Any]:
        """my_chat_member: the bot joined a group, or a user unblocked it (private)."""
        chat_type = self._resolve_chat_type(chat_id, chat_type)
        self._forbidden.pop(chat_id, None)
        old_status = "kicked" if chat_type == "private" else "left"
        old_member: dict[str, Any] = {"status": old_status, "user": self._bot_user}
        if old_status == "kicked":
            old_member["until_date"] = 0
        return self._chat_member_update(
            chat_id, chat_type, by_user_id, old_member, {"status": "member", "user": self._bot_user}
        )

    # ------------------------------------------------------------------ behaviour switches

    def block(self, chat_id: int | str, description: str = BLOCKED) -> None:
        """From now on sends and edits to this chat answer 403 (`description` could also be
        e.g. "Forbidden: user is deactivated"). No update is enqueued: see `bot_removed`."""
        self._forbidden[chat_id] = description

    def unblock(self, chat_id: int | str) -> None:
        self._forbidden.pop(chat_id, None)

    def migrate(self, chat_id: int, new_chat_id: int, *, announce: bool = True) -> None:
        """The group became a supergroup: calls naming the old id answer 400 with
        migrate_to_chat_id. With `announce`, enqueue the two service messages Telegram sends
        (migrate_to_chat_id in the old chat, migrate_from_chat_id in the new one)."""
        old_chat = self._chat(chat_id)
        self._migrated[chat_id] = new_chat_id
        new_chat = {"id": new_chat_id, "type": "supergroup", "title": old_chat.get("title", "")}
        self._chats[new_chat_id] = new_chat
        if chat_id in self._admins:
            self._admins[new_chat_id] = list(self._admins[chat_id])
        if announce:
            by = self._user(DEFAULT_GROUP_USER_ID)
            now = int(time.time())
            self._enqueue(
                "message",
                {
                    "message_id": self._next_message_id(chat_id),
                    "from": by,
                    "chat": old_chat,
                    "date": now,
                    "migrate_to_chat_id": new_chat_id,
                },
            )
            self._enqueue(
                "message",
                {
                    "message_id": self._next_message_id(new_chat_id),
                    "from": by,
                    "chat": new_chat,
                    "date": now,
                    "migrate_from_chat_id": chat_id,
                },
            )

    def set_admins(self, chat_id: int | str, user_ids: Iterable[int]) -> None:
        """getChatMember/getChatAdministrators answer from this; the first id is the creator."""
        self._admins[chat_id] = list(user_ids)

    def fail_next(
        self,
        method: str,
        *,
        status: int,
        description: str,
        parameters: dict[str, Any] | None = None,
        times: int = 1,
    ) -> None:
        """The next `times` calls to `method` answer this error (queued after earlier ones)."""
        self._failures[self._method_name(method)].append(
            _Failure(status, description, parameters, times)
        )

    def fail_method(
        self,
        method: str,
        status: int = 400,
        description: str = "Bad Request: scripted failure",
        parameters: dict[str, Any] | None = None,
    ) -> None:
        """Every call to `method` answers this error, after any queued `fail_next` ones."""
        self._failures[self._method_name(method)].append(
            _Failure(status, description, parameters, None)
        )

    def delay_next(self, method: str, seconds: float) -> None:
        """The next call to `method` is recorded when it arrives and answered `seconds`
        later: a slow Telegram, or a window in which the bot is still inside that call."""
        self._delays[self._method_name(method)] = seconds

    def garble_next(self, method: str, times: int = 1) -> None:
        """The next `times` calls to `method` succeed but answer a result that is not the
        object the method returns (a sendMessage's message is sent all the same)."""
        self._garbled[self._method_name(method)] = times

    def rate_limit_next(self, method: str = "sendMessage", retry_after: int = 3) -> None:
        self.fail_next(
            method,
            status=429,
            description=f"Too Many Requests: retry after {retry_after}",
            parameters={"retry_after": retry_after},
        )

    def clear_failures(self, method: str | None = None) -> None:
        if method is None:
            self._failures.clear()
        else:
            self._failures.pop(self._method_name(method), None)

    # ------------------------------------------------------------------ HTTP

    async def _handle(self, request: web.Request) -> web.Response:
        path = request.path
        if not path.startswith("/bot"):
            return _error_response(ApiError(404, "Not Found"))
        token, _, name = path[4:].partition("/")
        if token != self.token:
            return _error_response(ApiError(401, "Unauthorized"))
        method = _CANONICAL.get(name.lower())
        try:
            params = await _read_params(request)
        except ValueError as exc:
            call = self._record(method or name, {})
            return self._answer_error(
                call, self._reject(call, None, 400, f"Bad Request: {exc}", "malformed body", exc)
            )
        call = self._record(method or name, params)
        try:
            if method is None:
                raise self._reject(
                    call, None, 404, "Not Found", "unknown method", f"{name!r} is not implemented"
                )
            if method in self._delays:  # recorded at once, answered later (delay_next)
                await asyncio.sleep(self._delays.pop(method))
            self._raise_scripted_failure(method)
            result = await self._handlers[method](call)
        except ApiError as error:
            return self._answer_error(call, error)
        call.status = 200
        if self._garbled.get(method, 0):
            # Done, but answered with a result no client can read (a proxy's or a newer API's
            # surprise): the caller cannot tell that its message went out.
            self._garbled[method] -= 1
            result = {"unexpected": True}
        return _json_response(200, {"ok": True, "result": result})

    def _record(self, method: str, params: dict[str, Any]) -> ApiCall:
        call = ApiCall(method, params, at=self._clock())
        self.calls.append(call)
        self._calls_by_method[method].append(call)
        self._activity_signal.notify()
        return call

    @staticmethod
    def _answer_error(call: ApiCall, error: ApiError) -> web.Response:
        call.status = error.status
        return _error_response(error)

    def _raise_scripted_failure(self, method: str) -> None:
        queue = self._failures.get(method)
        if not queue:
            return
        failure = queue[0]
        if failure.times is not None:
            failure.times -= 1
            if failure.times <= 0:
                queue.popleft()
        raise ApiError(failure.status, failure.description, failure.parameters)

    def _violate(self, call: ApiCall, chat_id: object, rule: str, detail: object) -> None:
        where = "" if chat_id is None else f"(chat_id={chat_id})"
        self.violations.append(f"{call.method}{where}: {rule}: {detail}")

    def _reject(
        self,
        call: ApiCall,
        chat_id: object,
        status: int,
        description: str,
        rule: str,
        detail: object,
    ) -> ApiError:
        self._violate(call, chat_id, rule, detail)
        return ApiError(status, description)

    # ------------------------------------------------------------------ rule checks

    def _require_chat_id(self, call: ApiCall) -> int | str:
        chat_id = call.params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise self._reject(
                call, None, 400, "Bad Request: chat_id is empty", "chat_id missing", call.params
            )
        return chat_id

    def _gate(self, chat_id: int | str, *, sending: bool) -> None:
        new_id = self._migrated.get(chat_id)
        if new_id is not None:
            raise ApiError(400, MIGRATED, {"migrate_to_chat_id": new_id})
        if sending and chat_id in self._forbidden:
            raise ApiError(403, self._forbidden[chat_id])

    def _checked_text(
        self, call: ApiCall, chat_id: object
    ) -> tuple[str, str | None, str, list[dict[str, Any]]]:
        """Validate text and parse_mode; return (text, parse_mode, plain text, entities)."""
        params = call.params
        text = params.get("text")
        if isinstance(text, int | float) and not isinstance(text, bool):
            text = str(text)  # a JSON body may carry a number; Telegram takes it as text
        if problem := check_text_given(text):
            raise self._reject(
                call, chat_id, 400, "Bad Request: message text is empty", "empty text", problem
            )
        assert isinstance(text, str)
        if problem := check_raw_size(text):
            raise self._reject(
                call, chat_id, 400, "Bad Request: message is too long", "text too long", problem
            )
        parse_mode = params.get("parse_mode") or None
        mode = (parse_mode or "").lower()
        if mode not in ("", "html", "markdown", "markdownv2"):
            raise self._reject(
                call,
                chat_id,
                400,
                f"Bad Request: unsupported parse_mode {parse_mode!r}",
                "unknown parse_mode",
                repr(parse_mode),
            )
        if mode == "html":
            try:
                plain, entities = parse_html(text)
            except HtmlParseError as exc:
                raise self._reject(
                    call,
                    chat_id,
                    400,
                    f"Bad Request: can't parse entities: {exc.message}",
                    "invalid HTML",
                    exc,
                ) from None
        else:
            plain = text
            given = params.get("entities")
            entities = given if isinstance(given, list) else []
        if problem := check_not_empty(plain):
            raise self._reject(
                call, chat_id, 400, "Bad Request: message text is empty", "empty text", problem
            )
        # Markdown is not parsed here, so its raw length says nothing about the parsed one.
        if not mode.startswith("markdown") and (problem := check_length(plain)):
            raise self._reject(
                call, chat_id, 400, "Bad Request: message is too long", "text too long", problem
            )
        if problem := check_entity_count(entities):
            self._violate(call, chat_id, "too many entities", problem)
        for entity in entities:
            if entity.get("type") == "text_link" and (
                problem := check_link_url(entity.get("url", ""))
            ):
                self._violate(call, chat_id, "unusable link (Telegram drops it)", problem)
        return text, parse_mode, plain, entities

    def _checked_markup(self, call: ApiCall, chat_id: object) -> dict[str, Any] | None:
        markup = call.params.get("reply_markup")
        if markup is None:
            return None
        if problem := check_reply_markup_structure(markup):
            raise self._reject(
                call,
                chat_id,
                400,
                "Bad Request: can't parse reply keyboard markup JSON object",
                "malformed reply_markup",
                problem,
            )
        assert isinstance(markup, dict)
        if "inline_keyboard" not in markup:
            return markup
        if problem := check_inline_keyboard_size(markup):
            raise self._reject(
                call, chat_id, 400, "Bad Request: BUTTONS_TOO_MUCH", "too many buttons", problem
            )
        for button in iter_inline_buttons(markup):
            if problem := check_inline_button(button):
                raise self._reject(
                    call,
                    chat_id,
                    400,
                    "Bad Request: can't parse inline keyboard button: Text buttons are "
                    "unallowed in the inline keyboard",
                    "invalid inline button",
                    problem,
                )
            if "callback_data" in button and (
                problem := check_callback_data(button["callback_data"])
            ):
                raise self._reject(
                    call,
                    chat_id,
                    400,
                    "Bad Request: BUTTON_DATA_INVALID",
                    "invalid callback_data",
                    problem,
                )
            if "url" in button and (problem := check_link_url(str(button["url"]))):
                raise self._reject(
                    call, chat_id, 400, "Bad Request: BUTTON_URL_INVALID", "invalid url", problem
                )
        return markup

    def _check_rate(self, chat_id: int | str, *, paid: bool = False) -> None:
        limits = self.rate_limits
        now = self._clock()
        if isinstance(chat_id, int) and chat_id > 0:
            burst, rate = limits.private_burst, limits.private_per_second
        else:
            burst, rate = limits.group_burst, limits.group_per_minute / 60.0
        bucket = self._buckets.get(chat_id)
        if bucket is None:
            bucket = self._buckets[chat_id] = _Bucket(now)
        overall, overall_rate, overall_burst = (
            self._overall_bucket,
            limits.overall_per_second,
            limits.overall_burst,
        )
        if paid:  # a paid broadcast: past the 30/s, within its own 1,000/s
            overall, overall_rate, overall_burst = (
                self._paid_bucket,
                limits.paid_per_second,
                limits.paid_burst,
            )
        wait = max(
            bucket.wait(now, burst, rate, limits.tolerance),
            overall.wait(now, overall_burst, overall_rate, limits.tolerance),
        )
        if wait > 0:
            self.rate_limited += 1
            retry_after = max(1, math.ceil(wait))
            raise ApiError(
                429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
            )
        bucket.take(now, rate)
        overall.take(now, overall_rate)

    # ------------------------------------------------------------------ methods

    async def _api_getMe(self, call: ApiCall) -> dict[str, Any]:
        return {
            **self._bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _api_getUpdates(self, call: ApiCall) -> list[dict[str, Any]]:
        if self.webhook is not None:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active;"
                           " use deleteWebhook to delete the webhook first")  # fmt: skip
        params = call.params
        offset = _as_int(params.get("offset"), 0)
        limit = min(100, max(1, _as_int(params.get("limit"), 100)))
        timeout = max(0, _as_int(params.get("timeout"), 0))
        if "allowed_updates" in params:
            allowed = params["allowed_updates"]
            # Like Telegram the choice sticks for later calls; an empty list means "default".
            self._allowed_updates = frozenset(allowed) if allowed else None
        if offset > 0:
            while self._updates and self._updates[0][0] < offset:
                self._updates.popleft()
        elif offset < 0:
            while len(self._updates) > -offset:
                self._updates.popleft()
        self._poll_generation += 1
        mine = self._poll_generation
        self._updates_signal.notify()  # an older poll still waiting must now answer 409
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if self._stopping:
                return []
            if mine != self._poll_generation:
                raise ApiError(409, CONFLICT)
            batch = self._deliverable(limit)
            remaining = deadline - loop.time()
            if batch or remaining <= 0:
                return batch
            await self._updates_signal.wait(remaining)

    def _deliverable(self, limit: int) -> list[dict[str, Any]]:
        allowed = self._allowed_updates
        batch = []
        for _, kind, update in self._updates:
            # Telegram's default leaves out chat_member and reactions; the fake makes none.
            if allowed is None or kind in allowed:
                batch.append(update)
                if len(batch) >= limit:
                    break
        return batch

    async def _api_sendMessage(self, call: ApiCall) -> dict[str, Any]:
        chat_id = self._require_chat_id(call)
        text, parse_mode, plain, entities = self._checked_text(call, chat_id)
        markup = self._checked_markup(call, chat_id)
        self._gate(chat_id, sending=True)
        paid = call.params.get("allow_paid_broadcast")
        if paid not in (None, True, False):
            raise self._reject(
                call, chat_id, 400, "Bad Request: can't parse allow_paid_broadcast",
                "allow_paid_broadcast is not a boolean", repr(paid),
            )  # fmt: skip
        if self.enforce_rate_limits:
            self._check_rate(chat_id, paid=bool(paid))
        self.paid_broadcasts += bool(paid)
        preview = call.params.get("link_preview_options")
        message = SentMessage(
            message_id=self._next_message_id(chat_id),
            chat_id=chat_id,  # type: ignore[arg-type]
            text=text,
            parse_mode=parse_mode,
            reply_markup=markup,
            link_preview_options=preview if isinstance(preview, dict) else None,
            params=call.params,
            date=int(time.time()),
        )
        self.sent.append(message)
        self._sent_by_chat[chat_id].append(message)
        self._current[(chat_id, message.message_id)] = message
        self._activity_signal.notify()
        return self._message_dict(message, plain, entities)

    def _message_to_edit(self, call: ApiCall) -> tuple[int | str, SentMessage | None]:
        """(chat_id, current state), or (inline_message_id, None) for inline messages."""
        params = call.params
        if params.get("inline_message_id"):
            return params["inline_message_id"], None
        chat_id = self._require_chat_id(call)
        message_id = params.get("message_id")
        if not isinstance(message_id, int):
            raise self._reject(
                call,
                chat_id,
                400,
                "Bad Request: message identifier is not specified",
                "message_id missing",
                params,
            )
        current = self._current.get((chat_id, message_id))
        if current is None:
            self._gate(chat_id, sending=True)
            raise self._reject(
                call,
                chat_id,
                400,
                "Bad Request: message to edit not found",
                "edit of a message the bot never sent",
                f"message_id={message_id}",
            )
        return chat_id, current

    async def _api_editMessageText(self, call: ApiCall) -> dict[str, Any] | bool:
        chat_id, current = self._message_to_edit(call)
        text, parse_mode, plain, entities = self._checked_text(call, chat_id)
        # Telegram removes the keyboard when editMessageText does not repeat it.
        markup = self._checked_markup(call, chat_id)
        if current is None:
            self.edits.append(call)
            return True
        self._gate(chat_id, sending=True)
        old_plain, old_entities = self._render(current)
        if (plain, entities, markup) == (old_plain, old_entities, current.reply_markup):
            raise ApiError(400, NOT_MODIFIED)
        preview = call.params.get("link_preview_options")
        edited = dataclasses.replace(
            current,
            text=text,
            parse_mode=parse_mode,
            reply_markup=markup,
            link_preview_options=preview if isinstance(preview, dict) else None,
            params=call.params,
        )
        return self._apply_edit(call, edited, plain, entities)

    async def _api_editMessageReplyMarkup(self, call: ApiCall) -> dict[str, Any] | bool:
        chat_id, current = self._message_to_edit(call)
        markup = self._checked_markup(call, chat_id)
        if current is None:
            self.edits.append(call)
            return True
        self._gate(chat_id, sending=True)
        if markup == current.reply_markup:
            raise ApiError(400, NOT_MODIFIED)
        return self._apply_edit(call, dataclasses.replace(current, reply_markup=markup))

    def _apply_edit(
        self,
        call: ApiCall,
        edited: SentMessage,
        plain: str | None = None,
        entities: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        self._current[(edited.chat_id, edited.message_id)] = edited
        self.edits.append(call)
        self._activity_signal.notify()
        message = self._message_dict(edited, plain, entities)
        message["edit_date"] = int(time.time())
        return message

    async def _api_answerCallbackQuery(self, call: ApiCall) -> bool:
        query_id = str(call.params.get("callback_query_id", ""))
        if query_id not in self._open_queries:
            raise self._reject(
                call,
                None,
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
                "unknown or already answered callback query",
                repr(query_id),
            )
        text = call.params.get("text")
        if isinstance(text, str) and len(text) > MAX_CALLBACK_ANSWER_LENGTH:
            raise self._reject(
                call,
                None,
                400,
                "Bad Request: MESSAGE_TOO_LONG",
                "callback answer too long",
                f"{len(text)} characters, more than {MAX_CALLBACK_ANSWER_LENGTH}: "
                f"{excerpt(text)!r}",
            )
        del self._open_queries[query_id]
        return True

    async def _api_getChatMember(self, call: ApiCall) -> dict[str, Any]:
        chat_id = self._require_chat_id(call)
        user_id = call.params.get("user_id")
        if not isinstance(user_id, int):
            raise self._reject(
                call, chat_id, 400, "Bad Request: invalid user_id specified", "bad user_id", user_id
            )
        self._gate(chat_id, sending=False)
        return self._member(chat_id, user_id)

    async def _api_getChatAdministrators(self, call: ApiCall) -> list[dict[str, Any]]:
        chat_id = self._require_chat_id(call)
        self._gate(chat_id, sending=False)
        if self._chat(chat_id)["type"] == "private":
            raise ApiError(400, "Bad Request: there are no administrators in the private chat")
        return [self._member(chat_id, user_id) for user_id in self._admins.get(chat_id, ())]

    async def _api_getChat(self, call: ApiCall) -> dict[str, Any]:
        chat_id = self._require_chat_id(call)
        self._gate(chat_id, sending=False)
        return {
            **self._chat(chat_id),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    @staticmethod
    def _commands_key(scope: Any, language_code: Any) -> tuple[str, str]:
        if not scope:
            scope = {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(language_code or "")

    async def _api_setMyCommands(self, call: ApiCall) -> bool:
        commands = call.params.get("commands")
        if not isinstance(commands, list):
            raise self._reject(
                call,
                None,
                400,
                "Bad Request: can't parse commands JSON object",
                "commands missing",
                commands,
            )
        if len(commands) > MAX_BOT_COMMANDS:
            raise self._reject(
                call,
                None,
                400,
                "Bad Request: too many commands",
                "too many commands",
                f"{len(commands)}, more than {MAX_BOT_COMMANDS}",
            )
        for command in commands:
            if problem := check_bot_command(command):
                raise self._reject(
                    call, None, 400, "Bad Request: BOT_COMMAND_INVALID", "invalid command", problem
                )
        key = self._commands_key(call.params.get("scope"), call.params.get("language_code"))
        self._commands[key] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    async def _api_deleteMyCommands(self, call: ApiCall) -> bool:
        key = self._commands_key(call.params.get("scope"), call.params.get("language_code"))
        self._commands.pop(key, None)
        return True

    async def _api_getMyCommands(self, call: ApiCall) -> list[dict[str, Any]]:
        key = self._commands_key(call.params.get("scope"), call.params.get("language_code"))
        return list(self._commands.get(key, ()))

    def _language_key(self, call: ApiCall) -> str:
        """A method's language_code: empty (everyone without a dedicated one) or ISO 639-1."""
        code = call.params.get("language_code") or ""
        if code and not (isinstance(code, str) and len(code) == 2 and code.isalpha()):
            raise self._reject(
                call, None, 400, "Bad Request: LANGUAGE_CODE_INVALID", "bad language_code", code
            )
        return code

    def _set_text(self, call: ApiCall, field: str, store: dict[str, str], most: int) -> bool:
        language = self._language_key(call)
        text = call.params.get(field) or ""
        if not isinstance(text, str) or len(text) > most:
            raise self._reject(
                call, None, 400, f"Bad Request: {field} is too long", f"{field} too long", text
            )
        if text:
            store[language] = text
        else:
            store.pop(language, None)
        return True

    async def _api_setMyDescription(self, call: ApiCall) -> bool:
        return self._set_text(call, "description", self.descriptions, MAX_DESCRIPTION)

    async def _api_getMyDescription(self, call: ApiCall) -> dict[str, str]:
        language = self._language_key(call)
        return {"description": self.descriptions.get(language, self.descriptions.get("", ""))}

    async def _api_setMyShortDescription(self, call: ApiCall) -> bool:
        return self._set_text(
            call, "short_description", self.short_descriptions, MAX_SHORT_DESCRIPTION
        )

    async def _api_getMyShortDescription(self, call: ApiCall) -> dict[str, str]:
        language = self._language_key(call)
        text = self.short_descriptions.get(language, self.short_descriptions.get("", ""))
        return {"short_description": text}

    async def _api_setWebhook(self, call: ApiCall) -> bool:
        url = call.params.get("url")
        if not isinstance(url, str) or not url.startswith("https://"):
            raise ApiError(
                400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
            )
        self.webhook = dict(call.params)
        return True

    async def _api_deleteWebhook(self, call: ApiCall) -> bool:
        self.webhook = None
        if call.params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _api_getWebhookInfo(self, call: ApiCall) -> dict[str, Any]:
        return {
            "url": (self.webhook or {}).get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    async def _api_close(self, call: ApiCall) -> bool:
        return True

    async def _api_logOut(self, call: ApiCall) -> bool:
        return True

    async def _api_sendChatAction(self, call: ApiCall) -> bool:
        chat_id = self._require_chat_id(call)
        action = call.params.get("action")
        if action not in CHAT_ACTIONS:
            raise self._reject(
                call,
                chat_id,
                400,
                "Bad Request: wrong parameter action in request",
                "unknown chat action",
                repr(action),
            )
        self._gate(chat_id, sending=True)
        return True

    # ------------------------------------------------------------------ model helpers

    @staticmethod
    def _method_name(method: str) -> str:
        name = _CANONICAL.get(method.lower())
        if name is None:
            raise ValueError(f"{method!r} is not a method the fake implements: {METHODS}")
        return name

    def _enqueue(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        update_id = next(self._update_ids)
        update = {"update_id": update_id, kind: payload}
        self._updates.append((update_id, kind, update))
        self._updates_signal.notify()
        return update

    def _next_message_id(self, chat_id: int | str) -> int:
        message_id = self._message_ids.get(chat_id, 0) + 1
        self._message_ids[chat_id] = message_id
        return message_id

    @staticmethod
    def _inferred_type(chat_id: int | str) -> str:
        if isinstance(chat_id, str):
            return "channel"
        if chat_id > 0:
            return "private"
        # Supergroups and channels have ids below -10**12 ("-100..." ids).
        return "supergroup" if chat_id < -(10**12) else "group"

    def _resolve_chat_type(self, chat_id: int, chat_type: str | None) -> str:
        if chat_type is None:
            known = self._chats.get(chat_id)
            return known["type"] if known else self._inferred_type(chat_id)
        if (chat_type == "private") != (chat_id > 0):
            raise ValueError(
                f"chat_type {chat_type!r} does not fit chat_id {chat_id}: private chats have "
                "positive ids, groups negative ones"
            )
        return chat_type

    def _remember_user(
        self, user_id: int, first_name: str, username: str | None, language_code: str | None
    ) -> dict[str, Any]:
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if username:
            user["username"] = username
        if language_code:
            user["language_code"] = language_code
        self._users[user_id] = user
        return user

    def _user(self, user_id: int) -> dict[str, Any]:
        return self._users.get(user_id) or {
            "id": user_id,
            "is_bot": False,
            "first_name": f"User{user_id}",
        }

    def _remember_chat(
        self, chat_id: int, chat_type: str, *, title: str | None, user: dict[str, Any]
    ) -> dict[str, Any]:
        if chat_type == "private":
            chat = {"id": chat_id, "type": "private", "first_name": user["first_name"]}
            if "username" in user:
                chat["username"] = user["username"]
        else:
            known = self._chats.get(chat_id)
            default_title = known.get("title") if known else f"Test {chat_type} {chat_id}"
            chat = {"id": chat_id, "type": chat_type, "title": title or default_title}
        self._chats[chat_id] = chat
        return chat

    def _chat(self, chat_id: int | str) -> dict[str, Any]:
        known = self._chats.get(chat_id)
        if known is not None:
            return known
        chat_type = self._inferred_type(chat_id)
        if chat_type == "private":
            return {"id": chat_id, "type": "private", "first_name": f"User{chat_id}"}
        if isinstance(chat_id, str):
            # An "@username" target; PTB needs a numeric id in the returned chat, and a stable
            # one, so the made-up chat is remembered.
            chat = {"id": -(10**12) - 1 - len(self._chats), "type": "channel"}
            chat["username"] = chat_id.lstrip("@")
            self._chats[chat_id] = chat
            return chat
        return {"id": chat_id, "type": chat_type, "title": f"Test {chat_type} {chat_id}"}

    def _chat_member_update(
        self,
        chat_id: int,
        chat_type: str,
        by_user_id: int | None,
        old_member: dict[str, Any],
        new_member: dict[str, Any],
    ) -> dict[str, Any]:
        if by_user_id is None:
            by_user_id = chat_id if chat_type == "private" else DEFAULT_GROUP_USER_ID
        by = self._user(by_user_id)
        chat = self._chats.get(chat_id) or self._remember_chat(
            chat_id, chat_type, title=None, user=by
        )
        return self._enqueue(
            "my_chat_member",
            {
                "chat": chat,
                "from": by,
                "date": int(time.time()),
                "old_chat_member": old_member,
                "new_chat_member": new_member,
            },
        )

    def _member(self, chat_id: int | str, user_id: int) -> dict[str, Any]:
        user = self._bot_user if user_id == self.bot_id else self._user(user_id)
        admins = self._admins.get(chat_id, [])
        if admins and user_id == admins[0]:
            return {"status": "creator", "user": user, "is_anonymous": False}
        if user_id in admins:
            return {
                "status": "administrator",
                "user": user,
                "can_be_edited": False,
                "is_anonymous": False,
                "can_manage_chat": True,
                "can_delete_messages": True,
                "can_manage_video_chats": True,
                "can_restrict_members": True,
                "can_promote_members": False,
                "can_change_info": True,
                "can_invite_users": True,
                "can_post_stories": True,
                "can_edit_stories": True,
                "can_delete_stories": True,
                "can_pin_messages": True,
            }
        if user_id == self.bot_id and chat_id in self._forbidden:
            if self._forbidden[chat_id].startswith("Forbidden: bot was kicked"):
                return {"status": "kicked", "user": user, "until_date": 0}
            if "not a member" in self._forbidden[chat_id]:
                return {"status": "left", "user": user}
        return {"status": "member", "user": user}

    def _render(self, message: SentMessage) -> tuple[str, list[dict[str, Any]]]:
        if (message.parse_mode or "").lower() == "html":
            return parse_html(message.text)
        entities = message.params.get("entities")
        return message.text, entities if isinstance(entities, list) else []

    def _message_dict(
        self,
        message: SentMessage,
        plain: str | None = None,
        entities: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """The Message object Telegram returns for a bot message (HTML already parsed)."""
        if plain is None:
            plain, entities = self._render(message)
        result: dict[str, Any] = {
            "message_id": message.message_id,
            "from": self._bot_user,
            "chat": self._chat(message.chat_id),
            "date": message.date,
            "text": plain,
        }
        if entities:
            result["entities"] = entities
        if message.reply_markup and "inline_keyboard" in message.reply_markup:
            result["reply_markup"] = message.reply_markup
        if message.link_preview_options:
            result["link_preview_options"] = message.link_preview_options
        return result


__all__ = [
    "DEFAULT_CHAT_ID",
    "DEFAULT_GROUP_USER_ID",
    "METHODS",
    "TOKEN",
    "ApiCall",
    "ApiError",
    "FakeTelegram",
    "RateLimits",
    "SentMessage",
]
