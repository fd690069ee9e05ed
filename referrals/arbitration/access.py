"""Who may see and act on an arbitration: the bank's staff on the case, and the commission's
members for the cases before their commission."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q, QuerySet

from mediation import access as dispute_access
from portal.access import is_member_of, is_partner_member, visible_or_404

# A module, not names: the lifecycle points its permissions here while the models are built.
from referrals.arbitration import models

if TYPE_CHECKING:
    from portal.models import User
    from referrals.arbitration.models import ArbitrationCase


def can_file_arbitration(user: User, case: ArbitrationCase) -> bool:
    return dispute_access.can_handle_dispute(user, case.dispute)


def can_act_for_commission(user: User, case: ArbitrationCase) -> bool:
    """The commission's members; bank staff too, when the commission works on paper."""
    if is_partner_member(user):
        return is_member_of(user, case.commission_id)
    return dispute_access.can_handle_dispute(user, case.dispute)


def can_view_arbitration(user: User, case: ArbitrationCase) -> bool:
    """A partner only before their own commission; anyone else who may see the case."""
    if is_partner_member(user):
        return is_member_of(user, case.commission_id)
    return dispute_access.can_view_dispute(user, case.dispute)


def arbitrations_visible_to(user: User) -> QuerySet[ArbitrationCase]:
    if is_partner_member(user):
        return models.ArbitrationCase.objects.filter(commission_id=user.organisation_id)
    return models.ArbitrationCase.objects.filter(
        dispute__in=dispute_access.disputes_visible_to(user)
    )


def arbitration_get_for(user: User, pk: int, *, for_update: bool = False) -> ArbitrationCase:
    return visible_or_404(
        user,
        models.ArbitrationCase.objects.select_related("dispute", "dispute__branch", "commission"),
        "arbitration",
        pk,
        lambda case: can_view_arbitration(user, case),
        for_update=for_update,
        pk=pk,
    )


def before_commission(organisation_id: int) -> Q:
    """Disputes arbitrated before this commission (registered with mediation's hooks)."""
    return Q(
        Exists(
            models.ArbitrationCase.objects.filter(
                dispute=OuterRef("pk"), commission_id=organisation_id
            )
        )
    )
