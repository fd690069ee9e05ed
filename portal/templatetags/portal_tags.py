from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template

from portal.models import Role

register = template.Library()


@register.filter
def yuan(value: object) -> str:
    """50000 -> '50,000.00': amounts always in yuan with two places and grouped thousands."""
    try:
        return f"{Decimal(str(value)):,.2f}"
    except (InvalidOperation, ValueError):
        return ""


# The roles that read the bank's internal targets (STYLE.md 15).
_BANK_SIDE = {Role.STAFF, Role.AUDITOR, Role.ADMIN}


@register.filter
def deadline_for(case: Any, user: Any) -> Any:
    """A case's next deadline as this viewer reads it: the bank's side with its internal
    targets, customers and partners without them."""
    if getattr(user, "role", None) in _BANK_SIDE:
        return case.next_deadline
    return case.next_party_deadline
