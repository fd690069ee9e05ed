"""Reads shaped for one page: the dispute list API's page (and the detail's one row), read
through the ORM, and what a case page needs to know before it reads its lists (`case_holds`).

Partners and the bank's apps poll GET /api/v1/disputes/ all day; it is the portal's hottest read.
The page is the visible queryset (`access.disputes_visible_to`, the same rule as every other
read), filtered, ordered by a keyset and read with `values()`: one query, no model instances,
the branch and customer joined in. A small formatter writes each row as DisputeOut represents it
(tests/mediation/test_selectors.py holds the two equal on SQLite and PostgreSQL).

Paging is by keyset on (updated_at, pk), newest change first: a page is the rows strictly after
(or, going back, before) a position, so rows that share a timestamp are neither skipped nor
repeated. The condition is written `updated_at <= t AND (updated_at < t OR pk < p)` so that the
database walks the updated_at index from the position on.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from functools import lru_cache
from typing import Any, cast

from django.db import models
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from mediation import access as dispute_access
from mediation.lifecycle import DisputeStatus
from mediation.models import Dispute
from portal.models import User

# Where a page starts: the (updated_at, pk) of the row just outside it. Each row comes with
# its own as an Edge: the time as the row shows it (ISO 8601, exact to the microsecond) and pk.
type Position = tuple[datetime, int]
type Edge = tuple[str, int]

_FIELDS = (
    "pk",
    "reference",
    "status",
    "category",
    "amount",
    "fast_lane_eligible",
    "channel",
    "received_at",
    "decision_due",
    "mediation_due",
    "next_deadline",
    "next_party_deadline",
    "updated_at",
)
_JOINED = {
    "branch_code": F("branch__code"),
    "customer_real_name": F("customer__real_name"),
    "customer_username": F("customer__username"),
}


def dispute_page(
    user: User,
    *,
    limit: int,
    position: Position | None = None,
    backwards: bool = False,
    status: str | None = None,
    updated_since: datetime | None = None,
    due_before: date | None = None,
    reference: str | None = None,
) -> list[tuple[Edge, dict[str, Any]]]:
    """Up to `limit` disputes the user may see, newest change first, after `position` (or,
    `backwards`, the ones just before it, still in newest-first order), each with its edge
    and its row as the dispute list API returns it. With `reference`, that one dispute (the
    detail endpoint), if the user may see it."""
    qs = dispute_access.disputes_visible_to(user)
    if reference is not None:
        qs = qs.filter(reference=reference)
    if status is not None:
        qs = qs.filter(status=status)
    if updated_since is not None:
        qs = qs.filter(updated_at__gte=updated_since)
    # The bank's side reads its internal targets among the deadlines; others do not.
    bank_side = dispute_access.reads_the_banks_notes(user)
    deadline = "next_deadline" if bank_side else "next_party_deadline"
    if due_before is not None:
        qs = qs.filter(**{f"{deadline}__lt": due_before})
    if position is not None:
        at, pk = position
        if backwards:
            qs = qs.filter(Q(updated_at__gte=at), Q(updated_at__gt=at) | Q(pk__gt=pk))
        else:
            qs = qs.filter(Q(updated_at__lte=at), Q(updated_at__lt=at) | Q(pk__lt=pk))
    order = ("updated_at", "pk") if backwards else ("-updated_at", "-pk")
    consent = dispute_access.consent_for_partner(user)
    joined = {**_JOINED, "consent": consent} if consent is not None else _JOINED
    rows = list(qs.order_by(*order).values(*_FIELDS, **joined)[:limit])
    if backwards:
        rows.reverse()
    return _format(rows, deadline)


def _format(rows: list[dict[str, Any]], deadline: str) -> list[tuple[Edge, dict[str, Any]]]:
    """Rows as DisputeOut represents them: amounts with two decimals, dates in ISO 8601, times
    in the current time zone as DRF's DateTimeField writes them."""
    zone = timezone.get_current_timezone()
    labels = {value: str(label) for value, label in DisputeStatus.choices}
    page = []
    for row in rows:
        updated = api_moment(row["updated_at"], zone)
        page.append(
            (
                (updated, row["pk"]),
                {
                    "reference": row["reference"],
                    "status": row["status"],
                    "status_display": labels[row["status"]],
                    "category": row["category"],
                    "amount": f"{row['amount']:.2f}",
                    "fast_lane_eligible": row["fast_lane_eligible"],
                    "branch": row["branch_code"],
                    "customer_name": None
                    if row.get("consent") is False
                    else row["customer_real_name"] or row["customer_username"],
                    "channel": row["channel"],
                    "received_at": api_moment(row["received_at"], zone),
                    "decision_due": api_day(row["decision_due"]),
                    "mediation_due": api_day(row["mediation_due"]),
                    "next_deadline": api_day(row[deadline]),
                    "updated_at": updated,
                },
            )
        )
    return page


def api_moment(value: datetime, zone: tzinfo) -> str:
    """DRF's DateTimeField representation, with the page's zone looked up once rather than
    for every value (a third of a page's time on SQLite): ISO 8601 in `zone`, UTC as Z."""
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def api_day(value: date | None) -> str | None:
    """DRF's DateField representation: ISO 8601."""
    return None if value is None else value.isoformat()


def case_holds(dispute: Dispute, **kinds: type[models.Model] | QuerySet[Any]) -> dict[str, bool]:
    """Which of a case's lists have anything, in one query (an EXISTS each), so that a case
    page reads only the lists it will show: most cases have no second claim, agent, review,
    mediation request, repeat or outside body, and a query each for nothing was a fifth of
    their page's time (bench/scale.py). A model stands for its rows of this case (by its
    `dispute`); a queryset, correlated with OuterRef("pk"), for anything else (a module's
    constant: the query is built once per process for each set of lists)."""
    row = cast(dict[str, bool], _holds_query(tuple(kinds.items())).filter(pk=dispute.pk).get())
    return {name: row[f"has_{name}"] for name in kinds}


@lru_cache(maxsize=16)  # a handful of sets of lists; a caller's fresh queryset cannot pile up
def _holds_query(
    kinds: tuple[tuple[str, type[models.Model] | QuerySet[Any]], ...],
) -> QuerySet[Dispute, Any]:
    """The EXISTS of each list, built and resolved once: building and resolving a dozen
    correlated subqueries cost 2.5 ms of the 3.5 ms this query took on every case page
    (bench/scale.py, PostgreSQL), the same for every case. Each page filters a clone of it, as
    a view's class-level queryset is."""
    return Dispute.objects.values(
        **{
            f"has_{name}": Exists(
                kind
                if isinstance(kind, QuerySet)
                else kind._default_manager.filter(dispute=OuterRef("pk"))
            )
            for name, kind in kinds
        }
    )
