"""What the dashboards show, read from the roll-ups (a handful of grouped queries whatever
the number of disputes): the period's volume and its change, the cuts by category, branch,
channel and province, the on-time rate, handling time (median and 90th percentile), fast-lane
uptake, mediation success, complaints per 1,000 branches and per 10 million customers, and a
branch x week heat map whose cells link to the filtered queue."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import TruncMonth, TruncWeek
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from mediation import hooks
from mediation.hooks import Turnaround
from mediation.models import Channel, ProductCategory
from portal.models import Branch

from .models import HandlingDays, Rollup, RollupState
from .opinion import Spread, spread

# Rates over fewer cases than this are not shown (the UK ombudsman's rule for uphold rates).
MIN_CASES = 30
COUNTS = (
    "received",
    "repeats",
    "eligible",
    "opted_in",
    "decided",
    "on_time",
    "mediated",
    "mediation_succeeded",
    "mediation_failed",
    "rated",
    "rating_total",
    "satisfied",
)


@dataclass(frozen=True)
class Period:
    """A month (2026-11), a quarter (2026-Q4) or a year (2026)."""

    key: str
    label: str
    start: date
    end: date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def _month(year: int, month: int) -> Period:
    start = date(year, month, 1)
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return Period(f"{year}-{month:02d}", f"{year}年{month}月", start, nxt - timedelta(days=1))


def parse_period(key: str | None, today: date) -> Period:
    """The period a key names; an unknown key is the current month."""
    key = (key or "").strip()
    if m := re.fullmatch(r"(\d{4})-(\d{2})", key):
        year, month = int(m.group(1)), int(m.group(2))
        if 1 <= month <= 12:
            return _month(year, month)
    if m := re.fullmatch(r"(\d{4})-Q([1-4])", key):
        year, q = int(m.group(1)), int(m.group(2))
        first, last = _month(year, 3 * q - 2), _month(year, 3 * q)
        return Period(key, f"{year}年第{q}季度", first.start, last.end)
    if m := re.fullmatch(r"(\d{4})", key):
        year = int(m.group(1))
        return Period(key, f"{year}年", date(year, 1, 1), date(year, 12, 31))
    return _month(today.year, today.month)


def previous(period: Period) -> Period:
    if re.fullmatch(r"\d{4}-\d{2}", period.key):
        before = period.start - timedelta(days=1)
        return _month(before.year, before.month)
    if "Q" in period.key:
        year, q = int(period.key[:4]), int(period.key[-1])
        return parse_period(f"{year - (q == 1)}-Q{(q - 2) % 4 + 1}", period.start)
    return parse_period(str(int(period.key) - 1), period.start)


def rate(part: int, whole: int) -> float | None:
    return part / whole if whole >= MIN_CASES else None


def percentile(histogram: dict[int, int], share: float) -> int | None:
    total = sum(histogram.values())
    if not total:
        return None
    running = 0
    for days in sorted(histogram):
        running += histogram[days]
        if running >= share * total:
            return days
    return max(histogram)


@dataclass
class Row:
    label: str
    key: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    before: int = 0  # received in the previous period

    @property
    def received(self) -> int:
        return self.counts.get("received", 0)

    @property
    def merged(self) -> int:
        """Received, each person's repeat complaints about one matter counted once."""
        return self.received - self.counts.get("repeats", 0)

    @property
    def change(self) -> float | None:
        return (self.received - self.before) / self.before if self.before else None

    @property
    def on_time_rate(self) -> float | None:
        return rate(self.counts.get("on_time", 0), self.counts.get("decided", 0))

    @property
    def satisfied_rate(self) -> float | None:
        """Rated 4 or 5 of 5 at the return visit."""
        return rate(self.counts.get("satisfied", 0), self.counts.get("rated", 0))

    @property
    def mean_rating(self) -> float | None:
        rated = self.counts.get("rated", 0)
        return self.counts.get("rating_total", 0) / rated if rated >= MIN_CASES else None


@dataclass(frozen=True)
class HeatCell:
    """One branch's week: its count, shade (0-5 by fifths of the busiest cell), and the link
    to the queue of those cases (built here once, not per cell in the template)."""

    n: int
    week: date
    shade: int
    href: str
    label: str


@dataclass(frozen=True)
class Tile:
    """A province in the tile grid (no map: a map needs an approved base map with a review
    number): its complaints, a shade by fifths of the busiest, and its queue."""

    label: str
    n: int
    shade: int
    href: str


@dataclass(frozen=True)
class Dashboard:
    period: Period
    before: Period
    scope_label: str
    total: Row
    regulator: int
    median_days: int | None
    p90_days: int | None
    uptake: float | None
    mediation_success: float | None
    per_thousand_branches: float | None
    per_ten_million_customers: float | None
    by_category: list[Row]
    by_branch: list[Row]
    by_channel: list[Row]
    by_province: list[Row]
    months: list[Row]
    heat_weeks: list[date]
    heat: list[tuple[Row, list[HeatCell]]]
    heat_max: int
    # Courts' and arbitral bodies' decisions in the period, against their targets.
    turnarounds: list[Turnaround]
    province_tiles: list[Tile]
    # Public-opinion items first seen in the period (seed 4.5: the spread of negative publicity).
    spread: Spread

    @property
    def months_chart(self) -> dict[str, Any]:
        """The twelve months for the chart above their table (the same figures)."""
        return {
            "labels": [r.label for r in self.months],
            "series": [
                {"name": _("Complaints"), "values": [r.received for r in self.months]},
                {"name": _("Decided"), "values": [r.counts.get("decided", 0) for r in self.months]},
            ],
        }

    @property
    def category_chart(self) -> dict[str, Any]:
        return {
            "labels": [r.label for r in self.by_category],
            "series": [{"name": _("Complaints"), "values": [r.received for r in self.by_category]}],
        }


def _sums(qs: QuerySet[Rollup], by: str | None) -> dict[str, dict[str, int]]:
    sums = {name: Sum(name) for name in COUNTS}
    if by is None:
        return {"": {k: v or 0 for k, v in qs.aggregate(**sums).items()}}
    return {
        str(row[by]): {k: row[k] or 0 for k in COUNTS}
        for row in qs.values(by).annotate(**sums).order_by()
    }


def dashboard(
    scope: Q,
    scope_label: str,
    period: Period,
    today: date,
    branch_id: int | None = None,
    heat_category: str = "",
) -> Dashboard:
    """The figures of `scope` (a condition on the roll-ups) for `period`; `branch_id` names
    the same scope for what is not rolled up (None: every branch); `heat_category` narrows the
    branch x week heat map to one product category (branch x category x week)."""
    before = previous(period)
    base = Rollup.objects.filter(scope)
    now = base.filter(day__gte=period.start, day__lte=period.end)
    earlier = base.filter(day__gte=before.start, day__lte=before.end)

    def cut(by: str, labels: dict[str, str]) -> list[Row]:
        current, prior = _sums(now, by), _sums(earlier, by)
        rows = [
            Row(labels.get(key, key), key, counts, prior.get(key, {}).get("received", 0))
            for key, counts in current.items()
        ]
        return sorted(rows, key=lambda r: (-r.received, r.label))

    total = Row(_("All"), "", _sums(now, None)[""], _sums(earlier, None)[""]["received"])
    branches = {str(b.pk): b for b in Branch.objects.all()}
    histogram: dict[int, int] = defaultdict(int)
    for days, n in (
        HandlingDays.objects.filter(scope, day__gte=period.start, day__lte=period.end)
        .values("days")
        .annotate(n=Sum("count"))
        .values_list("days", "n")
    ):
        histogram[days] += n
    by_branch = cut("branch_id", {k: b.name for k, b in branches.items()})
    by_province: dict[str, Row] = {}
    for row in by_branch:
        province = branches[row.key].province or _("Unknown")
        tile = by_province.setdefault(province, Row(province, province))
        for name in COUNTS:
            tile.counts[name] = tile.counts.get(name, 0) + row.counts.get(name, 0)
        tile.before += row.before
    months = _months(base, period)
    weeks, heat, heat_max = _heat(
        base.filter(category=heat_category) if heat_category else base,
        today,
        {k: b.name for k, b in branches.items()},
        heat_category,
    )
    state = RollupState.objects.filter(pk=1).first()
    customers = state.customers if state else 0
    branch_count = len(branches)
    counts = total.counts
    return Dashboard(
        period=period,
        before=before,
        scope_label=scope_label,
        total=total,
        regulator=now.filter(channel=Channel.REGULATOR).aggregate(n=Sum("received"))["n"] or 0,
        median_days=percentile(histogram, 0.5),
        p90_days=percentile(histogram, 0.9),
        uptake=rate(counts["opted_in"], counts["eligible"]),
        mediation_success=rate(
            counts["mediation_succeeded"],
            counts["mediation_succeeded"] + counts["mediation_failed"],
        ),
        # As the regulator counts: repeat complaints merged.
        per_thousand_branches=total.merged * 1000 / branch_count if branch_count else None,
        per_ten_million_customers=total.merged * 10_000_000 / customers if customers else None,
        by_category=cut("category", {k: str(v) for k, v in ProductCategory.choices}),
        by_branch=by_branch,
        by_channel=cut("channel", {k: str(v) for k, v in Channel.choices}),
        by_province=sorted(by_province.values(), key=lambda r: (-r.received, r.label)),
        months=months,
        heat_weeks=weeks,
        heat=heat,
        heat_max=heat_max,
        turnarounds=hooks.turnarounds(branch_id, period.start, period.end),
        province_tiles=_tiles(list(by_province.values()), period),
        spread=spread(branch_id, period.start, period.end),
    )


def _months(base: QuerySet[Rollup], period: Period) -> list[Row]:
    """Twelve months to the end of the period, received and decided."""
    end = _month(period.end.year, period.end.month)
    months = [end]
    while len(months) < 12:
        first = months[0].start - timedelta(days=1)
        months.insert(0, _month(first.year, first.month))
    sums = {name: Sum(name) for name in ("received", "decided", "on_time")}
    got: dict[str, dict[str, Any]] = {
        f"{row['month']:%Y-%m}": dict(row)
        for row in base.filter(day__gte=months[0].start, day__lte=months[-1].end)
        .annotate(month=TruncMonth("day"))
        .values("month")
        .annotate(**sums)
        .order_by()
    }
    return [Row(m.label, m.key, {k: got.get(m.key, {}).get(k) or 0 for k in sums}) for m in months]


HEAT_WEEKS = 12


def shade(n: int, top: int) -> int:
    """0 for nothing, else 1-5 by fifths of the busiest cell or tile (`top`)."""
    return -(-5 * n // top) if n and top else 0


def _tiles(provinces: list[Row], period: Period) -> list[Tile]:
    top = max((p.received for p in provinces), default=0)
    queue = reverse("mediation:queue")
    span = f"received_from={period.start:%Y-%m-%d}&received_to={period.end:%Y-%m-%d}"
    return [
        Tile(
            p.label,
            p.received,
            shade(p.received, top),
            f"{queue}?{urlencode({'province': p.key})}&{span}",
        )
        for p in sorted(provinces, key=lambda p: p.label)
    ]


def _heat(
    base: QuerySet[Rollup], today: date, names: dict[str, str], category: str = ""
) -> tuple[list[date], list[tuple[Row, list[HeatCell]]], int]:
    """Received per branch and week, the last twelve weeks (Monday to Sunday)."""
    monday = today - timedelta(days=today.weekday())
    weeks = [monday - timedelta(weeks=n) for n in range(HEAT_WEEKS - 1, -1, -1)]
    counts: dict[tuple[str, date], int] = {}
    for row in (
        base.filter(day__gte=weeks[0], day__lte=today)
        .annotate(week=TruncWeek("day"))
        .values("branch_id", "week")
        .annotate(n=Sum("received"))
        .order_by()
    ):
        week = row["week"]
        week = week.date() if hasattr(week, "date") else week
        counts[(str(row["branch_id"]), week)] = row["n"]
    branches = sorted({b for b, _w in counts}, key=lambda b: names.get(b, b))
    top = max(counts.values(), default=0)

    queue = reverse("mediation:queue")
    spans = [(w, f"{w:%Y-%m-%d}", f"{w + timedelta(days=6):%Y-%m-%d}") for w in weeks]
    heat = []
    for b in branches:
        name = names.get(b, b)
        cells = []
        for week, first, last in spans:
            n = counts.get((b, week), 0)
            href = f"{queue}?branch={b}&received_from={first}&received_to={last}"
            if category:
                href += f"&category={category}"
            cells.append(HeatCell(n, week, shade(n, top), href, f"{name} {first}: {n}"))
        heat.append((Row(name, b), cells))
    return weeks, heat, top
