"""Daily: move look-back reviews whose due date has come into the auditors' queue.

Idempotent: running it twice changes nothing, and a missed day catches up.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from referrals.reviews.services import review_enqueue_due


class Command(BaseCommand):
    help = "Move due look-back reviews into the auditors' queue (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        moved = review_enqueue_due()
        self.stdout.write(f"reviews: {moved} moved into the auditors' queue")
