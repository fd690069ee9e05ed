"""The lifecycle module's docstring table and its declared transitions stay in step, and every
transition is refused from every state it must refuse, changing nothing."""

from __future__ import annotations

import pytest

import mediation.lifecycle as lifecycle
from mediation import services
from mediation.lifecycle import DisputeStatus
from mediation.models import Dispute
from portal.exceptions import TransitionRefused
from portal.models import AuditEvent
from tests.factories import make_dispute, make_referral
from tests.lifecycle_tables import allowed, declared_transitions, docstring_table, refusals


def _declared() -> dict[str, tuple[set[str], str]]:
    return declared_transitions(Dispute)


def test_docstring_table_matches_declared_transitions():
    assert docstring_table(lifecycle) == _declared()


def test_states_are_listed_in_order():
    assert next(iter(DisputeStatus)) == DisputeStatus.SUBMITTED
    assert list(DisputeStatus)[-2:] == [DisputeStatus.CLOSED, DisputeStatus.WITHDRAWN]


@pytest.fixture
def actors(customer, staff, mediator):
    return {"customer": customer, "staff": staff, "mediator": mediator}


def _asked_and_agreed(dispute, customer, staff):
    """Above the threshold the customer asks for mediation; the bank agrees."""
    Dispute.objects.filter(pk=dispute.pk).update(amount="60000.00", fast_lane_eligible=False)
    services.mediation_request(actor=customer, reference=dispute.reference, agree_mediation=True)
    return services.mediation_request_decide(actor=staff, reference=dispute.reference, agree=True)


def _above_and_leaving(dispute, staff):
    Dispute.objects.filter(pk=dispute.pk).update(amount="60000.00", fast_lane_eligible=False)
    return services.dispute_leave_fast_lane(actor=staff, reference=dispute.reference)


def _call(name, dispute, actors, centre):
    ref = dispute.reference
    staff, customer, mediator = actors["staff"], actors["customer"], actors["mediator"]
    calls = {
        "triage": lambda: services.dispute_triage(
            actor=staff, reference=ref, cause_label="合同纠纷", urgency="normal"
        ),
        "start_bank_handling": lambda: services.dispute_start_bank_handling(
            actor=staff, reference=ref
        ),
        "opt_in": lambda: services.consent_opt_in(
            actor=customer, reference=ref, agree_mediation=True, agree_disclosure=True
        ),
        "agree_to_mediation": lambda: _asked_and_agreed(dispute, customer, staff),
        "leave_fast_lane": lambda: _above_and_leaving(dispute, staff),
        "refer": lambda: services.dispute_refer(
            actor=staff, reference=ref, organisation_id=centre.pk
        ),
        "return_to_lane": lambda: services.dispute_return_to_lane(
            actor=staff, reference=ref, reason="中心婉拒"
        ),
        "start_mediation": lambda: services.dispute_start_mediation(
            actor=mediator, reference=ref, accepted_on=dispute.received_on
        ),
        "reach_agreement": lambda: services.dispute_reach_agreement(actor=mediator, reference=ref),
        "fail_mediation": lambda: services.dispute_fail_mediation(
            actor=mediator, reference=ref, reason="分歧"
        ),
        "mediate_again": lambda: services.dispute_mediate_again(actor=staff, reference=ref),
        "resume_handling": lambda: services.dispute_resume_handling(actor=staff, reference=ref),
        "start_arbitration": lambda: services.dispute_start_arbitration(actor=staff, reference=ref),
        "start_litigation": lambda: services.dispute_start_litigation(actor=staff, reference=ref),
        "close": lambda: services.dispute_close(
            actor=staff, reference=ref, reason="bank_decision_accepted"
        ),
        "settle": lambda: services.dispute_settle(actor=customer, reference=ref, note="x"),
        "withdraw": lambda: services.dispute_withdraw(actor=customer, reference=ref, reason="x"),
    }
    return calls[name]()


REFUSALS = refusals(Dispute, DisputeStatus.values)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "state"), REFUSALS)
def test_transition_refused_from_state(name, state, customer, branch, actors, centre):
    dispute = make_dispute(customer, branch)
    make_referral(dispute, centre, actors["staff"])
    Dispute.objects.filter(pk=dispute.pk).update(status=state, current_organisation=centre)
    dispute.refresh_from_db()
    events = AuditEvent.objects.count()
    with pytest.raises(TransitionRefused):
        _call(name, dispute, actors, centre)
    dispute.refresh_from_db()
    assert dispute.status == state
    assert AuditEvent.objects.count() == events


ALLOWED = allowed(Dispute)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "state"), ALLOWED)
def test_transition_allowed_from_state(name, state, customer, branch, actors, centre):
    dispute = make_dispute(customer, branch)
    make_referral(dispute, centre, actors["staff"])
    from mediation.models import Consent

    Consent.objects.create(
        dispute=dispute,
        kind="mediation",
        purpose="p",
        text="t",
        text_version="v",
        granted_at=dispute.received_at,
    )
    Consent.objects.create(
        dispute=dispute,
        kind="personal_info",
        recipient=centre,
        purpose="p",
        text="t",
        text_version="v",
        granted_at=dispute.received_at,
    )
    Dispute.objects.filter(pk=dispute.pk).update(
        status=state, current_organisation=centre, cause_label="合同纠纷", urgency="normal"
    )
    dispute.refresh_from_db()
    _call(name, dispute, actors, centre)
    dispute.refresh_from_db()
    assert dispute.status == _declared()[name][1]
    event = AuditEvent.objects.filter(action=f"dispute.{name}").latest("seq")
    assert (event.from_state, event.to_state) == (state, dispute.status)
