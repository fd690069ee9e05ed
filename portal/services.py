"""Writes for users."""

from __future__ import annotations

from django.db import transaction

from portal.audit import audit_record
from portal.models import Role, User


@transaction.atomic
def user_register_customer(
    *, real_name: str, mobile: str, email: str, id_number: str, password: str
) -> User:
    """Customer self-registration with a mobile number or an email address."""
    user = User(
        username=mobile or email,
        real_name=real_name,
        mobile=mobile or None,
        email=email,
        id_number=id_number,
        role=Role.CUSTOMER,
    )
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    audit_record(actor=user, action="user.registered", target=user, case_ref="")
    return user


@transaction.atomic
def user_get_or_create_customer(
    *, real_name: str, mobile: str, id_number: str = "", created_by: User
) -> User:
    """For a dispute received by phone or letter: find the customer by mobile number, or open
    an account they can claim later through password reset."""
    user = User.objects.filter(mobile=mobile, role=Role.CUSTOMER).first()
    if user is not None:
        if id_number and not user.id_number:
            user.id_number = id_number
            user.save(update_fields=["id_number"])
        return user
    user = User(
        username=mobile, mobile=mobile, real_name=real_name, id_number=id_number, role=Role.CUSTOMER
    )
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    audit_record(actor=created_by, action="user.customer_recorded", target=user, case_ref="")
    return user
