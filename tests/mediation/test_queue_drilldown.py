"""Drilling down from the figures (issue 21): the queue's received-from/to filters count local
(Shanghai) days, edges included, as the heat map's cells do; a case page links staff to every
complaint about its product, its contract, and its handler's caseload."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from tests.conftest import client_for
from tests.factories import make_dispute

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_a_day_runs_from_local_midnight_to_local_midnight(staff, customer):
    made = {
        label: make_dispute(customer, staff.branch, received_at=moment).reference
        for label, moment in {
            "day before, last second": datetime(2026, 11, 1, 23, 59, 59, tzinfo=SHANGHAI),
            "first second": datetime(2026, 11, 2, 0, 0, 0, tzinfo=SHANGHAI),
            "last second": datetime(2026, 11, 2, 23, 59, 59, tzinfo=SHANGHAI),
            "day after, first second": datetime(2026, 11, 3, 0, 0, 0, tzinfo=SHANGHAI),
        }.items()
    }
    page = client_for(staff).get(
        reverse("mediation:queue"), {"received_from": "2026-11-02", "received_to": "2026-11-02"}
    )
    shown = {label for label, ref in made.items() if ref in page.content.decode()}
    assert shown == {"first second", "last second"}


def test_a_case_page_links_staff_to_its_product_contract_and_handler(staff, customer):
    from mediation import services as ms
    from tests.factories import StaffFactory

    colleague = StaffFactory.create(branch=staff.branch, real_name="何军")
    one = make_dispute(customer, staff.branch, product_code="WM-01", contract_number="HT-9")
    same_product = make_dispute(customer, staff.branch, product_code="WM-01")
    other = make_dispute(customer, staff.branch, product_code="CC-02", contract_number="HT-1")
    ms.dispute_assign_handler(actor=staff, reference=one.reference, handler_id=colleague.pk)
    client = client_for(staff)
    page = client.get(one.get_absolute_url()).content.decode()
    queue = reverse("mediation:queue")
    for link in (
        f"{queue}?product=WM-01",
        f"{queue}?contract=HT-9",
        f"{queue}?handler={colleague.pk}",
    ):
        assert f'href="{link}"' in page
    by_product = client.get(queue, {"product": "WM-01"}).content.decode()
    assert one.reference in by_product and same_product.reference in by_product
    assert other.reference not in by_product
    by_contract = client.get(queue, {"contract": "HT-9"}).content.decode()
    assert one.reference in by_contract and same_product.reference not in by_contract
    caseload = client.get(queue, {"handler": colleague.pk}).content.decode()
    assert one.reference in caseload and other.reference not in caseload
    assert "何军" in caseload
    # The customer's own page names no queue, and a customer's id names nobody.
    assert queue not in client_for(customer).get(one.get_absolute_url()).content.decode()
    named = client.get(queue, {"handler": customer.pk}).content.decode()
    assert 'id="caseload"' not in named
