"""Issue 16, sessions: staff sessions end after 30 minutes without use, every session 12 hours
after sign-in."""

from __future__ import annotations

import time

import pytest
import time_machine
from django.urls import reverse

from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_a_staff_session_ends_after_thirty_idle_minutes(staff):
    client = client_for(staff)
    assert client.get(reverse("home")).status_code == 200
    with time_machine.travel(time.time() + 31 * 60):
        response = client.get(reverse("home"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert "_auth_user_id" not in client.session


def test_a_customer_session_lasts_longer_idle(customer):
    client = client_for(customer)
    client.get(reverse("home"))
    with time_machine.travel(time.time() + 31 * 60):
        assert client.get(reverse("home")).status_code == 200


def test_use_keeps_a_session_alive_but_not_past_its_absolute_lifetime(staff):
    client = client_for(staff)
    client.get(reverse("home"))
    start = time.time()
    for minutes in range(20, 12 * 60, 20):  # active every 20 minutes
        with time_machine.travel(start + minutes * 60):
            assert client.get(reverse("home")).status_code == 200, minutes
    with time_machine.travel(start + 12 * 60 * 60 + 60):
        assert client.get(reverse("home")).status_code == 302
