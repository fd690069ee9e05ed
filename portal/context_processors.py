"""Navigation per role, built once per request."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal import second_factor
from portal.models import Role


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    items: list[tuple[str, Any]] = []
    if user is not None and user.is_authenticated and not second_factor.session_verified(request):
        # Half signed in (the second factor is owed): nothing to offer but finishing or leaving.
        return {"nav_items": items, "unread_count": 0, "signing_in": True}
    if user is not None and user.is_authenticated:
        items.append((reverse("home"), _("Home")))
        role = user.role
        if role == Role.CUSTOMER:
            items += [
                (reverse("mediation:my_disputes"), _("My disputes")),
                (reverse("mediation:file"), _("File a dispute")),
            ]
        elif role == Role.STAFF:
            items += [
                (reverse("mediation:queue"), _("Dispute queue")),
                (reverse("mediation:record"), _("Record a phone/letter dispute")),
                (reverse("replykit:library"), _("Reply toolkit")),
                (reverse("insight:dashboard"), _("Figures")),
                (reverse("problems:list"), _("Classes of problems")),
            ]
        elif role == Role.AUDITOR:
            items += [
                (reverse("reviews:queue"), _("Look-back reviews")),
                (reverse("mediation:closed_cases"), _("Closed cases")),
                (reverse("replykit:library"), _("Reply toolkit")),
                (reverse("insight:dashboard"), _("Figures")),
                (reverse("problems:list"), _("Classes of problems")),
            ]
        elif role == Role.PARTNER:
            items += [
                (reverse("referrals:inbox"), _("Referral inbox")),
                (reverse("mediation:partner_cases"), _("All cases")),
            ]
        if user.is_staff:
            items.append((reverse("admin:index"), _("Administration")))
    unread = 0
    if user is not None and user.is_authenticated:
        unread = user.notifications.filter(read_at__isnull=True).count()
    return {"nav_items": items, "unread_count": unread}
