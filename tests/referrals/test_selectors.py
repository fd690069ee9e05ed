"""The referral list API's rows (centres/selectors.py) are what ReferralOut writes."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.utils import timezone, translation
from rest_framework.test import APIClient

from portal.api_auth import token_issue_for_organisation
from portal.models import User
from referrals.centres import access as referral_access
from referrals.centres import services as referral_services
from referrals.centres.apis import ReferralOut
from referrals.centres.selectors import referral_rows, referral_values
from tests.factories import make_dispute, refer

pytestmark = pytest.mark.django_db


def serialized(viewer):
    referrals = referral_access.referrals_visible_to(viewer).order_by("-updated_at", "-pk")
    request = SimpleNamespace(user=viewer)
    return [ReferralOut(r, context={"request": request}).data for r in referrals]


def rows(viewer):
    qs = referral_access.referrals_visible_to(viewer).order_by("-updated_at", "-pk")
    return referral_rows(list(referral_values(qs)), viewer)


@pytest.fixture
def referrals(customer, staff, mediator, branch, centre):
    """One referral in each shape: accepted with its mediator, sent and waiting, withdrawn
    with the bank's reason."""
    accepted = refer(make_dispute(customer, branch, "20000.00"), customer, staff, centre)
    referral_services.referral_accept(
        actor=mediator, referral_id=accepted.pk, mediator_id=mediator.pk
    )
    refer(make_dispute(customer, branch, "300.00"), customer, staff, centre)
    withdrawn = refer(make_dispute(customer, branch, "4000.50"), customer, staff, centre)
    referral_services.referral_withdraw(
        actor=staff, referral_id=withdrawn.pk, reason="银行内部：客户已另行和解"
    )
    return accepted, withdrawn


def test_rows_are_the_serializer_representation(referrals, mediator, hq_staff):
    for viewer in (mediator, hq_staff):
        for language in ("zh-hans", "en"):
            with translation.override(language):
                assert rows(viewer) == serialized(viewer), viewer.role
    reasons = {r["id"]: r["reason"] for r in rows(mediator)}
    assert reasons[referrals[1].pk] == ""  # the bank's reason is the bank's own
    assert {r["id"]: r["reason"] for r in rows(hq_staff)}[referrals[1].pk]


@pytest.mark.parametrize(
    ("real", "first", "last"), [("", "Li", "Ming"), ("", "", ""), ("王调解员", "", "")]
)
def test_the_mediators_name_is_their_display_name(referrals, mediator, real, first, last):
    User.objects.filter(pk=mediator.pk).update(real_name=real, first_name=first, last_name=last)
    mediator.refresh_from_db()
    listed = {r["id"]: r["mediator_name"] for r in rows(mediator)}
    assert listed[referrals[0].pk] == mediator.display_name
    assert rows(mediator) == serialized(mediator)


def test_times_in_another_zone_are_the_serializer_representation(referrals, mediator):
    with timezone.override("Asia/Kolkata"):
        listed = rows(mediator)
        assert listed == serialized(mediator)
    assert all(r["updated_at"].endswith("+05:30") for r in listed)


def test_the_api_pages_the_rows_by_cursor(referrals, centre):
    """Through the API with a centre's token, two a page: every referral once, newest change
    first, as the serializer writes it."""
    _token, key = token_issue_for_organisation(name="centre system", organisation=centre)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    seen, url = [], "/api/v1/referrals/?page_size=2"
    while url:
        body = api.get(url).json()
        seen += body["results"]
        url = body["next"]
    assert len(seen) == 3 and len({r["id"] for r in seen}) == 3
    assert [r["updated_at"] for r in seen] == sorted((r["updated_at"] for r in seen), reverse=True)
