"""Hot spots: a class of complaints arriving faster than usual (seed 4.7, "代发工资短信未告知收费"
caught within 48 hours; issue 22).

The rule, simple on purpose so that staff can check it by hand: for each branch, product
category and product, the complaints received in the last WINDOW days are compared with that
cut's own daily rate over the BASELINE days before the window. Under a Poisson model with that
rate, an alert is raised when the window's count is at least the smallest k with
P(X >= k) < ALPHA (one in a thousand), and at least MIN_COMPLAINTS. The recurring job looks at
the window ending yesterday; one hot spot per cut and window, so it is idempotent. The cases
behind a hot spot are that cut's complaints received in its window (the queue, filtered).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from mediation.models import Dispute, DisputeQuerySet, ProductCategory
from mediation.notify import head_office_staff, staff_of
from portal.audit import audit_record
from portal.models import Branch, User
from portal.notifications import notify_after_commit
from portal.transitions import run_transition
from portal.waiting import HOME_LIMIT, Waiting

from .models import HotSpot

WINDOW = 7
BASELINE = 56
ALPHA = 0.001
MIN_COMPLAINTS = 5
# A cut seen on fewer days than this in its baseline has no baseline to speak of: its rate is
# taken as at least one complaint a fortnight.
FLOOR_RATE = 1 / 14
# Someone takes a hot spot on within two days of it being raised (seed 4.7: a cluster is to be
# caught within 48 hours); until then it waits on the homes of the staff who see it.
RESPONSE_DAYS = 2


# What other apps show on a hot spot's page (the classes of problems opened from it): each
# answers (user, spot) with template context; registered in their AppConfig.ready().
PANELS: list[Callable[[User, HotSpot], dict[str, Any]]] = []


def panels_for(user: User, spot: HotSpot) -> dict[str, Any]:
    context: dict[str, Any] = {}
    for panel in PANELS:
        context.update(panel(user, spot))
    return context


def poisson_threshold(rate_per_window: float, alpha: float = ALPHA) -> int:
    """The smallest k with P(X >= k) < alpha for X ~ Poisson(rate).

    Each term P(X = i) is taken in log space: above a rate of about 745 (a category of a large
    bank, over 100 complaints a day) exp(-rate) is 0.0 in floating point, and a running
    product from P(X = 0) would never grow. The mass more than twelve standard deviations
    below the rate (under 1e-30) is left out, so the loop runs a few sqrt(rate) steps."""
    rate = rate_per_window
    k = max(0, math.floor(rate - 12 * math.sqrt(rate)))
    below = 0.0  # P(X < k), up to the mass left out
    while 1.0 - below >= alpha:
        below += math.exp(k * math.log(rate) - rate - math.lgamma(k + 1)) if rate > 0 else 1.0
        k += 1
    return k


def _counts(
    start: date, end: date, field: str, extra: Iterable[str] = ()
) -> Counter[tuple[object, ...]]:
    qs = Dispute.objects.filter(received_at__date__gte=start, received_at__date__lte=end)
    if field == "product_code":
        qs = qs.exclude(product_code="")  # a product where one is known
    rows = qs.values(field, *extra).annotate(n=Count("pk")).order_by()
    return Counter({(row[field], *(row[e] for e in extra)): row["n"] for row in rows})


def detect(*, on: date) -> list[HotSpot]:
    """The hot spots of the window ending on `on` (inclusive)."""
    window_start = on - timedelta(days=WINDOW - 1)
    base_end = window_start - timedelta(days=1)
    base_start = base_end - timedelta(days=BASELINE - 1)
    branches = {b.pk: b for b in Branch.objects.all()}
    raised = []
    for cut, field in (
        (HotSpot.Cut.BRANCH, "branch_id"),
        (HotSpot.Cut.CATEGORY, "category"),
        (HotSpot.Cut.PRODUCT, "product_code"),
    ):
        extra = ("product_name",) if cut == HotSpot.Cut.PRODUCT else ()
        now = _counts(window_start, on, field, extra)
        before = _counts(base_start, base_end, field)
        observed: Counter[object] = Counter()
        details: dict[object, tuple[object, ...]] = {}
        for row, n in now.items():
            observed[row[0]] += n
            details.setdefault(row[0], row[1:])
        for key, n in observed.items():
            rate = max(before.get((key,), 0) / BASELINE, FLOOR_RATE) * WINDOW
            threshold = max(poisson_threshold(rate), MIN_COMPLAINTS)
            if n < threshold:
                continue
            label, branch = _label(cut, key, details.get(key, ()), branches)
            spot = HotSpot(
                cut=cut,
                key=str(key),
                label=label,
                branch=branch,
                window_start=window_start,
                window_end=on,
                observed=n,
                expected=round(rate, 2),
                threshold=threshold,
            )
            raised.append(spot)
    return raised


def _label(
    cut: str, key: object, detail: tuple[object, ...], branches: dict[int, Branch]
) -> tuple[str, Branch | None]:
    if cut == HotSpot.Cut.BRANCH:
        branch = branches.get(int(str(key)))
        return (branch.name if branch else str(key)), branch
    if cut == HotSpot.Cut.CATEGORY:
        return str(ProductCategory(str(key)).label), None
    name = str(detail[0]) if detail and detail[0] else str(key)
    return f"{name}（{key}）", None


def hotspots_raise(*, now: datetime | None = None, days_back: int = 1) -> int:
    """The recurring job: the windows ending yesterday (and `days_back` - 1 days before, for a
    first run over history). Each hot spot is raised once, with the staff of its branch (or head
    office, for one across branches) told; returns how many were raised."""
    today = timezone.localdate(now or timezone.now())
    count = 0
    for back in range(days_back, 0, -1):
        for spot in detect(on=today - timedelta(days=back)):
            if HotSpot.objects.filter(
                cut=spot.cut, key=spot.key, window_end__gte=spot.window_start
            ).exists():
                continue  # the same cluster, already raised for an overlapping window
            try:
                with transaction.atomic():
                    spot.save()
                    audit_record(
                        actor=None,
                        action="hotspot.raised",
                        target=spot,
                        case_ref="",
                        data={
                            "cut": spot.cut,
                            "key": spot.key,
                            "observed": spot.observed,
                            "threshold": spot.threshold,
                        },
                    )
                    notify_after_commit(
                        "hotspot_raised",
                        recipients=_told(spot),
                        case_ref="",
                        url=_url(spot),
                        params={
                            "what": spot.label,
                            "n": spot.observed,
                            "expected": f"{spot.expected:.1f}",
                        },
                    )
            except IntegrityError:
                continue  # raised by a concurrent run
            count += 1
    return count


def _told(spot: HotSpot) -> list[User]:
    """Head office, and the branch's own staff for a branch's hot spot."""
    branch = staff_of(spot.branch_id) if spot.branch_id else []
    return head_office_staff() + branch


def _url(spot: HotSpot) -> str:
    from django.urls import reverse

    return reverse("insight:hotspot", args=[spot.pk])


def behind_until(spot: HotSpot) -> date:
    """A cluster goes on after the day it is raised (the job raises it once, on the first
    window over the threshold): its cases run from the window's first day until the spot is
    closed, or until today while it is open."""
    return timezone.localdate(spot.closed_at) if spot.closed_at else timezone.localdate()


def disputes_behind(spot: HotSpot) -> DisputeQuerySet:
    """The complaints behind a hot spot: its cut's, from its window's first day on."""
    qs = Dispute.objects.filter(
        received_at__date__gte=spot.window_start, received_at__date__lte=behind_until(spot)
    )
    field = {
        HotSpot.Cut.BRANCH: "branch_id",
        HotSpot.Cut.CATEGORY: "category",
        HotSpot.Cut.PRODUCT: "product_code",
    }[HotSpot.Cut(spot.cut)]
    return qs.filter(**{field: spot.key})


def suitability_share(disputes: DisputeQuerySet) -> tuple[int, int]:
    """Of the people behind these complaints whose rating and product level are both known,
    how many were sold a product above their risk rating: (mismatched, known)."""
    people = disputes.people()
    return people.suitability_mismatched().count(), people.suitability_known().count()


def cases_behind(spot: HotSpot) -> str:
    """The queue's filter that lists the cases behind a hot spot."""
    from urllib.parse import urlencode

    from django.urls import reverse

    query = {
        "received_from": spot.window_start.isoformat(),
        "received_to": behind_until(spot).isoformat(),
        HotSpot.Cut.BRANCH: {"branch": spot.key},
        HotSpot.Cut.CATEGORY: {"category": spot.key},
        HotSpot.Cut.PRODUCT: {"product": spot.key},
    }
    filters = {k: v for k, v in query.items() if isinstance(v, str)}
    filters.update(query[spot.cut])  # type: ignore[arg-type]
    return reverse("mediation:queue") + "?" + urlencode(filters)


@transaction.atomic
def hotspot_acknowledge(*, actor: User, spot_id: int) -> HotSpot:
    from .access import hotspot_get_for

    spot = hotspot_get_for(actor, spot_id, for_update=True)

    def take(s: HotSpot) -> None:
        s.assignee = actor

    return run_transition(spot, "acknowledge", actor=actor, before=take)


@transaction.atomic
def hotspot_close(*, actor: User, spot_id: int, finding: str) -> HotSpot:
    from portal.exceptions import ApplicationError

    from .access import hotspot_get_for

    spot = hotspot_get_for(actor, spot_id, for_update=True)
    if not finding.strip():
        raise ApplicationError(_("Say what was found: a class of problems, or chance."))

    def record(s: HotSpot) -> None:
        s.finding, s.closed_at = finding.strip(), timezone.now()
        s.assignee = s.assignee or actor

    return run_transition(spot, "close", actor=actor, before=record, reason=finding.strip())


def waiting_hotspots(user: User, today: date) -> list[Waiting]:
    """On a member of staff's home: the hot spots they see that nobody has taken on yet."""
    from portal.access import is_bank_staff

    from .access import hotspots_visible_to
    from .hotspot_lifecycle import HotSpotStatus

    if not is_bank_staff(user):
        return []
    spots = hotspots_visible_to(user).filter(status=HotSpotStatus.OPEN)[:HOME_LIMIT]
    return [
        Waiting(
            what=str(_("Look into a hot spot: %(what)s") % {"what": s.label}),
            case_ref="",
            url=_url(s),
            due=timezone.localdate(s.raised_at) + timedelta(days=RESPONSE_DAYS),
        )
        for s in spots
    ]
