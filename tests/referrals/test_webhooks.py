"""Webhooks: signed with HMAC-SHA256 over timestamp and body, delivered by a background task
to a real HTTP server on loopback, retried with back-off when the receiver is down."""

from __future__ import annotations

import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.utils import timezone

from mediation import services as ms
from referrals.models import WebhookDelivery, WebhookEndpoint
from referrals.webhooks.services import sign, verify_signature, webhook_retry_due
from tests.factories import make_dispute, refer


@pytest.fixture(autouse=True)
def _deliver_to_loopback(settings):
    """These tests receive deliveries on 127.0.0.1 over HTTP (tests/security checks that
    production refuses both)."""
    settings.WEBHOOK_PUBLIC_HTTPS_ONLY = False


pytestmark = pytest.mark.django_db

SECRET = "whsec-test-secret"


class Receiver:
    """A local HTTP server that records what it receives."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append({"headers": dict(self.headers), "body": body})
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def endpoint_for(organisation, url: str) -> WebhookEndpoint:
    """An endpoint with the test's known signing secret (set in clear, stored encrypted)."""
    endpoint = WebhookEndpoint(organisation=organisation, url=url)
    endpoint.secret = SECRET
    endpoint.save()
    return endpoint


def test_signature_verifies_and_detects_tampering_and_replay():
    body = b'{"event":"referral.sent"}'
    ts = str(int(time.time()))
    signature = sign(SECRET, ts, body)
    assert verify_signature(SECRET, ts, body, signature)
    assert not verify_signature(SECRET, ts, body + b" ", signature)
    assert not verify_signature("other-secret", ts, body, signature)
    assert not verify_signature(SECRET, ts, body, signature, now=time.time() + 3600)


def test_referral_sent_is_pushed_signed(
    receiver, customer, staff, branch, centre, django_capture_on_commit_callbacks
):
    endpoint_for(centre, receiver.url)
    dispute = make_dispute(customer, branch)
    with django_capture_on_commit_callbacks(execute=True):
        referral = refer(dispute, customer, staff, centre)
    delivery = WebhookDelivery.objects.get(event="referral.sent")
    assert delivery.status == "delivered" and delivery.last_status_code == 204
    request = receiver.received[0]
    headers = {k.lower(): v for k, v in request["headers"].items()}
    assert verify_signature(
        SECRET, headers["x-portal-timestamp"], request["body"], headers["x-portal-signature"]
    )
    payload = json.loads(request["body"])
    assert payload["event"] == "referral.sent" and payload["referral"] == referral.pk
    assert payload["case"] == dispute.reference


def test_failures_are_retried_with_back_off(
    receiver, customer, staff, branch, centre, other_centre, django_capture_on_commit_callbacks
):
    endpoint = endpoint_for(centre, "http://127.0.0.1:1/down")
    endpoint_for(other_centre, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        refer(make_dispute(customer, branch), customer, staff, centre)
    delivery = WebhookDelivery.objects.get()  # only the referred centre's endpoint
    assert delivery.status == "retrying" and delivery.attempts == 1 and delivery.last_error
    assert delivery.next_attempt_at is not None
    first_wait = delivery.next_attempt_at - timezone.now()
    assert webhook_retry_due() == 0  # not yet
    with django_capture_on_commit_callbacks(execute=True):
        webhook_retry_due(now=timezone.now() + timedelta(minutes=3))
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and delivery.next_attempt_at is not None
    assert delivery.next_attempt_at - timezone.now() > first_wait  # exponential back-off
    endpoint.url = receiver.url
    endpoint.save()
    with django_capture_on_commit_callbacks(execute=True):
        webhook_retry_due(now=timezone.now() + timedelta(hours=1))
    delivery.refresh_from_db()
    assert delivery.status == "delivered" and delivery.attempts == 3
    assert len(receiver.received) == 1


def test_consent_withdrawal_reaches_the_centre(
    receiver, customer, staff, branch, centre, django_capture_on_commit_callbacks
):
    dispute = make_dispute(customer, branch)
    refer(dispute, customer, staff, centre)
    endpoint_for(centre, receiver.url)
    consent = dispute.consents.get(kind="personal_info", recipient__isnull=False)
    with django_capture_on_commit_callbacks(execute=True):
        ms.consent_withdraw(actor=customer, consent_id=consent.pk)
    assert WebhookDelivery.objects.get().event == "consent.withdrawn"
    assert json.loads(receiver.received[0]["body"])["case"] == dispute.reference
