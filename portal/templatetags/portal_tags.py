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


# The design system's class for each kind of widget (static/vendor/bootstrap): text, date, file
# and number boxes are form controls; a choice list is a form select; a lone checkbox is a
# form check. Radio and checkbox lists keep their own markup (their classes would land on the
# wrapper too) and take their layout from portal.css.
CONTROL_CLASSES = {
    "checkbox": "form-check-input",
    "select": "form-select",
    "selectmultiple": "form-select",
    "radioselect": "",
    "checkboxselectmultiple": "",
}


@register.filter
def control(field: Any) -> str:
    """A bound field's widget with the design system's class, marked invalid when it has
    errors (Bootstrap's red border beside the message that says why)."""
    own = CONTROL_CLASSES.get(field.widget_type, "form-control")
    classes = [field.field.widget.attrs.get("class", ""), own]
    if field.errors and own:  # a radio or checkbox list takes no class, nor this mark
        classes.append("is-invalid")
    css = " ".join(c for c in classes if c)
    return field.as_widget(attrs={"class": css} if css else None)
