from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from mediation.amounts import parse_amount


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("49,999.00", "49999.00"),
        ("49999", "49999.00"),
        ("４９９９９", "49999.00"),  # full-width digits
        ("４９，９９９．５０", "49999.50"),  # full-width comma and point
        ("￥30,000元", "30000.00"),
        (" 50000.00 ", "50000.00"),
        ("0.01", "0.01"),
        ("1,234,567.8", "1234567.80"),
    ],
)
def test_understood(raw, expected):
    assert parse_amount(raw) == Decimal(expected)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("0", "zero"),
        ("0.00", "zero"),
        ("-100", "negative"),
        ("abc", "invalid"),
        ("三万", "invalid"),
        ("100.001", "too_precise"),
        ("1e5", "invalid"),
        ("", "required"),
        ("49,99.00", "invalid_grouping"),
        ("9999999999999", "too_large"),  # issue 19: was "请用数字填写金额"
    ],
)
def test_refused_with_a_clear_code(raw, code):
    with pytest.raises(ValidationError) as info:
        parse_amount(raw)
    assert info.value.code == code
