import pytest
from django.core.exceptions import ValidationError

from portal.validators import (
    mask_account_number,
    mask_id_number,
    resident_id_check_digit,
    validate_resident_id,
)


def test_check_digit_known_value():
    # GB 11643 worked example.
    assert resident_id_check_digit("11010519491231002") == "X"


def test_valid_id_passes_and_lowercase_x_accepted():
    validate_resident_id("11010519491231002X")
    validate_resident_id("11010519491231002x")


@pytest.mark.parametrize(
    "bad", ["110105194912310021", "1101051949123100", "11010519491231002Y", ""]
)
def test_invalid_ids_refused(bad):
    with pytest.raises(ValidationError):
        validate_resident_id(bad)


def test_masking():
    assert mask_id_number("110101199003071234") == "110101********1234"
    assert mask_account_number("6222020200112233445") == "*" * 15 + "3445"
    assert mask_id_number("") == ""
