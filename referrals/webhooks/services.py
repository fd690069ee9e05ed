"""Webhooks: events pushed to a partner organisation's own case system.

Each POST carries `X-Portal-Timestamp` and `X-Portal-Signature: sha256=<hex>`, an HMAC-SHA256
with the endpoint's secret over "<timestamp>.<body>"; `verify_signature` is what a receiver runs.
Deliveries are background tasks, retried with exponential back-off, logged in the admin.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import logging
import time
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from mediation.models import Consent
from portal import outbox
from referrals.centres.lifecycle import DISCLOSED_STATES
from referrals.models import WebhookDelivery, WebhookEndpoint
from referrals.webhooks.targets import connection, resolve_target

log = logging.getLogger("portal.webhooks")

MAX_ATTEMPTS = 8
TIMEOUT_SECONDS = 10
# How long one attempt may take before another worker may try (several times the timeout).
SEND_LEASE = timedelta(minutes=2)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def verify_signature(
    secret: str,
    timestamp: str,
    body: bytes,
    signature: str,
    *,
    tolerance: int = 300,
    now: float | None = None,
) -> bool:
    """For receivers: the signature matches and the timestamp is recent (no replays)."""
    try:
        age = abs((now or time.time()) - int(timestamp))
    except ValueError:
        return False
    return age <= tolerance and hmac.compare_digest(sign(secret, timestamp, body), signature)


def webhook_emit(event: str, *, organisation_id: int, payload: dict[str, Any]) -> None:
    """Queue the event for the organisation's active endpoints, after the commit."""

    def create() -> None:
        for endpoint in WebhookEndpoint.objects.filter(
            organisation_id=organisation_id, is_active=True
        ):
            delivery = WebhookDelivery.objects.create(
                endpoint=endpoint,
                event=event,
                payload={"event": event, "created_at": timezone.now().isoformat(), **payload},
            )
            _enqueue(delivery.pk)

    transaction.on_commit(create)


def _enqueue(delivery_id: int) -> None:
    from referrals.webhooks.tasks import deliver_webhook

    deliver_webhook.enqueue(delivery_id)


def webhook_deliver(*, delivery_id: int) -> str:
    """POST one signed delivery, outside any transaction or row lock (portal/outbox.py): a
    slow endpoint holds up no page. Receivers deduplicate on X-Portal-Delivery."""
    delivery = outbox.claim(WebhookDelivery, delivery_id, lease=SEND_LEASE, related=("endpoint",))
    if delivery is None:
        return "skipped"
    body = json.dumps(delivery.payload, ensure_ascii=False, sort_keys=True).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "X-Portal-Event": delivery.event,
        "X-Portal-Timestamp": timestamp,
        "X-Portal-Signature": sign(delivery.endpoint.secret, timestamp, body),
        "X-Portal-Delivery": str(delivery.pk),
    }
    status_code: int | None = None
    error: str | None = None
    try:
        # Checked again at every send, and the connection pinned to the checked address.
        target = resolve_target(delivery.endpoint.url)
        conn = connection(target, TIMEOUT_SECONDS)
        try:
            conn.request("POST", target.path, body=body, headers=headers)
            status_code = conn.getresponse().status
        finally:
            conn.close()
    except ValidationError as exc:
        error = f"refused: {' '.join(exc.messages)}"
    except (OSError, TimeoutError, http.client.HTTPException) as exc:
        error = f"{type(exc).__name__}: {exc}"
    if error is None and not (status_code and 200 <= status_code < 300):
        error = f"HTTP {status_code}"
    return outbox.settle(
        delivery,
        done_status=WebhookDelivery.Status.DELIVERED,
        done_at_field="delivered_at",
        error=error,
        max_attempts=MAX_ATTEMPTS,
        extra={"last_status_code": status_code},
    )


def webhook_retry_due(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    due = list(
        WebhookDelivery.objects.filter(
            status__in=[WebhookDelivery.Status.RETRYING, WebhookDelivery.Status.SENDING],
            next_attempt_at__lte=now,
        ).values_list("pk", flat=True)
    )
    for pk in due:
        transaction.on_commit(partial(_enqueue, pk))
    return len(due)


def tell_partners_of_withdrawal(consent: Consent) -> None:
    """Centres that received the case learn at once that nothing more may be disclosed
    (registered with mediation.hooks.registry.on_consent_withdrawn)."""
    organisations = set(
        consent.dispute.referrals.filter(status__in=DISCLOSED_STATES).values_list(
            "organisation_id", flat=True
        )
    )
    if consent.recipient_id:
        organisations &= {consent.recipient_id}
    for organisation_id in organisations:
        webhook_emit(
            "consent.withdrawn",
            organisation_id=organisation_id,
            payload={"case": consent.dispute.reference, "kind": consent.kind},
        )
