"""API rate limits counted per fixed window."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from portal.throttling import UserThrottle

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_a_minute(monkeypatch):
    monkeypatch.setitem(UserThrottle.THROTTLE_RATES, "user", "3/min")
    clock = [600.0]
    monkeypatch.setattr(UserThrottle, "timer", lambda self: clock[0])
    cache.clear()
    yield clock
    cache.clear()


def test_the_fourth_request_in_a_minute_waits_for_the_next(staff, three_a_minute):
    client = APIClient()
    client.force_authenticate(staff)
    assert [client.get("/api/v1/disputes/").status_code for _ in range(3)] == [200] * 3
    three_a_minute[0] = 630.0
    refused = client.get("/api/v1/disputes/")
    assert refused.status_code == 429 and refused["Retry-After"] == "30"
    assert refused.json()["code"] == "throttled"
    three_a_minute[0] = 660.0
    assert client.get("/api/v1/disputes/").status_code == 200


def test_users_are_counted_apart(staff, other_staff, three_a_minute):
    first, second = APIClient(), APIClient()
    first.force_authenticate(staff)
    second.force_authenticate(other_staff)
    for _ in range(3):
        first.get("/api/v1/disputes/")
    assert first.get("/api/v1/disputes/").status_code == 429
    assert second.get("/api/v1/disputes/").status_code == 200
