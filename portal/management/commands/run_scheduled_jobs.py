"""The portal's recurring jobs, each idempotent: safe to run twice, and a missed run catches up.

`scripts/run` runs this every ten minutes beside the task worker; production runs it from cron
or a systemd timer (see README).
"""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from portal.notifications import retry_deliveries
from referrals.services import bundle_requeue_stale
from referrals.services.confirmation import confirmation_requeue_stale_forms
from referrals.services.webhooks import webhook_retry_due


class Command(BaseCommand):
    help = (
        "Run the recurring jobs: requeue document builds interrupted by a crash, and move "
        "due look-back reviews into the auditors' queue."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        requeued = bundle_requeue_stale()
        self.stdout.write(f"bundles: {requeued} interrupted builds requeued or given up")
        forms = confirmation_requeue_stale_forms()
        self.stdout.write(f"confirmation forms: {forms} lost builds requeued")
        call_command("queue_due_reviews", stdout=self.stdout)
        call_command("send_due_reminders", stdout=self.stdout)
        retried = retry_deliveries()
        self.stdout.write(f"deliveries: {retried} queued again")
        hooks = webhook_retry_due()
        self.stdout.write(f"webhooks: {hooks} queued again")
