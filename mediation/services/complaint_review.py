"""The customer's request for a review (核查) of the bank's decision, and its outcome
(mediation/complaint_review.py holds the state machine)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mediation import access as dispute_access
from mediation.complaint_review import ReviewRequestStatus
from mediation.lifecycle import DisputeStatus
from mediation.models import ReviewRequest
from mediation.notify import branch_staff
from portal.audit import audit_record
from portal.exceptions import ApplicationError, TransitionRefused
from portal.models import User
from portal.notifications import notify_after_commit
from portal.periods import REVIEW_DECISION
from portal.transitions import ActionForbidden, run_transition

OUTCOMES = {
    "upheld": "uphold",
    "changed": "change",
    "reversed": "reverse",
}


@transaction.atomic
def review_request_make(*, actor: User, reference: str, reasons: str) -> ReviewRequest:
    """Within 30 days of the bank's decision (CPL art. 85 counting), with the reasons; the
    branch's staff are asked to decide by REVIEW_DECISION."""
    dispute = dispute_access.dispute_get_for(actor, reference, for_update=True)
    if not dispute_access.is_dispute_customer(actor, dispute):
        raise ActionForbidden(_("Only the customer asks for a review of the bank's decision."))
    if dispute.status != DisputeStatus.BANK_HANDLING or dispute.decision_at is None:
        raise TransitionRefused(_("A review is asked for once the bank has given its decision."))
    today = timezone.localdate()
    if dispute.review_request_due is None or today > dispute.review_request_due:
        raise TransitionRefused(
            _("The 30 days to ask for a review ended on %(d)s.")
            % {"d": dispute.review_request_due},
            code="review_window_closed",
        )
    if not reasons.strip():
        raise ApplicationError(_("Say why the decision should be reviewed."))
    try:
        with transaction.atomic():
            review = ReviewRequest.objects.create(
                dispute=dispute,
                reasons=reasons.strip(),
                requested_by=actor,
                decision_due=REVIEW_DECISION.end(today),
            )
    except IntegrityError as exc:
        raise TransitionRefused(_("A review of this decision was already asked for.")) from exc
    audit_record(actor=actor, action="review_request.made", target=review, case_ref=reference)
    dispute.refresh_next_deadline()
    notify_after_commit(
        "review_requested",
        recipients=branch_staff(dispute),
        case_ref=reference,
        url=dispute.get_absolute_url() + "#review-request",
        params={"ref": reference, "due": review.decision_due.isoformat()},
    )
    return review


@transaction.atomic
def review_request_decide(*, actor: User, reference: str, outcome: str, text: str) -> ReviewRequest:
    """Upheld, changed or reversed, with the reasons the customer reads; never by the person
    whose decision is under review."""
    dispute = dispute_access.dispute_get_for(actor, reference, for_update=True)
    review = (
        ReviewRequest.objects.select_for_update()
        .select_related("dispute")
        .filter(dispute=dispute, status=ReviewRequestStatus.REQUESTED)
        .first()
    )
    if review is None:
        raise TransitionRefused(_("No request for review waits for a decision."))
    if outcome not in OUTCOMES:
        raise ApplicationError(_("Choose the review's outcome."))
    if dispute_access.can_handle_dispute(actor, dispute) and dispute.decision_by_id == actor.pk:
        raise ActionForbidden(
            _("You gave the decision under review: another member of staff decides the review."),
            code="first_handler",
        )
    if not text.strip():
        raise ApplicationError(_("Write the review's decision and its reasons."))

    def record(r: ReviewRequest) -> None:
        r.outcome, r.decided_by, r.decided_at = text.strip(), actor, timezone.now()

    run_transition(review, OUTCOMES[outcome], actor=actor, before=record)
    dispute.refresh_next_deadline()
    notify_after_commit(
        "review_decided",
        recipients=[dispute.customer],
        case_ref=reference,
        url=dispute.get_absolute_url() + "#review-request",
        params={"ref": reference, "outcome": review.get_status_display(), "text": review.outcome},
    )
    return review
