"""Shared fixtures: a fake Bot API on loopback, settings pointing at it, the running bot."""

from __future__ import annotations

import pytest

from bot.settings import Secret, Settings
from tests.fakes.feed_server import FeedServer
from tests.fakes.telegram_api import TOKEN, FakeTelegram
from tests.harness import running_bot

OPERATOR_ID = 777


@pytest.fixture
def enforce_rate_limits() -> bool:
    """Override with True in a module to have the fake answer 429 as Telegram would, and
    fail the test if the bot ever drew one."""
    return False


@pytest.fixture
async def telegram(enforce_rate_limits):
    fake = FakeTelegram(enforce_rate_limits=enforce_rate_limits)
    await fake.start()
    yield fake
    await fake.stop()
    # Telegram would have refused (or silently mangled) anything listed here.
    assert fake.violations == []
    if enforce_rate_limits:
        assert fake.rate_limited == 0, "the bot exceeded Telegram's limits"


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
        # feeds read in a thread: hundreds of bots start here; tests/test_parsing.py and the
        # event replay run the default, worker processes
        parse_workers=0,
    )


@pytest.fixture
async def bot(settings, telegram):
    async with running_bot(settings, telegram) as running:
        yield running
    assert running.errors == [], f"handlers raised: {running.errors!r}"
