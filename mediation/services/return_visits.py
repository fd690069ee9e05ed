"""Return visits after closure (seed 4.2 day 7; 5.2 third-party call-backs)."""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mediation import access as dispute_access
from mediation.lifecycle import DisputeStatus
from mediation.models import Dispute, ReturnVisit
from portal.audit import audit_record
from portal.exceptions import ApplicationError, TransitionRefused
from portal.models import User
from portal.transitions import ActionForbidden

RATING_DAYS = 7


def customer_may_rate(user: User, dispute: Dispute) -> bool:
    return (
        dispute_access.is_dispute_customer(user, dispute)
        and dispute.status == DisputeStatus.CLOSED
        and dispute.closed_at is not None
        and timezone.now() <= dispute.closed_at + timedelta(days=RATING_DAYS)
        and not ReturnVisit.objects.filter(dispute=dispute).exists()
    )


@transaction.atomic
def return_visit_record(
    *, actor: User, reference: str, rating: int, comment: str = ""
) -> ReturnVisit:
    """The customer rates online within 7 days of closure; staff may record a telephone return
    visit instead. One per dispute."""
    dispute = dispute_access.dispute_get_for(actor, reference, for_update=True)
    if dispute.status != DisputeStatus.CLOSED:
        raise TransitionRefused(_("The return visit follows the closure of the case."))
    if not 1 <= rating <= 5:
        raise ApplicationError(_("Give a rating from 1 to 5."))
    if dispute_access.is_dispute_customer(actor, dispute):
        if not customer_may_rate(actor, dispute):
            raise TransitionRefused(_("Ratings are given within 7 days of closure."))
        channel = ReturnVisit.Channel.ONLINE
    elif dispute_access.can_handle_dispute(actor, dispute):
        channel = ReturnVisit.Channel.PHONE
    else:
        raise ActionForbidden(_("Only the customer or the bank records a return visit."))
    try:
        with transaction.atomic():
            visit = ReturnVisit.objects.create(
                dispute=dispute,
                rating=rating,
                comment=comment.strip(),
                channel=channel,
                recorded_by=actor,
            )
    except IntegrityError as exc:
        raise TransitionRefused(_("The return visit is already recorded.")) from exc
    if dispute.return_visit_at is None:
        dispute.return_visit_at = visit.created_at
        dispute.save(update_fields=["return_visit_at", "updated_at"])
    audit_record(
        actor=actor,
        action="dispute.return_visit",
        target=visit,
        case_ref=dispute.reference,
        data={"rating": rating, "channel": channel},
    )
    return visit
