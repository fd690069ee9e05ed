"""The retry rule shared by notification emails and webhooks."""

from __future__ import annotations

from datetime import datetime, timedelta


def next_attempt_after(attempts: int, *, max_attempts: int, now: datetime) -> datetime | None:
    """When to try again after `attempts` failed tries: 2, 4, 8 ... minutes later (exponential
    back-off), or None once `max_attempts` is reached and the delivery is given up."""
    if attempts >= max_attempts:
        return None
    return now + timedelta(minutes=2**attempts)
