"""Who may write, approve, read and download the bank's replies (STYLE.md 7).

Staff handling the case write a reply; a second member of staff approves one that refuses a
claim or grants more than the set amount, never its author. A review of a decision is written
and approved by staff who had no hand in the decision (neither its author nor its approver).
The customer reads a reply once it is issued, and downloads its letter; the bank's side (the
handlers, auditors) reads drafts too. Partners see none of it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from mediation import access as dispute_access
from mediation.complaint_review import ReviewRequestStatus
from mediation.lifecycle import DisputeStatus
from portal.access import is_bank_side, refuse

from .lifecycle import ReplyStatus
from .models import Reply

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from mediation.models import Dispute
    from portal.models import User


def decisions_with_a_hand_of(user: User, disputes: list[Dispute]) -> set[int]:
    """Of these cases, those whose decision this person gave: recorded it, or wrote or
    approved the reply that issued it (one query for all of them)."""
    mine = {d.pk for d in disputes if d.decision_by_id == user.pk}
    mine |= set(
        Reply.objects.filter(
            Q(author=user) | Q(approver=user),
            dispute__in=[d.pk for d in disputes],
            kind=Reply.Kind.DECISION,
            status=ReplyStatus.ISSUED,
        ).values_list("dispute_id", flat=True)
    )
    return mine


def _had_a_hand(user: User, dispute: Dispute) -> bool:
    return dispute.pk in decisions_with_a_hand_of(user, [dispute])


def can_start_reply(user: User, dispute: Dispute, kind: str) -> bool:
    if not dispute_access.can_handle_dispute(user, dispute):
        return False
    if dispute.status != DisputeStatus.BANK_HANDLING:
        return False
    if kind == Reply.Kind.DECISION:
        return dispute.decision_at is None
    waiting = dispute.review_requests.filter(status=ReviewRequestStatus.REQUESTED).exists()
    return waiting and not _had_a_hand(user, dispute)


def can_write_reply(user: User, reply: Reply) -> bool:
    """Its author, while they may still handle the case (and, for a review, had no hand in
    the decision)."""
    if reply.author_id != user.pk or not dispute_access.can_handle_dispute(user, reply.dispute):
        return False
    return reply.kind == Reply.Kind.DECISION or not _had_a_hand(user, reply.dispute)


def can_approve_reply(user: User, reply: Reply) -> bool:
    """Another member of staff handling the case; for a review, one with no hand in the
    decision either."""
    if reply.author_id == user.pk or not dispute_access.can_handle_dispute(user, reply.dispute):
        return False
    return reply.kind == Reply.Kind.DECISION or not _had_a_hand(user, reply.dispute)


def can_view_reply(user: User, reply: Reply) -> bool:
    if not dispute_access.can_view_dispute(user, reply.dispute):
        return False
    if dispute_access.is_dispute_customer(user, reply.dispute):
        return reply.status == ReplyStatus.ISSUED
    return is_bank_side(user)


def replies_visible_to(user: User, dispute: Dispute) -> QuerySet[Reply]:
    """The same rule as can_view_reply, for one case the user may see."""
    qs = Reply.objects.filter(dispute=dispute)
    if dispute_access.is_dispute_customer(user, dispute):
        return qs.filter(status=ReplyStatus.ISSUED)
    if is_bank_side(user):
        return qs
    return qs.none()


def reply_get_for(user: User, pk: int, *, for_update: bool = False) -> Reply:
    """The reply, or 404 (logged) for anyone who may not read it."""
    qs = Reply.objects.select_related("dispute", "dispute__customer", "dispute__branch")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    reply = qs.filter(pk=pk).first()
    if reply is None or not can_view_reply(user, reply):
        raise refuse(user, "reply", pk)
    return reply


def figures_visible_to(user: User) -> Q | None:
    """The issued decisions whose figures this person reads (mediation's figures_branch)."""
    branch = dispute_access.figures_branch(user)
    if branch is None:
        return None
    return Q() if branch == dispute_access.ALL_BRANCHES else Q(dispute__branch_id=branch)
