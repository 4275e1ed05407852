"""Reply texts: valid Telegram HTML whatever the input, and within Telegram's limits."""

import tomllib

from news import replies
from news.catalogue import load_catalogue, parse_catalogue
from news.i18n import ENGLISH
from news.replies import brands_list
from news.telegram_html import visible_length
from tests.fakes.telegram_html import check_html


def test_shipped_catalogue_fits_one_message():
    (message,) = brands_list(ENGLISH, load_catalogue())
    assert check_html(message) is None


def test_a_huge_operator_catalogue_is_split_into_valid_messages():
    brands = "".join(
        f'[[brand]]\nkey = "b{i}"\nname = "Brand <{i}> & Co {"x" * 40}"\ncategory = "all"\n'
        for i in range(400)
    )
    catalogue = parse_catalogue(tomllib.loads('[categories]\nall = "All"\n' + brands))
    messages = brands_list(ENGLISH, catalogue)
    assert len(messages) > 1
    for message in messages:
        assert check_html(message) is None
        assert visible_length(message) <= 4096
    text = "\n".join(messages)
    assert all(f"Brand &lt;{i}&gt; &amp; Co" in text for i in range(400))


def test_the_next_digest_is_today_tomorrow_or_a_date_on_the_chats_calendar():
    from datetime import UTC, datetime, time

    from news.models import Chat, DeliveryMode

    def at(text: str) -> int:
        return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())

    chat = Chat(id=1, type="private", title=None, language_code=None, timezone="Asia/Tokyo",
                mode=DeliveryMode.BOTH, active=True, digest_time=time(9, 0),
                next_digest_at=at("2026-12-01 00:00"))  # 09:00 in Tokyo on 1 December  # fmt: skip
    assert "next today" in replies.digest_schedule(
        ENGLISH, chat, at("2026-11-30 16:00")
    )  # 01:00 there
    assert "next tomorrow" in replies.digest_schedule(
        ENGLISH, chat, at("2026-11-30 14:00")
    )  # 23:00
    assert "next on Tue 1 Dec" in replies.digest_schedule(ENGLISH, chat, at("2026-11-28 12:00"))
    assert "next on Tue 1 Dec" in replies.digest_schedule(ENGLISH, chat)  # no clock given: the date
    status = replies.mode_status(ENGLISH, chat, with_usage=True, now=at("2026-11-30 16:00"))
    assert status.count("Change") == 1
