"""Statutory calendar and deadline arithmetic.

CPL 2023 art. 85: the day on which a period starts is not counted; when the last day is a
statutory rest day (a weekend or public holiday), the period ends on the first working day after
it. Weekend days that the State Council makes working days (调休) are working days. "Working
days" in a rule skip weekends and holidays.
"""

from __future__ import annotations

import calendar as _calendar
import re
from datetime import date, timedelta

import holidays

from portal.models import CalendarDay

_SUBSTITUTE_RE = re.compile(r"(\d{4}-\d{2}-\d{2})\s*调休")


class StatutoryCalendar:
    """The exceptions to the Monday-Friday week between two dates, loaded in one query."""

    def __init__(self, start: date, end: date) -> None:
        self.start, self.end = start, end
        rows = CalendarDay.objects.filter(date__range=(start, end)).values_list("date", "kind")
        self._kinds = dict(rows)

    def is_working_day(self, day: date) -> bool:
        kind = self._kinds.get(day)
        if kind == CalendarDay.Kind.WORKDAY:
            return True
        if kind == CalendarDay.Kind.HOLIDAY:
            return False
        return day.weekday() < 5

    def next_working_day_on_or_after(self, day: date) -> date:
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day


def _calendar_around(start: date, days: int) -> StatutoryCalendar:
    # Wide enough for the longest run of rest days (Spring Festival, National Day) after the end.
    return StatutoryCalendar(start, start + timedelta(days=days * 2 + 40))


def period_end(start: date, days: int) -> date:
    """Last day of a period of `days` days starting on `start` (CPL art. 85)."""
    cal = _calendar_around(start, days)
    return cal.next_working_day_on_or_after(start + timedelta(days=days))


def next_working_day_on_or_after(day: date) -> date:
    """`day` itself when it is a working day, else the first working day after it (how a
    period counted in months or years ends, CPL art. 85)."""
    return _calendar_around(day, 0).next_working_day_on_or_after(day)


def add_working_days(start: date, days: int) -> date:
    """The `days`-th working day after `start` (the start day not counted)."""
    cal = _calendar_around(start, days)
    day, counted = start, 0
    while counted < days:
        day += timedelta(days=1)
        if cal.is_working_day(day):
            counted += 1
    return day


def add_months_clamped(start: date, months: int) -> date:
    """Same day `months` later, clamped to the month's end (31 Aug + 6 -> 28/29 Feb)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    last = _calendar.monthrange(year, month)[1]
    return date(year, month, min(start.day, last))


def add_years_clamped(start: date, years: int) -> date:
    return add_months_clamped(start, 12 * years)


def china_calendar_rows(year: int) -> list[tuple[date, str, str]]:
    """Holidays and substituted working days for `year` from the `holidays` package."""
    rows: dict[date, tuple[str, str]] = {}
    for day, name in holidays.China(years=year, language="zh_CN").items():
        rows[day] = (CalendarDay.Kind.HOLIDAY, name)
        match = _SUBSTITUTE_RE.search(name)
        if match:
            workday = date.fromisoformat(match.group(1))
            rows[workday] = (CalendarDay.Kind.WORKDAY, f"调休上班（{name}）")
    return [(d, kind, name) for d, (kind, name) in sorted(rows.items()) if d.year == year]
