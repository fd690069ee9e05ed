"""The home pages of customers, bank staff and partner members (registered with portal.views
in MediationConfig.ready()): what each sees first is the disputes they may see."""

from __future__ import annotations

from datetime import date

from django.db.models import Avg, Count
from django.http import HttpRequest

from mediation import access as dispute_access
from mediation.lifecycle import DisputeStatus


def customer_home(request: HttpRequest, today: date) -> tuple[str, dict[str, object]]:
    visible = dispute_access.disputes_visible_to(request.user)  # type: ignore[arg-type]
    return "portal/home_customer.html", {"disputes": visible.for_list()[:5]}


def staff_home(request: HttpRequest, today: date) -> tuple[str, dict[str, object]]:
    visible = dispute_access.disputes_visible_to(request.user)  # type: ignore[arg-type]
    counts = {
        "new": visible.filter(status=DisputeStatus.SUBMITTED).count(),
        "open": visible.open().count(),
        "overdue": visible.overdue(today=today).count(),
        "due_soon": visible.due_soon(today=today).count(),
        "fast_lane": visible.fast_lane().count(),
    }
    satisfaction = visible.filter(return_visit__isnull=False).aggregate(
        average=Avg("return_visit__rating"), count=Count("return_visit")
    )
    return "portal/home_staff.html", {"counts": counts, "satisfaction": satisfaction}


def partner_home(request: HttpRequest, today: date) -> tuple[str, dict[str, object]]:
    visible = dispute_access.disputes_visible_to(request.user)  # type: ignore[arg-type]
    return "portal/home_partner.html", {"disputes": visible.for_list()[:10]}
