"""Six-month look-back reviews (seed 6.3): schedule on closure, queue when due, review,
rectify, review again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mediation.models import Dispute, ReturnVisit
from portal import access as portal_access
from portal.audit import audit_record
from portal.exceptions import ApplicationError, TransitionRefused
from portal.models import User
from portal.notifications import notify_after_commit
from portal.notifications.audience import auditors
from portal.periods import LOOKBACK_REVIEW, re_review_period
from portal.transitions import ActionForbidden, run_transition
from referrals.arbitration.lifecycle import ArbitrationStatus
from referrals.centres.lifecycle import ReferralStatus
from referrals.confirmation.lifecycle import ConfirmationStatus
from referrals.models import (
    CHECKLIST,
    JudicialConfirmation,
    LookbackReview,
    RectificationAction,
    RepeatFinding,
    Verdict,
)
from referrals.reviews import access as review_access
from referrals.reviews.lifecycle import ReviewStatus


def review_due_date(closed_on: date) -> date:
    """6 calendar months after closure, clamped to the month's end (31 Aug -> 28/29 Feb)."""
    return LOOKBACK_REVIEW.end(closed_on)


def review_schedule(*, dispute: Dispute, actor: User | None = None) -> LookbackReview:
    """Called inside the closing transaction (through review_schedule_on_close)."""
    assert dispute.closed_at is not None
    closed_on = timezone.localdate(dispute.closed_at)
    try:
        with transaction.atomic():
            review = LookbackReview.objects.create(
                dispute=dispute, closed_on=closed_on, due_on=review_due_date(closed_on)
            )
    except IntegrityError:
        return LookbackReview.objects.get(dispute=dispute)
    audit_record(
        actor=actor,
        action="review.scheduled",
        target=review,
        case_ref=dispute.reference,
        data={"due_on": str(review.due_on)},
    )
    return review


def review_schedule_on_close(dispute: Dispute, actor: User | None) -> None:
    """Closing a case schedules its six-month look-back review (seed 6.3), in the closing
    transaction (registered with mediation.hooks.registry.on_closed)."""
    review_schedule(dispute=dispute, actor=actor)


def review_enqueue_due(*, today: date | None = None) -> int:
    """The daily job. Idempotent: a review already queued is not touched, and a missed day
    catches up because every review due on or before today is moved."""
    today = today or timezone.localdate()
    due = LookbackReview.objects.filter(
        status__in=[ReviewStatus.SCHEDULED, ReviewStatus.RE_REVIEW_SCHEDULED], due_on__lte=today
    )
    moved = 0
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            review = LookbackReview.objects.select_for_update().select_related("dispute").get(pk=pk)
            if review.status not in (ReviewStatus.SCHEDULED, ReviewStatus.RE_REVIEW_SCHEDULED):
                continue

            def stamp(r: LookbackReview) -> None:
                r.queued_at = timezone.now()

            run_transition(review, "enqueue", actor=None, before=stamp)
            notify_after_commit(
                "review_due",
                recipients=auditors(),
                case_ref=review.dispute.reference,
                url=reverse("reviews:detail", args=[review.pk]),
                params={"ref": review.dispute.reference},
            )
            moved += 1
    return moved


def _lock(actor: User, pk: int) -> LookbackReview:
    return review_access.review_get_for(actor, pk, for_update=True)


@transaction.atomic
def review_take(*, actor: User, review_id: int) -> LookbackReview:
    review = _lock(actor, review_id)

    def take(r: LookbackReview) -> None:
        r.auditor = actor
        r.taken_at = timezone.now()

    run_transition(review, "take", actor=actor, before=take)
    return review


CHECKLIST_FIELDS = [
    f for key, _label in CHECKLIST for f in (key, f"{key}_finding", f"{key}_evidence")
] + ["accountability_persons"]


# A justification long enough to say something.
MIN_JUSTIFICATION = 10


def checklist_contradictions(review: LookbackReview) -> dict[str, str]:
    """The items whose answer contradicts what the case shows, with what it shows: such an
    answer stands only with a written justification (issue 17: "无二次投诉" beside four later
    complaints, "yes" on performance where there is no agreement)."""
    found: dict[str, str] = {}
    if review.repeat == RepeatFinding.NONE:
        later = repeat_complaints(review)["customer"].count()
        if later:
            found["repeat"] = str(
                _("The portal lists %(n)s complaints by the same customer since closure.")
                % {"n": later}
            )
    if review.performance in (Verdict.YES, Verdict.NOT_APPLICABLE):
        facts = performance_facts(review)
        if review.performance == Verdict.YES and facts is None:
            found["performance"] = str(_("No agreement, ruling or award on this case."))
        elif review.performance == Verdict.YES and facts is not None and facts.paid_on is None:
            found["performance"] = str(_("No payment is recorded in the portal."))
        elif review.performance == Verdict.NOT_APPLICABLE and facts is not None:
            found["performance"] = str(
                _("The case has something to perform: %(source)s.") % {"source": facts.source}
            )
    if review.satisfaction == Verdict.YES:
        visit = ReturnVisit.objects.filter(dispute=review.dispute).first()
        if visit is None:
            found["satisfaction"] = str(_("No return visit is recorded."))
        elif visit.rating <= 2:
            found["satisfaction"] = str(
                _("The customer rated the handling %(r)s out of 5.") % {"r": visit.rating}
            )
    return found


def unjustified(review: LookbackReview) -> dict[str, str]:
    justified = review.justifications or {}
    return {
        key: shows
        for key, shows in checklist_contradictions(review).items()
        if len((justified.get(key) or "").strip()) < MIN_JUSTIFICATION
    }


@transaction.atomic
def review_save_checklist(
    *,
    actor: User,
    review_id: int,
    values: dict[str, str],
    justifications: dict[str, str] | None = None,
) -> LookbackReview:
    """Record findings; the auditor may save as often as needed before the verdict. An answer
    that contradicts the case is kept, and waits for its justification before the verdict."""
    review = _lock(actor, review_id)
    if not review_access.is_review_auditor(actor, review):
        raise ActionForbidden(_("Only the auditor who took this review records findings."))
    if review.status != ReviewStatus.IN_REVIEW:
        raise TransitionRefused(_("Findings are recorded while the review is in progress."))
    for field, value in values.items():
        if field not in CHECKLIST_FIELDS:
            raise ApplicationError(_("Unknown checklist item."))
        if field == "repeat" and value not in ("", *RepeatFinding.values):
            raise ApplicationError(_("Choose a finding for each item."))
        if field in {key for key, _l in CHECKLIST} - {"repeat"} and value not in (
            "",
            *Verdict.values,
        ):
            raise ApplicationError(_("Choose a finding for each item."))
        setattr(review, field, value.strip())
    keys = {key for key, _l in CHECKLIST}
    kept = {k: v.strip() for k, v in (justifications or {}).items() if k in keys and v.strip()}
    review.justifications = kept
    review.save()
    audit_record(
        actor=actor,
        action="review.checklist_saved",
        target=review,
        case_ref=review.dispute.reference,
    )
    return review


@transaction.atomic
def review_decide(*, actor: User, review_id: int, passed: bool, findings: str) -> LookbackReview:
    review = _lock(actor, review_id)
    if not findings.strip():
        raise ApplicationError(_("Write the findings behind the verdict."))
    if review.status == ReviewStatus.IN_REVIEW and review.incomplete_items():
        raise ApplicationError(
            _("Complete the checklist first: %(items)s.")
            % {"items": "、".join(review.incomplete_items())},
            code="checklist_incomplete",
        )
    if review.status == ReviewStatus.IN_REVIEW and (open_items := unjustified(review)):
        labels = dict(CHECKLIST)
        raise ApplicationError(
            _(
                "These answers contradict the case and need a written justification "
                "(at least %(n)s characters): %(items)s."
            )
            % {
                "n": MIN_JUSTIFICATION,
                "items": "；".join(f"{labels[k]}（{shows}）" for k, shows in open_items.items()),
            },
            code="contradiction_unjustified",
        )

    def decide(r: LookbackReview) -> None:
        r.verdict_findings = findings.strip()
        r.decided_at = timezone.now()

    run_transition(
        review,
        "pass_review" if passed else "fail_review",
        actor=actor,
        before=decide,
        reason=findings,
    )
    return review


@transaction.atomic
def rectification_add(
    *, actor: User, review_id: int, what: str, owner: str, due_on: date
) -> RectificationAction:
    review = _lock(actor, review_id)
    if not review_access.is_review_auditor(actor, review):
        raise ActionForbidden(_("Only the auditor who took this review sets actions."))
    if review.status != ReviewStatus.FAILED:
        raise TransitionRefused(_("Rectification actions follow a failed review."))
    if not what.strip() or not owner.strip():
        raise ApplicationError(_("Say what must be put right and who owns it."))
    if due_on < timezone.localdate():
        raise ApplicationError(_("The due date cannot be in the past."))
    action = RectificationAction.objects.create(
        review=review, what=what.strip(), owner=owner.strip(), due_on=due_on, created_by=actor
    )
    audit_record(
        actor=actor,
        action="review.action_added",
        target=action,
        case_ref=review.dispute.reference,
        data={"due_on": str(due_on)},
    )
    return action


@transaction.atomic
def rectification_done(*, actor: User, action_id: int, evidence: str) -> RectificationAction:
    found = RectificationAction.objects.filter(pk=action_id).first()
    if found is None:
        raise portal_access.refuse(actor, "rectification", action_id)
    review = _lock(actor, found.review_id)
    if not review_access.is_review_auditor(actor, review):
        raise ActionForbidden(_("Only the auditor who took this review records this."))
    action = RectificationAction.objects.select_for_update().get(pk=action_id)
    if action.done_at:
        raise TransitionRefused(_("This action is already done."))
    if not evidence.strip():
        raise ApplicationError(_("Give the evidence that it was done."))
    action.done_at, action.done_evidence = timezone.now(), evidence.strip()
    action.save(update_fields=["done_at", "done_evidence"])
    audit_record(
        actor=actor, action="review.action_done", target=action, case_ref=review.dispute.reference
    )
    return action


@transaction.atomic
def review_schedule_re_review(*, actor: User, review_id: int) -> LookbackReview:
    """All actions done: a new round, due some months later (a setting, 3 by default). The
    round's checklist is kept in the audit event; the new round starts with an empty one."""
    review = _lock(actor, review_id)
    snapshot = {f: getattr(review, f) for f in CHECKLIST_FIELDS}
    snapshot["verdict_findings"] = review.verdict_findings

    def next_round(r: LookbackReview) -> None:
        if not r.rectification_complete():
            raise ApplicationError(
                _("Every rectification action must be done first."), code="rectification_open"
            )
        r.due_on = re_review_period(settings.LOOKBACK_RE_REVIEW_MONTHS).end(timezone.localdate())
        r.round += 1
        r.auditor, r.taken_at, r.decided_at, r.queued_at = None, None, None, None
        r.verdict_findings = ""
        for f in CHECKLIST_FIELDS:
            setattr(r, f, "")

    run_transition(
        review,
        "schedule_re_review",
        actor=actor,
        before=next_round,
        data={"review": review.pk, "previous_round": snapshot},
    )
    return review


# ---- what the auditor sees without searching --------------------------------------------


def repeat_complaints(review: LookbackReview) -> dict[str, QuerySet[Dispute]]:
    """Disputes filed since closure by the same customer, matched on the account, the mobile
    number and the ID number (so another account or channel is caught), and other disputes on
    the same product at the same branch."""
    dispute = review.dispute
    customer = dispute.customer
    since = dispute.closed_at or dispute.received_at
    same_person = Q(customer=customer)
    # The same number, whether proved on an account or given by phone.
    if phones := {p for p in (customer.mobile, customer.recorded_mobile) if p}:
        same_person |= Q(customer__mobile__in=phones) | Q(customer__recorded_mobile__in=phones)
    if customer.id_number:
        same_person |= Q(customer__id_number=customer.id_number)
    later = (
        Dispute.objects.filter(received_at__gt=since)
        .exclude(pk=dispute.pk)
        .select_related("customer", "branch")
    )
    return {
        "customer": later.filter(same_person).order_by("received_at"),
        "product": later.exclude(same_person)
        .filter(category=dispute.category, branch=dispute.branch)
        .order_by("received_at"),
    }


@dataclass(frozen=True)
class PerformanceFacts:
    agreed_amount: Any
    due_on: date | None
    paid_amount: Any
    paid_on: date | None
    source: str


def performance_facts(review: LookbackReview) -> PerformanceFacts | None:
    """What was agreed (agreement, ruling or award) against what was paid."""
    confirmation = (
        JudicialConfirmation.objects.filter(
            dispute=review.dispute, status=ConfirmationStatus.CONFIRMED
        )
        .select_related("agreement")
        .first()
    )
    if confirmation is not None:
        return PerformanceFacts(
            confirmation.agreement.amount,
            confirmation.agreement.performance_due,
            confirmation.paid_amount,
            confirmation.paid_on,
            str(_("Judicially confirmed agreement")),
        )
    referral = (
        review.dispute.referrals.filter(
            status__in=[ReferralStatus.AGREEMENT, ReferralStatus.PROPOSAL_ACCEPTED]
        )
        .select_related("agreement")
        .first()
    )
    if referral is not None:
        a = referral.agreement
        return PerformanceFacts(
            a.amount, a.performance_due, None, None, str(_("Mediation agreement"))
        )
    award = review.dispute.arbitrations.filter(status=ArbitrationStatus.AWARD).first()
    if award is not None:
        decision = award.decisions.filter(kind="final").last()
        return PerformanceFacts(
            decision.amount if decision else None,
            award.award_on,
            None,
            None,
            str(_("Arbitration award")),
        )
    return None


def auditor_figures(*, today: date) -> dict[str, Any]:
    """The auditor home page: due this month, overdue, pass rate, repeat-complaint rate, open
    rectification actions."""
    reviews = LookbackReview.objects.all()
    decided = reviews.filter(decided_at__isnull=False).aggregate(
        total=Count("pk"),
        passed=Count("pk", filter=Q(status=ReviewStatus.PASSED)),
        repeats=Count("pk", filter=Q(repeat=RepeatFinding.FOUND)),
    )
    checked = reviews.exclude(repeat="").count()
    repeats = reviews.filter(repeat=RepeatFinding.FOUND).count()
    return {
        "due_this_month": reviews.due_in_month(today=today).count(),
        "overdue": reviews.overdue(today=today).count(),
        "pass_rate": (decided["passed"] / decided["total"]) if decided["total"] else None,
        "repeat_rate": (repeats / checked) if checked else None,
        "open_actions": RectificationAction.objects.filter(done_at__isnull=True).count(),
    }
