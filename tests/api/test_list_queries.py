"""Every list API answers in the same number of queries for a page of 2 rows as for a page of
50, over rows that exist (a count over an empty list could not fail)."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from mediation import services as ms
from portal.models import OrganisationKind
from referrals.arbitration import services as arbitration_services
from referrals.centres import agreements as agreement_services
from referrals.centres import services as referral_services
from referrals.confirmation import services as confirmation_services
from tests.factories import (
    CustomerFactory,
    OrganisationFactory,
    PartnerFactory,
    backdate_referral,
    make_dispute,
    refer,
)
from tests.factories.files import pdf_bytes

pytestmark = pytest.mark.django_db

ROWS = 4


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def handled(dispute, staff):
    ms.dispute_triage(
        actor=staff, reference=dispute.reference, cause_label="合同", urgency="normal"
    )
    ms.dispute_start_bank_handling(actor=staff, reference=dispute.reference)


@pytest.fixture
def rows(branch, staff, centre, mediator, auditor):
    """ROWS of each kind: disputes, referrals, confirmations, arbitrations, reviews."""
    court = OrganisationFactory.create(name="浦东法院", kind=OrganisationKind.COURT)
    commission = OrganisationFactory.create(
        name="上海仲裁委员会", kind=OrganisationKind.ARBITRATION_COMMISSION
    )
    today = timezone.localdate()
    for _ in range(ROWS):
        customer = CustomerFactory.create()
        # A referral accepted, an agreement, and an application for judicial confirmation.
        referral = refer(make_dispute(customer, branch, "20000.00"), customer, staff, centre)
        referral_services.referral_accept(
            actor=mediator, referral_id=referral.pk, mediator_id=mediator.pk
        )
        backdate_referral(referral, 10)
        agreement_services.agreement_record(
            actor=mediator,
            referral_id=referral.pk,
            upload=io.BytesIO(pdf_bytes()),
            file_name="协议.pdf",
            size=None,
            amount=Decimal("12000.00"),
            terms="银行支付12,000元",
            effective_on=today - timedelta(days=1),
            performance_due=today + timedelta(days=10),
        )
        confirmation_services.confirmation_start(
            actor=staff, reference=referral.dispute.reference, court_id=court.pk
        )
        # A wealth-product dispute before an arbitration commission.
        wealth = make_dispute(customer, branch, "40000.00", category="wealth")
        handled(wealth, staff)
        arbitration_services.arbitration_start(
            actor=staff,
            reference=wealth.reference,
            commission_id=commission.pk,
            agreement_signed_on=today,
            upload=io.BytesIO(pdf_bytes()),
            file_name="仲裁协议.pdf",
            size=None,
        )
        # A closed dispute, whose look-back review is scheduled.
        closed = make_dispute(customer, branch)
        handled(closed, staff)
        ms.dispute_close(actor=staff, reference=closed.reference, reason="bank_decision_accepted")
    return {"staff": staff, "mediator": mediator, "auditor": auditor, "court": court}


@pytest.mark.parametrize(
    ("endpoint", "role"),
    [
        ("/api/v1/disputes/", "staff"),
        ("/api/v1/referrals/", "mediator"),
        ("/api/v1/referrals/", "staff"),
        ("/api/v1/confirmations/", "staff"),
        ("/api/v1/arbitrations/", "staff"),
        ("/api/v1/reviews/", "auditor"),
    ],
)
def test_list_query_count_is_constant_over_rows_that_exist(rows, endpoint, role):
    client = api(rows[role])
    with CaptureQueriesContext(connection) as small:
        first = client.get(f"{endpoint}?page_size=2")
    with CaptureQueriesContext(connection) as large:
        whole = client.get(f"{endpoint}?page_size=50")
    assert first.status_code == whole.status_code == 200
    assert len(first.json()["results"]) == 2
    assert len(whole.json()["results"]) >= ROWS, "the large page holds every row"
    assert len(small) == len(large), [q["sql"] for q in large.captured_queries]


def test_a_partner_token_lists_its_referrals_in_constant_queries(rows, centre, settings):
    """The same through a partner organisation's token (the cached token lookup included)."""
    from portal.api_auth import token_issue_for_organisation

    settings.SHARED_CACHE = True  # the token comes from the cache, as with Redis
    _token, key = token_issue_for_organisation(name="centre system", organisation=centre)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    client.get("/api/v1/referrals/")  # the first request looks the token up and notes its use
    with CaptureQueriesContext(connection) as small:
        assert len(client.get("/api/v1/referrals/?page_size=2").json()["results"]) == 2
    with CaptureQueriesContext(connection) as large:
        assert len(client.get("/api/v1/referrals/?page_size=50").json()["results"]) == ROWS
    assert len(small) == len(large) == 1, "the token comes from the cache: one query a page"


def test_the_court_sees_no_application_still_being_prepared(rows):
    """Every application is still with the parties: the court's own clerk lists none of them,
    while the bank's staff list them all."""
    clerk = PartnerFactory.create(organisation=rows["court"], partner_role="court_clerk")
    assert api(clerk).get("/api/v1/confirmations/").json()["results"] == []
    assert len(api(rows["staff"]).get("/api/v1/confirmations/").json()["results"]) == ROWS


def test_a_dispute_s_evidence_list_checks_access_once_not_per_item(branch, staff, customer):
    from tests.factories import upload_pdf

    dispute = make_dispute(customer, branch)
    upload_pdf(customer, dispute, "合同")
    client = api(staff)
    url = f"/api/v1/disputes/{dispute.reference}/evidence/"
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(url).json()) == 1
    for n in range(4):
        upload_pdf(customer, dispute, f"流水{n}")
    with CaptureQueriesContext(connection) as five:
        assert len(client.get(url).json()) == 5
    assert len(one) == len(five)
