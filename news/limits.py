"""Telegram's limits: every number the Bot API imposes on this bot, in one place.

Messages (measured as Telegram measures them: UTF-16 code units after entity parsing):
- MAX_MESSAGE visible characters per text message;
- MAX_ENTITIES formatting entities (links, bold ...) per message: the rest are dropped;
- MAX_RAW_BYTES of the text parameter as sent (UTF-8, markup included).
Buttons and commands:
- MAX_CALLBACK_DATA bytes of an inline button's callback_data (at least 1);
- MAX_BUTTONS per keyboard;
- MAX_COMMAND characters of a command name, of [a-z0-9_]; MAX_COMMAND_TEXT of its
  description in the menu.
The bot's profile: MAX_DESCRIPTION characters of its description, MAX_SHORT_DESCRIPTION of
the short one.
Rates (bot.pacing enforces them for every request; the sender asks it when a chat is ready):
- GLOBAL_RATE messages a second overall, with a burst of GLOBAL_BURST; PAID_RATE (burst
  PAID_BURST) for messages sent with `allow_paid_broadcast`, which Telegram lets through past
  the broadcasting limit for 0.1 Telegram Star each (NEWSBOT_PAID_BROADCAST);
- PRIVATE_RATE a second in a private chat (burst PRIVATE_BURST), GROUP_PER_MINUTE a minute
  in a group, supergroup or channel (burst GROUP_BURST).
Which chat is private: Telegram gives users positive ids and groups, supergroups and channels
negative ones, so the id alone tells (`is_private`); a chat whose id is a @username is a
channel.
"""

from __future__ import annotations

MAX_MESSAGE = 4096
MAX_ENTITIES = 100
MAX_RAW_BYTES = 32768
MAX_CALLBACK_DATA = 64
MAX_BUTTONS = 100
MAX_COMMAND = 32
MAX_COMMAND_TEXT = 256
MAX_DESCRIPTION = 512
MAX_SHORT_DESCRIPTION = 120

GLOBAL_RATE = 30.0
GLOBAL_BURST = 5
PAID_RATE = 1000.0
PAID_BURST = 50
PRIVATE_RATE = 1.0
PRIVATE_BURST = 2
GROUP_PER_MINUTE = 20
GROUP_BURST = 3


def is_private(chat_id: int | str) -> bool:
    """A one-to-one chat with a user (the only kind with a positive id)."""
    return isinstance(chat_id, int) and chat_id > 0


def chat_rate(chat_id: int | str) -> tuple[float, int]:
    """(messages a second, burst) allowed in this chat."""
    if is_private(chat_id):
        return PRIVATE_RATE, PRIVATE_BURST
    return GROUP_PER_MINUTE / 60, GROUP_BURST


def fits_callback_data(data: str) -> bool:
    return 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA
