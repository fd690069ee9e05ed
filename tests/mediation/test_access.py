"""mediation/access.py, each predicate on its own: who sees a dispute and its evidence, and
that every list query answers the same as the one-object predicate."""

from __future__ import annotations

import pytest

from mediation import access
from mediation.models import Dispute
from mediation.services import consent_withdraw
from portal.access import fsm_permission
from tests.factories import (
    UserFactory,
    make_dispute,
    make_referral,
    refer,
    upload_pdf,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(customer, staff, branch, centre):
    dispute = make_dispute(customer, branch)
    refer(dispute, customer, staff, centre)
    return Dispute.objects.get(pk=dispute.pk)


@pytest.fixture
def people(
    customer, other_customer, staff, other_staff, hq_staff, mediator, other_mediator, auditor
):
    admin = UserFactory.create(role="admin", is_superuser=True)
    return {
        "customer": customer,
        "other_customer": other_customer,
        "staff": staff,
        "other_staff": other_staff,
        "hq_staff": hq_staff,
        "mediator": mediator,
        "other_mediator": other_mediator,
        "auditor": auditor,
        "admin": admin,
    }


EXPECTED_VIEW = {
    "customer": True,
    "other_customer": False,
    "staff": True,
    "other_staff": False,
    "hq_staff": True,
    "mediator": True,  # the referral was sent to the centre
    "other_mediator": False,
    "auditor": False,  # open case
    "admin": False,  # administrators work through the admin
}


def test_can_view_dispute_per_role_and_the_list_query_agrees(case, people):
    for name, user in people.items():
        assert access.can_view_dispute(user, case) is EXPECTED_VIEW[name], name
        listed = access.disputes_visible_to(user).filter(pk=case.pk).exists()
        assert listed is EXPECTED_VIEW[name], name


def test_a_draft_referral_shows_the_case_to_no_partner(customer, staff, branch, centre, mediator):
    dispute = make_dispute(customer, branch)
    make_referral(dispute, centre, staff, status="draft")
    assert not access.partner_has_case(mediator, dispute)
    assert not access.disputes_visible_to(mediator).filter(pk=dispute.pk).exists()


def test_auditors_see_closed_cases_only(case, auditor):
    assert not access.can_view_dispute(auditor, case)
    Dispute.objects.filter(pk=case.pk).update(status="closed")
    case.refresh_from_db()
    assert access.can_view_dispute(auditor, case)


def test_partner_may_receive_data_only_while_the_consent_naming_it_is_in_force(
    case, customer, mediator
):
    assert access.partner_may_receive_data(mediator, case)
    consent = case.consents.get(kind="personal_info", recipient__isnull=False)
    consent_withdraw(actor=customer, consent_id=consent.pk)
    assert not access.partner_may_receive_data(mediator, case)
    # Not a partner: the rule does not apply to the parties themselves.
    assert access.partner_may_receive_data(customer, case)


def test_evidence_follows_the_case_and_the_consent(case, customer, mediator, other_mediator):
    item = upload_pdf(customer, case, "合同")
    assert access.can_view_evidence(customer, item)
    assert access.can_view_evidence(mediator, item)
    assert not access.can_view_evidence(other_mediator, item)
    assert access.evidence_visible_to(mediator, case) == [item]
    named = case.consents.get(kind="personal_info", recipient__isnull=False)
    consent_withdraw(actor=customer, consent_id=named.pk)
    assert not access.can_view_evidence(mediator, item)
    assert access.evidence_visible_to(mediator, case) == []


def test_amending_customer_before_triage_staff_while_open(customer, staff, other_staff, branch):
    dispute = make_dispute(customer, branch)
    assert access.can_amend_dispute(customer, dispute)
    assert access.can_amend_dispute(staff, dispute)
    assert not access.can_amend_dispute(other_staff, dispute)
    triaged = Dispute(customer=customer, branch=branch, status="triaged")
    assert not access.can_amend_dispute(customer, triaged)
    assert access.can_amend_dispute(staff, triaged)
    closed = Dispute(customer=customer, branch=branch, status="closed")
    assert not access.can_amend_dispute(staff, closed)


def test_dispute_get_for_answers_404_for_anyone_else(case, other_customer):
    from django.http import Http404

    with pytest.raises(Http404):
        access.dispute_get_for(other_customer, case.reference)


def test_fsm_permission_calls_the_predicate_user_first(case, customer, staff):
    permission = fsm_permission(access.can_handle_dispute)
    assert permission(case, staff) is True
    assert permission(case, customer) is False
    assert permission.__name__ == "can_handle_dispute"
