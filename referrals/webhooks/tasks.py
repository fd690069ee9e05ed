"""Background task that delivers one signed webhook (django.tasks)."""

from __future__ import annotations

from django.tasks import task


@task()
def deliver_webhook(delivery_id: int) -> None:
    """POST one signed webhook; failures are kept for a retry with back-off."""
    from referrals.webhooks.services import webhook_deliver

    webhook_deliver(delivery_id=delivery_id)
