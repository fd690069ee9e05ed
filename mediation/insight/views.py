"""The management dashboard: head office sees every branch, a branch its own. Every table is
also a CSV or XLSX download (portal/exports.py)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.access import refuse
from portal.audit import audit_record
from portal.exports import csv_response, xlsx_response
from portal.types import AuthedRequest

from .access import figures_scope
from .figures import Dashboard, Row, dashboard, parse_period


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}%"


def _table(board: Dashboard, name: str) -> tuple[list[str], list[list[Any]]]:
    """One of the dashboard's tables as a header and rows, for its download."""
    cuts: dict[str, list[Row]] = {
        "category": board.by_category,
        "branch": board.by_branch,
        "channel": board.by_channel,
        "province": board.by_province,
    }
    if name in cuts:
        header = [
            _("Cut"),
            _("Complaints"),
            _("Previous period"),
            _("Change on the previous period"),
            _("Decided"),
            _("On time"),
        ]
        rows = [
            [
                r.label,
                r.received,
                r.before,
                _pct(r.change),
                r.counts.get("decided", 0),
                _pct(r.on_time_rate),
            ]
            for r in cuts[name]
        ]
        return header, rows
    if name == "months":
        return [_("Month"), _("Complaints"), _("Decided"), _("On time")], [
            [r.label, r.received, r.counts.get("decided", 0), _pct(r.on_time_rate)]
            for r in board.months
        ]
    if name == "heat":
        header = [_("Branch")] + [f"{w:%Y-%m-%d}" for w in board.heat_weeks]
        return header, [[row.label] + [n for n, _w, _s in cells] for row, cells in board.heat]
    raise Http404("table")


@login_required
def dashboard_page(request: AuthedRequest) -> HttpResponseBase:
    scope = figures_scope(request.user)
    if scope is None:
        raise refuse(request.user, "dashboard", "insight")
    condition, label = scope
    today = timezone.localdate()
    period = parse_period(request.GET.get("period"), today)
    board = dashboard(condition, label, period, today)
    export, table = request.GET.get("export"), request.GET.get("table", "")
    if export:
        if export not in ("csv", "xlsx"):
            raise Http404("export")
        header, rows = _table(board, table)
        audit_record(
            actor=request.user,
            action="insight.exported",
            target=request.user,
            case_ref="",
            data={"table": table, "period": period.key, "format": export},
        )
        filename = f"投诉统计-{table}-{period.key}.{export}"
        if export == "csv":
            return csv_response(filename, header, rows)
        return xlsx_response(filename, table, header, rows)
    return render(request, "insight/dashboard.html", {"board": board, "today": today})
