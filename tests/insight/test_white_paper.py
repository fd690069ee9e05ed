"""Issue 21, item 6: the annual white paper. Its figures equal the raw rows; small cells are
left out and no left-out cell can be worked out from the printed totals; head office builds a
version, an administrator alone publishes it (audited); anyone reads the published versions
without signing in, and nothing else."""

from __future__ import annotations

import random
import subprocess
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mediation.insight import white_paper as wp
from mediation.insight import white_paper_lifecycle
from mediation.insight.history import seed_history
from mediation.insight.models import WhitePaper
from mediation.insight.rollups import rollups_refresh
from mediation.insight.suppression import MIN_PUBLISHED, suppress, suppress_line
from mediation.insight.white_paper_lifecycle import WhitePaperStatus
from mediation.lifecycle import ClosureReason, DisputeStatus
from mediation.models import Dispute, ProductCategory
from portal.exceptions import ApplicationError
from portal.models import AuditEvent
from tests.conftest import client_for
from tests.factories import CustomerFactory, StaffFactory
from tests.lifecycle_tables import declared_transitions, docstring_table

pytestmark = pytest.mark.django_db


# ---- suppression ------------------------------------------------------------------------------


def _rank(rows: list[list[Fraction]]) -> int:
    """Rank by exact Gaussian elimination."""
    matrix = [r[:] for r in rows]
    rank, columns = 0, len(matrix[0]) if matrix else 0
    for col in range(columns):
        pivot = next((i for i in range(rank, len(matrix)) if matrix[i][col] != 0), None)
        if pivot is None:
            continue
        matrix[rank], matrix[pivot] = matrix[pivot], matrix[rank]
        for i in range(len(matrix)):
            if i != rank and matrix[i][col] != 0:
                factor = matrix[i][col] / matrix[rank][col]
                matrix[i] = [a - factor * b for a, b in zip(matrix[i], matrix[rank], strict=True)]
        rank += 1
    return rank


def derivable(hidden: set) -> set:
    """The hidden cells a reader can work out from the row and column totals (and the
    published cells): those whose unit vector lies in the span of the totals' equations."""
    cells = sorted(hidden)
    if not cells:
        return set()
    lines = [("row", r) for r in sorted({r for r, _c in cells})]
    lines += [("column", c) for c in sorted({c for _r, c in cells})]
    equations = [
        [
            Fraction(int((kind == "row" and r == key) or (kind == "column" and c == key)))
            for r, c in cells
        ]
        for kind, key in lines
    ]
    base = _rank(equations)
    found = set()
    for i, cell in enumerate(cells):
        unit = [Fraction(int(j == i)) for j in range(len(cells))]
        if _rank([*equations, unit]) == base:
            found.add(cell)
    return found


def test_a_cell_of_29_is_left_out_and_one_of_30_is_printed():
    rows, columns = ["a", "b", "c"], ["x", "y", "z"]
    table = {(r, c): 100 for r in rows for c in columns}
    assert suppress({**table, ("a", "x"): MIN_PUBLISHED}) == set()
    assert suppress({**table, ("a", "x"): 0}) == set()  # nobody to protect
    hidden = suppress({**table, ("a", "x"): 29})
    assert ("a", "x") in hidden
    # Alone it would be its row total minus the row's other cells: three more complete a cycle.
    assert len(hidden) == 4 and not derivable(hidden)


def test_the_check_finds_a_cell_given_away_by_its_totals():
    """The property test below can fail: primary suppression alone is caught."""
    assert derivable({("a", "x")}) == {("a", "x")}
    # Two rectangles joined by one cell: every row and column has two hidden cells, yet the
    # joining cell is a bridge and its value follows from the totals.
    rect = {("a", "x"), ("a", "y"), ("b", "x"), ("b", "y")}
    other = {("c", "z"), ("c", "w"), ("d", "z"), ("d", "w")}
    assert derivable(rect | other | {("a", "z")}) == {("a", "z")}


def test_no_left_out_cell_can_be_worked_out_from_the_totals():
    rng = random.Random(21)
    for _ in range(120):
        rows = [f"r{i}" for i in range(rng.randint(2, 6))]
        columns = [f"c{j}" for j in range(rng.randint(2, 6))]
        table = {
            (r, c): rng.choice([0, rng.randint(1, 29), rng.randint(30, 400)])
            for r in rows
            for c in columns
        }
        hidden = suppress(table)
        assert {cell for cell, n in table.items() if 0 < n < MIN_PUBLISHED} <= hidden
        assert not derivable(hidden), table


def test_a_line_of_months_leaves_out_small_ones_and_one_more():
    assert suppress_line([35, 40, 0]) == set()
    assert suppress_line([0, 5, 40, 50]) == {1, 2}  # alone, 5 = total - 40 - 50
    assert suppress_line([5, 7, 100]) == {0, 1}
    assert suppress_line([5, 0, 0]) == {0}  # its own total: nothing more hides it


def test_a_single_line_is_refused():
    with pytest.raises(ValueError):
        suppress({("a", "x"): 5, ("a", "y"): 50})


# ---- the figures ---------------------------------------------------------------------------------


@pytest.fixture
def history(admin_user):
    seed_history(actor=admin_user, days=200)
    rollups_refresh()


def _year_with_history() -> int:
    """The year holding most of the 200 days of history (it ends a week ago)."""
    today = timezone.localdate()
    return today.year if today.timetuple().tm_yday > 120 else today.year - 1


def test_the_figures_equal_the_raw_rows(history):
    today = timezone.localdate()
    year = _year_with_history()
    figures = wp.annual_figures(year, today)
    period = wp.year_period(year, today)

    def inside(moment) -> bool:
        return moment is not None and period.start <= timezone.localdate(moment) <= period.end

    disputes = list(Dispute.objects.all())
    received = [d for d in disputes if inside(d.received_at)]
    assert figures["received"] == len(received) > 100
    assert figures["decided"] == sum(inside(d.decision_at) for d in disputes)
    by_quarter = Counter(
        (d.category, str((timezone.localdate(d.received_at).month - 1) // 3 + 1)) for d in received
    )
    closed = [d for d in disputes if inside(d.closed_at)]
    by_route = Counter(
        (
            d.category,
            "withdrawn"
            if d.status == DisputeStatus.WITHDRAWN
            else d.closure_reason or ClosureReason.OTHER,
        )
        for d in closed
    )
    categories = [str(k) for k in ProductCategory.values]
    quarters = ["1", "2", "3", "4"]
    routes = [*ClosureReason.values, "withdrawn"]
    for table, raw, columns in (
        (figures["tables"][0], by_quarter, quarters),
        (figures["tables"][1], by_route, routes),
    ):
        assert table["total"] == sum(raw.values())
        for row, key in zip(table["rows"], categories, strict=True):
            assert row["total"] == sum(raw[(key, c)] for c in columns)
            for n, column in zip(row["cells"], columns, strict=True):
                assert n is None or n == raw[(key, column)]
                if 0 < raw[(key, column)] < MIN_PUBLISHED:
                    assert n is None
        assert table["column_totals"] == [sum(raw[(k, c)] for k in categories) for c in columns]
    assert figures["tables"][1]["total"] == len(closed) > 0
    by_month = Counter(timezone.localdate(d.received_at).month for d in received)
    months = [m for m in figures["months"] if m["label"].startswith(f"{year}年")]
    for m in months:
        n = by_month[int(m["label"].split("年")[1].rstrip("月"))]
        assert m["received"] is None if 0 < n < MIN_PUBLISHED else m["received"] in (n, None)


def test_compensation_counts_each_case_once_at_its_largest_amount(history, hq_staff, monkeypatch):
    from mediation.replykit.lifecycle import ReplyStatus
    from mediation.replykit.models import Outcome, Reply

    year = _year_with_history()
    today = timezone.localdate()
    period = wp.year_period(year, today)
    closed = list(
        Dispute.objects.filter(closed_at__date__gte=period.start, closed_at__date__lte=period.end)[
            :2
        ]
    )
    outside = (
        Dispute.objects.exclude(pk__in=[d.pk for d in closed])
        .filter(closed_at__isnull=True)
        .first()
    )
    # The decision granted 120.00; the review of it raised that to 300.50: one case, 300.50.
    for dispute, kind, amount in (
        (closed[0], Reply.Kind.DECISION, "120.00"),
        (closed[0], Reply.Kind.REVIEW, "300.50"),
        (closed[1], Reply.Kind.DECISION, "0.00"),
    ):
        Reply.objects.create(
            dispute=dispute,
            kind=kind,
            outcome=Outcome.GRANTED,
            granted_amount=Decimal(amount),
            text="…",
            author=hq_staff,
            status=ReplyStatus.ISSUED,
            issued_at=timezone.now(),
        )
    if outside is not None:  # not closed: not counted
        Reply.objects.create(
            dispute=outside,
            outcome=Outcome.GRANTED,
            granted_amount=Decimal("999.00"),
            text="…",
            author=hq_staff,
            status=ReplyStatus.ISSUED,
            issued_at=timezone.now(),
        )
    # One paid case would print one person's amount: the total is left out below 30 cases.
    assert wp.annual_figures(year, today)["compensation"] == {"cases": 1, "total": None}
    monkeypatch.setattr(wp, "MIN_CASES", 1)
    assert wp.annual_figures(year, today)["compensation"] == {"cases": 1, "total": "300.50"}


# ---- building, publishing, reading ----------------------------------------------------------


def test_the_lifecycle_table_matches_the_code():
    assert docstring_table(white_paper_lifecycle) == declared_transitions(WhitePaper)


@pytest.fixture
def built(history, hq_staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        paper = wp.white_paper_request(actor=hq_staff, year=_year_with_history())
    paper.refresh_from_db()
    return paper


def test_head_office_builds_a_version_the_worker_stores(built):
    assert built.status == WhitePaperStatus.READY and built.version == 1
    assert built.figures["received"] > 100 and built.pdf_sha256
    with built.pdf.open("rb") as fh:
        data = fh.read()
    assert data.startswith(b"%PDF")
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()
    assert f"{built.year} 年投诉处理白皮书" in text and "统计口径" in text
    assert f"{built.figures['received']:,}" in text
    assert "Complaint" not in text and "figures" not in text  # the PDF is in Chinese
    assert AuditEvent.objects.filter(action="white_paper.built").exists()


def test_who_may_build_and_publish(built, hq_staff, admin_user):
    branch_staff, customer = StaffFactory(), CustomerFactory.create()
    for outsider in (branch_staff, customer):
        client = client_for(outsider)
        assert client.get(reverse("insight:white_papers")).status_code == 404
        assert client.post(reverse("insight:white_papers"), {"year": built.year}).status_code == 404
        assert (
            client.post(reverse("insight:white_paper_publish", args=[built.pk])).status_code == 404
        )
        assert client.get(reverse("insight:white_paper_pdf", args=[built.pk])).status_code == 404
    # Head office builds but does not publish.
    office = client_for(hq_staff)
    page = office.get(reverse("insight:white_papers")).content.decode()
    assert "Waiting for an administrator" in page or "等待管理员" in page
    refused = office.post(reverse("insight:white_paper_publish", args=[built.pk]), follow=True)
    assert refused.status_code == 200 and list(refused.context["messages"])  # said, not done
    assert office.get(reverse("insight:white_paper_pdf", args=[built.pk])).status_code == 200
    built.refresh_from_db()
    assert built.status == WhitePaperStatus.READY
    response = client_for(admin_user).post(reverse("insight:white_paper_publish", args=[built.pk]))
    assert response.status_code == 302
    built.refresh_from_db()
    assert built.status == WhitePaperStatus.PUBLISHED and built.published_by == admin_user
    event = AuditEvent.objects.get(action="white_paper.publish")
    assert event.actor == admin_user and event.data["sha256"] == built.pdf_sha256


def test_publish_is_refused_from_every_other_state(built, admin_user):
    for state in (WhitePaperStatus.QUEUED, WhitePaperStatus.FAILED, WhitePaperStatus.PUBLISHED):
        WhitePaper.objects.filter(pk=built.pk).update(status=state)
        with pytest.raises(ApplicationError):
            wp.white_paper_publish(actor=admin_user, paper_id=built.pk)
        assert WhitePaper.objects.get(pk=built.pk).status == state


def test_the_public_reads_published_versions_only(
    built, admin_user, django_capture_on_commit_callbacks, hq_staff
):
    anonymous = Client()
    year_url = reverse("white_paper:year", args=[built.year])
    pdf_url = reverse("white_paper:pdf", args=[built.year, built.version])
    assert anonymous.get(year_url).status_code == 404
    assert anonymous.get(pdf_url).status_code == 404
    assert (
        str(built.year)
        not in anonymous.get(reverse("white_paper:index")).content.decode().split("<main")[-1]
    )
    wp.white_paper_publish(actor=admin_user, paper_id=built.pk)
    # A second version, built but not yet published, stays out of sight.
    with django_capture_on_commit_callbacks(execute=True):
        second = wp.white_paper_request(actor=hq_staff, year=built.year)
    assert second.version == 2
    page = anonymous.get(year_url)
    assert page.status_code == 200
    body = page.content.decode()
    assert f"{built.figures['received']:,}" in body
    assert anonymous.get(reverse("white_paper:pdf", args=[built.year, 2])).status_code == 404
    download = anonymous.get(pdf_url)
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert (
        f"白皮书-{built.year}-v1.pdf" in download["Content-Disposition"]
        or "filename*" in download["Content-Disposition"]
    )
    # Publishing the correction: the first stays available.
    wp.white_paper_publish(actor=admin_user, paper_id=second.pk)
    assert "v1" in anonymous.get(year_url).content.decode()
    assert anonymous.get(year_url + "?v=1").status_code == 200
    assert anonymous.get(pdf_url).status_code == 200
    # The page reads stored figures: the same few queries however many cases there are.
    with CaptureQueriesContext(connection) as queries:
        anonymous.get(year_url)
    assert len(queries) <= 3


def test_a_failed_build_keeps_its_reason_and_the_next_builds(
    history, hq_staff, monkeypatch, django_capture_on_commit_callbacks
):
    from mediation.insight import documents

    def broken(*args, **kwargs):
        raise RuntimeError("font missing")

    monkeypatch.setattr(documents, "render_white_paper", broken)
    year = _year_with_history()
    with django_capture_on_commit_callbacks(execute=True):
        failed = wp.white_paper_request(actor=hq_staff, year=year)
    failed.refresh_from_db()
    assert failed.status == WhitePaperStatus.FAILED and "font missing" in failed.error
    assert not failed.pdf
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        retry = wp.white_paper_request(actor=hq_staff, year=year)
    retry.refresh_from_db()
    assert retry.status == WhitePaperStatus.READY and retry.version == 2


def test_a_year_out_of_range_is_a_message(hq_staff):
    client = client_for(hq_staff)
    response = client.post(reverse("insight:white_papers"), {"year": "1999"}, follow=True)
    assert response.status_code == 200 and not WhitePaper.objects.exists()
    with pytest.raises(ApplicationError):
        wp.white_paper_request(actor=hq_staff, year=timezone.localdate().year + 1)
    with pytest.raises(ApplicationError):
        wp.white_paper_request(actor=hq_staff, year=1999)


def test_this_year_counts_to_yesterday():
    period = wp.year_period(2026, date(2026, 12, 7))
    assert (period.start, period.end) == (date(2026, 1, 1), date(2026, 12, 6))
    assert wp.year_period(2025, date(2026, 12, 7)).end == date(2025, 12, 31)
    assert wp.year_period(2026, date(2026, 1, 1)).end == date(2026, 1, 1) - timedelta(days=0)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
def test_versions_asked_for_at_once_are_numbered_in_turn(hq_staff, monkeypatch):
    from tests.mediation.test_concurrency import _race

    monkeypatch.setattr(wp, "_enqueue", lambda paper_id: None)  # the build is not the point
    results = _race(4, lambda: wp.white_paper_request(actor=hq_staff, year=2025))
    assert results.count("ok") == 4, results
    assert sorted(WhitePaper.objects.values_list("version", flat=True)) == [1, 2, 3, 4]
