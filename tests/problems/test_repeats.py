"""Repeat complaints (mediation/repeats.py): the same person about the same matter within a
quarter is linked to their first case, at its edges; staff confirm, undo or make a link; the
customer sees a link only once staff confirmed it; counts merge repeats."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from mediation import repeats
from mediation.models import Dispute
from portal.exceptions import ApplicationError
from tests.conftest import client_for
from tests.factories import CustomerFactory, make_dispute

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _many_open(settings):
    settings.CUSTOMER_MAX_OPEN_DISPUTES = 100


# One instant for every complaint in a test, so that "91 days before" is exact.
NOW = timezone.now()


def file(customer, branch, days_ago: float = 0, **kw) -> Dispute:
    kw.setdefault("product_code", "GSJ")
    received_at = NOW - timedelta(days=days_ago)
    return make_dispute(customer, branch, "1000", received_at=received_at, **kw)


def test_same_person_same_product_within_the_window_is_linked(customer, branch):
    first = file(customer, branch, 30, channel="web")
    again = file(customer, branch, 0, channel="phone")
    assert again.repeat_of == first and again.repeat_confirmed_at is None
    third = file(customer, branch, 0)
    assert third.repeat_of == first  # to the first, never to a repeat
    assert Dispute.objects.filter(pk__in=[first.pk, again.pk, third.pk]).people().count() == 1


@pytest.mark.parametrize(("days", "linked"), [(90, True), (91, True), (91.001, False), (92, False)])
def test_the_window_edge(customer, branch, days, linked):
    first = file(customer, branch, days)
    again = file(customer, branch, 0)
    assert (again.repeat_of == first) is linked


def test_same_person_other_matter_is_not_linked(customer, branch):
    file(customer, branch, 5, product_code="GSJ")
    assert file(customer, branch, 0, product_code="OTHER").repeat_of is None
    # Different contracts of one product are two purchases: two matters.
    file(customer, branch, 5, contract_number="HT-1")
    assert file(customer, branch, 0, contract_number="HT-2").repeat_of is None


def test_other_person_same_matter_is_not_linked(customer, other_customer, branch):
    file(customer, branch, 5)
    assert file(other_customer, branch, 0).repeat_of is None


def test_the_same_id_number_or_account_is_the_same_person(customer, branch):
    first = file(customer, branch, 5, account_number="62220000111122223")
    twin = CustomerFactory(id_number=customer.id_number)
    assert file(twin, branch, 0).repeat_of == first
    stranger = CustomerFactory()
    assert file(stranger, branch, 0, account_number="62220000111122223").repeat_of == first


def test_a_contract_links_across_product_codes_and_category_only_cases(customer, branch):
    first = file(customer, branch, 5, contract_number="HT-9", product_code="A")
    assert file(customer, branch, 0, contract_number="HT-9", product_code="B").repeat_of == first
    plain = file(customer, branch, 5, product_code="", category="cards")
    assert file(customer, branch, 0, product_code="", category="cards").repeat_of == plain
    assert file(customer, branch, 0, product_code="C1", category="cards").repeat_of is None


def test_staff_confirm_and_undo_and_the_customer_sees_only_a_confirmed_link(
    customer, branch, staff, other_staff
):
    first = file(customer, branch, 5)
    again = file(customer, branch, 0)
    as_customer = client_for(customer)
    page = as_customer.get(again.get_absolute_url()).content.decode()
    assert first.reference not in page  # an automatic link is not shown to the customer
    staff_page = client_for(staff).get(again.get_absolute_url()).content.decode()
    assert "linked by the rule" in staff_page or "规则" in staff_page
    # Another branch's staff cannot touch it.
    response = client_for(other_staff).post(
        reverse("mediation:action", args=[again.reference, "confirm_repeat"])
    )
    assert response.status_code == 404
    response = client_for(staff).post(
        reverse("mediation:action", args=[again.reference, "confirm_repeat"])
    )
    assert response.status_code == 302
    again.refresh_from_db()
    assert again.repeat_confirmed_at is not None
    assert first.reference in as_customer.get(again.get_absolute_url()).content.decode()
    with pytest.raises(ApplicationError):
        repeats.repeat_undo(actor=staff, reference=again.reference, reason=" ")
    repeats.repeat_undo(actor=staff, reference=again.reference, reason="另一笔交易")
    again.refresh_from_db()
    assert again.repeat_of is None and again.repeat_confirmed_at is None


def test_staff_link_what_the_rule_missed_but_never_two_people(
    customer, other_customer, branch, staff
):
    first = file(customer, branch, 5, product_code="A")
    missed = file(customer, branch, 0, product_code="B")
    assert missed.repeat_of is None
    repeats.repeat_link(actor=staff, reference=missed.reference, primary_reference=first.reference)
    missed.refresh_from_db()
    assert missed.repeat_of == first and missed.repeat_confirmed_at is not None
    stranger = file(other_customer, branch, 0, product_code="Z")
    with pytest.raises(ApplicationError):
        repeats.repeat_link(
            actor=staff, reference=stranger.reference, primary_reference=first.reference
        )
    with pytest.raises(ApplicationError):
        repeats.repeat_link(
            actor=staff, reference=first.reference, primary_reference=first.reference
        )
