"""The API's JSON renderer writes what DRF's JSONRenderer writes."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIClient

from portal.renderers import FastJSONRenderer


def test_same_json_as_drf():
    data = {
        "text": "调解中心 \u2028 tab\t",
        "amount": Decimal("12345.60"),
        "label": gettext_lazy("Auditor"),
        "at": datetime(2026, 11, 27, 2, 9, 27, 805757, tzinfo=UTC),
        "day": date(2026, 11, 27),
        "rows": [{"n": 1, "ok": True, "none": None, "f": 0.5}],
        7: "int key",
    }
    ours, drf = FastJSONRenderer().render(data), JSONRenderer().render(data)
    assert json.loads(ours) == json.loads(drf)
    assert FastJSONRenderer().render(None) == b""


def test_indented_json_on_request():
    data = {"a": [1, 2]}
    rendered = FastJSONRenderer().render(data, "application/json; indent=2")
    assert rendered == JSONRenderer().render(data, "application/json; indent=2")
    assert b"\n  " in rendered


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("accept", "status", "content_type"),
    [
        (None, 200, "application/json"),
        ("*/*", 200, "application/json"),
        ("application/json", 200, "application/json"),
        ("text/html", 406, "application/json"),
    ],
)
def test_negotiation_short_cut_answers_as_drf_would(staff, accept, status, content_type):
    client = APIClient()
    client.force_authenticate(staff)
    headers = {"HTTP_ACCEPT": accept} if accept else {}
    response = client.get("/api/v1/disputes/", **headers)
    assert response.status_code == status
    assert response["Content-Type"].startswith(content_type)


@pytest.mark.django_db
def test_the_schema_still_comes_as_its_first_renderer_or_as_asked(staff):
    client = APIClient()
    client.force_authenticate(staff)
    assert client.get("/api/v1/schema/")["Content-Type"].startswith("application/vnd.oai.openapi")
    asked = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert asked["Content-Type"].startswith("application/vnd.oai.openapi+json")
    assert client.get("/api/v1/schema/?format=json")["Content-Type"].endswith("json")
