"""Issue 19: the header's unread count refreshes itself (htmx asks every minute) without keeping
an idle session alive, and a page whose session has ended is told to stop asking (286), never
sent a sign-in page to paste into the header."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from portal.notifications import notify
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

URL = "/notifications/count/"


def test_the_count_follows_new_notices(customer):
    client = client_for(customer)
    assert reverse("notifications_count") == URL
    before = client.get(URL)
    assert before.status_code == 200 and 'class="badge' not in before.content.decode()
    notify("dispute_received", recipients=[customer], params={"ref": "MD-X", "due": "12-20"})
    after = client.get(URL).content.decode()
    assert 'class="badge overdue"' in after and ">1<" in after.replace(" ", "")
    page = client.get(reverse("home")).content.decode()
    assert f'hx-get="{URL}"' in page


def _age(client: Client, seconds: int) -> None:
    session = client.session
    session["seen_at"] = int(time.time()) - seconds
    session.save()


def test_asking_for_the_count_is_not_use(staff):
    client = client_for(staff)
    client.get(reverse("home"))
    _age(client, settings.SESSION_IDLE_SECONDS - 120)
    before = client.session["seen_at"]
    assert client.get(URL).status_code == 200
    assert client.session["seen_at"] == before  # not stamped: the session keeps ageing
    # Past the idle limit the page is told to stop asking, and the session is over.
    _age(client, settings.SESSION_IDLE_SECONDS + 5)
    assert client.get(URL).status_code == 286
    assert client.get(reverse("mediation:queue")).status_code == 302  # signed out


def test_without_a_session_the_page_stops_asking(staff):
    assert Client().get(URL).status_code == 286
    half = Client()
    half.force_login(staff)  # password given, second factor still owed
    response = half.get(URL)
    assert response.status_code == 286 and not response.has_header("Location")
    assert Client().post(URL).status_code == 405
