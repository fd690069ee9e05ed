"""Network I/O happens outside any transaction or row lock: while a webhook waits on a slow
endpoint, the portal's writes (even to the same delivery row) go through at once."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import connections

from portal.models import Notification
from portal.notifications import mark_read
from referrals.webhooks.models import WebhookDelivery, WebhookEndpoint
from referrals.webhooks.services import webhook_deliver


@pytest.fixture(autouse=True)
def _deliver_to_loopback(settings):
    """These tests receive deliveries on 127.0.0.1 over HTTP (tests/security checks that
    production refuses both)."""
    settings.WEBHOOK_PUBLIC_HTTPS_ONLY = False


pytestmark = pytest.mark.django_db(transaction=True)

SLOW_SECONDS = 2.0


class Slow(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        time.sleep(SLOW_SECONDS)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def slow_endpoint(centre):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield WebhookEndpoint.objects.create(
        organisation=centre, url=f"http://127.0.0.1:{server.server_port}/hook"
    )
    server.shutdown()
    server.server_close()


def test_a_slow_webhook_endpoint_delays_no_write(slow_endpoint, customer):
    delivery = WebhookDelivery.objects.create(
        endpoint=slow_endpoint, event="referral.sent", payload={"case": "MD-2026-000001"}
    )
    Notification.objects.create(recipient=customer, event="review_due", title="t", body="b")
    result: list[str] = []

    def send() -> None:
        try:
            result.append(webhook_deliver(delivery_id=delivery.pk))
        finally:
            connections.close_all()

    sender = threading.Thread(target=send)
    sender.start()
    deadline = time.monotonic() + 5
    while WebhookDelivery.objects.get(pk=delivery.pk).status != "sending":
        assert time.monotonic() < deadline, "the delivery was never claimed"
        time.sleep(0.02)
    # The endpoint is now answering slowly. A customer's "mark all read" and a write to the
    # very row being sent both finish long before it does.
    start = time.monotonic()
    assert mark_read(user=customer) == 1
    WebhookDelivery.objects.filter(pk=delivery.pk).update(last_error="")
    assert time.monotonic() - start < SLOW_SECONDS / 2
    sender.join(timeout=10)
    assert result == ["delivered"]
    assert WebhookDelivery.objects.get(pk=delivery.pk).attempts == 1


def test_a_delivery_being_sent_is_not_sent_again_until_its_lease_ends(slow_endpoint):
    from portal import outbox

    delivery = WebhookDelivery.objects.create(
        endpoint=slow_endpoint, event="referral.sent", payload={}
    )
    from datetime import timedelta

    assert outbox.claim(WebhookDelivery, delivery.pk, lease=timedelta(minutes=2)) is not None
    assert webhook_deliver(delivery_id=delivery.pk) == "skipped"  # another worker holds it
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=delivery.created_at - timedelta(minutes=1)
    )  # that worker died: its lease has passed
    assert webhook_deliver(delivery_id=delivery.pk) == "delivered"
    assert WebhookDelivery.objects.get(pk=delivery.pk).attempts == 2
