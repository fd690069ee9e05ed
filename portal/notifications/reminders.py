"""The daily reminders (`manage.py send_due_reminders`), which each app registers.

Idempotent: every reminder carries a dedupe key of its deadline and threshold, so running the
job twice notifies nobody twice; and each looks at every deadline still ahead or just missed, so
a day the job did not run is caught up the next day (with the most urgent threshold reached).
mediation registers the staff clocks, referrals the judicial-confirmation window and the
performance of confirmed agreements (in their AppConfig.ready()).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

# Days before a window closes on which the parties are warned (10, 5 and 1 day before).
WINDOW_THRESHOLDS = (10, 5, 1)

_reminders: dict[str, Callable[[date], int]] = {}


def register(name: str, reminder: Callable[[date], int]) -> None:
    """A reminder takes today's date and returns how many notifications it made."""
    _reminders[name] = reminder


def threshold_reached(days_left: int) -> int | None:
    """The most urgent warning threshold `days_left` has reached, if any."""
    reached = [t for t in WINDOW_THRESHOLDS if days_left <= t]
    return min(reached) if reached else None


def send_due_reminders(*, today: date) -> int:
    return sum(reminder(today) for reminder in _reminders.values())
