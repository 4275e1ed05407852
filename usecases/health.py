"""Health: what an operator needs to know at a glance (`newsbot health`, the admin /sources
header). Reads only, so it is safe from another process beside the running bot.

1. Alive: the heartbeat `newsbot run` writes every minute (bot.jobs.Heartbeat) is at most
   STALE seconds old.
2. Writable: the heartbeat is a write, so a fresh one means the bot's writes work and a
   stale one says the bot is down or cannot write; inside the bot (/sources) the storage's
   own write_problem says it at once.
3. Polling: some source succeeded in the last POLL_STALE seconds (when there are sources).
4. Outbox: how many messages wait and how long the oldest has waited; too long is more than
   OUTBOX_STALE. Chats that hold pushes for their quiet hours (news.quiet rule 6) wait on
   purpose and are not counted.
5. Sources failing for more than a day are listed; one dead feed is that feed's problem, so
   they do not make the bot unhealthy.
6. Sends and 429 answers in the last hour, as the heartbeat counted them.
Healthy is rules 1-4 together; `problems` says in words what is not.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from news.i18n import N_
from storage import Storage

STALE = 180
POLL_STALE = 3600
OUTBOX_STALE = 3600
FAILING_FOR = 86_400


@dataclass(frozen=True)
class Health:
    now: int
    heartbeat_at: int | None
    write_problem: str | None
    last_poll_at: int | None
    sources: int
    pending: int
    oldest_pending_at: int | None
    failing: list[tuple[int, str, int]] = field(default_factory=list)  # (id, url, since)
    sent_last_hour: int | None = None
    rate_limited_last_hour: int | None = None

    @property
    def findings(self) -> list[tuple[str, dict[str, object]]]:
        """What is wrong, as (message, its values): English here, translated where an
        operator's chat reads it (news.replies.health_line)."""
        found: list[tuple[str, dict[str, object]]] = []
        if self.heartbeat_at is None:
            found.append((N_("the bot has never run on this database"), {}))
        elif self.now - self.heartbeat_at > STALE:
            message = N_(
                "no heartbeat for {seconds} s: the bot is not running, or cannot write its database"
            )
            found.append((message, {"seconds": self.now - self.heartbeat_at}))
        if self.write_problem:
            message = N_("the database cannot be written ({problem})")
            found.append((message, {"problem": self.write_problem}))
        if self.sources and (
            self.last_poll_at is None or self.now - self.last_poll_at > POLL_STALE
        ):
            found.append((N_("no source was polled successfully in the last hour"), {}))
        if self.oldest_pending_at is not None and self.now - self.oldest_pending_at > OUTBOX_STALE:
            message = N_("the oldest message has waited {seconds} s to be sent")
            found.append((message, {"seconds": self.now - self.oldest_pending_at}))
        return found

    @property
    def problems(self) -> list[str]:
        """The findings in English: `newsbot health` and its JSON."""
        return [message.format(**values) for message, values in self.findings]

    @property
    def healthy(self) -> bool:
        return not self.problems

    def as_json(self) -> dict:
        return {
            "healthy": self.healthy,
            "problems": self.problems,
            "heartbeat_age_s": None if self.heartbeat_at is None else self.now - self.heartbeat_at,
            "database_writable": self.write_problem is None,
            "last_poll_age_s": None if self.last_poll_at is None else self.now - self.last_poll_at,
            "sources": self.sources,
            "outbox_pending": self.pending,
            "outbox_oldest_age_s": (
                None if self.oldest_pending_at is None else self.now - self.oldest_pending_at
            ),
            "sources_failing_over_a_day": [
                {"id": i, "url": url, "failing_since": since} for i, url, since in self.failing
            ],
            "sent_last_hour": self.sent_last_hour,
            "rate_limited_last_hour": self.rate_limited_last_hour,
        }


async def check(storage: Storage, *, inside_the_bot: bool = False) -> Health:
    """Rules 1-6, read from the database; `inside_the_bot` adds the live write problem."""
    now = storage.now()
    beat = await storage.meta.get("heartbeat") or {}
    conn = storage.conn
    async with conn.execute(
        "SELECT count(*), max(last_success_at) FROM sources WHERE removed_at IS NULL"
    ) as c:
        sources, last_poll = await c.fetchone()
    async with conn.execute(
        """
        SELECT count(*), min(d.created_at) FROM deliveries AS d
        LEFT JOIN chats AS c ON c.id = d.chat_id
        WHERE d.status = 'pending' AND NOT (d.kind = 'story' AND coalesce(c.quiet_hold, 0) = 1)
        """
    ) as c:
        pending, oldest = await c.fetchone()
    async with conn.execute(
        "SELECT id, url, failing_since FROM sources WHERE removed_at IS NULL"
        " AND failing_since IS NOT NULL AND failing_since <= ? ORDER BY failing_since",
        (now - FAILING_FOR,),
    ) as c:
        failing = [(r[0], r[1], r[2]) for r in await c.fetchall()]
    return Health(
        now=now,
        heartbeat_at=beat.get("at"),
        write_problem=storage.write_problem if inside_the_bot else None,
        last_poll_at=last_poll,
        sources=sources,
        pending=pending,
        oldest_pending_at=oldest,
        failing=failing,
        sent_last_hour=beat.get("sent_last_hour"),
        rate_limited_last_hour=beat.get("rate_limited_last_hour"),
    )
