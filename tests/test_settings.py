"""Settings: environment over .env over defaults; bad values name the setting."""

from pathlib import Path

import pytest

from bot.settings import Secret, SettingsError, load_settings


def load(env: dict[str, str], tmp_path: Path, dotenv: str | None = None):
    path = tmp_path / ".env"
    if dotenv is not None:
        path.write_text(dotenv, encoding="utf-8")
    return load_settings(env, path)


def test_defaults_when_nothing_is_set(tmp_path):
    s = load({}, tmp_path)
    assert s.api_url == "https://api.telegram.org/bot"
    assert s.database == Path("newsbot.sqlite3")
    assert (s.poll_interval, s.push_max_age_hours, s.timezone, s.log_level) == (
        300,
        48,
        "UTC",
        "INFO",
    )
    assert s.sources is None and s.brands is None and s.admins == frozenset()
    assert not s.token


def test_environment_wins_over_dotenv(tmp_path):
    s = load(
        {"NEWSBOT_POLL_INTERVAL": "60"},
        tmp_path,
        "NEWSBOT_POLL_INTERVAL=30\nNEWSBOT_TIMEZONE=Europe/Moscow\n"
        f"TELEGRAM_BOT_TOKEN=1:{'a' * 35}\n",
    )
    assert s.poll_interval == 60  # from the environment
    assert s.timezone == "Europe/Moscow"  # from .env
    assert s.require_token() == f"1:{'a' * 35}"


@pytest.mark.parametrize(
    ("value", "expected"), [("on", True), ("YES", True), ("0", False), ("", False)]
)
def test_link_previews_switch(value, expected, tmp_path):
    assert load({"NEWSBOT_LINK_PREVIEWS": value}, tmp_path).link_previews is expected


@pytest.mark.parametrize(
    ("value", "expected"), [("", None), ("auto", None), (" AUTO ", None), ("0", 0), ("3", 3)]
)
def test_parse_workers_are_a_number_or_auto(value, expected, tmp_path):
    assert load({"NEWSBOT_PARSE_WORKERS": value}, tmp_path).parse_workers == expected


def test_admins_are_parsed(tmp_path):
    assert load({"NEWSBOT_ADMINS": " 12, 34 ,,56"}, tmp_path).admins == {12, 34, 56}


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"NEWSBOT_POLL_INTERVAL": "abc"}, "NEWSBOT_POLL_INTERVAL"),
        ({"NEWSBOT_POLL_INTERVAL": "4"}, "NEWSBOT_POLL_INTERVAL"),
        ({"NEWSBOT_PUSH_MAX_AGE": "-1"}, "NEWSBOT_PUSH_MAX_AGE"),
        ({"NEWSBOT_TIMEZONE": "Mars/Phobos"}, "NEWSBOT_TIMEZONE"),
        ({"NEWSBOT_ADMINS": "12,bob"}, "NEWSBOT_ADMINS"),
        ({"NEWSBOT_LOG_LEVEL": "LOUD"}, "NEWSBOT_LOG_LEVEL"),
        ({"TELEGRAM_API_URL": "ftp://example.org/bot"}, "TELEGRAM_API_URL"),
        ({"NEWSBOT_BRANDS": "/nonexistent/brands.toml"}, "NEWSBOT_BRANDS"),
        ({"NEWSBOT_SOURCES": "/nonexistent/feeds.opml"}, "NEWSBOT_SOURCES"),
        ({"NEWSBOT_LINK_PREVIEWS": "maybe"}, "NEWSBOT_LINK_PREVIEWS"),
        ({"NEWSBOT_PARSE_WORKERS": "-1"}, "NEWSBOT_PARSE_WORKERS"),
        ({"NEWSBOT_PARSE_WORKERS": "two"}, "NEWSBOT_PARSE_WORKERS"),
        ({"NEWSBOT_PARSE_WORKERS": "17"}, "NEWSBOT_PARSE_WORKERS"),
    ],
)
def test_bad_values_are_refused_naming_the_setting(env, named, tmp_path):
    with pytest.raises(SettingsError, match=named):
        load(env, tmp_path)


def test_missing_token_is_refused_only_when_needed(tmp_path):
    s = load({}, tmp_path)
    with pytest.raises(SettingsError, match="TELEGRAM_BOT_TOKEN"):
        s.require_token()


def test_the_token_never_shows_in_repr(tmp_path):
    s = load({"TELEGRAM_BOT_TOKEN": "123:SECRET-token"}, tmp_path)
    assert "SECRET" not in repr(s) and "SECRET" not in str(s.token)
    assert s.token == Secret("123:SECRET-token")
