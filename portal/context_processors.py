"""Navigation per role: the menu built once per process, the unread count per request."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal import second_factor
from portal.models import Role


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": (), "unread_count": 0}
    if not second_factor.session_verified(request):
        # Half signed in (the second factor is owed): nothing to offer but finishing or leaving.
        return {"nav_items": (), "unread_count": 0, "signing_in": True}
    return {
        "nav_items": _menu(user.role, user.is_staff),
        "unread_count": user.notifications.filter(read_at__isnull=True).count(),
    }


@cache
def _menu(role: str, administrator: bool) -> tuple[tuple[str, Any], ...]:
    """A role's menu: the same for everyone of the role, its addresses reversed once per
    process (the labels stay lazy: translated when the page is rendered, in its language)."""
    items: list[tuple[str, Any]] = [(reverse("home"), _("Home"))]
    # The bank's side's tools, staff's and auditors' alike, after each role's own pages.
    bank_side_tools = [
        (reverse("replykit:library"), _("Reply toolkit")),
        (reverse("insight:dashboard"), _("Figures")),
        (reverse("problems:list"), _("Classes of problems")),
    ]
    if role == Role.CUSTOMER:
        items += [
            (reverse("mediation:my_disputes"), _("My disputes")),
            (reverse("mediation:file"), _("File a dispute")),
        ]
    elif role == Role.STAFF:
        items += [
            (reverse("mediation:queue"), _("Dispute queue")),
            (reverse("mediation:record"), _("Record a phone/letter dispute")),
            *bank_side_tools,
        ]
    elif role == Role.AUDITOR:
        items += [
            (reverse("reviews:queue"), _("Look-back reviews")),
            (reverse("mediation:closed_cases"), _("Closed cases")),
            *bank_side_tools,
        ]
    elif role == Role.PARTNER:
        items += [
            (reverse("referrals:inbox"), _("Referral inbox")),
            (reverse("mediation:partner_cases"), _("All cases")),
        ]
    if administrator:
        items.append((reverse("admin:index"), _("Administration")))
    return tuple(items)
