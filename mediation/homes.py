"""The home pages of customers, bank staff and partner members (registered with portal.views
in MediationConfig.ready()): what each sees first is the disputes they may see."""

from __future__ import annotations

from datetime import date

from django.db.models import Avg, Count
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from mediation import access as dispute_access
from mediation.lifecycle import DisputeStatus
from mediation.models import DisputeDraft
from portal.access import is_bank_staff, is_customer
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


# What staff do next on a case in the states where the next act is the bank's (the home's
# "waiting for you" list). With a centre, a commission or a court the case waits on them; what
# the bank answers there (a proposal, a joint application) comes from referrals/waiting.py.
STAFF_NEXT = {
    DisputeStatus.SUBMITTED: _("Set the legal-cause and urgency labels"),
    DisputeStatus.TRIAGED: _("Choose the track"),
    DisputeStatus.BANK_HANDLING: _("Give the bank's decision"),
    DisputeStatus.FAST_LANE: _("Refer the case to a mediation centre"),
    DisputeStatus.MEDIATION_FAILED: _("Choose what follows the failed mediation"),
}

DECIDED_NEXT = _("Close the case once the decision settles it")


def draft_waiting(user: User, today: date) -> list[Waiting]:
    """A customer's unfinished dispute waits on their home until filed or thrown away."""
    if not is_customer(user) or not DisputeDraft.objects.filter(customer_id=user.pk).exists():
        return []
    what = str(_("Finish the dispute you started"))
    return [Waiting(what=what, case_ref="", url=reverse("mediation:file"))]


def staff_waiting(user: User, today: date) -> list[Waiting]:
    """The cases waiting on the bank, by their next deadline (the queue holds the rest)."""
    if not is_bank_staff(user):
        return []
    cases = (
        dispute_access.disputes_visible_to(user)
        .filter(status__in=list(STAFF_NEXT), next_deadline__isnull=False)
        .order_by("next_deadline", "pk")
        .only("reference", "status", "next_deadline", "decision_at")[:HOME_LIMIT]
    )
    # A review request waits on the reply toolkit's home items (mediation/replykit/wiring.py),
    # which know who had a hand in the decision.
    return [
        Waiting(
            what=str(
                DECIDED_NEXT
                if case.status == DisputeStatus.BANK_HANDLING and case.decision_at
                else STAFF_NEXT[DisputeStatus(case.status)]
            ),
            case_ref=case.reference,
            url=case.get_absolute_url(),
            due=case.next_deadline,
        )
        for case in cases
    ]
