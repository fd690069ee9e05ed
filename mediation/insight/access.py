"""Who reads the management figures, and over which branches (STYLE.md 7): the rule is
mediation's `figures_branch`, shared with the reply toolkit's figures."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils.translation import gettext as _

from mediation.access import ALL_BRANCHES, figures_branch

if TYPE_CHECKING:
    from portal.models import User


def figures_scope(user: User) -> tuple[Q, str] | None:
    """The roll-ups this person reads, and how the page names them; None: not theirs."""
    branch = figures_branch(user)
    if branch is None:
        return None
    if branch == ALL_BRANCHES:
        return Q(), _("All branches")
    return Q(branch_id=branch), user.branch.name if user.branch else ""
