"""The annual white paper (seed 6.2: total complaints, handling times, compensation,
rectification cases), built by the worker into a versioned PDF and a public page.

The figures are computed once, when a version is built, and stored with it: the public page
and the PDF read the same stored figures, and a published version never changes. The
dashboard's figures come from the roll-ups (mediation/insight/figures.py), so the paper and
the dashboard agree; the rest (closing routes, compensation, satisfaction, rectification) is
read from the cases of the year in a few grouped queries, in the worker, never on a request.

What is left out (mediation/insight/suppression.py): a rate over fewer than 30 cases, a
table cell counting 1 to 29 cases, and as many other cells as it takes for none of them to be
worked out from the totals printed beside them.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING, Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import ExtractQuarter
from django.utils import timezone
from django.utils.translation import gettext as _

from mediation import hooks
from mediation.lifecycle import ClosureReason, DisputeStatus
from mediation.models import Dispute, ProductCategory
from mediation.problems.models import ClassMember, OfferStatus, RectificationAction
from mediation.replykit.lifecycle import ReplyStatus
from mediation.replykit.models import Reply
from portal.access import is_administrator, is_head_office_staff, refuse
from portal.audit import audit_record
from portal.exceptions import ApplicationError
from portal.transitions import run_transition

from .figures import MIN_CASES, Period, dashboard
from .models import Rollup, WhitePaper
from .suppression import suppress, suppress_line
from .white_paper_lifecycle import WhitePaperStatus

if TYPE_CHECKING:
    from portal.models import User

log = logging.getLogger(__name__)

WITHDRAWN = "withdrawn"  # the closing route of a case the customer withdrew
FIRST_YEAR = 2000


# ---- the figures -----------------------------------------------------------------------------


def year_period(year: int, today: date) -> Period:
    """The year, or the current year up to yesterday (today's roll-up is not complete)."""
    end = date(year, 12, 31)
    if end >= today:
        end = max(date(year, 1, 1), today - timedelta(days=1))
    return Period(str(year), f"{year}年", date(year, 1, 1), end)


def _published_table(
    title: str,
    rows: list[tuple[str, str]],
    columns: list[tuple[str, str]],
    counts: dict[tuple[str, str], int],
) -> dict[str, Any]:
    """A table of counts as printed: each cell a number or None (left out), with its row and
    column totals (always printed) and a note of how many cells were left out."""
    table = {(r, c): counts.get((r, c), 0) for r, _l in rows for c, _m in columns}
    hidden = suppress(table)
    return {
        "title": title,
        "columns": [label for _k, label in columns],
        "rows": [
            {
                "label": label,
                "cells": [None if (r, c) in hidden else table[(r, c)] for c, _m in columns],
                "total": sum(table[(r, c)] for c, _m in columns),
            }
            for r, label in rows
        ],
        "column_totals": [sum(table[(r, c)] for r, _l in rows) for c, _m in columns],
        "total": sum(table.values()),
        "hidden": len(hidden),
    }


def _compensation(closed: list[int]) -> dict[str, Any]:
    """What the customers of the year's closed cases obtained, each case counted once at the
    largest of: the bank's decision (or its review), an accepted class offer, and a later
    mediation agreement or award (referrals, through mediation.hooks.later_amounts)."""
    best: dict[int, Decimal] = defaultdict(Decimal)
    for pk, amount in (
        Reply.objects.filter(dispute_id__in=closed, status=ReplyStatus.ISSUED)
        .values("dispute_id")
        .annotate(top=Max("granted_amount"))
        .values_list("dispute_id", "top")
    ):
        best[pk] = max(best[pk], amount or Decimal(0))
    for pk, amount in ClassMember.objects.filter(
        dispute_id__in=closed, offer_status=OfferStatus.ACCEPTED
    ).values_list("dispute_id", "offer"):
        best[pk] = max(best[pk], amount or Decimal(0))
    for pk, amount in hooks.later_amounts(closed).items():
        best[pk] = max(best[pk], amount)
    paid = [amount for amount in best.values() if amount > 0]
    # Fewer than 30 paid cases would print a handful of people's amounts: left out.
    total = f"{sum(paid, Decimal(0)):.2f}" if len(paid) >= MIN_CASES else None
    return {"cases": len(paid), "total": total}


def annual_figures(year: int, today: date) -> dict[str, Any]:
    """Everything the paper prints for `year`, small cells already left out (JSON)."""
    period = year_period(year, today)
    board = dashboard(Q(), _("All branches"), period, today)
    total = board.total.counts
    mean = board.total.mean_rating
    categories = [(str(k), str(v)) for k, v in ProductCategory.choices]

    quarters = [(str(q), f"Q{q}") for q in range(1, 5)]
    by_quarter = {
        (row["category"], str(row["quarter"])): row["n"] or 0
        for row in Rollup.objects.filter(day__gte=period.start, day__lte=period.end)
        .annotate(quarter=ExtractQuarter("day"))
        .values("category", "quarter")
        .annotate(n=Sum("received"))
        .order_by()
    }

    closed_cases = Dispute.objects.filter(
        closed_at__date__gte=period.start, closed_at__date__lte=period.end
    )
    routes = [(str(k), str(v)) for k, v in ClosureReason.choices] + [(WITHDRAWN, _("Withdrawn"))]
    by_route: dict[tuple[str, str], int] = defaultdict(int)
    for row in closed_cases.values("category", "status", "closure_reason").annotate(n=Count("pk")):
        route = WITHDRAWN if row["status"] == DisputeStatus.WITHDRAWN else row["closure_reason"]
        by_route[(row["category"], route or str(ClosureReason.OTHER))] += row["n"]

    return {
        "year": year,
        "from": period.start.isoformat(),
        "through": period.end.isoformat(),
        "whole_year": period.end == date(year, 12, 31),
        "received": board.total.received,
        "merged": board.total.merged,
        "repeats": total.get("repeats", 0),
        "regulator": board.regulator,
        "decided": total.get("decided", 0),
        "on_time_rate": board.total.on_time_rate,
        "median_days": board.median_days,
        "p90_days": board.p90_days,
        "uptake": board.uptake,
        "mediation_success": board.mediation_success,
        "per_ten_million_customers": board.per_ten_million_customers,
        "compensation": _compensation(list(closed_cases.values_list("pk", flat=True))),
        "satisfaction": {
            "rated": total.get("rated", 0),
            "mean": None if mean is None else round(mean, 2),
            "satisfied_share": board.total.satisfied_rate,
        },
        "months": _months(board.months),
        "tables": [
            _published_table(
                _("Complaints received by product category and quarter"),
                categories,
                quarters,
                by_quarter,
            ),
            _published_table(
                _("Cases closed by product category and how they closed"),
                categories,
                routes,
                by_route,
            ),
        ],
        "rectifications": _rectifications(period),
    }


def _months(months: list[Any]) -> list[dict[str, Any]]:
    """The year's months with their complaints, small months left out (suppress_line)."""
    hidden = suppress_line([m.received for m in months])
    return [
        {"label": m.label, "received": None if i in hidden else m.received}
        for i, m in enumerate(months)
    ]


def _rectifications(period: Period) -> list[dict[str, Any]]:
    """Rectification done in the year, without a name in it: the product category, the kind
    of measure and how many customers the class counted (under 30: "fewer than 30"). The
    staff's own words are left out, as they may name people."""
    done = (
        RectificationAction.objects.filter(
            done_at__date__gte=period.start, done_at__date__lte=period.end
        )
        .select_related("problem_class")
        .annotate(people=Count("problem_class__members"))
        .order_by("done_at", "pk")
    )
    categories = dict(ProductCategory.choices)
    return [
        {
            "category": str(categories.get(action.problem_class.category, _("Several"))),
            "kind": action.get_kind_display(),
            "customers": action.people if action.people >= MIN_CASES else None,
            "done_on": timezone.localdate(action.done_at).isoformat() if action.done_at else "",
        }
        for action in done
    ]


# ---- the services ------------------------------------------------------------------------------


def may_ask_for(user: User) -> bool:
    """Head office and administrators build papers; administrators alone publish them."""
    return is_head_office_staff(user) or is_administrator(user)


def papers_for(user: User) -> Any:
    """Every version for those who build them; nothing for anyone else (the public reads
    published versions through `published_papers`)."""
    if not may_ask_for(user):
        return WhitePaper.objects.none()
    return WhitePaper.objects.select_related("requested_by", "published_by")


def published_papers() -> Any:
    return WhitePaper.objects.filter(status=WhitePaperStatus.PUBLISHED)


@transaction.atomic
def white_paper_request(*, actor: User, year: int) -> WhitePaper:
    """A new version of `year`'s paper, built by the worker after commit."""
    if not may_ask_for(actor):
        raise refuse(actor, "white_paper", year)
    today = timezone.localdate()
    if not FIRST_YEAR <= year <= today.year:
        raise ApplicationError(
            _("Choose a year from %(first)s to %(last)s.")
            % {"first": FIRST_YEAR, "last": today.year}
        )
    if year == today.year and today == date(year, 1, 1):
        raise ApplicationError(_("The year has no complete day yet."))
    # Two asked for at once take the next numbers in turn: the second insert waits for the
    # first to commit on the (year, version) constraint, fails, and counts again.
    for _attempt in range(10):
        latest = WhitePaper.objects.filter(year=year).aggregate(v=Max("version"))["v"] or 0
        try:
            with transaction.atomic():
                paper = WhitePaper.objects.create(year=year, version=latest + 1, requested_by=actor)
            break
        except IntegrityError:
            continue
    else:
        raise ApplicationError(
            _("Several versions of this year were asked for at once: look at the list first.")
        )
    audit_record(
        actor=actor,
        action="white_paper.requested",
        target=paper,
        data={"year": year, "version": paper.version},
    )
    transaction.on_commit(partial(_enqueue, paper.pk))
    return paper


def _enqueue(paper_id: int) -> None:
    from .tasks import build_white_paper

    build_white_paper.enqueue(paper_id)


def white_paper_build(*, paper_id: int) -> None:
    """Compute, render and store one version (the worker, never a request). A version not
    queued (already built or failed) is left alone; a failure keeps its reason."""
    from .documents import render_white_paper

    paper = WhitePaper.objects.filter(pk=paper_id, status=WhitePaperStatus.QUEUED).first()
    if paper is None:
        return
    try:
        figures = annual_figures(paper.year, timezone.localdate())
        pdf = render_white_paper(figures, version=paper.version)
        name = default_storage.save(
            f"white-papers/{paper.year}/v{paper.version}.pdf", ContentFile(pdf)
        )
    except Exception as exc:
        log.exception("white paper %s failed", paper_id)
        reason = f"{type(exc).__name__}: {exc}"[:500]
        with transaction.atomic():
            locked = WhitePaper.objects.select_for_update().get(pk=paper_id)
            if locked.status == WhitePaperStatus.QUEUED:
                run_transition(
                    locked,
                    "fail",
                    actor=None,
                    before=lambda p: setattr(p, "error", reason),
                )
        return
    with transaction.atomic():
        locked = WhitePaper.objects.select_for_update().get(pk=paper_id)
        if locked.status != WhitePaperStatus.QUEUED:
            default_storage.delete(name)
            return

        def store(p: WhitePaper) -> None:
            p.figures, p.pdf.name = figures, name
            p.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
            p.built_at = timezone.now()

        run_transition(locked, "built", actor=None, before=store)


@transaction.atomic
def white_paper_publish(*, actor: User, paper_id: int) -> WhitePaper:
    """An administrator approves a built version: it becomes public (audited)."""
    paper = papers_for(actor).select_for_update(of=("self",)).filter(pk=paper_id).first()
    if paper is None:
        raise refuse(actor, "white_paper", paper_id)

    def approve(p: WhitePaper) -> None:
        p.published_by, p.published_at = actor, timezone.now()

    return run_transition(paper, "publish", actor=actor, before=approve)
