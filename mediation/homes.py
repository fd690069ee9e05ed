"""The home pages of customers, bank staff and partner members (registered with portal.views
in MediationConfig.ready()): what each sees first is the disputes they may see."""

from __future__ import annotations

from datetime import date

from django.db.models import Avg, Count
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from mediation import access as dispute_access
from mediation.lifecycle import DisputeStatus
from portal.access import is_bank_staff
from portal.models import User
from portal.waiting import HOME_LIMIT, Waiting


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


# What staff do next on a case, by its state (the home's "waiting for you" list).
STAFF_NEXT = {
    DisputeStatus.SUBMITTED: _("Set the legal-cause and urgency labels"),
    DisputeStatus.TRIAGED: _("Choose the track"),
    DisputeStatus.BANK_HANDLING: _("Give the bank's decision"),
    DisputeStatus.FAST_LANE: _("Refer the case to a mediation centre"),
    DisputeStatus.REFERRED: _("Follow the referral"),
    DisputeStatus.IN_MEDIATION: _("Follow the mediation"),
    DisputeStatus.AGREEMENT_REACHED: _("Follow the agreement"),
    DisputeStatus.MEDIATION_FAILED: _("Choose what follows the failed mediation"),
    DisputeStatus.IN_ARBITRATION: _("Follow the arbitration"),
    DisputeStatus.IN_LITIGATION: _("Follow the lawsuit"),
}


def staff_waiting(user: User, today: date) -> list[Waiting]:
    """The bank's open cases by their next deadline (the queue holds the rest)."""
    if not is_bank_staff(user):
        return []
    cases = (
        dispute_access.disputes_visible_to(user)
        .open()
        .filter(next_deadline__isnull=False)
        .order_by("next_deadline", "pk")
        .only("reference", "status", "next_deadline")[:HOME_LIMIT]
    )
    return [
        Waiting(
            what=str(STAFF_NEXT.get(case.status, case.get_status_display())),
            case_ref=case.reference,
            url=case.get_absolute_url(),
            due=case.next_deadline,
        )
        for case in cases
    ]
