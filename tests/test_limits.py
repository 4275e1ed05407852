"""Telegram's limits, in one place (news.limits): which chat is private, and its rate."""

from __future__ import annotations

import pytest

from news.limits import (
    GROUP_PER_MINUTE,
    PRIVATE_RATE,
    chat_rate,
    fits_callback_data,
    is_private,
)


@pytest.mark.parametrize(
    ("chat_id", "private"),
    [
        (1001, True),  # a user
        (-100123, False),  # a supergroup or channel ("-100..." ids)
        (-4567, False),  # a basic group
        ("@channelname", False),  # a channel by username
        (0, False),
    ],
)
def test_only_positive_ids_are_private_chats(chat_id, private):
    assert is_private(chat_id) is private
    rate, burst = chat_rate(chat_id)
    assert rate == (PRIVATE_RATE if private else GROUP_PER_MINUTE / 60)
    assert burst >= 1


@pytest.mark.parametrize(
    ("data", "fits"),
    [
        ("", False),  # Telegram wants at least one byte
        ("x", True),
        ("x" * 64, True),
        ("x" * 65, False),
        ("я" * 32, True),  # 64 bytes of UTF-8
        ("я" * 33, False),
    ],
)
def test_callback_data_is_one_to_sixty_four_bytes(data, fits):
    assert fits_callback_data(data) is fits
