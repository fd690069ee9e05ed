"""Legal periods are named once (STYLE.md 16) and count as CPL art. 85 says."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from portal import periods
from portal.calendar import add_working_days, period_end
from portal.models import CalendarDay

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def test_every_period_cites_its_source():
    named = [v for v in vars(periods).values() if isinstance(v, periods.LegalPeriod)]
    assert len(named) >= 15
    assert all(p.cite.strip() for p in named)


def test_day_periods_end_as_period_end_and_working_days_skip_rest_days():
    start = date(2026, 9, 28)  # National Day follows
    assert periods.JUDICIAL_CONFIRMATION_WINDOW.end(start) == period_end(start, 30)
    assert periods.MEDIATOR_ASSIGNMENT.end(start) == add_working_days(start, 3)


def test_month_periods_move_off_a_rest_day_unless_a_policy():
    CalendarDay.objects.create(date=date(2027, 3, 1), kind=CalendarDay.Kind.HOLIDAY, name="测")
    made_on = date(2026, 12, 1)  # + 3 months = Monday 2027-03-01, a holiday here
    assert periods.AWARD_SET_ASIDE.end(made_on) == date(2027, 3, 2)
    # The look-back review is the bank's own: six calendar months, clamped, never moved.
    assert periods.LOOKBACK_REVIEW.end(date(2026, 8, 31)) == date(2027, 2, 28)


def test_services_name_their_periods_rather_than_counting_bare_days():
    """No service computes a period from a bare number: period_end(x, 30) and friends are
    called only by portal/periods.py."""
    bare = re.compile(r"\b(period_end|add_working_days|add_months_clamped|add_years_clamped)\(")
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for app in ("portal", "mediation", "referrals")
        for path in (ROOT / app).rglob("*.py")
        if path.name not in ("periods.py", "calendar.py") and "migrations" not in path.parts
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if bare.search(line) and not line.lstrip().startswith("def ")
    ]
    assert offenders == []
