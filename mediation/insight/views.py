"""The management dashboard: head office sees every branch, a branch its own. Every table is
also a CSV or XLSX download (portal/exports.py)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mediation.access import ALL_BRANCHES, figures_branch
from mediation.models import ProductCategory
from portal.access import refuse
from portal.audit import audit_record
from portal.exports import csv_response, xlsx_response
from portal.transitions import may_transition
from portal.types import AuthedRequest

from .access import figures_scope, hotspot_get_for, hotspots_visible_to
from .figures import Dashboard, Row, dashboard, parse_period, previous
from .hotspot_lifecycle import HotSpotStatus
from .hotspots import (
    behind_until,
    cases_behind,
    disputes_behind,
    hotspot_acknowledge,
    hotspot_close,
    panels_for,
    suitability_share,
)
from .models import RollupState
from .reports import recent
from .white_paper import may_ask_for


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
        return header, [[row.label] + [c.n for c in cells] for row, cells in board.heat]
    if name == "turnaround":
        header = [
            _("Decision"),
            _("Target time"),
            _("Decided in the period"),
            _("Within the target"),
            _("Median days"),
        ]
        return header, [
            [str(t.label), str(t.target), t.decided, t.on_target, t.median_days]
            for t in board.turnarounds
        ]
    raise Http404("table")


@login_required
def dashboard_page(request: AuthedRequest) -> HttpResponseBase:
    scope = figures_scope(request.user)
    if scope is None:
        raise refuse(request.user, "dashboard", "insight")
    condition, label = scope
    branch = figures_branch(request.user)
    branch_id = None if branch == ALL_BRANCHES else branch
    today = timezone.localdate()
    period = parse_period(request.GET.get("period"), today)
    heat_category = request.GET.get("heat", "")
    if heat_category not in ProductCategory.values:
        heat_category = ""
    export, table = request.GET.get("export"), request.GET.get("table", "")
    if export:
        if export not in ("csv", "xlsx"):
            raise Http404("export")
        header, rows = _table(
            dashboard(condition, label, period, today, branch_id, heat_category), table
        )
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
    open_spots = hotspots_visible_to(request.user).exclude(status=HotSpotStatus.CLOSED).count()
    # The figures change only when the roll-ups are refreshed: the page's figures are kept as
    # rendered per scope, period and refresh (the template's cache key), and computed only
    # when that fragment is rendered again (a lazy object).
    return render(
        request,
        "insight/dashboard.html",
        {
            "board": SimpleLazyObject(
                lambda: dashboard(condition, label, period, today, branch_id, heat_category)
            ),
            "period": period,
            "before": previous(period),
            "scope_label": label,
            "scope_key": branch,
            "rollups_seen": RollupState.objects.filter(pk=1).values_list("seen", flat=True).first(),
            "today": today,
            "open_hotspots": open_spots,
            "may_build_white_paper": may_ask_for(request.user),
            "reports": recent(request.user),
            "heat_category": heat_category,
            "categories": ProductCategory.choices,
        },
    )


class CloseForm(forms.Form):
    finding = forms.CharField(
        label=gettext_lazy("What was found"),
        help_text=gettext_lazy("A class of problems (its cause and what follows), or chance."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )


@login_required
def hotspot_list(request: AuthedRequest) -> HttpResponseBase:
    if figures_scope(request.user) is None:
        raise refuse(request.user, "hotspots", "list")
    spots = hotspots_visible_to(request.user).select_related("branch", "assignee")
    open_ones = list(spots.exclude(status=HotSpotStatus.CLOSED)[:100])
    closed = list(spots.filter(status=HotSpotStatus.CLOSED)[:20])
    return render(request, "insight/hotspots.html", {"open": open_ones, "closed": closed})


@login_required
def hotspot_page(request: AuthedRequest, pk: int) -> HttpResponseBase:
    spot = hotspot_get_for(request.user, pk)
    back = reverse("insight:hotspot", args=[pk])
    if request.method == "POST":
        request.error_redirect = back  # type: ignore[attr-defined]
        if "acknowledge" in request.POST:
            hotspot_acknowledge(actor=request.user, spot_id=pk)
            messages.success(request, _("You are looking into it."))
            return redirect(back)
        form = CloseForm(request.POST)
        if form.is_valid():
            hotspot_close(actor=request.user, spot_id=pk, finding=form.cleaned_data["finding"])
            messages.success(request, _("Closed, with what was found."))
            return redirect(back)
    else:
        form = CloseForm()
    user = request.user
    behind = disputes_behind(spot)
    return render(
        request,
        "insight/hotspot.html",
        {
            "spot": spot,
            "cases_url": cases_behind(spot),
            "may_acknowledge": may_transition(spot, "acknowledge", user),
            "close_form": form if may_transition(spot, "close", user) else None,
            "suitability": suitability_share(behind),
            "behind": behind.count(),
            "behind_until": behind_until(spot),
            **panels_for(user, spot),
        },
    )
