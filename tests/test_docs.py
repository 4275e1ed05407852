"""The documentation tells the truth (in the style of sqlite-utils' test_docs.py): every
command the bot registers is in its menu, in /help and in the README's tables, and every
setting the README lists is in .env.example and is what the settings loader reads."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from telegram.ext import CommandHandler

from bot import settings as bot_settings
from bot.settings import load_settings
from handlers import commands, register
from news import replies
from news.i18n import ENGLISH
from news.limits import MAX_COMMAND

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _registered() -> set[str]:
    """Every command name (aliases included) a CommandHandler of the real app answers."""

    class Recorder:
        def __init__(self) -> None:
            self.handlers: list = []

        def add_handler(self, handler, group: int = 0) -> None:
            self.handlers.append(handler)

        def add_error_handler(self, callback) -> None:
            pass

    app = Recorder()
    register(app)  # type: ignore[arg-type]
    return {n for h in app.handlers if isinstance(h, CommandHandler) for n in h.commands}


def _readme_commands(readme: str = README) -> set[str]:
    """The commands named in the first column of the README's command tables."""
    found = set()
    for line in readme.splitlines():
        if line.startswith("| `/"):
            first_cell = line.split("|")[1]
            found.update(re.findall(r"`/([a-z0-9_]+)", first_cell))
    return found


def _readme_settings() -> set[str]:
    return set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", README, flags=re.MULTILINE))


def test_the_command_table_is_what_the_bot_registers():
    assert _registered() == {n for c in commands.COMMANDS for n in c.names}


def test_every_command_is_in_the_menu():
    everyone = {c.command for c in commands.menu(ENGLISH)}
    operator = {c.command for c in commands.menu(ENGLISH, operator=True)}
    assert everyone == {c.names[0] for c in commands.COMMANDS if not c.operator}
    assert operator == {c.names[0] for c in commands.COMMANDS}
    for command in commands.menu(ENGLISH, operator=True):
        assert re.fullmatch(rf"[a-z0-9_]{{1,{MAX_COMMAND}}}", command.command)
        assert 1 <= len(command.description) <= 256


def test_every_command_is_in_help():
    users = [c.names for c in commands.COMMANDS if not c.operator]
    operators = [c.names for c in commands.COMMANDS if c.operator]
    for_users = replies.welcome(ENGLISH, users)
    for_operators = replies.welcome(ENGLISH, users, operators)
    for names in users:
        for name in names:
            assert re.search(rf"/{name}\b", for_users), name
    for names in operators:
        assert f"/{names[0]}" not in for_users  # operators' commands stay theirs
        assert f"/{names[0]}" in for_operators


def test_every_command_is_in_the_readme_and_the_readme_invents_none():
    assert _readme_commands() == _registered()


def test_the_russian_readme_lists_every_command_too():
    russian = (ROOT / "README.ru.md").read_text(encoding="utf-8")
    assert _readme_commands(russian) == _registered()
    assert "README.ru.md" in README


def test_every_readme_setting_is_in_env_example_and_read_by_the_loader(monkeypatch):
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    in_example = set(re.findall(r"^([A-Z][A-Z0-9_]+)=", example, flags=re.MULTILINE))

    class Recording(dict):
        def __init__(self) -> None:
            super().__init__()
            self.asked: set[str] = set()

        def get(self, key, default=None):
            self.asked.add(key)
            return super().get(key, default)

        def __getitem__(self, key):
            self.asked.add(key)
            return super().__getitem__(key)

    environment = Recording()
    # The loader reads every setting from the merged environment: record what it asks for.
    monkeypatch.setattr(bot_settings, "merged_environment", lambda *_args: environment)
    load_settings()
    assert _readme_settings() == in_example
    assert _readme_settings() == environment.asked


@pytest.mark.parametrize("command", commands.COMMANDS, ids=lambda c: c.names[0])
def test_every_command_has_a_handler_docstring(command):
    assert command.callback.__doc__, "a handler says in one line what it does"
