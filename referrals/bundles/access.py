"""Who may see an evidence bundle: the customer and the bank's staff on the case; a partner
member only the bundles made for their own organisation, and only while the customer's consent
lets personal data reach it; auditors once the case is closed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mediation import access as dispute_access
from mediation.lifecycle import DisputeStatus
from portal.access import is_auditor, is_member_of, is_partner_member, refuse, visible_or_404
from referrals.bundles.models import Bundle

if TYPE_CHECKING:
    from mediation.models import Dispute
    from portal.models import User


def can_view_bundle(user: User, bundle: Bundle) -> bool:
    dispute = bundle.dispute
    if dispute_access.is_party_or_handler(user, dispute):
        return True
    if is_partner_member(user):
        return is_member_of(
            user, bundle.organisation_id
        ) and dispute_access.partner_may_receive_data(user, dispute)
    return bool(is_auditor(user) and dispute.status == DisputeStatus.CLOSED)


def can_request_bundle(user: User, dispute: Dispute) -> bool:
    return dispute_access.can_handle_dispute(user, dispute)


def bundles_on_dispute_visible_to(user: User, dispute: Dispute) -> list[Bundle]:
    bundles = dispute.bundles.select_related("organisation").order_by("-requested_at", "-pk")
    return [b for b in bundles if can_view_bundle(user, b)]


def bundle_get_for(user: User, reference: str, pk: int) -> Bundle:
    return visible_or_404(
        user,
        Bundle.objects.select_related("dispute", "dispute__branch", "dispute__customer"),
        "bundle",
        pk,
        lambda b: can_view_bundle(user, b),
        pk=pk,
        dispute__reference=reference,
    )


def bundle_get_by_pk_for(user: User, pk: int) -> Bundle:
    """The API names a bundle by its id alone."""
    bundle = Bundle.objects.select_related("dispute").filter(pk=pk).first()
    if bundle is None:
        raise refuse(user, "bundle", pk)
    return bundle_get_for(user, bundle.dispute.reference, pk)
