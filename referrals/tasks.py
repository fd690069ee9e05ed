"""Background tasks (django.tasks; the database backend's db_worker runs them)."""

from __future__ import annotations

from django.tasks import task

from referrals.services.bundles import bundle_generate


@task()
def build_bundle(bundle_id: int) -> None:
    """Build one queued bundle version. Safe to run twice: a bundle not queued is skipped."""
    bundle_generate(bundle_id=bundle_id)


@task()
def build_confirmation_form(confirmation_id: int) -> None:
    """Render the judicial-confirmation application form. Skips one that is not queued."""
    from referrals.services.confirmation import confirmation_form_generate

    confirmation_form_generate(confirmation_id=confirmation_id)


@task()
def deliver_webhook(delivery_id: int) -> None:
    """POST one signed webhook; failures are kept for a retry with back-off."""
    from referrals.services.webhooks import webhook_deliver

    webhook_deliver(delivery_id=delivery_id)
