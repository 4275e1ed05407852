"""Polling schedule rules (news.schedule), table-driven."""

import random

import pytest

from news.schedule import DAY, base_delay, next_check_at, should_alert


@pytest.mark.parametrize(
    ("kwargs", "delay"),
    [
        ({}, 300),
        ({"max_age": 60}, 300),  # a shorter max-age does not make us poll more often
        ({"max_age": 1800}, 1800),  # a longer one is honoured
        ({"ttl_minutes": 60}, 3600),
        ({"ttl_minutes": 60 * 24 * 7}, DAY),  # a week-long ttl is capped at a day
        ({"failures": 1}, 600),
        ({"failures": 3}, 2400),
        ({"failures": 40}, DAY),  # backoff stops at a day
        ({"failures": 1, "retry_after": 3600}, 3600),  # Retry-After is a floor
        ({"failures": 1, "retry_after": 10}, 600),
        ({"retry_after": 10 * DAY}, DAY),
        ({"failures": 2, "max_age": 9000}, 1200),  # cache hints do not apply to failures
    ],
)
def test_base_delay(kwargs, delay):
    assert base_delay(300, **kwargs) == delay


def test_jitter_spreads_sources_within_ten_percent_and_a_day():
    rng = random.Random(7)
    due = {next_check_at(1000, 300, rng) for _ in range(200)}
    assert len(due) > 20  # spread, not all at once
    assert min(due) >= 1300 and max(due) <= 1330
    assert next_check_at(0, DAY, rng) <= DAY


@pytest.mark.parametrize(
    ("failing_since", "alerted", "expected"),
    [(None, False, False), (0, False, True), (0, True, False), (DAY // 2, False, False)],
)
def test_alert_once_after_a_day_of_failures(failing_since, alerted, expected):
    assert should_alert(now=DAY, failing_since=failing_since, alerted=alerted) is expected
