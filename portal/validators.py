"""Validators and masking for Chinese personal identifiers."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_RE = re.compile(r"^\d{17}[\dX]$")
_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


def resident_id_check_digit(first17: str) -> str:
    """GB 11643-1999 check digit (ISO 7064 MOD 11-2)."""
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def validate_resident_id(value: str) -> None:
    value = (value or "").upper()
    if not _ID_RE.match(value):
        raise ValidationError(
            _("A resident ID number has 17 digits followed by a digit or X."), code="id_format"
        )
    if resident_id_check_digit(value[:17]) != value[17]:
        raise ValidationError(
            _("This resident ID number's check digit is wrong; please check it."),
            code="id_checksum",
        )


def validate_mainland_mobile(value: str) -> None:
    if not _MOBILE_RE.match(value or ""):
        raise ValidationError(
            _("Enter an 11-digit mainland mobile number starting with 1."), code="mobile"
        )


def mask_id_number(value: str) -> str:
    """110101199003071234 -> 110101********1234."""
    if not value:
        return ""
    if len(value) < 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_mobile(value: str) -> str:
    """13812345678 -> 138****5678."""
    return f"{value[:3]}****{value[-4:]}" if value else ""


def mask_account_number(value: str) -> str:
    """Keep the last four digits of a bank account or card number."""
    digits = value or ""
    if len(digits) <= 4:
        return "*" * len(digits)
    return "*" * (len(digits) - 4) + digits[-4:]
