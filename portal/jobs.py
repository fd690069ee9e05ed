"""The recurring jobs (`manage.py run_scheduled_jobs`), which each app registers at start-up.

Each job is idempotent: safe to run twice, and a missed run catches up. It returns how many
things it did, which the command prints beside the job's label. portal registers its own
(notification retries, the daily reminders); mediation and referrals register theirs in their
AppConfig.ready(), so the kernel runs jobs it does not import.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Job:
    label: str
    run: Callable[[], int]


_jobs: dict[str, Job] = {}


def register(name: str, label: str, run: Callable[[], int]) -> None:
    """Add a job (or replace the one of that name: registering twice changes nothing)."""
    _jobs[name] = Job(label, run)


def registered() -> dict[str, Job]:
    return dict(_jobs)
