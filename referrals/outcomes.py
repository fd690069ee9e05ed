"""What a customer obtained after the bank's decision: a mediation agreement or an arbitral
award (mediation.hooks.later_amounts; the reply toolkit counts a refusal the customer later
beat as overturned)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Max, Sum

from referrals.arbitration.models import ArbitrationDecision
from referrals.centres.models import MediationAgreement


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
