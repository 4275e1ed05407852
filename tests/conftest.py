"""Shared fixtures: a fake Bot API on loopback, settings pointing at it, the running bot."""

from __future__ import annotations

import pytest

from bot.settings import Secret, Settings
from tests.fakes.feed_server import FeedServer
from tests.fakes.telegram_api import TOKEN, FakeTelegram
from tests.harness import running_bot

OPERATOR_ID = 777


@pytest.fixture
async def telegram():
    fake = FakeTelegram()
    await fake.start()
    yield fake
    await fake.stop()
    # Telegram would have refused (or silently mangled) anything listed here.
    assert fake.violations == []


@pytest.fixture
async def feeds():
    """A loopback feed server (tests/fakes/feed_server.py)."""
    async with FeedServer() as server:
        yield server


@pytest.fixture
def settings(tmp_path, telegram) -> Settings:
    return Settings(
        token=Secret(TOKEN),
        api_url=telegram.api_url,
        database=tmp_path / "newsbot.sqlite3",
        admins=frozenset({OPERATOR_ID}),
        timezone="UTC",
    )


@pytest.fixture
async def bot(settings, telegram):
    async with running_bot(settings, telegram) as running:
        yield running
    assert running.errors == [], f"handlers raised: {running.errors!r}"
