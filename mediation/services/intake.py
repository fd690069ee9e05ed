"""Filing a dispute and amending the claim: the reference, the fast-lane test against the
threshold (claims of 50,000.00 yuan and below; "以下" includes the figure, Civil Code art. 1259),
the first clocks, and the customer's notice of the lane."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mediation.models import (
    DECISION_PERIODS,
    Channel,
    ClaimVersion,
    DecisionTrack,
    Dispute,
    DisputeCounter,
)
from mediation.repeats import repeat_link_on_intake
from mediation.triage import suggest_on_intake
from portal.audit import audit_record
from portal.exceptions import ApplicationError
from portal.models import Branch, Role, User
from portal.notifications import notify_after_commit


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
    regulator_reference: str = "",
    regulator_reply_due: date | None = None,
    product_code: str = "",
    product_name: str = "",
    contract_number: str = "",
    risk_rating_at_sale: int | None = None,
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
    if channel == Channel.REGULATOR and regulator_reply_due is None:
        raise ApplicationError(
            _("A complaint the regulator transferred needs the date set for the bank's report."),
            code="regulator_date",
        )
    if channel != Channel.REGULATOR and regulator_reply_due is not None:
        raise ApplicationError(
            _("Only a complaint the regulator transferred has a date for reporting to it."),
            code="regulator_date",
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
        regulator_reference=regulator_reference.strip(),
        product_code=product_code.strip(),
        product_name=product_name.strip(),
        contract_number=contract_number.strip(),
        risk_rating_at_sale=risk_rating_at_sale,
        regulator_reply_due=regulator_reply_due,
        fast_lane_eligible=is_amount_eligible(amount),
        decision_track=DecisionTrack.STANDARD,
    )
    dispute.decision_due = DECISION_PERIODS[DecisionTrack.STANDARD].end(dispute.received_on)
    dispute.reference = _next_reference(dispute.received_on.year)
    dispute.set_deadlines()
    suggest_on_intake(dispute)
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
    claim_version_add(dispute, made_by=recorded_by or customer)
    repeat_link_on_intake(dispute)
    notify_after_commit(
        "dispute_received",
        recipients=[customer],
        case_ref=dispute.reference,
        url=dispute.get_absolute_url(),
        params={"ref": dispute.reference, "due": dispute.decision_due},
    )
    notify_lane(dispute)
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


def notify_lane(dispute: Dispute) -> None:
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


def claim_version_add(
    dispute: Dispute, *, made_by: User, customer_request: str = ""
) -> ClaimVersion:
    """Keep the claim as it now stands as its next version (version 1 as filed)."""
    last = dispute.claim_versions.order_by("-number").values_list("number", flat=True).first()
    return ClaimVersion.objects.create(
        dispute=dispute,
        number=(last or 0) + 1,
        amount=dispute.amount,
        facts=dispute.facts,
        request=dispute.request,
        category=dispute.category,
        made_by=made_by,
        customer_request=customer_request,
    )
