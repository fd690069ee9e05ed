"""Referral and arbitration lifecycles: docstring tables match the code, and every transition
is allowed from its sources and refused from every other state, changing nothing."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.http import Http404
from django.utils import timezone

import referrals.arbitration.lifecycle as arbitration_lifecycle
import referrals.centres.lifecycle as referral_lifecycle
from mediation.lifecycle import DisputeStatus
from mediation.models import Consent, Dispute
from portal.exceptions import TransitionRefused
from portal.models import AuditEvent, OrganisationKind
from referrals.arbitration import services as arbitration_services
from referrals.arbitration.lifecycle import ArbitrationStatus
from referrals.centres import agreements as agreement_services
from referrals.centres import services as referral_services
from referrals.centres.lifecycle import ReferralStatus
from referrals.models import ArbitrationCase, MediatorProposal, Referral
from tests.factories import (
    OrganisationFactory,
    PartnerFactory,
    customer_accepts,
    make_dispute,
    make_referral,
    upload_pdf,
)
from tests.factories.files import pdf_bytes
from tests.lifecycle_tables import allowed, declared_transitions, docstring_table, refusals

# The dispute state that goes with each referral state.
DISPUTE_STATE = {
    "draft": DisputeStatus.FAST_LANE,
    "sent": DisputeStatus.REFERRED,
    "acknowledged": DisputeStatus.REFERRED,
    "accepted": DisputeStatus.IN_MEDIATION,
    "declined": DisputeStatus.FAST_LANE,
    "agreement": DisputeStatus.AGREEMENT_REACHED,
    "proposal_accepted": DisputeStatus.AGREEMENT_REACHED,
    "failed": DisputeStatus.MEDIATION_FAILED,
    "withdrawn": DisputeStatus.FAST_LANE,
}


def test_referral_table_matches_code():
    assert docstring_table(referral_lifecycle) == declared_transitions(Referral)


def test_arbitration_table_matches_code():
    assert docstring_table(arbitration_lifecycle) == declared_transitions(ArbitrationCase)


@pytest.fixture
def setup(customer, staff, mediator, branch, centre):
    dispute = make_dispute(customer, branch, "9000.00")
    for kind in ("mediation", "personal_info"):
        Consent.objects.create(
            dispute=dispute,
            kind=kind,
            recipient=centre,
            purpose="p",
            text="t",
            text_version="v",
            granted_at=timezone.now(),
        )
    return dispute


def _referral_in(state, dispute, centre, staff, mediator):
    Dispute.objects.filter(pk=dispute.pk).update(
        status=DISPUTE_STATE[state],
        current_organisation=centre,
        mediation_started_on=date(2026, 3, 2),
        mediation_due=date(2026, 4, 1),
    )
    extra = {"mediator": mediator} if state not in ("draft", "sent", "acknowledged") else {}
    return make_referral(dispute, centre, staff, status=state, reason="x", **extra)


def _run(name, referral, customer, staff, mediator):
    pk = referral.pk
    return {
        "send": lambda: referral_services.referral_send(actor=staff, referral_id=pk),
        "acknowledge": lambda: referral_services.referral_acknowledge(
            actor=mediator, referral_id=pk
        ),
        "accept": lambda: referral_services.referral_accept(
            actor=mediator, referral_id=pk, mediator_id=mediator.pk
        ),
        "decline": lambda: referral_services.referral_decline(
            actor=mediator, referral_id=pk, reason="满额"
        ),
        "record_agreement": lambda: agreement_services.agreement_record(
            actor=mediator,
            referral_id=pk,
            upload=io.BytesIO(pdf_bytes()),
            file_name="a.pdf",
            size=None,
            amount=Decimal("100"),
            terms="t",
            performance_due=timezone.localdate(),
            effective_on=timezone.localdate(),
        ),
        "accept_proposal": lambda: customer_accepts(
            customer,
            MediatorProposal.objects.create(
                referral=referral,
                amount=Decimal("10"),
                terms="t",
                performance_due=timezone.localdate() + timedelta(days=5),
                binding_on_bank=True,
                threshold=Decimal("10000"),
                proposed_by=mediator,
            ).pk,
        ),
        "fail": lambda: referral_services.referral_fail(
            actor=mediator, referral_id=pk, reason="分歧"
        ),
        "withdraw": lambda: referral_services.referral_withdraw(
            actor=staff, referral_id=pk, reason="撤回"
        ),
    }[name]()


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "state"), refusals(Referral, ReferralStatus.values))
def test_referral_transition_refused(name, state, setup, customer, staff, mediator, centre):
    referral = _referral_in(state, setup, centre, staff, mediator)
    # Nothing is recorded but, for a partner's act on a draft, the refusal itself.
    acts = AuditEvent.objects.exclude(action="access.refused")
    events = acts.count()
    dispute_state = Dispute.objects.get(pk=setup.pk).status
    # A draft has not been sent: to the centre it does not exist yet (404, not 409).
    partner_acts = name in ("acknowledge", "accept", "decline", "record_agreement", "fail")
    expected = Http404 if state == "draft" and partner_acts else TransitionRefused
    with pytest.raises(expected):
        _run(name, referral, customer, staff, mediator)
    referral.refresh_from_db()
    assert referral.status == state
    assert Dispute.objects.get(pk=setup.pk).status == dispute_state
    assert AuditEvent.objects.filter(action__startswith="referral.").count() == 0
    assert acts.count() == events


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "state"), allowed(Referral))
def test_referral_transition_allowed(name, state, setup, customer, staff, mediator, centre):
    referral = _referral_in(state, setup, centre, staff, mediator)
    _run(name, referral, customer, staff, mediator)
    referral.refresh_from_db()
    target = declared_transitions(Referral)[name][1]
    assert referral.status == target
    assert Dispute.objects.get(pk=setup.pk).status == DISPUTE_STATE[target] or (
        name == "withdraw"
        and state == "accepted"
        and Dispute.objects.get(pk=setup.pk).status == DisputeStatus.MEDIATION_FAILED
    )
    event = AuditEvent.objects.filter(action=f"referral.{name}").latest("seq")
    assert (event.from_state, event.to_state) == (state, target)


# ---- arbitration -----------------------------------------------------------------------------


@pytest.fixture
def commission(db):
    return OrganisationFactory.create(
        name="上海仲裁委员会", kind=OrganisationKind.ARBITRATION_COMMISSION
    )


@pytest.fixture
def arbitrator(commission):
    return PartnerFactory.create(organisation=commission, partner_role="arbitrator")


def _case_in(state, dispute, commission, staff):
    doc = upload_pdf(staff, dispute, "仲裁协议", name="仲裁协议.pdf")
    Dispute.objects.filter(pk=dispute.pk).update(
        status=DisputeStatus.IN_ARBITRATION
        if state != "agreement_signed"
        else DisputeStatus.MEDIATION_FAILED
    )
    return ArbitrationCase.objects.create(
        dispute=dispute,
        commission=commission,
        agreement_signed_on=date(2026, 3, 2),
        agreement_document=doc,
        created_by=staff,
        status=state,
        filed_on=date(2026, 3, 3),
        accepted_on=date(2026, 3, 5),
    )


def _arbitrate(name, case, staff, arbitrator):
    today = timezone.localdate()
    return {
        "file": lambda: arbitration_services.arbitration_file(
            actor=staff, case_id=case.pk, filed_on=today
        ),
        "accept": lambda: arbitration_services.arbitration_accept(
            actor=arbitrator, case_id=case.pk, accepted_on=today, case_number="（2026）沪仲1号"
        ),
        "partial_award": lambda: arbitration_services.arbitration_decide(
            actor=arbitrator, case_id=case.pk, kind="partial", made_on=today, summary="先行"
        ),
        "make_award": lambda: arbitration_services.arbitration_decide(
            actor=arbitrator, case_id=case.pk, kind="final", made_on=today, summary="裁决"
        ),
        "mediation_document": lambda: arbitration_services.arbitration_decide(
            actor=arbitrator,
            case_id=case.pk,
            kind="mediation_document",
            made_on=today,
            summary="调解书",
        ),
        "withdraw": lambda: arbitration_services.arbitration_withdraw(
            actor=staff, case_id=case.pk, reason="撤回"
        ),
    }[name]()


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "state"), refusals(ArbitrationCase, ArbitrationStatus.values))
def test_arbitration_transition_refused(
    name, state, customer, staff, branch, commission, arbitrator
):
    dispute = make_dispute(customer, branch, category="wealth")
    case = _case_in(state, dispute, commission, staff)
    with pytest.raises(TransitionRefused):
        _arbitrate(name, case, staff, arbitrator)
    case.refresh_from_db()
    assert case.status == state and not case.decisions.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "state"), allowed(ArbitrationCase))
def test_arbitration_transition_allowed(
    name, state, customer, staff, branch, commission, arbitrator
):
    dispute = make_dispute(customer, branch, category="wealth")
    case = _case_in(state, dispute, commission, staff)
    _arbitrate(name, case, staff, arbitrator)
    case.refresh_from_db()
    assert case.status == declared_transitions(ArbitrationCase)[name][1]
