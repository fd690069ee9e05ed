"""Every legal period the portal counts, named once with its source (STYLE.md 16).

A service asks a period for its end (`JUDICIAL_CONFIRMATION_WINDOW.end(effective_on)`), never
adds a bare number of days. Counting follows CPL 2023 art. 85 (portal/calendar.py): the start
day is not counted, and a period whose last day is a statutory rest day ends on the next working
day; working-day periods skip weekends and holidays; month and year periods end on the same
day of the later month (clamped to its end), moved to the next working day when that is a rest
day. The look-back review is the bank's own policy and is not moved off rest days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from portal.calendar import (
    add_months_clamped,
    add_working_days,
    next_working_day_on_or_after,
    period_end,
)


@dataclass(frozen=True)
class LegalPeriod:
    cite: str
    days: int = 0
    working_days: int = 0
    months: int = 0
    # Month periods of the law move off a rest day (CPL art. 85); a policy's may not.
    rest_day_extends: bool = True

    def end(self, start: date) -> date:
        if self.working_days:
            return add_working_days(start, self.working_days)
        if self.months:
            end = add_months_clamped(start, self.months)
            return next_working_day_on_or_after(end) if self.rest_day_extends else end
        return period_end(start, self.days)


def agreed_period(days: int, cite: str) -> LegalPeriod:
    """A period whose length the parties agree (an extension of mediation by both parties'
    consent), counted like any other."""
    return LegalPeriod(days=days, cite=cite)


# ---- the bank's complaint handling (银行业保险业消费投诉处理管理办法, 2020) -------------------
COMPLAINT_DECISION = LegalPeriod(days=15, cite="银行业保险业消费投诉处理管理办法 (2020) art. 20")
COMPLAINT_DECISION_COMPLEX = LegalPeriod(days=30, cite="同上 art. 20 (complex cases)")
COMPLAINT_DECISION_EXTENDED = LegalPeriod(days=60, cite="同上 art. 20 (senior approval, notice)")
REVIEW_REQUEST_WINDOW = LegalPeriod(days=30, cite="同上 art. 26 (customer's request for review)")
REVIEW_DECISION = LegalPeriod(days=30, cite="同上 art. 26 (the bank's review decision)")

# ---- mediation (人民法院在线调解规则; 特邀调解规定) ----------------------------------------------
MEDIATOR_ASSIGNMENT = LegalPeriod(working_days=3, cite="人民法院在线调解规则 arts. 11-12")
MEDIATION_PERIOD = LegalPeriod(days=30, cite="人民法院在线调解规则 art. 20; 特邀调解规定 art. 27")

# ---- judicial confirmation (CPL 2023; SPC 2011 rules) ---------------------------------------
JUDICIAL_CONFIRMATION_WINDOW = LegalPeriod(days=30, cite="CPL 2023 art. 205; 人民调解法 art. 33")
CONFIRMATION_ACCEPTANCE = LegalPeriod(days=3, cite="SPC 2011 司法确认程序规定 art. 4")
CONFIRMATION_DECISION = LegalPeriod(days=15, cite="SPC 2011 司法确认程序规定 art. 5")
CONFIRMATION_DECISION_EXTENDED = LegalPeriod(
    days=25, cite="SPC 2011 司法确认程序规定 art. 5 (15 days + 10 with approval)"
)
CONFIRMATION_DECISION_CEILING = LegalPeriod(days=30, cite="CPL 2023 art. 187")
OBJECTION_TO_RULING = LegalPeriod(days=15, cite="CPL interpretation 2022 art. 372")
ENFORCEMENT_APPLICATION = LegalPeriod(months=24, cite="CPL 2023 art. 250")

# ---- arbitration (Arbitration Law, 2025 revision in force 2026-03-01) -----------------------
ARBITRATION_ACCEPTANCE = LegalPeriod(days=5, cite="Arbitration Law art. 24")
ARBITRATION_TARGET = LegalPeriod(days=45, cite="seed 4.8 (the bank's own target, suitability)")
AWARD_CORRECTION = LegalPeriod(days=30, cite="Arbitration Law art. 56")
AWARD_SET_ASIDE = LegalPeriod(months=3, cite="Arbitration Law (2025 revision) art. 72")

# ---- after closure (project policy) ---------------------------------------------------------
LOOKBACK_REVIEW = LegalPeriod(months=6, rest_day_extends=False, cite="seed 6.3 (project policy)")


def re_review_period(months: int) -> LegalPeriod:
    """A failed review's re-review, some months on (a setting, LOOKBACK_RE_REVIEW_MONTHS)."""
    return LegalPeriod(months=months, rest_day_extends=False, cite="seed 6.3 (re-review)")
