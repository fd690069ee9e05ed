"""Issue 16: "many refusals are not logged at all ... none enter the chain". Every refusal is
noted in one place (portal/refusals.py) and enters the audit chain once the request is over,
even when it was raised inside a service's transaction that rolled back."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from portal.audit import audit_verify
from portal.models import AuditEvent
from tests.conftest import client_for
from tests.factories import make_dispute

pytestmark = pytest.mark.django_db


def test_another_partys_case_is_a_refusal_in_the_chain(customer, other_customer, branch):
    dispute = make_dispute(customer, branch)
    answer = client_for(other_customer).get(f"/disputes/{dispute.reference}/")
    assert answer.status_code == 404
    event = AuditEvent.objects.get(action="access.refused")
    assert event.actor_id == other_customer.pk
    assert event.data["key"] == dispute.reference and event.data["method"] == "GET"
    assert audit_verify() is None


def test_a_forbidden_action_inside_a_service_transaction_is_not_lost(customer, branch):
    dispute = make_dispute(customer, branch)
    answer = client_for(customer).post(
        f"/disputes/{dispute.reference}/milestone/",
        {"milestone-milestone": "plan", "milestone-text": "我来写银行的方案"},
    )
    assert answer.status_code == 302  # back to the case, with the refusal as a message
    event = AuditEvent.objects.get(action="action.refused")
    assert event.actor_id == customer.pk and event.data["object"] == "forbidden"
    assert event.data["path"] == f"/disputes/{dispute.reference}/milestone/"


def test_another_roles_page_is_a_refusal_in_the_chain(customer):
    assert client_for(customer).get("/disputes/queue/").status_code == 403
    assert AuditEvent.objects.filter(action="page.refused", actor=customer).exists()


def test_api_refusals_enter_the_chain(customer, other_customer, branch):
    dispute = make_dispute(customer, branch)
    api = APIClient()
    api.force_authenticate(other_customer)
    assert api.get(f"/api/v1/disputes/{dispute.reference}/").status_code == 404
    assert AuditEvent.objects.filter(action="access.refused", actor=other_customer).exists()
    stranger = APIClient()
    stranger.credentials(HTTP_AUTHORIZATION="Token not-a-real-key")
    assert stranger.get("/api/v1/disputes/").status_code == 401
    assert AuditEvent.objects.filter(action="api.unauthenticated").count() == 1
    # No credentials at all: logged, not chained (anyone can make such calls).
    assert APIClient().get("/api/v1/disputes/").status_code == 401
    assert AuditEvent.objects.filter(action="api.unauthenticated").count() == 1
