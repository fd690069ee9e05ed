"""Recompute the audit hash chain; name the first altered or missing event."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from portal.audit import audit_verify
from portal.models import AuditEvent


class Command(BaseCommand):
    help = "Verify the hash-chained audit log."

    def handle(self, *args: Any, **options: Any) -> None:
        problem = audit_verify()
        if problem is not None:
            raise CommandError(f"audit chain broken at #{problem.seq}: {problem.message}")
        self.stdout.write(f"audit chain is whole ({AuditEvent.objects.count()} events)")
