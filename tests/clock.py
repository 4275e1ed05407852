"""A wall clock tests move by hand: storage, schedules and the digest read it, nothing sleeps.

It starts in the past on purpose: the sender compares a row's next_attempt_at (this clock)
with the real time to decide how long to wait, so a fake clock ahead of the machine's would
hold messages back.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start.timestamp()

    def __call__(self) -> float:
        return self.now

    def at(self, moment: datetime) -> None:
        self.now = moment.timestamp()

    def advance(self, delta: timedelta) -> None:
        self.now += delta.total_seconds()

    @property
    def datetime(self) -> datetime:
        return datetime.fromtimestamp(self.now, UTC)
