"""Background task that builds an evidence bundle (django.tasks; the database backend's
db_worker runs it)."""

from __future__ import annotations

from django.tasks import task

from referrals.bundles.services import bundle_generate


@task()
def build_bundle(bundle_id: int) -> None:
    """Build one queued bundle version. Safe to run twice: a bundle not queued is skipped."""
    bundle_generate(bundle_id=bundle_id)
