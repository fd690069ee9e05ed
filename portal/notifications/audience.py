"""Who hears about something beyond one case: a partner organisation's members, the auditors.
(A dispute's own audience, its customer and its branch's staff, is in mediation/notify.py.)"""

from __future__ import annotations

from portal.models import Role, User


def organisation_members(organisation_id: int) -> list[User]:
    return list(
        User.objects.filter(role=Role.PARTNER, is_active=True, organisation_id=organisation_id)
    )


def auditors() -> list[User]:
    return list(User.objects.filter(role=Role.AUDITOR, is_active=True))
