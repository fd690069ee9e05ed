"""Who reads the management figures, and over which branches (STYLE.md 7): the rule is
mediation's `figures_branch`, shared with the reply toolkit's figures."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils.translation import gettext as _

from mediation.access import ALL_BRANCHES, figures_branch
from portal.access import is_bank_staff, refuse

from .models import HotSpot, PublicOpinionItem

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from portal.models import User


def figures_scope(user: User) -> tuple[Q, str] | None:
    """The roll-ups this person reads, and how the page names them; None: not theirs."""
    branch = figures_branch(user)
    if branch is None:
        return None
    if branch == ALL_BRANCHES:
        return Q(), _("All branches")
    return Q(branch_id=branch), user.branch.name if user.branch else ""


def hotspots_visible_to(user: User) -> QuerySet[HotSpot]:
    """Head office and auditors: every hot spot; a branch's staff: their branch's."""
    branch = figures_branch(user)
    if branch is None:
        return HotSpot.objects.none()
    if branch == ALL_BRANCHES:
        return HotSpot.objects.all()
    return HotSpot.objects.filter(branch_id=branch)


def can_work_hotspot(user: User, spot: HotSpot) -> bool:
    """Bank staff who see it take it on and close it; auditors only read."""
    return is_bank_staff(user) and hotspots_visible_to(user).filter(pk=spot.pk).exists()


def hotspot_get_for(user: User, pk: int, *, for_update: bool = False) -> HotSpot:
    qs = hotspots_visible_to(user).select_related("branch", "assignee")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    spot = qs.filter(pk=pk).first()
    if spot is None:
        raise refuse(user, "hotspot", pk)
    return spot


def opinion_items_visible_to(user: User) -> QuerySet[PublicOpinionItem]:
    """Head office and auditors: every item; a branch's staff: those about their branch's
    cases; nobody else (customers and partners never see them)."""
    branch = figures_branch(user)
    if branch is None:
        return PublicOpinionItem.objects.none()
    if branch == ALL_BRANCHES:
        return PublicOpinionItem.objects.all()
    return PublicOpinionItem.objects.filter(disputes__branch_id=branch).distinct()


def opinion_item_get_for(user: User, pk: int, *, for_update: bool = False) -> PublicOpinionItem:
    qs = opinion_items_visible_to(user)
    if for_update:
        qs = PublicOpinionItem.objects.select_for_update().filter(pk__in=qs.values("pk"))
    item = qs.filter(pk=pk).first()
    if item is None:
        raise refuse(user, "opinion", pk)
    return item
