"""Parsing claim amounts as customers type them."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_AMOUNT_RE = re.compile(r"^\d{1,12}(\.\d{1,2})?$")
_GROUPED_RE = re.compile(r"^\d{1,3}(,\d{3})+(\.\d{1,2})?$")
MAX_AMOUNT = Decimal("999999999999.99")


def parse_amount(raw: str | Decimal | int) -> Decimal:
    """'49,999.00', '49999', '４９９９９' and '￥49,999元' all give Decimal('49999.00').

    Refused with a clear message: empty, zero, negative, non-numeric, more than two decimal
    places, or wrongly grouped thousands.
    """
    if isinstance(raw, Decimal | int):
        text = str(raw)
    else:
        text = unicodedata.normalize("NFKC", raw or "").strip()
    text = text.replace(" ", "").replace("，", ",")
    for token in ("人民币", "元", "¥", "RMB", "CNY"):
        text = text.replace(token, "")
    if not text:
        raise ValidationError(_("Enter the amount you are claiming."), code="required")
    if text.startswith("-"):
        raise ValidationError(_("The amount must be greater than zero."), code="negative")
    if "," in text:
        if not _GROUPED_RE.match(text):
            raise ValidationError(
                _("Write the amount like 49,999.00 or 49999."), code="invalid_grouping"
            )
        text = text.replace(",", "")
    if re.match(r"^\d{13,}(\.\d*)?$", text):  # digits, just too many of them
        raise ValidationError(_("This amount is too large."), code="too_large")
    if not _AMOUNT_RE.match(text):
        if re.match(r"^\d+\.\d{3,}$", text):
            raise ValidationError(
                _("Amounts have at most two decimal places (fen)."), code="too_precise"
            )
        raise ValidationError(
            _("Enter the amount in yuan using digits, e.g. 30000 or 30,000.00."), code="invalid"
        )
    try:
        value = Decimal(text).quantize(Decimal("0.01"))
    except InvalidOperation as exc:  # pragma: no cover - the regex already guards this
        raise ValidationError(_("Enter a valid amount."), code="invalid") from exc
    if value <= 0:
        raise ValidationError(_("The amount must be greater than zero."), code="zero")
    if value > MAX_AMOUNT:
        raise ValidationError(_("This amount is too large."), code="too_large")
    return value
