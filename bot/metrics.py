"""Prometheus metrics, served at NEWSBOT_METRICS_LISTEN (off unless set) with the official
client (prometheus-client). One registry per running bot, so nothing is process-global.

Names follow Prometheus conventions: counters end in `_total`, durations are `_seconds`,
sizes `_bytes`, moments `_timestamp_seconds`. Label sets are bounded: poll results are the
source statuses, send results the five below, brands the catalogue's keys.

- newsbot_polls_total{result}                 ok | not_modified | error
- newsbot_fetch_seconds                       a poll's duration (histogram)
- newsbot_stories_new_total                   stories first seen
- newsbot_stories_by_brand_total{brand}       new stories about each catalogue brand
- newsbot_sends_total{result}                 the sender's messages: ok | 429 | 403 | 400 | error
- newsbot_edits_total                         pushes edited to name an event's outlets
- newsbot_digest_messages_total               digest messages sent
- newsbot_update_seconds                      handling one update, reply included (histogram)
- newsbot_outbox_pending                      messages waiting (refreshed each minute)
- newsbot_outbox_oldest_pending_age_seconds
- newsbot_database_size_bytes
- newsbot_last_successful_poll_timestamp_seconds
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server

SEND_RESULTS = ("ok", "429", "403", "400", "error")


class Metrics:
    def __init__(self) -> None:
        r = self.registry = CollectorRegistry()
        self.polls = Counter(
            "newsbot_polls", "Polls of a source, by result", ["result"], registry=r
        )
        self.fetch_seconds = Histogram(
            "newsbot_fetch_seconds", "How long one poll of a source took", registry=r,
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
        )  # fmt: skip
        self.new_stories = Counter("newsbot_stories_new", "Stories first seen", registry=r)
        self.stories_by_brand = Counter(
            "newsbot_stories_by_brand", "New stories about a catalogue brand", ["brand"], registry=r
        )
        self.sends = Counter(
            "newsbot_sends",
            "Messages the sender sent, by Telegram's answer",
            ["result"],
            registry=r,
        )
        for result in SEND_RESULTS:
            self.sends.labels(result)  # every series exists from the start, at 0
        self.edits = Counter("newsbot_edits", "Pushes edited to name more outlets", registry=r)
        self.digests = Counter("newsbot_digest_messages", "Digest messages sent", registry=r)
        self.update_seconds = Histogram(
            "newsbot_update_seconds", "Handling one update, its reply included", registry=r,
            buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
        )  # fmt: skip
        self.outbox_pending = Gauge("newsbot_outbox_pending", "Messages waiting", registry=r)
        self.outbox_oldest = Gauge(
            "newsbot_outbox_oldest_pending_age_seconds", "Age of the oldest waiting message",
            registry=r,
        )  # fmt: skip
        self.database_bytes = Gauge(
            "newsbot_database_size_bytes", "The database file with its WAL", registry=r
        )
        self.last_poll = Gauge(
            "newsbot_last_successful_poll_timestamp_seconds",
            "When a source was last polled successfully", registry=r,
        )  # fmt: skip

    def sent(self, result: str, *, digest: bool = False, count: int = 1) -> None:
        self.sends.labels(result).inc(count)
        if digest and result == "ok":
            self.digests.inc(count)

    def serve(self, host: str, port: int):
        """Start the HTTP endpoint (a daemon thread); returns the server, to shut it down."""
        server, _thread = start_http_server(port, addr=host, registry=self.registry)
        return server
