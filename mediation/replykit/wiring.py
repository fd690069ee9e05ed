"""What the reply toolkit adds to the portal at start-up: its events, the recurring letter
job, the case page's panel, and what waits on staff's homes."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils.translation import gettext as _

from mediation import access as dispute_access
from mediation import hooks
from mediation.complaint_review import ReviewRequestStatus
from mediation.models import ReviewRequest
from portal import jobs, waiting
from portal.access import is_bank_staff
from portal.notifications.events import register_events
from portal.waiting import HOME_LIMIT, Waiting

from . import access
from .lifecycle import ReplyStatus
from .models import Reply
from .notifications import EVENTS

if TYPE_CHECKING:
    from mediation.models import Dispute
    from portal.models import User


def case_panel(user: User, dispute: Dispute, holds: Mapping[str, bool]) -> dict[str, Any]:
    """The case page's replies: issued ones with their letters for the customer and the bank's
    side; drafts and approvals for the bank's side; the buttons to start one."""
    replies = (
        list(access.replies_visible_to(user, dispute).select_related("author", "approver"))
        if holds["replies"]
        else []
    )
    starts = [
        (kind, label)
        for kind, label in (
            (Reply.Kind.DECISION, _("Write the bank's decision with the reply toolkit")),
            (Reply.Kind.REVIEW, _("Decide the customer's review request with the reply toolkit")),
        )
        if access.can_start_reply(user, dispute, kind)
        and not any(r.kind == kind and r.status != ReplyStatus.ISSUED for r in replies)
    ]
    return {
        "replykit": {
            "replies": replies,
            "starts": [
                (reverse("replykit:start", args=[dispute.reference, k]), t) for k, t in starts
            ],
        }
    }


def waiting_on_staff(user: User, today: date) -> list[Waiting]:
    """Replies a colleague put to this member of staff, and their own drafts sent back."""
    if not is_bank_staff(user):
        return []
    pending = (
        Reply.objects.filter(
            dispute__in=dispute_access.disputes_visible_to(user),
            status__in=[ReplyStatus.AWAITING_APPROVAL, ReplyStatus.DRAFT],
        )
        .select_related("dispute", "dispute__branch")
        .order_by("dispute__decision_due", "pk")[: HOME_LIMIT * 2]
    )
    out = _reviews_waiting(user)
    for r in pending:
        if r.status == ReplyStatus.AWAITING_APPROVAL and access.can_approve_reply(user, r):
            what = _("Approve or send back a colleague's reply")
        elif r.status == ReplyStatus.DRAFT and r.author_id == user.pk and r.sent_back_reason:
            what = _("Change the reply a colleague sent back")
        else:
            continue
        out.append(
            Waiting(
                what=str(what),
                case_ref=r.dispute.reference,
                url=reverse("replykit:reply", args=[r.pk]),
                due=r.dispute.decision_due,
            )
        )
    return out


def _reviews_waiting(user: User) -> list[Waiting]:
    """Review requests this member of staff may decide: never on a decision they wrote or
    approved."""
    reviews = list(
        ReviewRequest.objects.filter(
            dispute__in=dispute_access.disputes_visible_to(user),
            status=ReviewRequestStatus.REQUESTED,
        )
        .exclude(dispute__decision_by=user)  # narrowed before the limit; the rule is below
        .select_related("dispute")
        .order_by("decision_due", "pk")[:HOME_LIMIT]
    )
    hands = access.decisions_with_a_hand_of(user, [r.dispute for r in reviews])
    return [
        Waiting(
            what=str(_("Decide the customer's request for review")),
            case_ref=r.dispute.reference,
            url=reverse("replykit:start", args=[r.dispute.reference, Reply.Kind.REVIEW]),
            due=r.decision_due,
        )
        for r in reviews
        if r.dispute_id not in hands
    ]


def register() -> None:
    from .services import letter_requeue_stale

    register_events(EVENTS)
    hooks.register("case_lists", ("replies", Reply))
    hooks.register("case_panels", case_panel)
    waiting.register(waiting_on_staff)
    jobs.register("letters", "decision letters requeued", letter_requeue_stale)
