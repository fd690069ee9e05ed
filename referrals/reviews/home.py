"""The auditor's home page (registered with portal.views in ReferralsConfig.ready()): closed
cases to look back on, and the look-back reviews' figures."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest

from mediation import access as dispute_access
from referrals.reviews.services import auditor_figures


def auditor_home(request: HttpRequest, today: date) -> tuple[str, dict[str, object]]:
    closed = dispute_access.disputes_visible_to(request.user)  # type: ignore[arg-type]
    return "portal/home_auditor.html", {
        "closed_count": closed.count(),
        "figures": auditor_figures(today=today),
    }
