"""Dispute services: eligibility, amendment, consent, idempotent intake, clocks, permissions."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.http import Http404
from django.utils import timezone

from mediation import services
from mediation.lifecycle import DisputeStatus
from mediation.models import Consent, Dispute
from portal.exceptions import ApplicationError
from portal.models import AuditEvent
from referrals.centres.services import referral_accept
from tests.factories import customer_discloses, make_dispute, opt_in_naming, refer

pytestmark = pytest.mark.django_db


def at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time().replace(hour=10)))


@pytest.mark.parametrize(
    ("amount", "eligible"),
    [("50000.00", True), ("50000.01", False), ("49999.99", True), ("0.01", True)],
)
def test_threshold_boundary(customer, branch, amount, eligible):
    assert make_dispute(customer, branch, amount).fast_lane_eligible is eligible


def test_threshold_is_a_setting(customer, branch, settings):
    settings.FAST_LANE_THRESHOLD = Decimal("20000.00")
    assert make_dispute(customer, branch, "20000.00").fast_lane_eligible
    assert not make_dispute(customer, branch, "20000.01").fast_lane_eligible


def test_reference_format_and_sequence(customer, branch):
    a = make_dispute(customer, branch, received_at=at(date(2026, 3, 2)))
    b = make_dispute(customer, branch, received_at=at(date(2026, 3, 3)))
    assert a.reference == "MD-2026-000001" and b.reference == "MD-2026-000002"
    c = make_dispute(customer, branch, received_at=at(date(2027, 1, 4)))
    assert c.reference == "MD-2027-000001"


def test_amending_the_amount_re_evaluates_the_lane_with_audit(customer, branch):
    d = make_dispute(customer, branch, "30000.00")
    services.dispute_amend(actor=customer, reference=d.reference, amount=Decimal("60000.00"))
    d.refresh_from_db()
    assert not d.fast_lane_eligible
    event = AuditEvent.objects.get(action="dispute.lane_reevaluated")
    assert event.data == {"eligible": False, "amount": "60000.00", "threshold": "50000.00"}
    services.dispute_amend(actor=customer, reference=d.reference, amount=Decimal("50000.00"))
    d.refresh_from_db()
    assert d.fast_lane_eligible
    assert AuditEvent.objects.filter(action="dispute.lane_reevaluated").count() == 2


def test_customer_cannot_amend_after_triage(customer, staff, branch):
    d = make_dispute(customer, branch)
    services.dispute_triage(
        actor=staff, reference=d.reference, cause_label="合同", urgency="normal"
    )
    with pytest.raises(services.ActionForbidden):
        services.dispute_amend(actor=customer, reference=d.reference, amount=Decimal("1.00"))


def test_opt_in_records_both_consents_with_context(customer, branch, centre):
    d = make_dispute(customer, branch)
    services.consent_opt_in(
        actor=customer,
        reference=d.reference,
        agree_mediation=True,
        agree_disclosure=True,
        ip_address="10.1.2.3",
        user_agent="Mozilla/5.0 test",
    )
    d.refresh_from_db()
    assert d.status == DisputeStatus.FAST_LANE
    mediation, disclosure = d.consents.order_by("pk")
    assert mediation.kind == "mediation" and disclosure.kind == "personal_info"
    # No centre is named at opt-in: that consent is a binding act of its own.
    assert disclosure.recipient is None
    assert (
        "id_number" in disclosure.data_categories and "account_number" in disclosure.data_categories
    )
    assert disclosure.ip_address == "10.1.2.3" and disclosure.user_agent == "Mozilla/5.0 test"
    assert disclosure.text_version and disclosure.granted_at


def test_opt_in_without_both_consents_records_nothing(customer, branch):
    d = make_dispute(customer, branch)
    with pytest.raises(ApplicationError):
        services.consent_opt_in(
            actor=customer, reference=d.reference, agree_mediation=True, agree_disclosure=False
        )
    assert not Consent.objects.exists()
    d.refresh_from_db()
    assert d.status == DisputeStatus.SUBMITTED


def test_opt_in_above_threshold_is_refused_and_rolled_back(customer, branch):
    d = make_dispute(customer, branch, "50000.01")
    with pytest.raises(ApplicationError) as info:
        services.consent_opt_in(
            actor=customer, reference=d.reference, agree_mediation=True, agree_disclosure=True
        )
    assert info.value.code == "not_eligible" and "50,000.00" in info.value.message
    assert not Consent.objects.exists()


def test_opt_in_possible_while_bank_handles(customer, staff, branch):
    d = make_dispute(customer, branch)
    services.dispute_triage(
        actor=staff, reference=d.reference, cause_label="合同", urgency="normal"
    )
    services.dispute_start_bank_handling(actor=staff, reference=d.reference)
    services.consent_opt_in(
        actor=customer, reference=d.reference, agree_mediation=True, agree_disclosure=True
    )
    d.refresh_from_db()
    assert d.status == DisputeStatus.FAST_LANE


def test_referral_needs_consent_naming_the_organisation(
    customer, staff, branch, centre, other_centre
):
    d = make_dispute(customer, branch)
    services.consent_opt_in(
        actor=customer, reference=d.reference, agree_mediation=True, agree_disclosure=True
    )  # no centre named yet
    with pytest.raises(ApplicationError) as info:
        services.dispute_refer(actor=staff, reference=d.reference, organisation_id=centre.pk)
    assert info.value.code == "no_disclosure_consent"
    customer_discloses(customer, d.reference, centre.pk)
    with pytest.raises(ApplicationError):
        services.dispute_refer(actor=staff, reference=d.reference, organisation_id=other_centre.pk)
    services.dispute_refer(actor=staff, reference=d.reference, organisation_id=centre.pk)
    d.refresh_from_db()
    assert d.status == DisputeStatus.REFERRED and d.current_organisation == centre


def test_withdrawn_consent_stops_disclosure(customer, staff, branch, centre):
    d = make_dispute(customer, branch)
    opt_in_naming(customer, d.reference, centre.pk)
    consent = d.consents.get(kind="personal_info", recipient__isnull=False)
    services.consent_withdraw(actor=customer, consent_id=consent.pk, reason="不想提供")
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert AuditEvent.objects.filter(action="consent.withdrawn.personal_info").exists()
    with pytest.raises(ApplicationError):
        services.dispute_refer(actor=staff, reference=d.reference, organisation_id=centre.pk)


def test_another_customer_cannot_withdraw_a_consent(customer, other_customer, branch):
    d = make_dispute(customer, branch)
    services.consent_opt_in(
        actor=customer, reference=d.reference, agree_mediation=True, agree_disclosure=True
    )
    with pytest.raises(Http404):
        services.consent_withdraw(actor=other_customer, consent_id=d.consents.first().pk)


def test_same_intake_token_creates_one_dispute(customer, branch):
    token = uuid.uuid4()
    a = make_dispute(customer, branch, intake_token=token)
    b = make_dispute(customer, branch, intake_token=token)
    assert a.pk == b.pk and Dispute.objects.count() == 1


def test_decision_clock_uses_the_statutory_calendar(customer, staff, branch):
    # Received 16 Sept 2026: 15 days -> 1 Oct (National Day) -> 8 Oct.
    d = make_dispute(customer, branch, received_at=at(date(2026, 9, 16)))
    assert d.decision_due == date(2026, 10, 8)
    services.dispute_triage(
        actor=staff, reference=d.reference, cause_label="合同", urgency="urgent", is_complex=True
    )
    d.refresh_from_db()
    # Complex: 30 days -> 16 Oct (Friday).
    assert d.decision_track == "complex" and d.decision_due == date(2026, 10, 16)


def test_sixty_day_extension_needs_recorded_approval(customer, staff, branch):
    d = make_dispute(customer, branch, received_at=at(date(2026, 3, 2)))
    with pytest.raises(ApplicationError):
        services.dispute_extend_decision(
            actor=staff, reference=d.reference, track="extended", reason=" "
        )
    services.dispute_extend_decision(
        actor=staff, reference=d.reference, track="extended", reason="分管行长批准"
    )
    d.refresh_from_db()
    assert d.decision_due == date(2026, 5, 6)  # 1 May + Labour Day rest days -> 6 May


def test_1357_targets_and_next_deadline(customer, staff, branch):
    received = date(2026, 3, 2)
    d = make_dispute(customer, branch, received_at=at(received))
    keys = {c.key: c.due for c in d.clocks}
    assert keys["labels"] == date(2026, 3, 3) and keys["plan"] == date(2026, 3, 5)
    assert keys["return_visit"] == date(2026, 3, 9) and "consultation" not in keys
    assert d.next_deadline == date(2026, 3, 3)
    services.dispute_triage(
        actor=staff, reference=d.reference, cause_label="合同", urgency="normal", is_complex=True
    )
    d.refresh_from_db()
    assert "consultation" in {c.key for c in d.clocks}
    assert d.next_deadline == date(2026, 3, 5)  # labels done: the plan is next


def test_overdue_and_due_soon_querysets(customer, branch):
    old = make_dispute(customer, branch, received_at=at(date(2026, 3, 2)))
    new = make_dispute(customer, branch, received_at=at(date(2026, 3, 20)))
    today = date(2026, 3, 20)
    assert list(Dispute.objects.overdue(today=today)) == [old]
    assert list(Dispute.objects.due_soon(today=today)) == [new]


def test_mediation_clock_counts_thirty_days_from_acceptance(
    customer, staff, mediator, branch, centre
):
    d = make_dispute(customer, branch)
    referral = refer(d, customer, staff, centre)
    # Accepted 17 Jan 2026: 30 days -> 16 Feb (Spring Festival) -> 24 Feb.
    referral_accept(
        actor=mediator,
        referral_id=referral.pk,
        mediator_id=mediator.pk,
        accepted_on=date(2026, 1, 17),
    )
    d.refresh_from_db()
    assert d.mediation_due == date(2026, 2, 24)


def test_customer_may_not_triage_and_other_branch_gets_404(customer, other_staff, branch):
    d = make_dispute(customer, branch)
    with pytest.raises(services.ActionForbidden):
        services.dispute_triage(
            actor=customer, reference=d.reference, cause_label="x", urgency="normal"
        )
    with pytest.raises(Http404):
        services.dispute_triage(
            actor=other_staff, reference=d.reference, cause_label="x", urgency="normal"
        )


def test_mediator_of_another_centre_cannot_act(customer, staff, other_mediator, branch, centre):
    d = make_dispute(customer, branch)
    refer(d, customer, staff, centre)
    with pytest.raises(Http404):
        services.dispute_start_mediation(
            actor=other_mediator, reference=d.reference, accepted_on=date(2026, 3, 2)
        )


def test_head_office_staff_act_on_any_branch(customer, hq_staff, other_branch):
    d = make_dispute(customer, other_branch)
    services.dispute_triage(
        actor=hq_staff, reference=d.reference, cause_label="合同", urgency="normal"
    )


def test_closing_needs_a_reason_and_records_it(customer, staff, branch):
    d = make_dispute(customer, branch)
    services.dispute_triage(
        actor=staff, reference=d.reference, cause_label="合同", urgency="normal"
    )
    services.dispute_start_bank_handling(actor=staff, reference=d.reference)
    with pytest.raises(ApplicationError):
        services.dispute_close(actor=staff, reference=d.reference, reason="")
    with pytest.raises(ApplicationError):
        services.dispute_close(actor=staff, reference=d.reference, reason="other", note="")
    services.dispute_close(actor=staff, reference=d.reference, reason="bank_decision_accepted")
    d.refresh_from_db()
    assert d.status == "closed" and d.closed_at and d.next_deadline is None


def test_auditor_cannot_write_to_a_closed_dispute(customer, staff, auditor, branch):
    d = make_dispute(customer, branch)
    services.dispute_triage(
        actor=staff, reference=d.reference, cause_label="合同", urgency="normal"
    )
    services.dispute_start_bank_handling(actor=staff, reference=d.reference)
    services.dispute_close(actor=staff, reference=d.reference, reason="bank_decision_accepted")
    with pytest.raises((services.ActionForbidden, ApplicationError)):
        services.dispute_amend(actor=auditor, reference=d.reference, facts="改")
    with pytest.raises(ApplicationError):
        services.dispute_withdraw(actor=auditor, reference=d.reference, reason="x")


def test_bank_targets_stop_once_the_customer_chooses_mediation(customer, branch):
    d = make_dispute(customer, branch, received_at=at(date(2026, 3, 2)))
    services.consent_opt_in(
        actor=customer, reference=d.reference, agree_mediation=True, agree_disclosure=True
    )
    d.refresh_from_db()
    assert d.clocks == [] and d.next_deadline is None


def test_a_customer_may_have_only_so_many_open_disputes(customer, branch, settings):
    from portal.exceptions import ApplicationError

    settings.CUSTOMER_MAX_OPEN_DISPUTES = 2
    first = make_dispute(customer, branch)
    make_dispute(customer, branch)
    with pytest.raises(ApplicationError) as info:
        make_dispute(customer, branch)
    assert info.value.code == "too_many_open_disputes"
    services.dispute_withdraw(actor=customer, reference=first.reference, reason="已解决")
    assert make_dispute(customer, branch).customer == customer  # a closed case frees a place
