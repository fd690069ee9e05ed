"""Amending the claim: each amendment is a new version (the earlier ones stay as they were,
DESIGN.md 5), and the amount is tested against the threshold again (DESIGN.md 3)."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from mediation import access as dispute_access
from mediation.lifecycle import DisputeStatus
from mediation.models import Dispute
from mediation.services.disputes import dispute_leave_fast_lane
from mediation.services.intake import (
    claim_version_add,
    fast_lane_threshold,
    is_amount_eligible,
    notify_lane,
)
from portal.audit import audit_record
from portal.exceptions import ApplicationError
from portal.models import User
from portal.transitions import ActionForbidden


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@transaction.atomic
def dispute_amend(
    *,
    actor: User,
    reference: str,
    amount: Decimal | None = None,
    facts: str | None = None,
    request: str | None = None,
    category: str | None = None,
    customer_request: str = "",
) -> Dispute:
    """Amend the claim: a new version; the earlier ones stay as they were (DESIGN.md 5).

    The customer amends before triage; staff amend while the bank still holds the case, and
    only on the customer's request, which they record. The amount is tested against the
    threshold again: a fast-lane case now above it leaves the fast lane by a transition, and
    the customer is told (DESIGN.md 3). The audit chain gets the old and new amount and
    product, and the SHA-256 of the old and new texts (the texts stay in the versions, where
    the retention job can remove them)."""
    dispute = dispute_access.dispute_get_for(actor, reference, for_update=True)
    if not dispute_access.can_amend_dispute(actor, dispute):
        raise ActionForbidden(_("This case can no longer be amended by you."))
    on_request = not dispute_access.is_dispute_customer(actor, dispute)
    if on_request and not customer_request.strip():
        raise ApplicationError(
            _(
                "The claim is the customer's: record when and how the customer asked for this "
                "change."
            ),
            code="customer_request_needed",
        )
    changes: dict[str, Any] = {}
    if amount is not None and amount != dispute.amount:
        changes["amount"] = [str(dispute.amount), str(amount)]
        dispute.amount = amount
    if category is not None and category != dispute.category:
        changes["category"] = [dispute.category, category]
        dispute.category = category
    for field, value in (("facts", facts), ("request", request)):
        if value is not None and value != getattr(dispute, field):
            changes[field] = {
                "from_sha256": _sha256(getattr(dispute, field)),
                "to_sha256": _sha256(value),
            }
            setattr(dispute, field, value)
    if not changes:
        return dispute
    was_eligible = dispute.fast_lane_eligible
    dispute.fast_lane_eligible = is_amount_eligible(dispute.amount)
    version = claim_version_add(
        dispute, made_by=actor, customer_request=customer_request.strip() if on_request else ""
    )
    changes["version"] = version.number
    if on_request:
        changes["on_the_customers_request"] = True
    audit_record(actor=actor, action="dispute.amended", target=dispute, data=changes)
    if was_eligible == dispute.fast_lane_eligible:
        dispute.save()
        return dispute
    audit_record(
        actor=actor,
        action="dispute.lane_reevaluated",
        target=dispute,
        data={
            "eligible": dispute.fast_lane_eligible,
            "amount": str(dispute.amount),
            "threshold": str(fast_lane_threshold()),
        },
    )
    dispute.save()
    if dispute.status == DisputeStatus.FAST_LANE and dispute.mediation_agreed_at is None:
        dispute = dispute_leave_fast_lane(actor=actor, reference=reference)
    notify_lane(dispute)
    return dispute
