"""Writes for users."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from portal.audit import audit_record
from portal.models import Role, User

# Sent, inside the transaction that records it, when a customer has proved they hold their
# mobile number: the apps that keep cases recorded by phone hand them over where the ID number
# matches too (mediation), in the same transaction.
mobile_verified = Signal()


def _verified(user: User) -> None:
    mobile_verified.send(sender=User, user=user)


@transaction.atomic
def user_register_customer(
    *,
    real_name: str,
    mobile: str,
    email: str,
    id_number: str,
    password: str = "",
    password_hash: str = "",
) -> User:
    """Customer self-registration with a mobile number, already proved with a one-time code
    (the caller checked it). A number still held by an account that never proved it (opened
    before numbers were verified) passes to the person who just did. An email address another
    account holds is left out (the caller says so): only now, after the proof, may the answer
    differ for a taken address."""
    if email and User.objects.filter(email__iexact=email).exists():
        email = ""
    if mobile:
        for holder in User.objects.select_for_update().filter(
            mobile=mobile, mobile_verified_at__isnull=True
        ):
            holder.mobile = None
            holder.save(update_fields=["mobile"])
            audit_record(
                actor=None,
                action="user.mobile_released",
                target=holder,
                case_ref="",
                reason="verified by another person",
            )
    username = mobile or email
    if User.objects.filter(username=username).exists():
        # An earlier account still carries the number as its login name: the new one signs in
        # with the number all the same (the backend looks at mobiles too).
        username = f"c-{secrets.token_hex(6)}"
    user = User(
        username=username,
        real_name=real_name,
        mobile=mobile or None,
        mobile_verified_at=timezone.now() if mobile else None,
        email=email,
        id_number=id_number,
        role=Role.CUSTOMER,
    )
    if password_hash:  # hashed at step 1 of registration, kept in the session meanwhile
        user.password = password_hash
    else:
        user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    audit_record(actor=user, action="user.registered", target=user, case_ref="")
    if mobile:
        _verified(user)
    return user


@transaction.atomic
def user_verify_mobile(*, user: User) -> None:
    """The signed-in customer proved their number with a one-time code (checked by the caller)."""
    user.mobile_verified_at = timezone.now()
    user.save(update_fields=["mobile_verified_at"])
    audit_record(actor=user, action="user.mobile_verified", target=user, case_ref="")
    _verified(user)


@transaction.atomic
def user_get_or_create_customer(
    *, real_name: str, mobile: str, id_number: str = "", created_by: User
) -> User:
    """For a dispute received by phone or letter: the customer's own account only when both
    its verified mobile and its ID number match what the caller gave. Otherwise the case waits
    on an account the bank opens for it, with no sign-in, until the person whose verified
    number and ID match claims it (mediation: on `mobile_verified`). A number alone never
    hands a case to whoever registered it."""
    if id_number:
        own = User.objects.filter(
            role=Role.CUSTOMER,
            mobile=mobile,
            mobile_verified_at__isnull=False,
            id_number=id_number,
            is_active=True,
        ).first()
        if own is not None:
            return own
    waiting = User.objects.filter(
        role=Role.CUSTOMER, mobile__isnull=True, recorded_mobile=mobile, id_number=id_number
    ).first()
    if waiting is not None:
        return waiting
    user = User(
        username=f"recorded-{secrets.token_hex(6)}",
        recorded_mobile=mobile,
        real_name=real_name,
        id_number=id_number,
        role=Role.CUSTOMER,
    )
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    audit_record(actor=created_by, action="user.customer_recorded", target=user, case_ref="")
    return user
