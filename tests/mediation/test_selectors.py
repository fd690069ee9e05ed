"""The dispute list's own statement: the same rows, order and access rule as the ORM."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone, translation
from rest_framework.test import APIClient

from mediation import access as dispute_access
from mediation.apis import dispute_out
from mediation.models import Dispute
from mediation.selectors import dispute_page
from portal.models import Role
from tests.factories import CustomerFactory, UserFactory, make_dispute, refer

pytestmark = pytest.mark.django_db


def newest_first(user):
    return list(
        dispute_access.disputes_visible_to(user)
        .select_related("customer", "branch")
        .order_by("-updated_at", "-pk")
    )


def test_rows_are_the_serializer_representation(customer, hq_staff, branch):
    named = CustomerFactory.create(real_name="王芳")
    make_dispute(customer, branch, "0.01")
    make_dispute(named, branch, "12345.60", received_at=timezone.now() - timedelta(days=40))
    last = make_dispute(customer, branch, "50000.00")
    Dispute.objects.filter(pk=last.pk).update(
        decision_due=date(2026, 10, 8), mediation_due=date(2027, 2, 1), status="closed"
    )
    for language in ("zh-hans", "en"):
        with translation.override(language):
            rows = [row for _position, row in dispute_page(hq_staff, limit=10)]
            assert rows == [dispute_out(d, hq_staff) for d in newest_first(hq_staff)]
    assert {r["amount"] for r in rows} == {"0.01", "12345.60", "50000.00"}


@pytest.mark.parametrize(
    ("zone", "offsets"),
    [("Europe/Berlin", {"+01:00", "+02:00"}), ("Asia/Kolkata", {"+05:30"}), ("UTC", {"Z"})],
)
def test_times_in_other_zones_are_the_serializer_representation(
    zone, offsets, customer, hq_staff, branch
):
    """A DST zone (the times straddle its spring change), a half-hour zone (no per-hour
    shortcut: each time converted on its own) and UTC (written with Z)."""
    change = datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    for minutes in (-61, -1, 0, 59, 90):
        moment = change + timedelta(minutes=minutes)
        made = make_dispute(customer, branch, "10.00", received_at=moment - timedelta(days=1))
        Dispute.objects.filter(pk=made.pk).update(updated_at=moment)
    with timezone.override(zone):
        rows = [row for _position, row in dispute_page(hq_staff, limit=10)]
        assert rows == [dispute_out(d, hq_staff) for d in newest_first(hq_staff)]
    assert {row["updated_at"][19:] for row in rows} == offsets  # after the seconds


def test_each_role_gets_exactly_what_the_access_rule_allows(
    customer, other_customer, staff, other_staff, hq_staff, branch, centre, mediator
):
    mine = make_dispute(customer, branch)
    refer(mine, customer, staff, centre)
    make_dispute(other_customer, branch)
    closed = make_dispute(other_customer, branch)
    Dispute.objects.filter(pk=closed.pk).update(status="closed")
    auditor = UserFactory.create(role=Role.AUDITOR)
    admin = UserFactory.create(role=Role.ADMIN)
    for user in (customer, other_customer, staff, other_staff, hq_staff, mediator, auditor, admin):
        listed = [row["reference"] for _position, row in dispute_page(user, limit=50)]
        assert listed == [d.reference for d in newest_first(user)], user.role
    assert [r["reference"] for _p, r in dispute_page(mediator, limit=50)] == [mine.reference]
    assert dispute_page(admin, limit=50) == []


def test_filters(customer, hq_staff, branch):
    early = make_dispute(customer, branch)
    late = make_dispute(customer, branch)
    Dispute.objects.filter(pk=early.pk).update(
        updated_at=timezone.now() - timedelta(days=3), next_deadline=date(2026, 1, 5)
    )
    Dispute.objects.filter(pk=late.pk).update(status="closed", next_deadline=date(2027, 1, 5))

    def refs(**filters):
        return [r["reference"] for _p, r in dispute_page(hq_staff, limit=10, **filters)]

    assert refs(status="closed") == [late.reference]
    assert refs(updated_since=timezone.now() - timedelta(days=1)) == [late.reference]
    assert refs(due_before=date(2026, 6, 1)) == [early.reference]
    assert refs(status="submitted", due_before=date(2026, 6, 1)) == [early.reference]


def test_pages_walk_every_dispute_once_forwards_and_backwards(customer, hq_staff, branch):
    """Seven disputes, four of them changed in the same microsecond: pages of two by the next
    links visit each once, newest first; the previous links walk the same pages back."""
    disputes = [make_dispute(customer, branch, f"{n}.00") for n in range(1, 8)]
    same = timezone.now() - timedelta(hours=1)
    Dispute.objects.filter(pk__in=[d.pk for d in disputes[1:5]]).update(updated_at=same)
    client = APIClient()
    client.force_authenticate(hq_staff)
    expected = [d.reference for d in newest_first(hq_staff)]

    pages, url = [], "/api/v1/disputes/?page_size=2"
    while url:
        body = client.get(url).json()
        pages.append(([r["reference"] for r in body["results"]], body["previous"]))
        url = body["next"]
    assert [ref for refs, _previous in pages for ref in refs] == expected
    assert [len(refs) for refs, _previous in pages] == [2, 2, 2, 1]
    assert pages[0][1] is None

    back, url = [], pages[-1][1]
    while url:
        body = client.get(url).json()
        back.append([r["reference"] for r in body["results"]])
        url = body["previous"]
    assert back == [refs for refs, _previous in reversed(pages[:-1])]


@pytest.mark.parametrize(
    "cursor",
    ["not-base64!", "MXx4fDE=", "MnwyMDI2LTAxLTAxVDAwOjAwOjAwKzAwOjAwfDE=", "MHwyMDI2LTAxLTAxfDE="],
)
def test_a_bad_cursor_is_a_clear_400(hq_staff, cursor):
    """Garbage, a bad time, a bad direction, a time without a zone: the client's mistake, with
    DRF's "Invalid cursor"."""
    client = APIClient()
    client.force_authenticate(hq_staff)
    response = client.get(f"/api/v1/disputes/?cursor={cursor}", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json()["message"] == "Invalid cursor"


def test_amounts_read_back_exactly(customer, hq_staff, branch):
    """SQLite hands the amount back as an int or a float; every cent survives."""
    amounts = ["0.10", "0.29", "1.01", "9999.99", "33333.33", "49999.99"]
    for amount in amounts:
        make_dispute(customer, branch, amount)
    listed = {r["amount"] for _p, r in dispute_page(hq_staff, limit=10)}
    assert listed == {str(Decimal(a)) for a in amounts}


class _HalfPastJump(tzinfo):
    """+01:00 until 2026-03-29 12:30 UTC, +02:00 from then: a whole-hour zone whose change
    falls inside a UTC hour, which the per-hour shortcut must not cover."""

    change = datetime(2026, 3, 29, 12, 30)  # noqa: DTZ001 (a UTC wall time)

    def fromutc(self, dt):
        return dt + self.utcoffset(dt.replace(tzinfo=None) + timedelta(hours=1))

    def utcoffset(self, dt):
        local = dt.replace(tzinfo=None)
        return timedelta(hours=1 if local < self.change + timedelta(hours=1) else 2)

    def dst(self, dt):
        return timedelta(0)

    def tzname(self, dt):
        return "JUMP"


def test_a_case_s_lists_are_asked_of_one_query_built_once(customer, branch):
    """case_holds builds its EXISTS question once per set of lists and filters it per case:
    each case gets its own answer, and an answer follows the rows as they come."""
    from django.db.models import OuterRef

    from mediation.models import Consent
    from mediation.selectors import _holds_query, case_holds

    first, second = make_dispute(customer, branch), make_dispute(CustomerFactory(), branch)
    lists: dict[str, Any] = {
        "consents": Consent,
        "repeats": Dispute.objects.filter(repeat_of=OuterRef("pk")),
    }
    _holds_query.cache_clear()
    assert case_holds(first, **lists) == {"consents": False, "repeats": False}
    Dispute.objects.filter(pk=second.pk).update(repeat_of=first)
    assert case_holds(first, **lists) == {"consents": False, "repeats": True}
    assert case_holds(second, **lists) == {"consents": False, "repeats": False}
    built = _holds_query.cache_info()
    assert (built.misses, built.hits) == (1, 2)
