"""Triage, the bank's handling and decision, and every lifecycle transition of a dispute
(filing and amending are in intake.py).

Each transition service: lock the row, check permission, call the transition, save, write the
audit event, queue side effects with transaction.on_commit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mediation import access as dispute_access
from mediation import hooks
from mediation.lifecycle import ClosureReason, DisputeStatus
from mediation.models import (
    DECISION_PERIODS,
    DecisionTrack,
    Dispute,
    RiskRating,
)
from mediation.services.intake import fast_lane_threshold
from portal.audit import audit_record
from portal.exceptions import ApplicationError, TransitionRefused
from portal.models import User
from portal.notifications import notify_after_commit
from portal.periods import MEDIATION_PERIOD, REVIEW_REQUEST_WINDOW
from portal.transitions import ActionForbidden, run_transition


def _refresh_clocks(dispute: Dispute) -> None:
    dispute.set_deadlines()


def _lock(actor: User, reference: str) -> Dispute:
    return dispute_access.dispute_get_for(actor, reference, for_update=True)


def _run_transition(
    *,
    actor: User,
    reference: str,
    name: str,
    reason: str = "",
    before: Callable[[Dispute], None] | None = None,
    data: dict[str, Any] | None = None,
) -> Dispute:
    """Lock, check permission, transition, save, audit (portal/transitions.py); the clocks
    depend on the new state, so they are recomputed between the transition and the save."""
    with transaction.atomic():
        dispute = _lock(actor, reference)
        run_transition(
            dispute,
            name,
            actor=actor,
            reason=reason,
            before=before,
            after=_refresh_clocks,
            data=data,
        )
    return dispute


def dispute_triage(
    *,
    actor: User,
    reference: str,
    cause_label: str,
    urgency: str,
    is_complex: bool = False,
) -> Dispute:
    """Day 1 of 1357 (seed 4.2): legal-cause and urgency labels. A hard case needs the day-5
    head-office consultation and moves the decision to 30 days."""

    def label(d: Dispute) -> None:
        d.cause_label = cause_label.strip()
        d.urgency = urgency
        d.is_complex = is_complex
        d.labels_done_at = timezone.now()
        if is_complex and d.decision_track == DecisionTrack.STANDARD:
            d.decision_track = DecisionTrack.COMPLEX
            d.decision_due = DECISION_PERIODS[DecisionTrack.COMPLEX].end(d.received_on)

    return _run_transition(
        actor=actor,
        reference=reference,
        name="triage",
        before=label,
        data={"cause_label": cause_label, "urgency": urgency, "complex": is_complex},
    )


def dispute_assign_handler(*, actor: User, reference: str, handler_id: int) -> Dispute:
    """Give an open case to a member of staff who may handle it (its branch's or head
    office's): the handler's caseload is one of the management figures' cuts, and they are
    told. Giving it to whoever already handles it changes nothing and records nothing."""
    with transaction.atomic():
        dispute = _lock(actor, reference)
        if not dispute_access.can_assign_handler(actor, dispute):
            raise ActionForbidden(_("You cannot decide who handles this case."))
        handler = User.objects.filter(pk=handler_id).select_related("branch").first()
        if handler is None or not dispute_access.may_be_handler(handler, dispute):
            raise ApplicationError(
                _("%(who)s cannot handle a case of %(branch)s.")
                % {
                    "who": handler.display_name if handler else _("That person"),
                    "branch": dispute.branch.name,
                }
            )
        if dispute.handler_id == handler.pk:
            return dispute
        before = dispute.handler_id
        dispute.handler = handler
        dispute.save(update_fields=["handler", "updated_at"])
        audit_record(
            actor=actor,
            action="dispute.handler_assigned",
            target=dispute,
            case_ref=dispute.reference,
            data={"from": before, "to": handler.pk},
        )
        if handler.pk != actor.pk:
            notify_after_commit(
                "case_assigned",
                recipients=[handler],
                case_ref=dispute.reference,
                url=dispute.get_absolute_url(),
                params={"ref": dispute.reference, "by": actor.display_name},
            )
    return dispute


def dispute_start_bank_handling(*, actor: User, reference: str) -> Dispute:
    """The member of staff who takes the case on the standard track handles it (unless one
    already does): their caseload is one of the management figures' cuts."""

    def take(d: Dispute) -> None:
        d.handler_id = d.handler_id or actor.pk

    return _run_transition(
        actor=actor, reference=reference, name="start_bank_handling", before=take
    )


@transaction.atomic
def dispute_record_milestone(
    *, actor: User, reference: str, milestone: str, text: str = ""
) -> Dispute:
    """Record a 1357 service target: the day-3 branch plan, the day-5 head-office consultation
    or the day-7 return visit."""
    dispute = _lock(actor, reference)
    if not dispute_access.can_handle_dispute(actor, dispute):
        raise ActionForbidden(_("Only bank staff handling this case can record this."))
    if not dispute.is_open:
        raise TransitionRefused(_("The case is no longer open."))
    now = timezone.now()
    if milestone == "plan":
        if not text.strip():
            raise ApplicationError(_("Write the branch plan (legal and business)."))
        dispute.branch_plan, dispute.branch_plan_at = text.strip(), now
    elif milestone == "consultation":
        if not text.strip():
            raise ApplicationError(_("Write the head-office consultation opinion."))
        dispute.consultation_note, dispute.consultation_at = text.strip(), now
    elif milestone == "return_visit":
        dispute.return_visit_at = now
    else:
        raise ApplicationError(_("Unknown service target."))
    _refresh_clocks(dispute)
    dispute.save()
    audit_record(actor=actor, action=f"dispute.milestone.{milestone}", target=dispute)
    return dispute


@transaction.atomic
def dispute_record_regulator_reply(*, actor: User, reference: str, text: str) -> Dispute:
    """The bank reported the handling of a transferred complaint to the regulator, by the date
    the transfer letter set: what it reported enters the audit chain."""
    dispute = _lock(actor, reference)
    if not dispute_access.can_handle_dispute(actor, dispute):
        raise ActionForbidden(_("Only bank staff handling this case can record this."))
    if dispute.regulator_reply_due is None:
        raise TransitionRefused(_("The regulator did not transfer this complaint."))
    if dispute.regulator_replied_at is not None:
        raise TransitionRefused(_("The report to the regulator is already recorded."))
    if not text.strip():
        raise ApplicationError(_("Say what the bank reported to the regulator."))
    dispute.regulator_replied_at = timezone.now()
    _refresh_clocks(dispute)
    dispute.save()
    audit_record(
        actor=actor,
        action="dispute.regulator_replied",
        target=dispute,
        data={"report": text.strip(), "due": str(dispute.regulator_reply_due)},
    )
    return dispute


@transaction.atomic
def dispute_extend_decision(*, actor: User, reference: str, track: str, reason: str) -> Dispute:
    """30 days for complex cases; 60 only with senior approval and notice to the customer."""
    dispute = _lock(actor, reference)
    if not dispute_access.can_handle_dispute(actor, dispute):
        raise ActionForbidden(_("Only bank staff handling this case can extend the decision."))
    if track not in (DecisionTrack.COMPLEX, DecisionTrack.EXTENDED):
        raise ApplicationError(_("Choose the 30-day or the 60-day period."))
    longer = DECISION_PERIODS[DecisionTrack(track)].days
    if longer <= DECISION_PERIODS[DecisionTrack(dispute.decision_track)].days:
        raise ApplicationError(_("The decision period can only be lengthened."))
    if track == DecisionTrack.EXTENDED and not reason.strip():
        raise ApplicationError(_("A 60-day period needs the senior approval recorded."))
    if dispute.decision_at:
        raise TransitionRefused(_("The bank's decision has already been given."))
    old_due = dispute.decision_due
    dispute.decision_track = track
    dispute.decision_due = DECISION_PERIODS[DecisionTrack(track)].end(dispute.received_on)
    _refresh_clocks(dispute)
    dispute.save()
    audit_record(
        actor=actor,
        action="dispute.decision_extended",
        target=dispute,
        reason=reason,
        data={"track": track, "from": str(old_due), "to": str(dispute.decision_due)},
    )
    return dispute


@transaction.atomic
def dispute_record_decision(*, actor: User, reference: str, text: str) -> Dispute:
    """The bank's written decision; the customer may ask for a review within 30 days."""
    dispute = _lock(actor, reference)
    if not dispute_access.can_handle_dispute(actor, dispute):
        raise ActionForbidden(_("Only bank staff handling this case can record the decision."))
    if dispute.status != DisputeStatus.BANK_HANDLING:
        raise TransitionRefused(_("A decision is recorded while the bank is handling the case."))
    if not text.strip():
        raise ApplicationError(_("Write the decision."))
    dispute.decision_text = text.strip()
    dispute.decision_at = timezone.now()
    dispute.decision_by = actor
    dispute.review_request_due = REVIEW_REQUEST_WINDOW.end(timezone.localdate(dispute.decision_at))
    _refresh_clocks(dispute)
    dispute.save()
    audit_record(actor=actor, action="dispute.decision_recorded", target=dispute)
    return dispute


def dispute_opt_in(*, actor: User, reference: str) -> Dispute:
    """Move an eligible dispute into the mediation fast lane. Consents must be recorded first
    (mediation/services/consents.py, consent_opt_in does both in one step)."""

    def check(d: Dispute) -> None:
        if not d.fast_lane_eligible:
            raise ApplicationError(
                _(
                    "Claims above %(threshold)s yuan cannot use the mediation fast lane; "
                    "mediation by agreement, arbitration and litigation remain open."
                )
                % {"threshold": f"{fast_lane_threshold():,.2f}"},
                code="not_eligible",
            )
        if not d.consent_in_force(kind="mediation"):
            raise ApplicationError(_("Consent to mediation is needed first."), code="no_consent")

    return _run_transition(actor=actor, reference=reference, name="opt_in", before=check)


def dispute_agree_to_mediation(*, actor: User, reference: str) -> Dispute:
    """Above the threshold, the bank agrees to the customer's request for mediation
    (mediation/services/consents.py, mediation_request_decide)."""

    def agreed(d: Dispute) -> None:
        d.mediation_agreed_at = timezone.now()

    return _run_transition(
        actor=actor, reference=reference, name="agree_to_mediation", before=agreed
    )


def dispute_leave_fast_lane(*, actor: User, reference: str) -> Dispute:
    """A fast-lane case whose claim was amended above the threshold goes to the standard track
    (mediation/services/intake.py, dispute_amend, calls this once the new amount is saved)."""
    return _run_transition(
        actor=actor,
        reference=reference,
        name="leave_fast_lane",
        reason=_("The claim was amended above the fast lane's threshold."),
    )


def dispute_withdraw(*, actor: User, reference: str, reason: str) -> Dispute:
    def note(d: Dispute) -> None:
        d.withdrawn_reason = reason.strip()
        d.closed_at = timezone.now()

    return _run_transition(
        actor=actor, reference=reference, name="withdraw", reason=reason, before=note
    )


@transaction.atomic
def dispute_close(*, actor: User, reference: str, reason: str, note: str = "") -> Dispute:
    """Close with a closure reason. Closing schedules the six-month look-back review by the
    audit department (seed 6.3), in the same transaction."""
    if reason not in ClosureReason.values or reason == ClosureReason.SETTLEMENT:
        raise ApplicationError(_("Choose a closure reason."))
    if reason == ClosureReason.OTHER and not note.strip():
        raise ApplicationError(_("Explain the closure reason."))

    def set_reason(d: Dispute) -> None:
        d.closure_reason = reason
        d.closure_note = note.strip()
        d.closed_at = timezone.now()

    dispute = _run_transition(
        actor=actor,
        reference=reference,
        name="close",
        reason=note,
        before=set_reason,
        data={"closure_reason": reason},
    )
    _closed(dispute, actor)
    return dispute


def _closed(dispute: Dispute, actor: User) -> None:
    """However a case closes: the look-back review is scheduled and the customer is asked
    about the handling (the return visit)."""
    hooks.dispute_closed(dispute, actor)
    notify_after_commit(
        "return_visit",
        recipients=[dispute.customer],
        case_ref=dispute.reference,
        url=dispute.get_absolute_url(),
        params={"ref": dispute.reference},
    )


@transaction.atomic
def dispute_record_risk_rating(*, actor: User, reference: str, rating: int) -> Dispute:
    """The customer's risk rating when the product was sold, from the bank's records: against
    the product's risk level it shows a suitability mismatch (九民纪要 para. 72)."""
    dispute = _lock(actor, reference)
    if not dispute_access.can_handle_dispute(actor, dispute):
        raise ActionForbidden(_("Only the bank's staff record this."))
    if rating not in RiskRating.values:
        raise ApplicationError(_("Choose a rating from C1 to C5."))
    before = dispute.risk_rating_at_sale
    dispute.risk_rating_at_sale = rating
    dispute.save(update_fields=["risk_rating_at_sale", "updated_at"])
    audit_record(
        actor=actor,
        action="dispute.risk_rating_recorded",
        target=dispute,
        case_ref=dispute.reference,
        data={"before": before, "after": rating},
    )
    return dispute


@transaction.atomic
def dispute_settle(*, actor: User, reference: str, note: str) -> Dispute:
    """The customer accepted the bank's settlement offer (a binding act their caller records,
    mediation/problems/offers.py): the case closes as settled (和解, Civil Code art. 464 ff.)."""

    def set_reason(d: Dispute) -> None:
        d.closure_reason = ClosureReason.SETTLEMENT
        d.closure_note = note
        d.closed_at = timezone.now()

    dispute = _run_transition(
        actor=actor,
        reference=reference,
        name="settle",
        reason=note,
        before=set_reason,
        data={"closure_reason": ClosureReason.SETTLEMENT},
    )
    _closed(dispute, actor)
    return dispute


def dispute_start_litigation(*, actor: User, reference: str, reason: str = "") -> Dispute:
    return _run_transition(actor=actor, reference=reference, name="start_litigation", reason=reason)


def dispute_resume_handling(*, actor: User, reference: str, reason: str = "") -> Dispute:
    return _run_transition(actor=actor, reference=reference, name="resume_handling", reason=reason)


def dispute_refer(*, actor: User, reference: str, organisation_id: int) -> Dispute:
    """Refer to a partner mediation centre. PIPL art. 23: the customer's separate consent
    naming that organisation must be in force before any personal information goes to it."""

    def gate(d: Dispute) -> None:
        if not d.consent_in_force(kind="personal_info", organisation_id=organisation_id):
            raise ApplicationError(
                _("The customer has not consented to disclosure to this organisation."),
                code="no_disclosure_consent",
            )
        d.current_organisation_id = organisation_id

    return _run_transition(
        actor=actor,
        reference=reference,
        name="refer",
        before=gate,
        data={"organisation_id": organisation_id},
    )


def dispute_return_to_lane(*, actor: User, reference: str, reason: str) -> Dispute:
    def clear(d: Dispute) -> None:
        d.current_organisation = None

    return _run_transition(
        actor=actor, reference=reference, name="return_to_lane", reason=reason, before=clear
    )


def dispute_start_mediation(*, actor: User, reference: str, accepted_on: date) -> Dispute:
    """30 days from the mediator's acceptance (人民法院在线调解规则 art. 20)."""

    def start(d: Dispute) -> None:
        d.mediation_started_on = accepted_on
        d.mediation_due = MEDIATION_PERIOD.end(accepted_on)

    return _run_transition(actor=actor, reference=reference, name="start_mediation", before=start)


def dispute_reach_agreement(*, actor: User, reference: str) -> Dispute:
    return _run_transition(actor=actor, reference=reference, name="reach_agreement")


def dispute_fail_mediation(*, actor: User, reference: str, reason: str) -> Dispute:
    return _run_transition(actor=actor, reference=reference, name="fail_mediation", reason=reason)


def dispute_start_arbitration(*, actor: User, reference: str, reason: str = "") -> Dispute:
    return _run_transition(
        actor=actor, reference=reference, name="start_arbitration", reason=reason
    )


def dispute_mediate_again(*, actor: User, reference: str, reason: str = "") -> Dispute:
    """After a rejected confirmation: back to the fast lane for a new mediation."""

    def clear(d: Dispute) -> None:
        d.current_organisation = None

    return _run_transition(
        actor=actor, reference=reference, name="mediate_again", reason=reason, before=clear
    )
