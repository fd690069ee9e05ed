"""Fuzzing the API from its own OpenAPI schema (schemathesis), as a signed-in customer and as
a partner organisation's system: no 500, and no response outside the schema.

The schema is loaded at module level: schemathesis' fixture loader crashes on pytest 9.2
(TRAPS.md).
"""

from __future__ import annotations

import json
import os

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from portal.api_auth import token_issue, token_issue_for_organisation
from tests.factories import (
    BranchFactory,
    CustomerFactory,
    OrganisationFactory,
    StaffFactory,
    make_dispute,
    refer,
)

SCHEMA = schemathesis.openapi.from_dict(
    json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True), default=str))
)
APP = get_wsgi_application()
CHECKS = [not_a_server_error, response_schema_conformance]
# Derandomized so that CI is reproducible; FUZZ_EXAMPLES=200 FUZZ_RANDOM=1 digs deeper by hand.
FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "10")),
    derandomize=not os.environ.get("FUZZ_RANDOM"),
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Calling the WSGI app fires Django's request signals, whose close_old_connections would
    close the connection holding the test's transaction; Django's test client disconnects it
    for the same reason."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def headers(request, db):
    """A customer with a referred dispute; the partner token of the centre it went to."""
    branch = BranchFactory.create(code="SH01")
    customer = CustomerFactory.create()
    staff = StaffFactory.create(branch=branch)
    centre = OrganisationFactory.create(name="上海市金融消费纠纷调解中心")
    dispute = make_dispute(customer, branch)
    refer(dispute, customer, staff, centre)
    if request.param == "customer":
        _token, key = token_issue(name="fuzz", user=customer)
    else:
        _token, key = token_issue_for_organisation(name="fuzz", organisation=centre)
    return {"Authorization": f"Token {key}", "Host": "127.0.0.1"}


@pytest.mark.django_db
@pytest.mark.parametrize("headers", ["customer", "partner"], indirect=True)
@SCHEMA.parametrize()
@FUZZ
def test_no_server_error_and_responses_match_the_schema(case, headers):
    case.call_and_validate(app=APP, headers=headers, checks=CHECKS)


@pytest.mark.django_db
def test_deeply_nested_json_and_huge_cursor_ids_are_clear_client_errors(customer, staff):
    """2,000 nested brackets (the standard library's parser recursed into a 500) are a 400;
    a cursor carrying a 24-digit row id is refused like any cursor the API did not make."""
    import base64

    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(customer)
    for body in ("[" * 2000 + "]" * 2000, '{"a":' * 2000 + "1" + "}" * 2000):
        response = client.post("/api/v1/disputes/", body, content_type="application/json")
        assert response.status_code == 400 and response.json()["code"]
    client.force_authenticate(staff)
    cursor = base64.urlsafe_b64encode(b"0|2026-01-01T00:00:00+00:00|" + b"9" * 24).decode()
    # The dispute list's keyset cursor, and DRF's cursor on the other lists.
    for path in (f"/api/v1/disputes/?cursor={cursor}", "/api/v1/referrals/?cursor=o%3Dx"):
        response = client.get(path)
        assert response.status_code == 400, path
        assert response.json()["code"] == "invalid_cursor"
