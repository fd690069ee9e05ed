"""Who may see and act on a judicial-confirmation application.

The parties (the customer and the bank's staff on the case) prepare it; the court sees an
application once it is filed, never while the parties are still preparing it. That rule is
written once, as `court_sees_condition()` (a query condition) and `court_sees` (the same for one
application).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q, QuerySet

from mediation import access as dispute_access
from portal.access import is_member_of, is_partner_member, visible_or_404

# Modules, not names: the lifecycle points its permissions here while the models are built.
from referrals.confirmation import lifecycle, models

if TYPE_CHECKING:
    from portal.models import User
    from referrals.confirmation.models import JudicialConfirmation


def court_sees_condition() -> Q:
    return ~Q(status=lifecycle.ConfirmationStatus.PREPARING)


def court_sees(confirmation: JudicialConfirmation) -> bool:
    return confirmation.status != lifecycle.ConfirmationStatus.PREPARING


def can_prepare_confirmation(user: User, confirmation: JudicialConfirmation) -> bool:
    """The parties: bank staff assemble the joint application; the customer may withdraw it or
    choose what follows a rejection."""
    return dispute_access.is_party_or_handler(user, confirmation.dispute)


def is_handler_while(user: User, confirmation: JudicialConfirmation, *states: str) -> bool:
    """Bank staff of the case, while the application is in one of `states`."""
    return confirmation.status in states and dispute_access.can_handle_dispute(
        user, confirmation.dispute
    )


def consent_pending_from(user: User, confirmation: JudicialConfirmation) -> bool:
    """The party (customer or bank) whose consent to the joint application is still missing."""
    if court_sees(confirmation):
        return False
    if dispute_access.is_dispute_customer(user, confirmation.dispute):
        return confirmation.customer_consent_at is None
    return (
        dispute_access.can_handle_dispute(user, confirmation.dispute)
        and confirmation.bank_consent_at is None
    )


def can_act_for_court(user: User, confirmation: JudicialConfirmation) -> bool:
    """The court's own clerks and judges; bank staff too, when the court works on paper."""
    if is_partner_member(user):
        return is_member_of(user, confirmation.court_id)
    return dispute_access.can_handle_dispute(user, confirmation.dispute)


def can_view_confirmation(user: User, confirmation: JudicialConfirmation) -> bool:
    if is_partner_member(user):
        return is_member_of(user, confirmation.court_id) and court_sees(confirmation)
    return dispute_access.can_view_dispute(user, confirmation.dispute)


def confirmations_visible_to(user: User) -> QuerySet[JudicialConfirmation]:
    if is_partner_member(user):
        return models.JudicialConfirmation.objects.filter(
            court_sees_condition(), court_id=user.organisation_id
        )
    return models.JudicialConfirmation.objects.filter(
        dispute__in=dispute_access.disputes_visible_to(user)
    )


def confirmation_get_for(user: User, pk: int, *, for_update: bool = False) -> JudicialConfirmation:
    return visible_or_404(
        user,
        models.JudicialConfirmation.objects.select_related(
            "dispute", "dispute__branch", "dispute__customer", "court", "agreement"
        ),
        "confirmation",
        pk,
        lambda c: can_view_confirmation(user, c),
        for_update=for_update,
        pk=pk,
    )


def at_court(organisation_id: int) -> Q:
    """Disputes whose application this court has received (registered with mediation)."""
    return Q(
        Exists(
            models.JudicialConfirmation.objects.filter(
                court_sees_condition(), dispute=OuterRef("pk"), court_id=organisation_id
            )
        )
    )
