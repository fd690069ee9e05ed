"""Issue 22, 2: a branch, category or product whose week's complaints are far above its own
baseline raises a hot spot within a day, once, with the cases behind it; staff take it on and
close it with what they found; auditors read; other branches and outsiders get nothing."""

from __future__ import annotations

import math
from datetime import datetime, time, timedelta
from decimal import Context, Decimal, localcontext

import pytest
from django.urls import reverse
from django.utils import timezone

import mediation.insight.hotspot_lifecycle as hotspot_lifecycle
from mediation.insight.hotspots import (
    ALPHA,
    hotspot_acknowledge,
    hotspot_close,
    hotspots_raise,
    poisson_threshold,
)
from mediation.insight.models import HotSpot
from portal.exceptions import ApplicationError
from portal.models import Notification
from portal.transitions import ActionForbidden
from tests.conftest import client_for
from tests.factories import StaffFactory, make_dispute
from tests.lifecycle_tables import declared_transitions, docstring_table

pytestmark = pytest.mark.django_db


def test_table_matches_code():
    assert docstring_table(hotspot_lifecycle) == declared_transitions(HotSpot)


@pytest.mark.parametrize("rate", [0.5, 1.0, 3.5, 7.0, 20.0])
def test_the_threshold_is_the_first_count_chance_rarely_reaches(rate):
    def tail(k: int) -> float:  # P(X >= k), summed directly
        return 1 - sum(math.exp(-rate) * rate**i / math.factorial(i) for i in range(k))

    k = poisson_threshold(rate)
    assert tail(k) < ALPHA <= tail(k - 1)


@pytest.mark.parametrize("rate", [700.0, 746.0, 3196.0, 40_000.0])
def test_the_threshold_holds_for_a_large_banks_busiest_cuts(rate):
    """Above a rate of about 745 a week, exp(-rate) is 0.0 in floating point: the threshold
    once looped for ever (bench/scale.py: a category with 3,196 complaints a week). Checked
    here against the tail summed exactly in decimal arithmetic."""
    with localcontext(Context(prec=60)):
        lam = Decimal(rate)

        def tail(k: int) -> Decimal:  # P(X >= k)
            term, below = (-lam).exp(), Decimal(0)
            for i in range(k):
                below += term
                term = term * lam / (i + 1)
            return 1 - below

        k = poisson_threshold(rate)
        assert tail(k) < Decimal(ALPHA) <= tail(k - 1)
        assert rate < k < rate + 5 * math.sqrt(rate)


def _received(days_ago: int):
    day = timezone.localdate() - timedelta(days=days_ago)
    return timezone.make_aware(datetime.combine(day, time(10)))


@pytest.fixture
def burst(settings, customer, branch):
    """A product with about one complaint a week for eight weeks, then twelve in a week."""
    settings.CUSTOMER_MAX_OPEN_DISPUTES = 1000
    for days_ago in range(8, 64, 7):
        make_dispute(
            customer,
            branch,
            "300",
            category="payments",
            product_code="PY-SMS",
            product_name="代发工资短信服务",
            received_at=_received(days_ago),
        )
    for n in range(12):
        make_dispute(
            customer,
            branch,
            "300",
            category="payments",
            product_code="PY-SMS",
            product_name="代发工资短信服务",
            received_at=_received(1 + n % 6),
        )
    return branch


def test_a_burst_is_raised_once_and_told(
    burst, staff, hq_staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert hotspots_raise() >= 1
    spot = HotSpot.objects.get(cut="product", key="PY-SMS")
    assert spot.label == "代发工资短信服务（PY-SMS）"
    assert spot.observed == 12 and spot.observed >= spot.threshold
    assert spot.expected == pytest.approx(8 / 56 * 7, abs=0.01)
    assert Notification.objects.filter(event="hotspot_raised", recipient=hq_staff).exists()
    assert hotspots_raise() == 0  # idempotent: the same window is not raised again
    assert HotSpot.objects.filter(cut="product", key="PY-SMS").count() == 1


def test_an_ordinary_week_raises_nothing(settings, customer, branch):
    settings.CUSTOMER_MAX_OPEN_DISPUTES = 1000
    for days_ago in range(1, 64, 3):
        make_dispute(
            customer,
            branch,
            "300",
            category="loans",
            product_code="LN-MORT",
            received_at=_received(days_ago),
        )
    hotspots_raise()
    assert not HotSpot.objects.filter(key="LN-MORT").exists()


def test_taking_it_on_and_closing_it(burst, staff, other_staff, auditor, customer, branch):
    hotspots_raise()
    # The branch's own hot spot: its staff work it; another branch's staff get 404.
    branch_spot = HotSpot.objects.get(cut="branch", key=str(branch.pk))
    url = reverse("insight:hotspot", args=[branch_spot.pk])
    assert client_for(other_staff).get(url).status_code == 404
    hotspot_acknowledge(actor=staff, spot_id=branch_spot.pk)
    branch_spot.refresh_from_db()
    assert branch_spot.status == "acknowledged" and branch_spot.assignee == staff
    # A product's hot spot across branches: head office works it; an auditor only reads.
    head = StaffFactory.create(branch__is_head_office=True)
    product = HotSpot.objects.get(key="PY-SMS")
    with pytest.raises(ActionForbidden):
        hotspot_acknowledge(actor=auditor, spot_id=product.pk)
    hotspot_acknowledge(actor=head, spot_id=product.pk)
    with pytest.raises(ApplicationError):
        hotspot_close(actor=head, spot_id=product.pk, finding=" ")
    hotspot_close(actor=head, spot_id=product.pk, finding="代发工资短信收费未事先告知：一类问题。")
    product.refresh_from_db()
    assert product.status == "closed" and product.assignee == head and product.closed_at
    page = client_for(auditor).get(reverse("insight:hotspot", args=[product.pk])).content.decode()
    assert "一类问题" in page and 'name="acknowledge"' not in page
    assert client_for(customer).get(reverse("insight:hotspots")).status_code == 404


def test_the_cases_behind_it_are_the_queues_filter(burst, hq_staff):
    hotspots_raise()
    spot = HotSpot.objects.get(key="PY-SMS")
    page = client_for(hq_staff).get(reverse("insight:hotspot", args=[spot.pk])).content.decode()
    from mediation.insight.hotspots import cases_behind

    url = cases_behind(spot)
    assert url.replace("&", "&amp;") in page
    queue = client_for(hq_staff).get(url).content.decode()
    assert queue.count("MD-") >= 12


def test_the_cases_behind_it_go_on_while_it_is_open(burst, customer, hq_staff):
    """Raised on the first window over the threshold, a cluster keeps growing: a complaint of
    the same cut filed today is behind it until it is closed, and one filed after is not."""
    from mediation.insight.hotspots import disputes_behind

    hotspots_raise(now=timezone.now() - timedelta(days=2))  # raised two days ago
    spot = HotSpot.objects.get(key="PY-SMS")
    before = disputes_behind(spot).count()
    again = make_dispute(customer, burst, "300", category="payments", product_code="PY-SMS")
    assert disputes_behind(spot).filter(pk=again.pk).exists()
    assert disputes_behind(spot).count() == before + 1
    page = client_for(hq_staff).get(reverse("insight:hotspot", args=[spot.pk])).content.decode()
    assert f"{before + 1} 件投诉" in page
    hotspot_acknowledge(actor=hq_staff, spot_id=spot.pk)
    hotspot_close(actor=hq_staff, spot_id=spot.pk, finding="已查明。")
    spot.refresh_from_db()
    HotSpot.objects.filter(pk=spot.pk).update(closed_at=timezone.now() - timedelta(days=1))
    spot.refresh_from_db()
    assert not disputes_behind(spot).filter(pk=again.pk).exists()


def test_an_open_hot_spot_waits_on_staffs_home_until_taken(burst, staff, auditor):
    from mediation.insight.hotspots import RESPONSE_DAYS, waiting_hotspots

    hotspots_raise()
    head = StaffFactory.create(branch__is_head_office=True)
    product = HotSpot.objects.get(key="PY-SMS")
    url = reverse("insight:hotspot", args=[product.pk])
    today = timezone.localdate()

    def urls(user):
        return {w.url: w.due for w in waiting_hotspots(user, today)}

    assert urls(head)[url] == today + timedelta(days=RESPONSE_DAYS)  # taken on within 48 hours
    assert url not in urls(staff)  # not their branch's
    assert urls(auditor) == {}  # auditors only read
    hotspot_acknowledge(actor=head, spot_id=product.pk)
    assert url not in urls(head)
