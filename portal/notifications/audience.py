"""Who hears about a case: its customer, its branch's staff, a partner's members, auditors."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse

from portal.models import Role, User

if TYPE_CHECKING:
    from mediation.models import Dispute


def case_url(dispute: Dispute) -> str:
    return reverse("mediation:detail", args=[dispute.reference])


def branch_staff(dispute: Dispute) -> list[User]:
    return list(User.objects.filter(role=Role.STAFF, is_active=True, branch_id=dispute.branch_id))


def parties(dispute: Dispute) -> list[User]:
    """The customer and the staff of the branch handling the case."""
    return [dispute.customer, *branch_staff(dispute)]


def organisation_members(organisation_id: int) -> list[User]:
    return list(
        User.objects.filter(role=Role.PARTNER, is_active=True, organisation_id=organisation_id)
    )


def auditors() -> list[User]:
    return list(User.objects.filter(role=Role.AUDITOR, is_active=True))
