"""Cases recorded by phone or letter reach the person only once they have proved their number.

A dispute staff record for a caller waits on an account the bank opened for it (no sign-in;
portal.services.user_get_or_create_customer) unless the caller's own account has both the
verified mobile and the ID number given. When a customer proves their number (registration, or
verifying it later), the cases waiting for that number and ID number move to their account.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from mediation.models import Dispute
from portal.audit import audit_record
from portal.models import Notification, Role, User


@transaction.atomic
def disputes_claim_recorded(*, user: User) -> int:
    """Move the cases recorded for `user`'s verified mobile and ID number to their account;
    how many moved. The accounts that held them are closed."""
    if not (user.mobile and user.mobile_verified_at and user.id_number):
        return 0
    holders = (
        User.objects.select_for_update()
        .filter(
            role=Role.CUSTOMER,
            mobile__isnull=True,
            recorded_mobile=user.mobile,
            id_number=user.id_number,
            is_active=True,
        )
        .exclude(pk=user.pk)
    )
    moved = 0
    for holder in holders:
        for dispute in Dispute.objects.select_for_update().filter(customer=holder):
            dispute.customer = user
            dispute.save(update_fields=["customer", "updated_at"])
            audit_record(
                actor=user,
                action="dispute.claimed",
                target=dispute,
                data={"recorded_account": holder.pk},
            )
            moved += 1
        Notification.objects.filter(recipient=holder).update(recipient=user)
        holder.is_active = False
        holder.save(update_fields=["is_active"])
        audit_record(actor=user, action="user.recorded_account_claimed", target=holder, case_ref="")
    return moved


def on_mobile_verified(sender: Any, *, user: User, **kwargs: Any) -> None:
    disputes_claim_recorded(user=user)
