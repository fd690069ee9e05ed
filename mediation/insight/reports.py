"""The complaint figures as a PDF (issue 21: the dashboard as PDF, and a monthly report to
head office). The dashboard asks for one of the period and scope it shows; the monthly job
makes last month's for every branch on the first days of a month and tells head office (in
the portal and by email, as each person chose) with a link to it. The worker renders it
(documents are never rendered in a request)."""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mediation.access import ALL_BRANCHES, figures_branch
from mediation.notify import head_office_staff
from portal.access import refuse
from portal.audit import audit_record
from portal.models import Branch
from portal.notifications import notify_after_commit

from .figures import dashboard, parse_period, previous
from .models import FiguresReport

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from portal.models import User

log = logging.getLogger(__name__)


def reports_for(user: User) -> QuerySet[FiguresReport]:
    """The reports of the scope this person reads: head office and auditors every branch's
    (and the monthly ones), a branch's staff their branch's; nobody else any."""
    branch = figures_branch(user)
    if branch is None:
        return FiguresReport.objects.none()
    if branch == ALL_BRANCHES:
        return FiguresReport.objects.filter(branch__isnull=True)
    return FiguresReport.objects.filter(branch_id=branch)


@transaction.atomic
def report_request(*, actor: User, period_key: str) -> FiguresReport:
    branch = figures_branch(actor)
    if branch is None:
        raise refuse(actor, "figures_report", period_key)
    period = parse_period(period_key, timezone.localdate())
    report = FiguresReport.objects.create(
        period=period.key,
        branch_id=None if branch == ALL_BRANCHES else branch,
        requested_by=actor,
    )
    audit_record(
        actor=actor, action="insight.report_requested", target=report, data={"period": period.key}
    )
    transaction.on_commit(partial(_enqueue, report.pk))
    return report


def _enqueue(report_id: int) -> None:
    from .tasks import build_figures_report

    build_figures_report.enqueue(report_id)


def report_build(*, report_id: int) -> None:
    """Compute and render one report (the worker); the monthly one tells head office."""
    from .documents import render_figures

    report = FiguresReport.objects.filter(pk=report_id, status=FiguresReport.Status.QUEUED).first()
    if report is None:
        return
    try:
        today = timezone.localdate()
        period = parse_period(report.period, today)
        if report.branch_id is None:
            scope, label = Q(), _("All branches")
        else:
            branch = Branch.objects.get(pk=report.branch_id)
            scope, label = Q(branch_id=branch.pk), branch.name
        board = dashboard(scope, label, period, today, report.branch_id)
        pdf = render_figures(board, made_on=today)
        name = default_storage.save(f"figures/{report.period}-{report.pk}.pdf", ContentFile(pdf))
    except Exception as exc:
        log.exception("figures report %s failed", report_id)
        FiguresReport.objects.filter(pk=report_id).update(
            status=FiguresReport.Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:500]
        )
        return
    with transaction.atomic():
        locked = FiguresReport.objects.select_for_update().get(pk=report_id)
        if locked.status != FiguresReport.Status.QUEUED:
            default_storage.delete(name)
            return
        locked.pdf.name, locked.pdf_sha256 = name, hashlib.sha256(pdf).hexdigest()
        locked.status, locked.built_at = FiguresReport.Status.READY, timezone.now()
        locked.save(update_fields=["pdf", "pdf_sha256", "status", "built_at"])
        if locked.requested_by_id is None:
            notify_after_commit(
                "figures_monthly_report",
                recipients=head_office_staff(),
                case_ref="",
                url=reverse("insight:report_pdf", args=[locked.pk]),
                params={"period": period.label},
            )


def monthly_report(*, now: datetime | None = None) -> int:
    """Last month's report for every branch, once (the recurring job; idempotent: a second
    run, or a run on another host at once, finds it made). Built here: the job runs in the
    worker's scheduler, never in a request."""
    today = timezone.localdate(now)
    last_month = previous(parse_period(f"{today:%Y-%m}", today))
    if FiguresReport.objects.filter(
        period=last_month.key, branch__isnull=True, requested_by__isnull=True
    ).exists():
        return 0
    try:
        with transaction.atomic():
            report = FiguresReport.objects.create(period=last_month.key)
    except IntegrityError:
        return 0  # made by a concurrent run
    report_build(report_id=report.pk)
    return 1


def recent(user: User, limit: int = 6) -> list[FiguresReport]:
    return list(reports_for(user)[:limit])
