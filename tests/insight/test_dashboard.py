"""Issue 21: the dashboards read daily roll-ups, and every figure equals what the raw rows
say; a case changed after the fact moves the figures of its day; head office sees every
branch, a branch its own, customers and partners nothing; the query count does not grow with
the cases."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mediation import services as ms
from mediation.insight.figures import dashboard, parse_period, percentile, previous
from mediation.insight.history import seed_history
from mediation.insight.models import Rollup
from mediation.insight.rollups import rollups_refresh
from mediation.models import Consent, Dispute
from portal.models import AuditEvent
from tests.conftest import client_for
from tests.factories import CustomerFactory, make_dispute

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(admin_user):
    seed_history(actor=admin_user, days=120)
    rollups_refresh()
    return Dispute.objects.filter(reference__startswith="HS-")


def _raw(period, branch_id=None):
    """The figures recomputed from the raw rows, as a reviewer would by hand."""
    qs = Dispute.objects.all()
    if branch_id:
        qs = qs.filter(branch_id=branch_id)
    received = [d for d in qs if period.start <= timezone.localdate(d.received_at) <= period.end]
    decided = [
        d
        for d in qs
        if d.decision_at and period.start <= timezone.localdate(d.decision_at) <= period.end
    ]
    histogram = Counter(
        min((timezone.localdate(d.decision_at) - timezone.localdate(d.received_at)).days, 90)
        for d in decided
    )
    opted = set(Consent.objects.filter(kind="mediation").values_list("dispute_id", flat=True))
    eligible = [d for d in received if d.fast_lane_eligible]
    return {
        "received": len(received),
        "by_category": Counter(d.category for d in received),
        "by_channel": Counter(d.channel for d in received),
        "regulator": sum(d.channel == "regulator" for d in received),
        "decided": len(decided),
        "on_time": sum(
            d.decision_due is not None and timezone.localdate(d.decision_at) <= d.decision_due
            for d in decided
        ),
        "median": percentile(dict(histogram), 0.5),
        "p90": percentile(dict(histogram), 0.9),
        "eligible": len(eligible),
        "opted": sum(d.pk in opted for d in eligible),
    }


def test_every_figure_equals_the_raw_rows(history):
    today = timezone.localdate()
    # Two whole months inside the 120 days of history (which ends a week ago), whatever today is.
    for key in (f"{today - timedelta(days=40):%Y-%m}", f"{today - timedelta(days=75):%Y-%m}"):
        period = parse_period(key, today)
        board = dashboard(Q(), "all", period, today)
        raw = _raw(period)
        assert board.total.received == raw["received"] > 0
        assert {r.key: r.received for r in board.by_category} == dict(raw["by_category"])
        assert {r.key: r.received for r in board.by_channel} == dict(raw["by_channel"])
        assert board.regulator == raw["regulator"]
        assert board.total.counts["decided"] == raw["decided"]
        assert board.total.counts["on_time"] == raw["on_time"]
        assert (board.median_days, board.p90_days) == (raw["median"], raw["p90"])
        assert board.total.counts["eligible"] == raw["eligible"]
        assert board.total.counts["opted_in"] == raw["opted"]
        # The twelve months end with this one, each as the raw rows count it.
        month = next(r for r in board.months if r.key == period.key)
        assert (month.received, month.counts["decided"]) == (raw["received"], raw["decided"])
        # The heat map adds up to the weeks' received counts.
        assert sum(c.n for _row, cells in board.heat for c in cells) == sum(
            1
            for d in Dispute.objects.all()
            if timezone.localdate(d.received_at) >= board.heat_weeks[0]
        )


def test_a_case_changed_after_the_fact_moves_its_day(history, customer, staff, branch):
    d = make_dispute(customer, branch, "3000.00", received_at=timezone.now() - timedelta(days=3))
    rollups_refresh()
    day = timezone.localdate(d.received_at)
    assert sum(r.received for r in Rollup.objects.filter(day=day, branch=branch)) == 1
    ms.dispute_triage(
        actor=staff, reference=d.reference, cause_label="信用卡纠纷", urgency="normal"
    )
    ms.dispute_start_bank_handling(actor=staff, reference=d.reference)
    ms.dispute_record_decision(actor=staff, reference=d.reference, text="同意退还。")
    assert rollups_refresh() >= 1
    today = timezone.localdate()
    decided = Rollup.objects.filter(day=today, branch=branch)
    assert sum(r.decided for r in decided) == 1
    d.refresh_from_db()
    assert d.handler == staff  # the member of staff who took it is its handler


def test_repeat_complaints_are_merged_as_the_regulator_counts(customer, staff, branch, hq_staff):
    """Issue 22, 1: "counts merge repeats". The same person's second complaint about the same
    product is received but counted once; undoing the link moves the count back."""
    from mediation.repeats import repeat_undo

    when = timezone.now() - timedelta(days=2)
    make_dispute(customer, branch, "3000.00", product_code="GSJ", received_at=when)
    again = make_dispute(customer, branch, "3000.00", product_code="GSJ", received_at=when)
    make_dispute(customer, branch, "500.00", product_code="OTHER", received_at=when)
    assert again.repeat_of is not None
    rollups_refresh()
    today = timezone.localdate()
    period = parse_period(f"{timezone.localdate(when):%Y-%m}", today)
    board = dashboard(Q(), "all", period, today)
    assert (board.total.received, board.total.merged) == (3, 2)
    page = client_for(hq_staff).get(reverse("insight:dashboard") + f"?period={period.key}")
    assert "重复投诉合并" in page.content.decode()
    repeat_undo(actor=staff, reference=again.reference, reason="另一笔交易")
    rollups_refresh()
    board = dashboard(Q(), "all", period, today)
    assert (board.total.received, board.total.merged) == (3, 3)


def test_scope_and_wrong_roles(history, customer, staff, hq_staff, mediator, auditor, branch):
    url = reverse("insight:dashboard")
    whole = client_for(hq_staff).get(url).content.decode()
    assert "广州天河支行" in whole and "上海浦东支行" in whole
    own = client_for(staff).get(url).content.decode()
    assert "广州天河支行" not in own
    assert client_for(auditor).get(url).status_code == 200
    for outsider in (customer, mediator):
        assert client_for(outsider).get(url).status_code == 404


def test_the_query_count_does_not_grow_with_the_cases(hq_staff, admin_user):
    client = client_for(hq_staff)
    url = reverse("insight:dashboard")
    seed_history(actor=admin_user, days=20)
    rollups_refresh()
    client.get(url)
    cache.clear()  # the figures computed, not the rendered fragment kept from the first view
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    with CaptureQueriesContext(connection) as kept:
        client.get(url)
    assert len(kept) < len(few)  # until the next refresh the figures are not computed again
    Dispute.objects.filter(reference__startswith="HS-").delete()
    seed_history(actor=admin_user, days=90, seed=7)
    rollups_refresh()
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_the_page_shows_the_figures_of_the_last_refresh(hq_staff, admin_user):
    client = client_for(hq_staff)
    url = reverse("insight:dashboard") + "?period=" + f"{timezone.localdate():%Y}"

    def received() -> int:
        page = client.get(url).content.decode()
        found = re.search(r"受理投诉<strong>(\d+)</strong>", page)
        assert found
        return int(found.group(1))

    seed_history(actor=admin_user, days=20)
    rollups_refresh()
    before = received()
    make_dispute(CustomerFactory.create(), hq_staff.branch)
    assert received() == before  # not counted until the roll-ups are refreshed
    rollups_refresh()
    assert received() == before + 1


def _body(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")


def test_each_table_downloads_with_its_figures(history, hq_staff):
    key = f"{timezone.localdate() - timedelta(days=40):%Y-%m}"  # a month of history
    response = client_for(hq_staff).get(
        reverse("insight:dashboard"), {"table": "category", "export": "csv", "period": key}
    )
    body = _body(response)
    rows = list(csv.reader(io.StringIO(body)))
    raw = _raw(parse_period(key, timezone.localdate()))
    assert sum(int(r[1]) for r in rows[1:]) == raw["received"] > 0
    assert AuditEvent.objects.filter(action="insight.exported").exists()
    bad = client_for(hq_staff).get(reverse("insight:dashboard"), {"table": "x", "export": "csv"})
    assert bad.status_code == 404


def test_a_heat_map_cell_opens_the_queue_of_its_cases(history, hq_staff):
    page = client_for(hq_staff).get(reverse("insight:dashboard")).content.decode()
    link = re.search(
        r'href="(/disputes/queue/\?branch=(\d+)&amp;received_from=([\d-]+)&amp;received_to=([\d-]+))"[^>]*>(\d+)<',
        page,
    )
    assert link
    url, branch, start, end, shown = link.groups()
    queue = client_for(hq_staff).get(url.replace("&amp;", "&")).content.decode()
    expected = Dispute.objects.filter(
        branch_id=branch,
        received_at__date__gte=date.fromisoformat(start),
        received_at__date__lte=date.fromisoformat(end),
    )
    assert expected.count() == int(shown)
    assert expected[0].reference in queue


def test_periods():
    today = date(2026, 11, 30)
    assert parse_period("2026-Q1", today).start == date(2026, 1, 1)
    assert previous(parse_period("2026-Q1", today)).key == "2025-Q4"
    assert previous(parse_period("2026-01", today)).key == "2025-12"
    assert parse_period("nonsense", today).key == "2026-11"
    assert parse_period("2026", today).end == date(2026, 12, 31)
    assert percentile({3: 1, 9: 1, 40: 1}, 0.5) == 9 and percentile({}, 0.5) is None


def test_satisfaction_equals_the_return_visits(history, admin_user):
    from mediation.models import ReturnVisit

    closed = list(Dispute.objects.filter(closed_at__isnull=False).order_by("pk")[:40])
    for n, dispute in enumerate(closed):
        ReturnVisit.objects.create(
            dispute=dispute, rating=1 + n % 5, channel="phone", recorded_by=admin_user
        )
    rollups_refresh()  # the visits' day is counted again though no case changed
    today = timezone.localdate()
    board = dashboard(Q(), "all", parse_period(f"{today:%Y-%m}", today), today)
    ratings = [1 + n % 5 for n in range(len(closed))]
    assert board.total.counts["rated"] == len(ratings) == 40
    assert board.total.counts["rating_total"] == sum(ratings)
    assert board.total.satisfied_rate == sum(r >= 4 for r in ratings) / len(ratings)
    assert board.total.mean_rating == sum(ratings) / len(ratings)


def test_the_heat_map_narrows_to_one_product_category(history, hq_staff):
    client = client_for(hq_staff)
    page = client.get(reverse("insight:dashboard"), {"heat": "credit_card"}).content.decode()
    links = re.findall(
        r'href="(/disputes/queue/\?branch=(\d+)&amp;received_from=([\d-]+)&amp;received_to=([\d-]+)&amp;category=credit_card)"[^>]*>(\d+)<',
        page,
    )
    assert links
    for url, branch, start, end, shown in links[:3]:
        expected = Dispute.objects.filter(
            branch_id=branch,
            category="credit_card",
            received_at__date__gte=date.fromisoformat(start),
            received_at__date__lte=date.fromisoformat(end),
        )
        assert expected.count() == int(shown)
        queue = client.get(url.replace("&amp;", "&")).content.decode()
        newest = expected.order_by("-received_at").first()
        assert newest is not None and newest.reference in queue
    # An unknown category is the whole map, not an error.
    assert client.get(reverse("insight:dashboard"), {"heat": "nonsense"}).status_code == 200


def test_a_province_tile_opens_the_queue_of_its_branches(history, hq_staff):
    client = client_for(hq_staff)
    key = f"{timezone.localdate() - timedelta(days=40):%Y-%m}"
    page = client.get(reverse("insight:dashboard"), {"period": key}).content.decode()
    tiles = page.split('id="province-tiles"')[1].split("</ul>")[0]
    found = re.findall(r'href="([^"]+)">([^<]+)<strong>([\d,]+)</strong>', tiles)
    assert len(found) >= 2
    period = parse_period(key, timezone.localdate())
    for url, province, shown in found:
        expected = Dispute.objects.filter(
            branch__province=province,
            received_at__date__gte=period.start,
            received_at__date__lte=period.end,
        )
        assert expected.count() == int(shown.replace(",", ""))
        queue = client.get(url.replace("&amp;", "&")).content.decode()
        assert 'id="province"' in queue and province in queue
