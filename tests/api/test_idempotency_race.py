"""Ten simultaneous requests with one Idempotency-Key create one object (PostgreSQL: the key
is claimed under its unique constraint and the others wait for the first, then replay it)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from mediation.models import Dispute, EvidenceItem
from portal.models import IdempotencyRecord, OrganisationKind
from referrals.models import Bundle
from tests.factories import make_dispute, refer, upload_pdf
from tests.factories.files import pdf_bytes

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]

N = 10


def race(user: Any, path: str, data: Any, fmt: str = "json") -> list[tuple[int, Any]]:
    barrier = threading.Barrier(N)

    def attempt(_i: int) -> tuple[int, Any]:
        client = APIClient()
        client.force_authenticate(user)
        payload = data() if callable(data) else data
        try:
            barrier.wait()
            response = client.post(
                path, payload, format=fmt, headers={"Idempotency-Key": "same-key"}
            )
            return response.status_code, response.json()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=N) as pool:
        return list(pool.map(attempt, range(N)))


def test_ten_concurrent_dispute_filings_create_one(customer, branch):
    results = race(
        customer,
        "/api/v1/disputes/",
        {
            "branch": branch.code,
            "category": "credit_card",
            "amount": "1200.00",
            "facts": "年费未减免。",
            "request": "退还年费。",
        },
    )
    assert {status for status, _body in results} == {201}, results
    assert len({body["reference"] for _status, body in results}) == 1
    assert Dispute.objects.filter(customer=customer).count() == 1
    assert IdempotencyRecord.objects.count() == 1


def test_ten_concurrent_evidence_uploads_store_one(customer, branch):
    dispute = make_dispute(customer, branch)

    def form() -> dict[str, Any]:
        from django.core.files.uploadedfile import SimpleUploadedFile

        upload = SimpleUploadedFile("合同.pdf", pdf_bytes(), "application/pdf")
        return {"file": upload, "title": "合同", "category": "contract"}

    results = race(customer, f"/api/v1/disputes/{dispute.reference}/evidence/", form, "multipart")
    assert {status for status, _body in results} == {201}, results
    assert len({body["id"] for _status, body in results}) == 1
    assert EvidenceItem.objects.filter(dispute=dispute).count() == 1


def test_ten_concurrent_bundle_requests_queue_one(customer, staff, branch, centre):
    dispute = make_dispute(customer, branch)
    refer(dispute, customer, staff, centre)
    upload_pdf(customer, dispute, "合同")
    results = race(
        staff,
        "/api/v1/bundles/",
        {
            "case": dispute.reference,
            "recipient_kind": OrganisationKind.MEDIATION_CENTRE,
            "organisation": centre.pk,
        },
    )
    assert {status for status, _body in results} == {202}, results
    assert len({body["id"] for _status, body in results}) == 1
    assert Bundle.objects.filter(dispute=dispute).count() == 1


def test_a_failed_first_request_releases_the_key(customer, branch):
    """A request refused by validation does not keep its key: the corrected retry with the
    same key goes through."""
    client = APIClient()
    client.force_authenticate(customer)
    body = {"branch": branch.code, "category": "credit_card", "facts": "事实", "request": "诉求"}
    headers = {"Idempotency-Key": "retry"}
    assert (
        client.post("/api/v1/disputes/", {**body, "amount": "x"}, headers=headers).status_code
        == 400
    )
    assert (
        client.post("/api/v1/disputes/", {**body, "amount": "10.00"}, headers=headers).status_code
        == 201
    )
