"""When to poll a source next. Pure: the caller passes the clock and the random generator.

Rules, in order:
1. A success waits the configured interval, but no less than the publisher asks for with
   Cache-Control max-age or the feed's <ttl>.
2. A failure doubles the interval per consecutive failure (2x, 4x, 8x ...).
3. Retry-After (on 429/503) is a floor: never ask again sooner than the server allows.
4. Whatever the above say, never wait longer than a day: a source that asks for a week, or
   has failed for a month, is still looked at daily.
5. Jitter of up to +10% spreads sources that share an interval, so they do not all fall due
   in the same tick.
"""

from __future__ import annotations

import random

DAY = 86_400
JITTER = 0.10
FAILING_ALERT_AFTER = DAY  # admins hear about a source once it has failed this long


def base_delay(
    interval: int,
    *,
    failures: int = 0,
    max_age: int | None = None,
    ttl_minutes: int | None = None,
    retry_after: int | None = None,
) -> int:
    """Seconds until the next poll, before jitter (rules 1-4)."""
    if failures > 0:
        delay = interval * 2 ** min(failures, 20)  # the exponent cap only avoids huge ints
    else:
        asked = max(max_age or 0, (ttl_minutes or 0) * 60)
        delay = max(interval, asked)
    if retry_after:
        delay = max(delay, retry_after)
    return min(delay, DAY)


def next_check_at(now: int, delay: int, rng: random.Random) -> int:
    """Rule 5: the due time with jitter, never past the one-day ceiling."""
    return now + min(DAY, int(delay * (1 + rng.uniform(0, JITTER))))


def should_alert(*, now: int, failing_since: int | None, alerted: bool) -> bool:
    """Tell the admins once per failure streak, when it has lasted a day."""
    return failing_since is not None and not alerted and now - failing_since >= FAILING_ALERT_AFTER
