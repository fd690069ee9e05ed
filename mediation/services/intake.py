"""Filing a dispute and amending the claim: the reference, the fast-lane test against the
threshold (claims of 50,000.00 yuan and below; "以下" includes the figure, Civil Code art. 1259),
the first clocks, and the customer's notice of the lane."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mediation import access as dispute_access
from mediation.models import (
    DECISION_PERIODS,
    Channel,
    DecisionTrack,
    Dispute,
    DisputeCounter,
)
from portal.audit import audit_record
from portal.exceptions import ApplicationError
from portal.models import Branch, Role, User
from portal.notifications import notify_after_commit
from portal.transitions import ActionForbidden


def fast_lane_threshold() -> Decimal:
    return Decimal(settings.FAST_LANE_THRESHOLD)


def is_amount_eligible(amount: Decimal) -> bool:
    """Fast lane for 50,000.00 yuan and below: "以下" includes the figure (Civil Code 1259)."""
    return amount <= fast_lane_threshold()


def _next_reference(year: int) -> str:
    for _attempt in range(3):
        try:
            with transaction.atomic():
                counter, _created = DisputeCounter.objects.select_for_update().get_or_create(
                    year=year
                )
                counter.last += 1
                counter.save(update_fields=["last"])
                return f"MD-{year}-{counter.last:06d}"
        except IntegrityError:  # two first-of-the-year intakes raced on get_or_create
            continue
    raise ApplicationError(_("Could not allocate a case reference; please try again."))


@transaction.atomic
def dispute_submit(
    *,
    customer: User,
    branch: Branch,
    category: str,
    amount: Decimal,
    facts: str,
    request: str,
    account_number: str = "",
    channel: str = Channel.WEB,
    recorded_by: User | None = None,
    received_at: datetime | None = None,
    intake_token: uuid.UUID | None = None,
) -> Dispute:
    """File a dispute. The bank's decision clock (15 days, 银行业保险业消费投诉处理管理办法)
    starts on receipt; the fast lane is evaluated at once.

    A repeated submission with the same intake token returns the first dispute.
    """
    if customer.role != Role.CUSTOMER:
        raise ApplicationError(_("Disputes are filed for customers."))
    if intake_token is not None:
        existing = Dispute.objects.filter(intake_token=intake_token).first()
        if existing is not None:
            if existing.customer_id != customer.pk:
                raise ApplicationError(_("This form was already used; please reload it."))
            return existing
    open_cases = Dispute.objects.open().filter(customer=customer).count()
    if open_cases >= settings.CUSTOMER_MAX_OPEN_DISPUTES:
        raise ApplicationError(
            _(
                "You already have %(n)s open disputes, the most one person may have at once. "
                "Add to one of them, or withdraw one that is settled."
            )
            % {"n": open_cases},
            code="too_many_open_disputes",
        )
    received_at = received_at or timezone.now()
    dispute = Dispute(
        customer=customer,
        branch=branch,
        category=category,
        amount=amount,
        facts=facts,
        request=request,
        account_number=account_number,
        channel=channel,
        recorded_by=recorded_by,
        received_at=received_at,
        intake_token=intake_token,
        fast_lane_eligible=is_amount_eligible(amount),
        decision_track=DecisionTrack.STANDARD,
    )
    dispute.decision_due = DECISION_PERIODS[DecisionTrack.STANDARD].end(dispute.received_on)
    dispute.reference = _next_reference(dispute.received_on.year)
    dispute.next_deadline = dispute.compute_next_deadline()
    try:
        with transaction.atomic():
            dispute.save()
    except IntegrityError:
        # A double-submitted form raced us: the first one won; return it.
        if intake_token is not None:
            existing = Dispute.objects.filter(intake_token=intake_token).first()
            if existing is not None and existing.customer_id == customer.pk:
                return existing
        raise
    notify_after_commit(
        "dispute_received",
        recipients=[customer],
        case_ref=dispute.reference,
        url=dispute.get_absolute_url(),
        params={"ref": dispute.reference, "due": dispute.decision_due},
    )
    _notify_lane(dispute)
    audit_record(
        actor=recorded_by or customer,
        action="dispute.submitted",
        target=dispute,
        to_state=dispute.status,
        data={
            "amount": str(amount),
            "channel": channel,
            "fast_lane_eligible": dispute.fast_lane_eligible,
            "threshold": str(fast_lane_threshold()),
        },
    )
    return dispute


def _notify_lane(dispute: Dispute) -> None:
    lane = (
        _("eligible: you may choose mediation")
        if dispute.fast_lane_eligible
        else _("not eligible: the claim is above %(t)s yuan")
        % {"t": f"{fast_lane_threshold():,.2f}"}
    )
    notify_after_commit(
        "lane_decided",
        recipients=[dispute.customer],
        case_ref=dispute.reference,
        url=dispute.get_absolute_url(),
        params={"ref": dispute.reference, "lane": lane},
    )


@transaction.atomic
def dispute_amend(
    *,
    actor: User,
    reference: str,
    amount: Decimal | None = None,
    facts: str | None = None,
    request: str | None = None,
    category: str | None = None,
) -> Dispute:
    """Amend the claim. Customers may amend before triage; changing the amount re-evaluates
    the fast lane against the threshold, with an audit entry (DESIGN.md 3)."""
    dispute = dispute_access.dispute_get_for(actor, reference, for_update=True)
    if not dispute_access.can_amend_dispute(actor, dispute):
        raise ActionForbidden(_("This case can no longer be amended by you."))
    changes: dict[str, Any] = {}
    if amount is not None and amount != dispute.amount:
        was_eligible = dispute.fast_lane_eligible
        changes["amount"] = [str(dispute.amount), str(amount)]
        dispute.amount = amount
        dispute.fast_lane_eligible = is_amount_eligible(amount)
        changes["fast_lane_eligible"] = [was_eligible, dispute.fast_lane_eligible]
        changes["threshold"] = str(fast_lane_threshold())
    for field, value in (("facts", facts), ("request", request), ("category", category)):
        if value is not None and value != getattr(dispute, field):
            changes[field] = "changed"
            setattr(dispute, field, value)
    if not changes:
        return dispute
    dispute.save()
    audit_record(actor=actor, action="dispute.amended", target=dispute, data=changes)
    if (
        "fast_lane_eligible" in changes
        and changes["fast_lane_eligible"][0] != changes["fast_lane_eligible"][1]
    ):
        audit_record(
            actor=actor,
            action="dispute.lane_reevaluated",
            target=dispute,
            data={"eligible": dispute.fast_lane_eligible, "amount": str(dispute.amount)},
        )
        _notify_lane(dispute)
    return dispute
