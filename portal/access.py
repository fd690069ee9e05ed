"""The kernel's part of access control: who a user is (role predicates) and how a refusal is
answered (404, logged).

Each domain keeps its own rules in its own `access.py` (`mediation/access.py`,
`referrals/<body>/access.py`): predicates with the user first, `*_visible_to(user)` querysets,
and `*_get_for(user, ...)` helpers built on `visible_or_404` below. django-fsm calls a
transition's `permission=` with (instance, user); `fsm_permission` turns a user-first predicate
into that shape, so the lifecycle modules point at the same predicates the views use.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import QuerySet
from django.http import Http404

from portal import refusals
from portal.models import Role

if TYPE_CHECKING:
    from portal.models import User

access_log = logging.getLogger("portal.access")  # the log portal/refusals.py writes to


# ---- roles ----------------------------------------------------------------------------------


def is_customer(user: User) -> bool:
    return bool(user.is_authenticated and user.role == Role.CUSTOMER)


def is_bank_staff(user: User) -> bool:
    return bool(user.is_authenticated and user.role == Role.STAFF and user.is_active)


def is_head_office_staff(user: User) -> bool:
    return bool(is_bank_staff(user) and user.branch is not None and user.branch.is_head_office)


def is_partner_member(user: User) -> bool:
    return bool(user.is_authenticated and user.role == Role.PARTNER and user.organisation_id)


def is_auditor(user: User) -> bool:
    return bool(user.is_authenticated and user.role == Role.AUDITOR)


def is_administrator(user: User) -> bool:
    return bool(user.is_authenticated and (user.role == Role.ADMIN or user.is_superuser))


def is_bank_side(user: User) -> bool:
    """The bank's staff, its auditors and administrators: who read the bank's own notes and
    internal targets (STYLE.md 15)."""
    return is_bank_staff(user) or is_auditor(user) or is_administrator(user)


def is_system_or_administrator(user: User | None, _obj: object = None) -> bool:
    """Scheduled jobs act with no user; an administrator may run them by hand."""
    return user is None or is_administrator(user)


def is_member_of(user: User, organisation_id: int | None) -> bool:
    """A partner member of this organisation (a mediation centre, commission or court)."""
    return bool(
        is_partner_member(user) and organisation_id and user.organisation_id == organisation_id
    )


# ---- transitions ----------------------------------------------------------------------------


def fsm_permission[T](predicate: Callable[[Any, T], bool]) -> Callable[[T, Any], bool]:
    """django-fsm's permission=(instance, user) for a user-first predicate."""

    def permission(instance: T, user: Any) -> bool:
        return bool(predicate(user, instance))

    permission.__name__ = predicate.__name__
    permission.__doc__ = predicate.__doc__
    return permission


# ---- refusals -------------------------------------------------------------------------------


def refuse(user: Any, what: str, key: object) -> Http404:
    """Note a refusal (DESIGN.md 5: every refusal is logged, and enters the audit chain:
    portal/refusals.py) and return the 404 to raise."""
    refusals.note(user, "access.refused", what, key)
    return Http404(what)


def visible_or_404[M: models.Model](
    user: User,
    qs: QuerySet[M],
    what: str,
    key: object,
    may_view: Callable[[M], bool],
    *,
    for_update: bool = False,
    **lookup: object,
) -> M:
    """The one object `lookup` finds in `qs` if `may_view` allows it (locked for the rest of
    the transaction with `for_update`), else a logged refusal: the 404 of a missing object."""
    if for_update:
        qs = qs.select_for_update(of=("self",))
    obj = qs.filter(**lookup).first()
    if obj is None or not may_view(obj):
        raise refuse(user, what, key)
    return obj
