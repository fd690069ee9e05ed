"""Issue 16, webhooks reach only public HTTPS addresses: refused when the endpoint is saved and
again when a delivery is sent; no redirect followed; secrets generated, long, shown once."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from referrals.models import WebhookDelivery, WebhookEndpoint
from referrals.webhooks.services import webhook_deliver

pytestmark = pytest.mark.django_db

REFUSED = [
    "https://127.0.0.1/hook",
    "https://10.0.0.1/hook",
    "https://169.254.169.254/latest/meta-data/",
    "https://[::1]/hook",
    "https://localhost/hook",
    "https://192.168.1.10/hook",
    "https://203.0.113.10/hook",  # documentation range: not a public address either
    "http://8.8.8.8/hook",  # public, but not HTTPS
    "ftp://8.8.8.8/hook",
]


@pytest.mark.parametrize("url", REFUSED)
def test_webhook_urls_to_private_addresses_or_without_https_are_refused_at_save(centre, url):
    endpoint = WebhookEndpoint(organisation=centre, url=url)
    with pytest.raises(ValidationError) as refused:
        endpoint.full_clean()
    assert "url" in refused.value.message_dict


@pytest.mark.parametrize("url", REFUSED[:5])
def test_a_stored_private_url_is_refused_at_send(centre, url):
    """An endpoint written before the check (or past it, straight into the database) is
    checked again when its delivery is sent: nothing is sent, the reason is logged."""
    endpoint = WebhookEndpoint.objects.create(organisation=centre, url=url)
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event="referral.sent", payload={"case": "MD-2026-000001"}
    )
    webhook_deliver(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status in (WebhookDelivery.Status.RETRYING, WebhookDelivery.Status.FAILED)
    assert delivery.last_error.startswith("refused:") and delivery.last_status_code is None


def test_a_public_https_url_passes_the_check(centre):
    # An address literal: no name lookup and no traffic (nothing is sent in this module to a
    # public address); the check itself is what is tested.
    WebhookEndpoint(organisation=centre, url="https://8.8.8.8/hooks").full_clean()


def test_the_secret_is_generated_long_and_a_short_one_is_refused(centre):
    endpoint = WebhookEndpoint.objects.create(organisation=centre, url="https://8.8.8.8/h")
    assert len(endpoint.secret) >= 32
    short = WebhookEndpoint(organisation=centre, url="https://8.8.8.8/h")
    short.secret = "x"
    with pytest.raises(ValidationError) as refused:
        short.full_clean()
    assert "至少" in str(refused.value.messages)


def test_the_admin_never_shows_the_secret_again(centre, admin_client):
    endpoint = WebhookEndpoint.objects.create(organisation=centre, url="https://8.8.8.8/h")
    page = admin_client.get(f"/admin/referrals/webhookendpoint/{endpoint.pk}/change/")
    assert page.status_code == 200 and endpoint.secret not in page.content.decode()


def test_the_secret_is_encrypted_at_rest(centre):
    from django.db import connection

    endpoint = WebhookEndpoint.objects.create(organisation=centre, url="https://8.8.8.8/h")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT secret_encrypted FROM referrals_webhookendpoint WHERE id = %s", [endpoint.pk]
        )
        stored = cursor.fetchone()[0]
    assert endpoint.secret not in stored and stored.startswith("fernet:")
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).secret == endpoint.secret
