"""Deadline arithmetic per CPL art. 85 against the 2026 statutory calendar."""

from datetime import date

import pytest

from portal.calendar import (
    add_months_clamped,
    add_working_days,
    china_calendar_rows,
    period_end,
)
from portal.models import CalendarDay

pytestmark = pytest.mark.django_db


def test_calendar_table_is_loaded_by_migration():
    assert CalendarDay.objects.get(date=date(2026, 10, 1)).kind == "holiday"
    # 调休: Saturday 10 October 2026 is a working day.
    assert CalendarDay.objects.get(date=date(2026, 10, 10)).kind == "workday"
    assert CalendarDay.objects.get(date=date(2026, 2, 14)).kind == "workday"


def test_rows_derive_substituted_working_days_from_holiday_names():
    rows = {d: kind for d, kind, _name in china_calendar_rows(2026)}
    assert rows[date(2026, 9, 20)] == "workday"
    assert rows[date(2026, 10, 7)] == "holiday"


def test_plain_period_ends_on_the_nth_day_not_counting_the_start():
    # Wednesday 4 March + 15 days = Thursday 19 March.
    assert period_end(date(2026, 3, 4), 15) == date(2026, 3, 19)


def test_period_ending_on_a_weekend_moves_to_monday():
    # 7 March + 15 = Sunday 22 March -> Monday 23 March.
    assert period_end(date(2026, 3, 7), 15) == date(2026, 3, 23)


def test_period_ending_in_national_day_moves_past_the_holiday():
    # 16 Sept + 15 = 1 Oct (holiday); 1-7 Oct are rest days -> Thursday 8 Oct.
    assert period_end(date(2026, 9, 16), 15) == date(2026, 10, 8)


def test_period_ending_on_a_substituted_working_saturday_stays():
    # 25 Sept + 15 = Saturday 10 Oct, a 调休 working day.
    assert period_end(date(2026, 9, 25), 15) == date(2026, 10, 10)
    # 5 Sept + 15 = Sunday 20 Sept, a 调休 working day.
    assert period_end(date(2026, 9, 5), 15) == date(2026, 9, 20)


def test_period_ending_in_spring_festival_moves_to_first_working_day():
    # 1 Feb + 15 = 16 Feb (除夕 rest); rest through Monday 23 Feb -> Tuesday 24 Feb.
    assert period_end(date(2026, 2, 1), 15) == date(2026, 2, 24)
    # 30 Jan + 15 = Saturday 14 Feb, a 调休 working day.
    assert period_end(date(2026, 1, 30), 15) == date(2026, 2, 14)


def test_thirty_day_window_across_spring_festival():
    # Agreement effective 17 January 2026: 30 days -> 16 Feb (rest) -> 24 Feb.
    assert period_end(date(2026, 1, 17), 30) == date(2026, 2, 24)


def test_working_days_skip_national_day_and_count_substituted_saturday():
    # From 30 Sept: 8 Oct (1), 9 Oct (2), Saturday 10 Oct 调休 (3).
    assert add_working_days(date(2026, 9, 30), 3) == date(2026, 10, 10)


def test_administrator_correction_is_honoured():
    CalendarDay.objects.create(date=date(2026, 3, 19), kind="holiday", name="临时休息")
    assert period_end(date(2026, 3, 4), 15) == date(2026, 3, 20)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),  # leap year
        (date(2026, 1, 15), 6, date(2026, 7, 15)),
        (date(2026, 12, 31), 2, date(2027, 2, 28)),
    ],
)
def test_months_clamped_to_month_end(start, months, expected):
    assert add_months_clamped(start, months) == expected


def test_load_calendar_command_is_idempotent(capsys):
    from django.core.management import call_command

    before = CalendarDay.objects.count()
    call_command("load_calendar", "2026")
    call_command("load_calendar", "2026")
    assert CalendarDay.objects.count() == before
    assert "2026: already loaded, nothing to change" in capsys.readouterr().out
