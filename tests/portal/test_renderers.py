"""The API's JSON renderer writes what DRF's JSONRenderer writes."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer

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
