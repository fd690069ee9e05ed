"""Issue 21: judicial-confirmation and arbitration turnaround against their targets, on the
management figures, equal to what the rows say, per branch."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from mediation.insight.figures import dashboard, parse_period
from portal.models import OrganisationKind
from referrals.arbitration.models import ArbitrationCase
from referrals.confirmation.models import JudicialConfirmation
from referrals.outcomes import turnarounds
from tests.conftest import client_for
from tests.factories import BranchFactory, OrganisationFactory, upload_pdf
from tests.referrals.test_confirmation import _confirmation_in

pytestmark = pytest.mark.django_db


def _confirmation(dispute, court, staff, accepted: date, ruled: date | None, due: date):
    """A confirmation accepted on `accepted` (tests/referrals/test_confirmation.py's helper),
    ruled on `ruled` against its due date `due`."""
    confirmation = _confirmation_in("confirmed" if ruled else "accepted", dispute, court, staff)
    JudicialConfirmation.objects.filter(pk=confirmation.pk).update(
        filed_on=accepted, accepted_on=accepted, decision_due=due, ruling_on=ruled
    )
    return confirmation


def _award(dispute, staff, accepted: date, made: date):
    commission = OrganisationFactory.create(
        name="上海仲裁委员会", kind=OrganisationKind.ARBITRATION_COMMISSION
    )
    return ArbitrationCase.objects.create(
        dispute=dispute,
        commission=commission,
        agreement_signed_on=accepted - timedelta(days=3),
        agreement_document=upload_pdf(staff, dispute, "仲裁协议", name="仲裁协议.pdf"),
        created_by=staff,
        status="award",
        filed_on=accepted - timedelta(days=2),
        accepted_on=accepted,
        target_due=accepted + timedelta(days=45),
        award_on=made,
    )


def test_turnaround_equals_the_rows_and_keeps_to_its_branch(agreed, court, staff):
    today = timezone.localdate()
    first = today.replace(day=1)
    # A ruling 12 days after acceptance (due at 15: on target) and one still pending.
    _confirmation(agreed, court, staff, first, first + timedelta(days=12), first + timedelta(15))
    # An award 50 days after acceptance: past the 45-day target.
    _award(agreed, staff, first - timedelta(days=50), first)
    court_row, award_row = turnarounds(None, first, today + timedelta(days=30))
    assert (court_row.decided, court_row.on_target, court_row.median_days) == (1, 1, 12)
    assert (award_row.decided, award_row.on_target, award_row.median_days) == (1, 0, 50)
    other = BranchFactory.create(code="BJ09")
    assert [t.decided for t in turnarounds(other.pk, first, today + timedelta(30))] == [0, 0]
    assert [t.decided for t in turnarounds(agreed.branch_id, first, today + timedelta(30))] == [
        1,
        1,
    ]
    period = parse_period(f"{first:%Y-%m}", today)
    board = dashboard(Q(), "all", period, today)
    assert [t.decided for t in board.turnarounds] == [
        int(first + timedelta(days=12) <= period.end),
        1,
    ]


def test_the_dashboard_shows_turnaround(agreed, court, staff, hq_staff):
    today = timezone.localdate()
    _award(agreed, staff, today - timedelta(days=40), today)
    page = client_for(hq_staff).get(reverse("insight:dashboard")).content.decode()
    section = page.split('id="turnaround"')[1].split("</table>")[0]
    assert "45" in section and ">40<" in section
