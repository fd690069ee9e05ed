"""Issue 17, 10: "each role's home lists what waits for that person, oldest deadline first" (the
clerk's home did not show what waits for the court; the customer's home did not mention a
proposal waiting for their answer)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mediation.models import Dispute
from portal.models import OrganisationKind
from portal.waiting import waiting_for
from referrals.centres import agreements as agreement_services
from referrals.centres import services as referral_services
from referrals.confirmation import services as confirmation_services
from referrals.models import LookbackReview
from tests.conftest import client_for
from tests.factories import (
    OrganisationFactory,
    PartnerFactory,
    UserFactory,
    customer_joins,
    make_dispute,
    make_referral,
    refer,
)

pytestmark = pytest.mark.django_db


def make_proposal(customer, staff, mediator, branch, centre, amount: str) -> Dispute:
    """A case in mediation with the mediator's proposal waiting for the parties' answers."""
    dispute = make_dispute(customer, branch, "32000.00")
    referral = refer(dispute, customer, staff, centre)
    referral_services.referral_accept(
        actor=mediator, referral_id=referral.pk, mediator_id=mediator.pk
    )
    agreement_services.proposal_make(
        actor=mediator,
        referral_id=referral.pk,
        amount=Decimal(amount),
        terms="银行补偿客户。",
        performance_due=timezone.localdate() + timedelta(days=10),
    )
    return dispute


def home(user) -> str:
    answer = client_for(user).get("/")
    assert answer.status_code == 200
    return answer.content.decode()


def test_staff_see_their_cases_oldest_deadline_first(customer, staff, other_staff, branch):
    today = timezone.localdate()
    late, soon = make_dispute(customer, branch), make_dispute(customer, branch)
    Dispute.objects.filter(pk=late.pk).update(next_deadline=today - timedelta(days=2))
    Dispute.objects.filter(pk=soon.pk).update(next_deadline=today + timedelta(days=4))
    items = waiting_for(staff, today)
    refs = [w.case_ref for w in items]
    assert refs.index(late.reference) < refs.index(soon.reference)
    assert items[refs.index(late.reference)].overdue_on(today)
    page = home(staff)
    assert late.reference in page and "已于" in page  # shown as overdue
    assert late.reference not in home(other_staff)  # another branch's case


def test_a_customer_sees_the_proposal_waiting_for_their_answer(
    customer, other_customer, staff, mediator, branch, centre
):
    dispute = make_proposal(customer, staff, mediator, branch, centre, "8000.00")
    page = home(customer)
    assert "答复调解员的调解方案：银行支付 8,000.00 元" in page and "具有约束力" in page
    assert dispute.reference not in home(other_customer)
    # The bank is bound by a proposal below its pre-commitment: nothing for staff to answer.
    assert "答复调解员的调解方案（" not in home(staff)


def test_a_centre_member_sees_referrals_to_acknowledge_and_no_other_centres(
    customer, staff, mediator, other_mediator, branch, centre
):
    dispute = make_dispute(customer, branch)
    due = timezone.localdate() + timedelta(days=3)
    make_referral(dispute, centre, staff, assignment_due=due)
    page = home(mediator)
    assert "签收转交并指定调解员" in page and dispute.reference in page
    assert due.isoformat() in page
    assert dispute.reference not in home(other_mediator)


def test_the_clerk_sees_what_waits_for_the_court(
    agreed, customer, staff, court, django_capture_on_commit_callbacks
):
    from tests.referrals.test_confirmation import _ready_to_file

    clerk = PartnerFactory.create(organisation=court, partner_role="court_clerk")
    other_court = OrganisationFactory.create(name="别的法院", kind=OrganisationKind.COURT)
    other_clerk = PartnerFactory.create(organisation=other_court, partner_role="court_clerk")
    c = _ready_to_file(agreed, customer, staff, court, django_capture_on_commit_callbacks)
    assert agreed.reference not in home(clerk)  # still with the parties
    confirmation_services.confirmation_file(actor=staff, confirmation_id=c.pk)
    page = home(clerk)
    assert "决定是否受理申请" in page and agreed.reference in page
    assert agreed.reference not in home(other_clerk)


def test_the_auditor_sees_reviews_falling_due(auditor, customer, branch):
    dispute = make_dispute(customer, branch)
    today = timezone.localdate()
    LookbackReview.objects.create(
        dispute=dispute, closed_on=today - timedelta(days=180), due_on=today, status="queued"
    )
    later = make_dispute(customer, branch)
    LookbackReview.objects.create(
        dispute=later, closed_on=today, due_on=today + timedelta(days=180), status="scheduled"
    )
    page = home(auditor)
    assert dispute.reference in page and later.reference not in page
    # Taken by another auditor, it waits on them alone.
    other = UserFactory.create(role="auditor")
    LookbackReview.objects.filter(dispute=dispute).update(status="in_review", auditor=other)
    assert dispute.reference not in home(auditor) and dispute.reference in home(other)


def test_the_customer_home_costs_the_same_queries_with_more_waiting(
    customer, staff, mediator, branch, centre
):
    def add():
        make_proposal(customer, staff, mediator, branch, centre, "1000.00")

    add()
    client = client_for(customer)
    with CaptureQueriesContext(connection) as few:
        client.get("/")
    add()
    add()
    with CaptureQueriesContext(connection) as many:
        page = client.get("/").content.decode()
    assert page.count("答复调解员的调解方案") == 3
    assert len(many) == len(few)


def test_joining_clears_the_customers_item(
    agreed, customer, staff, court, django_capture_on_commit_callbacks
):
    c = confirmation_services.confirmation_start(
        actor=staff, reference=agreed.reference, court_id=court.pk
    )
    assert "共同申请司法确认" in home(customer)
    customer_joins(customer, c.pk)
    assert "共同申请司法确认" not in home(customer)
