"""Who hears about a dispute: its customer and the staff of the branch handling it."""

from __future__ import annotations

from mediation.models import Dispute
from portal.models import Role, User


def staff_of(branch_id: int) -> list[User]:
    return list(User.objects.filter(role=Role.STAFF, is_active=True, branch_id=branch_id))


def head_office_staff() -> list[User]:
    return list(User.objects.filter(role=Role.STAFF, is_active=True, branch__is_head_office=True))


def branch_staff(dispute: Dispute) -> list[User]:
    return staff_of(dispute.branch_id)


def parties(dispute: Dispute) -> list[User]:
    """The customer and the staff of the branch handling the case."""
    return [dispute.customer, *branch_staff(dispute)]
