"""What a customer obtained after the bank's decision: a mediation agreement or an arbitral
award (mediation.hooks.later_amounts; the reply toolkit counts a refusal the customer later
beat as overturned)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Max, Sum
from django.utils.translation import gettext as _

from mediation.hooks import Turnaround
from referrals.arbitration.models import ArbitrationCase, ArbitrationDecision
from referrals.centres.models import MediationAgreement
from referrals.confirmation.models import JudicialConfirmation


def later_amounts(dispute_ids: list[int]) -> dict[int, Decimal]:
    out: dict[int, Decimal] = {}
    agreements = (
        MediationAgreement.objects.filter(referral__dispute_id__in=dispute_ids)
        .values("referral__dispute_id")
        .annotate(amount=Max("amount"))
    )
    for pk, amount in agreements.values_list("referral__dispute_id", "amount"):
        out[pk] = amount
    # Partial awards (先行裁决) and the final award add up.
    awards = (
        ArbitrationDecision.objects.filter(case__dispute_id__in=dispute_ids, amount__isnull=False)
        .values("case__dispute_id")
        .annotate(amount=Sum("amount"))
    )
    for pk, amount in awards.values_list("case__dispute_id", "amount"):
        out[pk] = max(amount, out.get(pk, amount))
    return out


def turnarounds(branch_id: int | None, first: date, last: date) -> list[Turnaround]:
    """Courts' rulings on confirmation applications (target: the ruling due date, 15 days
    from acceptance or as extended) and arbitral awards (the bank's 45-day target from
    acceptance) made between `first` and `last`, for one branch's cases or all. A few hundred
    rows a year: read as they are."""
    scope = {} if branch_id is None else {"dispute__branch_id": branch_id}
    measured = (
        (
            Turnaround(_("Judicial confirmation: ruling"), _("15 days from acceptance")),
            JudicialConfirmation.objects.all(),
            ("accepted_on", "ruling_on", "decision_due"),
        ),
        (
            Turnaround(_("Arbitration: award"), _("45 days from acceptance")),
            ArbitrationCase.objects.all(),
            ("accepted_on", "award_on", "target_due"),
        ),
    )
    for turnaround, rows, (accepted_on, decided_on, due_on) in measured:
        for accepted, decided, due in (
            rows.filter(accepted_on__isnull=False, **scope)
            .filter(**{f"{decided_on}__gte": first, f"{decided_on}__lte": last})
            .values_list(accepted_on, decided_on, due_on)
        ):
            turnaround.days.append((decided - accepted).days)
            turnaround.on_target += due is None or decided <= due
    return [turnaround for turnaround, _rows, _fields in measured]
