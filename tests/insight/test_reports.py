"""Issue 21, item 5: the complaint figures as a PDF, asked for from the dashboard and built by
the worker, and the monthly report a recurring job makes for head office (told in the portal
and by email, with a link: the figures never travel as an attachment)."""

from __future__ import annotations

import subprocess
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from mediation.insight import reports
from mediation.insight.figures import dashboard, parse_period
from mediation.insight.history import seed_history
from mediation.insight.models import FiguresReport
from mediation.insight.rollups import rollups_refresh
from portal.models import Notification
from tests.conftest import client_for
from tests.factories import CustomerFactory, StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(admin_user):
    seed_history(actor=admin_user, days=90)
    rollups_refresh()


def _text(report: FiguresReport) -> str:
    with report.pdf.open("rb") as fh:
        data = fh.read()
    assert data.startswith(b"%PDF")
    return subprocess.run(
        ["pdftotext", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()


def test_head_office_asks_for_the_pdf_of_what_it_sees(
    history, hq_staff, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    key = f"{today.replace(day=1) - timedelta(days=1):%Y-%m}"  # last month: history
    client = client_for(hq_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("insight:report_ask"), {"period": key})
    assert response.status_code == 302
    report = FiguresReport.objects.get()
    assert report.status == "ready" and report.branch_id is None and report.period == key
    text = _text(report)
    board = dashboard(Q(), "all", parse_period(key, today), today)
    assert f"投诉统计 · {board.period.label}" in text
    assert f"{board.total.received:,}" in text and board.total.received > 0
    page = client.get(reverse("insight:dashboard"), {"period": key}).content.decode()
    assert reverse("insight:report_pdf", args=[report.pk]) in page
    download = client.get(reverse("insight:report_pdf", args=[report.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    # A branch's staff and a customer never reach head office's report.
    for outsider in (StaffFactory.create(), CustomerFactory.create()):
        other = client_for(outsider)
        assert other.get(reverse("insight:report_pdf", args=[report.pk])).status_code == 404
    assert (
        client_for(CustomerFactory.create())
        .post(reverse("insight:report_ask"), {"period": key})
        .status_code
        == 404
    )


def test_a_failed_build_keeps_its_reason(
    history, hq_staff, monkeypatch, django_capture_on_commit_callbacks
):
    from mediation.insight import documents

    monkeypatch.setattr(documents, "render_figures", lambda *a, **k: 1 / 0)
    with django_capture_on_commit_callbacks(execute=True):
        reports.report_request(actor=hq_staff, period_key="2026-11")
    report = FiguresReport.objects.get()
    assert report.status == "failed" and "ZeroDivisionError" in report.error
    assert (
        client_for(hq_staff).get(reverse("insight:report_pdf", args=[report.pk])).status_code == 404
    )


def test_the_monthly_job_makes_last_months_report_once_and_tells_head_office(
    history, hq_staff, staff, django_capture_on_commit_callbacks
):
    now = datetime(2026, 12, 1, 2, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    with django_capture_on_commit_callbacks(execute=True):
        assert reports.monthly_report(now=now) == 1
        assert reports.monthly_report(now=now) == 0
    report = FiguresReport.objects.get()
    assert (report.period, report.status, report.requested_by_id) == ("2026-11", "ready", None)
    told = Notification.objects.filter(event="figures_monthly_report")
    assert [n.recipient for n in told] == [hq_staff]  # head office, not the branch
    assert told[0].url == reverse("insight:report_pdf", args=[report.pk])
    assert "投诉统计" in _text(report)
