"""Daily: deadline reminders and warnings (idempotent; a missed day catches up).

`scripts/run` runs it with the other recurring jobs; production runs it from cron or a systemd
timer, e.g. `15 7 * * * .venv/bin/python manage.py send_due_reminders`.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from portal.notifications.reminders import send_due_reminders


class Command(BaseCommand):
    help = "Send the day's deadline reminders (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = send_due_reminders(today=timezone.localdate())
        self.stdout.write(f"reminders: {sent} notifications")
