"""The portal's recurring jobs, each idempotent: safe to run twice, and a missed run catches up.

The jobs are those the apps registered in `portal.jobs` (requeueing builds a crashed worker left
behind, queueing due look-back reviews, reminders, delivery and webhook retries). `scripts/run`
runs this every ten minutes beside the task worker; production runs it from cron or a systemd
timer (see README).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from portal import jobs


class Command(BaseCommand):
    help = "Run the recurring jobs the apps registered (each idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        for job in jobs.registered().values():
            self.stdout.write(f"{job.label}: {job.run()}")
