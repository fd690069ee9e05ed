from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template

from portal.access import is_bank_side

register = template.Library()


@register.filter
def yuan(value: object) -> str:
    """50000 -> '50,000.00': amounts always in yuan with two places and grouped thousands."""
    try:
        return f"{Decimal(str(value)):,.2f}"
    except (InvalidOperation, ValueError):
        return ""


@register.filter
def deadline_for(case: Any, user: Any) -> Any:
    """A case's next deadline as this viewer reads it: the bank's side with its internal
    targets, customers and partners without them."""
    if is_bank_side(user):
        return case.next_deadline
    return case.next_party_deadline


@register.filter
def in_capitals(value: Decimal) -> str:
    """An amount in Chinese capitals, as on a cheque (portal.binding.rmb_upper)."""
    from portal.binding import rmb_upper

    return rmb_upper(Decimal(str(value)))
