"""Lists count at most COUNT_CAP rows and say so; choice labels read through their enums."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.utils import translation

from mediation.models import Dispute
from portal import pagination
from tests.factories import make_dispute

pytestmark = pytest.mark.django_db


def test_a_list_beyond_the_cap_pages_over_the_first_rows_and_says_so(monkeypatch, customer, branch):
    monkeypatch.setattr(pagination, "COUNT_CAP", 4)
    for _ in range(6):
        make_dispute(customer, branch)
    request = RequestFactory().get("/", {"page": "9", "status": "submitted"})
    page = pagination.paginate(request, Dispute.objects.order_by("pk"), per_page=2)["page"]
    assert page.paginator.capped and page.paginator.count == 4
    assert page.number == 2 and not page.has_next()  # page 9 is past the counted rows
    small = pagination.paginate(request, Dispute.objects.all()[:3], per_page=2)["page"]
    assert not small.paginator.capped and small.paginator.count == 3


def test_the_queue_says_it_shows_the_first_rows_only(monkeypatch, customer, branch, staff):
    from tests.conftest import client_for

    monkeypatch.setattr(pagination, "COUNT_CAP", 2)
    monkeypatch.setattr(pagination, "PAGE_SIZE", 1)
    for _ in range(4):
        make_dispute(customer, branch)
    page = client_for(staff).get("/disputes/queue/", {"page": "1"}).content.decode()
    assert "请缩小筛选范围" in page


def test_choice_labels_are_the_display_values_in_each_language(customer, branch):
    dispute = make_dispute(customer, branch)
    for language in ("zh-hans", "en"):
        with translation.override(language):
            assert dispute.status_label == dispute.get_status_display()
            assert dispute.category_label == dispute.get_category_display()
