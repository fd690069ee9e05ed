"""Webhooks: events pushed to a partner organisation's own case system.

Each POST carries `X-Portal-Timestamp` and `X-Portal-Signature: sha256=<hex>`, an HMAC-SHA256
with the endpoint's secret over "<timestamp>.<body>"; `verify_signature` is what a receiver runs.
Deliveries are background tasks, retried with exponential back-off, logged in the admin.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request
from datetime import datetime
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone

from mediation.models import Consent
from portal.backoff import next_attempt_after
from referrals.centres.lifecycle import DISCLOSED_STATES
from referrals.models import WebhookDelivery, WebhookEndpoint

log = logging.getLogger("portal.webhooks")

MAX_ATTEMPTS = 8
TIMEOUT_SECONDS = 10


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
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update()
            .select_related("endpoint")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.status in (
            WebhookDelivery.Status.DELIVERED,
            WebhookDelivery.Status.FAILED,
        ):
            return "skipped"
        body = json.dumps(delivery.payload, ensure_ascii=False, sort_keys=True).encode()
        timestamp = str(int(time.time()))
        request = urllib.request.Request(  # noqa: S310 - the admin sets http(s) endpoint URLs
            delivery.endpoint.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "X-Portal-Event": delivery.event,
                "X-Portal-Timestamp": timestamp,
                "X-Portal-Signature": sign(delivery.endpoint.secret, timestamp, body),
                "X-Portal-Delivery": str(delivery.pk),
            },
        )
        delivery.attempts += 1
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
                delivery.last_status_code = response.status
        except urllib.error.HTTPError as exc:
            delivery.last_status_code = exc.code
            delivery.last_error = f"HTTP {exc.code}"
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            delivery.last_status_code = None
            delivery.last_error = f"{type(exc).__name__}: {exc}"[:1000]
        if delivery.last_status_code and 200 <= delivery.last_status_code < 300:
            delivery.status = WebhookDelivery.Status.DELIVERED
            delivery.delivered_at = timezone.now()
            delivery.next_attempt_at = None
            delivery.last_error = ""
        else:
            delivery.next_attempt_at = next_attempt_after(
                delivery.attempts, max_attempts=MAX_ATTEMPTS, now=timezone.now()
            )
            delivery.status = (
                WebhookDelivery.Status.RETRYING
                if delivery.next_attempt_at
                else WebhookDelivery.Status.FAILED
            )
        delivery.save()
        return str(delivery.status)


def webhook_retry_due(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    due = list(
        WebhookDelivery.objects.filter(
            status=WebhookDelivery.Status.RETRYING, next_attempt_at__lte=now
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
