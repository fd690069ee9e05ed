"""The access modules of referrals, each predicate on its own (they were tested only through
pages before)."""

from __future__ import annotations

import pytest

from mediation.models import Dispute
from mediation.services import consent_withdraw
from portal.models import OrganisationKind
from referrals.arbitration import access as arbitration_access
from referrals.bundles import access as bundle_access
from referrals.centres import access as referral_access
from referrals.confirmation import access as confirmation_access
from referrals.models import ArbitrationCase, Bundle, JudicialConfirmation, Referral
from tests.factories import OrganisationFactory, PartnerFactory, make_dispute, make_referral, refer

pytestmark = pytest.mark.django_db


@pytest.fixture
def referral(customer, staff, branch, centre):
    return refer(make_dispute(customer, branch), customer, staff, centre)


def test_can_view_referral(
    referral, customer, other_customer, staff, other_staff, mediator, other_mediator
):
    assert referral_access.can_view_referral(mediator, referral)
    assert not referral_access.can_view_referral(other_mediator, referral)
    assert referral_access.can_view_referral(customer, referral)
    assert referral_access.can_view_referral(staff, referral)
    assert not referral_access.can_view_referral(other_customer, referral)
    assert not referral_access.can_view_referral(other_staff, referral)
    draft = Referral(dispute=referral.dispute, organisation=referral.organisation, status="draft")
    assert not referral_access.can_view_referral(mediator, draft), "a draft is the bank's"
    assert referral_access.can_view_referral(staff, draft)


def test_referrals_visible_to_matches_can_view_referral(
    referral, customer, staff, branch, centre, mediator, other_mediator
):
    draft = make_referral(make_dispute(customer, branch), centre, staff, status="draft")
    for user in (customer, staff, mediator, other_mediator):
        listed = set(referral_access.referrals_visible_to(user).values_list("pk", flat=True))
        expected = {r.pk for r in (referral, draft) if referral_access.can_view_referral(user, r)}
        assert listed == expected, user


def test_session_notes_are_the_centres_own(referral, customer, staff, mediator):
    assert referral_access.can_read_session_notes(mediator, referral)
    assert not referral_access.can_read_session_notes(staff, referral)
    assert not referral_access.can_read_session_notes(customer, referral)


def test_can_view_bundle(
    referral, customer, staff, mediator, other_mediator, other_centre, auditor
):
    dispute = referral.dispute
    for_centre = Bundle.objects.create(
        dispute=dispute,
        version=1,
        recipient_kind=OrganisationKind.MEDIATION_CENTRE,
        organisation=referral.organisation,
        requested_by=staff,
    )
    for_other = Bundle.objects.create(
        dispute=dispute,
        version=2,
        recipient_kind=OrganisationKind.MEDIATION_CENTRE,
        organisation=other_centre,
        requested_by=staff,
    )
    assert bundle_access.can_view_bundle(customer, for_other) and bundle_access.can_view_bundle(
        staff, for_other
    )
    assert bundle_access.can_view_bundle(mediator, for_centre)
    assert not bundle_access.can_view_bundle(mediator, for_other)
    assert not bundle_access.can_view_bundle(auditor, for_centre), "open case"
    assert bundle_access.bundles_on_dispute_visible_to(mediator, dispute) == [for_centre]
    consent_withdraw(
        actor=customer,
        consent_id=dispute.consents.get(kind="personal_info", recipient__isnull=False).pk,
    )
    assert not bundle_access.can_view_bundle(mediator, for_centre), "consent withdrawn"
    Dispute.objects.filter(pk=dispute.pk).update(status="closed")
    for_centre.dispute.refresh_from_db()
    assert bundle_access.can_view_bundle(auditor, for_centre)


def test_can_view_confirmation_the_court_only_once_filed(customer, staff, other_staff, branch):
    court = OrganisationFactory.create(name="法院", kind=OrganisationKind.COURT)
    other_court = OrganisationFactory.create(name="另一法院", kind=OrganisationKind.COURT)
    clerk = PartnerFactory.create(organisation=court, partner_role="court_clerk")
    other_clerk = PartnerFactory.create(organisation=other_court, partner_role="court_clerk")
    c = JudicialConfirmation(
        dispute=make_dispute(customer, branch), court=court, status="preparing"
    )
    assert not confirmation_access.can_view_confirmation(clerk, c)
    assert confirmation_access.can_view_confirmation(customer, c)
    assert confirmation_access.can_view_confirmation(staff, c)
    assert not confirmation_access.can_view_confirmation(other_staff, c)
    c = JudicialConfirmation(dispute=c.dispute, court=court, status="filed")
    assert confirmation_access.can_view_confirmation(clerk, c)
    assert not confirmation_access.can_view_confirmation(other_clerk, c)
    assert confirmation_access.can_act_for_court(clerk, c)
    assert confirmation_access.can_act_for_court(staff, c), "the bank records a paper file"
    assert not confirmation_access.can_act_for_court(other_clerk, c)


def test_consent_pending_from_each_party(customer, staff, branch):
    court = OrganisationFactory.create(name="法院", kind=OrganisationKind.COURT)
    c = JudicialConfirmation(
        dispute=make_dispute(customer, branch), court=court, status="preparing"
    )
    assert confirmation_access.consent_pending_from(customer, c)
    assert confirmation_access.consent_pending_from(staff, c)
    from django.utils import timezone

    c.customer_consent_at = timezone.now()
    assert not confirmation_access.consent_pending_from(customer, c)
    assert confirmation_access.consent_pending_from(staff, c)
    filed = JudicialConfirmation(dispute=c.dispute, court=court, status="filed")
    assert not confirmation_access.consent_pending_from(staff, filed)


def test_can_view_arbitration_the_commission_only(customer, staff, branch):
    commission = OrganisationFactory.create(
        name="仲裁委", kind=OrganisationKind.ARBITRATION_COMMISSION
    )
    other = OrganisationFactory.create(
        name="另一仲裁委", kind=OrganisationKind.ARBITRATION_COMMISSION
    )
    arbitrator = PartnerFactory.create(organisation=commission, partner_role="arbitrator")
    outsider = PartnerFactory.create(organisation=other, partner_role="arbitrator")
    case = ArbitrationCase(dispute=make_dispute(customer, branch), commission=commission)
    assert arbitration_access.can_view_arbitration(arbitrator, case)
    assert not arbitration_access.can_view_arbitration(outsider, case)
    assert arbitration_access.can_view_arbitration(staff, case)
    assert arbitration_access.can_act_for_commission(arbitrator, case)
    assert not arbitration_access.can_act_for_commission(outsider, case)
