"""What a class's page measures: its people and complaints (repeats merged), the suitability
share, the offers and payments, and the matter's complaints per week before and after
rectification.

Source governance (seed 4.5: a class of complaints falling by 30% or more earns the branch a
credit) is marked when every rectification action is done, at least AFTER_WEEKS full weeks
have passed since the last, and the matter's complaints per week since then are at most 70% of
those of the BEFORE_WEEKS weeks before the class was opened. People are counted once per
matter (repeat complaints merged)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from mediation.models import Dispute

from .models import AdvancePayment, ClassMember, OfferStatus, ProblemClass

BEFORE_WEEKS = 4
AFTER_WEEKS = 4
GOVERNANCE_FALL = Decimal("0.30")
SHOWN_WEEKS = 26


@dataclass(frozen=True)
class Week:
    start: date
    count: int
    after: bool  # on or after the week rectification was complete


@dataclass(frozen=True)
class ClassFigures:
    people: int
    complaints: int
    mismatched: int
    rating_known: int
    offers: dict[str, int]
    offered_total: Decimal
    accepted_total: Decimal
    advanced_total: Decimal
    weeks: list[Week]
    rectified_on: date | None
    before_rate: float | None
    after_rate: float | None
    governance: bool

    @property
    def repeats(self) -> int:
        return self.complaints - self.people

    @property
    def mismatch_share(self) -> float | None:
        return self.mismatched / self.rating_known if self.rating_known else None

    @property
    def fall(self) -> float | None:
        if self.before_rate and self.after_rate is not None:
            return 1 - self.after_rate / self.before_rate
        return None


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def matter(problem: ProblemClass) -> Q:
    if problem.product_code:
        return Q(product_code=problem.product_code)
    return Q(category=problem.category)


def class_figures(problem: ProblemClass, *, today: date | None = None) -> ClassFigures:
    today = today or timezone.localdate()
    members = ClassMember.objects.filter(problem_class=problem)
    agg = members.aggregate(
        people=Count("pk"),
        mismatched=Count("pk", filter=Q(suitability_mismatch=True)),
        known=Count("pk", filter=Q(suitability_mismatch__isnull=False)),
        offered=Sum("offer", filter=Q(offer_sent_at__isnull=False)),
        accepted=Sum("offer", filter=Q(offer_status=OfferStatus.ACCEPTED)),
    )
    repeats = Dispute.objects.filter(repeat_of__class_memberships__problem_class=problem).count()
    offers = dict(members.values_list("offer_status").annotate(n=Count("pk")).order_by())
    advanced = AdvancePayment.objects.filter(member__problem_class=problem).aggregate(
        s=Sum("amount")
    )["s"]
    actions = list(problem.rectifications.values_list("done_at", flat=True))
    rectified = (
        timezone.localdate(max(actions)) if actions and all(actions) else None  # type: ignore[type-var]
    )
    opened = timezone.localdate(problem.opened_at)
    start = _monday(opened) - timedelta(weeks=BEFORE_WEEKS)
    first_shown = max(start, _monday(today) - timedelta(weeks=SHOWN_WEEKS - 1))
    days = (
        Dispute.objects.people()
        .filter(matter(problem))
        .filter(received_at__date__gte=min(start, first_shown), received_at__date__lte=today)
        .values_list("received_at", flat=True)
    )
    per_week = Counter(_monday(timezone.localdate(at)) for at in days)
    after_from = _monday(rectified) + timedelta(weeks=1) if rectified else None
    weeks = []
    monday = first_shown
    while monday <= _monday(today):
        weeks.append(
            Week(monday, per_week.get(monday, 0), bool(after_from and monday >= after_from))
        )
        monday += timedelta(weeks=1)
    before_weeks = [_monday(opened) - timedelta(weeks=n) for n in range(1, BEFORE_WEEKS + 1)]
    before_rate = sum(per_week.get(w, 0) for w in before_weeks) / BEFORE_WEEKS
    after_rate = None
    if after_from is not None:
        full = _weeks_between(after_from, _monday(today))
        if len(full) >= AFTER_WEEKS:
            after_rate = sum(per_week.get(w, 0) for w in full) / len(full)
    governance = bool(
        after_rate is not None
        and before_rate > 0
        and Decimal(str(after_rate)) <= Decimal(str(before_rate)) * (1 - GOVERNANCE_FALL)
    )
    return ClassFigures(
        people=agg["people"],
        complaints=agg["people"] + repeats,
        mismatched=agg["mismatched"],
        rating_known=agg["known"],
        offers=offers,
        offered_total=agg["offered"] or Decimal(0),
        accepted_total=agg["accepted"] or Decimal(0),
        advanced_total=advanced or Decimal(0),
        weeks=weeks,
        rectified_on=rectified,
        before_rate=before_rate,
        after_rate=after_rate,
        governance=governance,
    )


def _weeks_between(first: date, this_week: date) -> list[date]:
    """Full weeks from `first` up to, not including, the current week."""
    out = []
    monday = first
    while monday < this_week:
        out.append(monday)
        monday += timedelta(weeks=1)
    return out


def membership(dispute: Dispute) -> ClassMember | None:
    """The class a case is in, through the person's first case when this one repeats it."""
    return (
        ClassMember.objects.filter(dispute_id=dispute.repeat_of_id or dispute.pk)
        .select_related("problem_class")
        .first()
    )
