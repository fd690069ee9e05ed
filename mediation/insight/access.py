"""Who reads the management figures, and over which branches (STYLE.md 7)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils.translation import gettext as _

from portal.access import is_auditor, is_bank_staff, is_head_office_staff

if TYPE_CHECKING:
    from portal.models import User


def figures_scope(user: User) -> tuple[Q, str] | None:
    """Head office and auditors: every branch; a branch's staff: their own branch (a branch
    manager's view); customers and partners: none."""
    if is_head_office_staff(user) or is_auditor(user):
        return Q(), _("All branches")
    if is_bank_staff(user) and user.branch_id:
        return Q(branch_id=user.branch_id), user.branch.name if user.branch else ""
    return None
