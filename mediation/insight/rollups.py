"""Keeping the daily roll-ups right (the recurring job `insight_rollups`).

A refresh finds the days to count again: every day from the first case on the first run, and
afterwards the days touched by cases changed since the last run (the day each was received,
decided and put to mediation), the days of return visits recorded since, plus today. It counts
those days from the raw rows with grouped queries and replaces their roll-up rows in one
transaction, so a case decided, opted in or settled after the fact moves the figures of the day
it belongs to. Idempotent.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from mediation.lifecycle import ClosureReason, DisputeStatus
from mediation.models import Consent, Dispute, ReturnVisit
from portal.models import Role, User

from .models import HandlingDays, Rollup, RollupState

SUCCEEDED = Q(status=DisputeStatus.AGREEMENT_REACHED) | Q(
    closure_reason=ClosureReason.AGREEMENT_PERFORMED
)
FAILED = Q(
    status__in=[
        DisputeStatus.MEDIATION_FAILED,
        DisputeStatus.IN_ARBITRATION,
        DisputeStatus.IN_LITIGATION,
    ]
) | Q(closure_reason__in=[ClosureReason.ARBITRATION_AWARD, ClosureReason.JUDGMENT])


def _local(moment: datetime | None) -> date | None:
    return timezone.localdate(moment) if moment else None


def dirty_days(since: datetime | None, today: date) -> set[date]:
    if since is None or not Rollup.objects.exists():
        first = Dispute.objects.order_by("received_at").values_list("received_at", flat=True)
        start = _local(first.first()) or today
        return {start + timedelta(days=n) for n in range((today - start).days + 1)}
    days = {today}
    for received, decided, mediated in Dispute.objects.filter(updated_at__gt=since).values_list(
        "received_at", "decision_at", "mediation_started_on"
    ):
        days |= {d for d in (_local(received), _local(decided), mediated) if d}
    for visited in ReturnVisit.objects.filter(created_at__gt=since).values_list(
        "created_at", flat=True
    ):
        days.add(timezone.localdate(visited))
    return days


def rollups_refresh(*, now: datetime | None = None) -> int:
    """Count again the days that changed; returns how many days were counted."""
    started = now or timezone.now()
    state, _created = RollupState.objects.get_or_create(pk=1)
    days = dirty_days(state.seen, timezone.localdate(started))
    if days:
        _count(days)
    customers = User.objects.filter(role=Role.CUSTOMER).count()
    RollupState.objects.filter(pk=1).update(seen=started, customers=customers)
    return len(days)


def _count(days: set[date]) -> None:
    first, last = min(days), max(days)
    cells: defaultdict[tuple[date, int, str, str], Counter[str]] = defaultdict(Counter)
    opted = Exists(Consent.objects.filter(dispute=OuterRef("pk"), kind=Consent.Kind.MEDIATION))
    received = (
        Dispute.objects.filter(received_at__date__gte=first, received_at__date__lte=last)
        .annotate(day=TruncDate("received_at"), opted=opted)
        .values("day", "branch_id", "category", "channel")
        .annotate(
            n=Count("pk"),
            repeat_n=Count("pk", filter=Q(repeat_of__isnull=False)),
            eligible=Count("pk", filter=Q(fast_lane_eligible=True)),
            opted_in=Count("pk", filter=Q(fast_lane_eligible=True, opted=True)),
        )
    )
    for row in received:
        key = (row["day"], row["branch_id"], row["category"], row["channel"])
        if key[0] in days:
            cells[key].update(
                received=row["n"],
                repeats=row["repeat_n"],
                eligible=row["eligible"],
                opted_in=row["opted_in"],
            )
    handling: Counter[tuple[date, int, str, int]] = Counter()
    for decided_at, received_at, due, branch, category, channel in Dispute.objects.filter(
        decision_at__date__gte=first, decision_at__date__lte=last
    ).values_list("decision_at", "received_at", "decision_due", "branch_id", "category", "channel"):
        day = timezone.localdate(decided_at)
        if day not in days:
            continue
        took = min((day - timezone.localdate(received_at)).days, HandlingDays.CAP)
        cells[(day, branch, category, channel)].update(
            decided=1, on_time=int(due is None or day <= due)
        )
        handling[(day, branch, category, max(took, 0))] += 1
    mediated = (
        Dispute.objects.filter(mediation_started_on__gte=first, mediation_started_on__lte=last)
        .values("mediation_started_on", "branch_id", "category", "channel")
        .annotate(
            n=Count("pk"),
            succeeded=Count("pk", filter=SUCCEEDED),
            failed=Count("pk", filter=FAILED),
        )
    )
    for m in mediated:
        started = m["mediation_started_on"]
        if started in days:
            cells[(started, m["branch_id"], m["category"], m["channel"])].update(
                mediated=m["n"],
                mediation_succeeded=m["succeeded"],
                mediation_failed=m["failed"],
            )
    visits = (
        ReturnVisit.objects.filter(created_at__date__gte=first, created_at__date__lte=last)
        .annotate(day=TruncDate("created_at"))
        .values("day", "dispute__branch_id", "dispute__category", "dispute__channel")
        .annotate(
            n=Count("pk"), total=Sum("rating"), satisfied=Count("pk", filter=Q(rating__gte=4))
        )
    )
    for v in visits:
        if v["day"] in days:
            key = (v["day"], v["dispute__branch_id"], v["dispute__category"], v["dispute__channel"])
            cells[key].update(rated=v["n"], rating_total=v["total"], satisfied=v["satisfied"])
    with transaction.atomic():
        Rollup.objects.filter(day__in=days).delete()
        HandlingDays.objects.filter(day__in=days).delete()
        Rollup.objects.bulk_create(
            [
                Rollup(day=day, branch_id=branch, category=category, channel=channel, **counts)
                for (day, branch, category, channel), counts in cells.items()
            ],
            batch_size=2000,
        )
        HandlingDays.objects.bulk_create(
            [
                HandlingDays(day=day, branch_id=branch, category=category, days=took, count=n)
                for (day, branch, category, took), n in handling.items()
            ],
            batch_size=2000,
        )
