"""The REST API: who sees what, errors, idempotency, tokens, rate limits, query counts, schema."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from mediation.apis import dispute_out
from mediation.models import Dispute
from portal.api_auth import token_issue, token_issue_for_organisation, token_revoke
from portal.models import ApiToken, OrganisationKind, Role
from tests.conftest import client_for
from tests.factories import (
    CustomerFactory,
    OrganisationFactory,
    PartnerFactory,
    UserFactory,
    enrol_totp,
    make_dispute,
    refer,
    totp_code,
    upload_pdf,
)
from tests.factories.files import pdf_bytes

pytestmark = pytest.mark.django_db


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def world(
    customer,
    other_customer,
    staff,
    other_staff,
    branch,
    centre,
    other_centre,
    mediator,
    other_mediator,
    auditor,
):
    """Customer A's dispute referred to centre X, with evidence; a court and its clerk."""
    dispute = make_dispute(customer, branch)
    referral = refer(dispute, customer, staff, centre)
    item = upload_pdf(customer, dispute, "合同")
    court = OrganisationFactory.create(name="浦东法院", kind=OrganisationKind.COURT)
    clerk = PartnerFactory.create(organisation=court, partner_role="court_clerk")
    return {
        "dispute": dispute,
        "referral": referral,
        "item": item,
        "users": {
            "customer_a": customer,
            "customer_b": other_customer,
            "mediator_x": mediator,
            "mediator_y": other_mediator,
            "clerk": clerk,
            "auditor": auditor,
            "staff_other_branch": other_staff,
            "staff": staff,
            "anonymous": None,
        },
    }


SIGNED_IN_ROLES = [
    "customer_a",
    "customer_b",
    "mediator_x",
    "mediator_y",
    "clerk",
    "auditor",
    "staff_other_branch",
    "staff",
]

READ_MATRIX = {
    # endpoint -> roles that get 200 (all others: 404, anonymous: 401)
    "dispute": {"customer_a", "mediator_x", "staff"},
    "timeline": {"customer_a", "mediator_x", "staff"},
    "evidence": {"customer_a", "mediator_x", "staff"},
    "download": {"customer_a", "mediator_x", "staff"},
    "referral": {"customer_a", "mediator_x", "staff"},
}


def _url(name, world):
    d, r, item = world["dispute"], world["referral"], world["item"]
    return {
        "dispute": f"/api/v1/disputes/{d.reference}/",
        "timeline": f"/api/v1/disputes/{d.reference}/timeline/",
        "evidence": f"/api/v1/disputes/{d.reference}/evidence/",
        "download": f"/api/v1/evidence/{item.pk}/download/",
        "referral": f"/api/v1/referrals/{r.pk}/",
    }[name]


@pytest.mark.parametrize("endpoint", sorted(READ_MATRIX))
@pytest.mark.parametrize("role", [*SIGNED_IN_ROLES, "anonymous"])
def test_read_permission_matrix(world, endpoint, role):
    response = api(world["users"][role]).get(_url(endpoint, world))
    expected = 401 if role == "anonymous" else 200 if role in READ_MATRIX[endpoint] else 404
    assert response.status_code == expected, (endpoint, role, response.content[:200])
    if expected == 404:
        assert response.json()["code"] == "not_found"


LIST_MATRIX = {
    # list endpoint -> roles for which the world's object is listed
    "/api/v1/disputes/": {"customer_a", "mediator_x", "staff"},
    "/api/v1/referrals/": {"customer_a", "mediator_x", "staff"},
}


@pytest.mark.parametrize("endpoint", sorted(LIST_MATRIX))
@pytest.mark.parametrize("role", SIGNED_IN_ROLES)
def test_list_permission_matrix(world, endpoint, role):
    response = api(world["users"][role]).get(endpoint)
    assert response.status_code == 200
    listed = json.dumps(response.json(), ensure_ascii=False)
    assert (world["dispute"].reference in listed) is (role in LIST_MATRIX[endpoint]), role


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("auditor", 200),
        ("customer_a", 403),
        ("mediator_x", 403),
        ("staff", 403),
        ("clerk", 403),
        ("anonymous", 401),
    ],
)
def test_reviews_are_for_auditors(world, role, expected):
    assert api(world["users"][role]).get("/api/v1/reviews/").status_code == expected


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("mediator_x", 200),
        ("mediator_y", 404),
        ("customer_a", 403),
        ("customer_b", 404),
        ("clerk", 404),
        ("auditor", 404),
        ("staff_other_branch", 404),
        ("anonymous", 401),
    ],
)
def test_referral_action_matrix(world, role, expected):
    url = f"/api/v1/referrals/{world['referral'].pk}/acknowledge/"
    response = api(world["users"][role]).post(url)
    assert response.status_code == expected, response.content[:200]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("customer_a", 201),
        ("mediator_x", 403),
        ("staff", 403),
        ("auditor", 403),
        ("anonymous", 401),
    ],
)
def test_create_dispute_matrix(world, branch, role, expected):
    body = {
        "branch": branch.code,
        "category": "wealth",
        "amount": "30,000",
        "facts": "f",
        "request": "r",
    }
    response = api(world["users"][role]).post("/api/v1/disputes/", body, format="json")
    assert response.status_code == expected


# ---- errors ---------------------------------------------------------------------------------


def test_bad_input_is_400_with_fields(customer, branch):
    response = api(customer).post(
        "/api/v1/disputes/",
        {
            "branch": branch.code,
            "category": "wealth",
            "amount": "-5",
            "facts": "",
            "request": "r",
        },
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and "amount" in body["fields"] and "facts" in body["fields"]


def test_messages_in_english_on_request(customer, branch):
    response = api(customer).post(
        "/api/v1/disputes/", {"amount": "x"}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.json()["message"] == "Some fields are not valid."
    chinese = api(customer).post("/api/v1/disputes/", {"amount": "x"}, format="json")
    assert chinese.json()["message"] == "部分字段填写有误。"


def test_transition_not_allowed_is_409(world):
    customer = world["users"]["customer_a"]
    response = api(customer).post(
        f"/api/v1/disputes/{world['dispute'].reference}/opt-in/",
        {"agree_mediation": True, "agree_disclosure": True},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "transition_not_allowed"


def test_too_large_upload_is_413_and_leaves_nothing(world, settings):
    settings.UPLOAD_MAX_FILE_BYTES = 500
    customer = world["users"]["customer_a"]
    before = world["dispute"].evidence.count()
    response = api(customer).post(
        f"/api/v1/disputes/{world['dispute'].reference}/evidence/",
        {"file": io.BytesIO(pdf_bytes() + b"\n" * 1000), "title": "大文件", "category": "contract"},
        format="multipart",
    )
    assert response.status_code == 413 and response.json()["code"] == "upload_too_large"
    assert world["dispute"].evidence.count() == before


def test_hostile_upload_is_400_with_a_reason(world):
    customer = world["users"]["customer_a"]
    file = io.BytesIO(b"<html>x</html>")
    file.name = "x.pdf"
    response = api(customer).post(
        f"/api/v1/disputes/{world['dispute'].reference}/evidence/",
        {"file": file, "title": "x", "category": "contract"},
        format="multipart",
    )
    assert response.status_code == 400 and response.json()["code"] == "unsupported_type"
    assert "PDF" in response.json()["message"]


def test_bad_filters_are_400(customer):
    response = api(customer).get("/api/v1/disputes/?updated_since=yesterday")
    assert response.status_code == 400 and "updated_since" in response.json()["fields"]


# ---- idempotency ----------------------------------------------------------------------------


def test_idempotency_key_replays_and_refuses_another_body(customer, branch):
    client = api(customer)
    body = {
        "branch": branch.code,
        "category": "wealth",
        "amount": "100",
        "facts": "f",
        "request": "r",
    }
    first = client.post("/api/v1/disputes/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post("/api/v1/disputes/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json() and Dispute.objects.count() == 1
    other = client.post(
        "/api/v1/disputes/", {**body, "amount": "200"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    assert Dispute.objects.count() == 1


# ---- filters, pagination and query counts ----------------------------------------------------


def test_filters_and_cursor_pagination(customer, staff, branch):
    for amount in ("1", "2", "3"):
        make_dispute(customer, branch, amount)
    client = api(staff)
    page = client.get("/api/v1/disputes/?page_size=2").json()
    assert len(page["results"]) == 2 and page["next"]
    rest = client.get(page["next"]).json()
    assert len(rest["results"]) == 1 and rest["next"] is None
    assert client.get("/api/v1/disputes/?status=closed").json()["results"] == []
    soon = client.get("/api/v1/disputes/?due_before=2099-01-01").json()["results"]
    assert len(soon) == 3


@pytest.mark.parametrize(
    ("endpoint", "role"),
    [
        ("/api/v1/disputes/", "staff"),
        ("/api/v1/referrals/", "mediator_x"),
        ("/api/v1/confirmations/", "staff"),
        ("/api/v1/arbitrations/", "staff"),
        ("/api/v1/reviews/", "auditor"),
    ],
)
def test_list_query_count_is_constant_in_page_size(world, endpoint, role, branch, staff, centre):
    for _ in range(6):
        customer = CustomerFactory.create()
        d = make_dispute(customer, branch)
        refer(d, customer, staff, centre)
    client = api(world["users"][role])
    with CaptureQueriesContext(connection) as small:
        assert client.get(f"{endpoint}?page_size=2").status_code == 200
    with CaptureQueriesContext(connection) as large:
        assert client.get(f"{endpoint}?page_size=50").status_code == 200
    assert len(small) == len(large), endpoint


# ---- tokens and rate limits ------------------------------------------------------------------


def test_organisation_token_sees_only_its_referrals(world, centre, other_centre):
    token, key = token_issue_for_organisation(name="centre system", organisation=centre)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    listed = client.get("/api/v1/referrals/").json()["results"]
    assert [r["id"] for r in listed] == [world["referral"].pk]
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert token.key_hash != key and key not in json.dumps(
        list(ApiToken.objects.values()), default=str
    )
    _other, other_key = token_issue_for_organisation(name="y", organisation=other_centre)
    client.credentials(HTTP_AUTHORIZATION=f"Token {other_key}")
    assert client.get("/api/v1/referrals/").json()["results"] == []
    assert client.get(f"/api/v1/referrals/{world['referral'].pk}/").status_code == 404


def test_revoked_and_wrong_tokens_are_refused(customer):
    token, key = token_issue(name="t", user=customer)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/disputes/").status_code == 200
    token_revoke(token=token)
    assert client.get("/api/v1/disputes/").status_code == 401
    client.credentials(HTTP_AUTHORIZATION="Token nonsense-key")
    response = client.get("/api/v1/disputes/")
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Token"


def test_staff_script_token_and_its_rate_limit(staff, settings):
    from django.core.cache import cache

    cache.clear()
    client = APIClient()
    secret = enrol_totp(staff)
    ok = client.post(
        "/api/v1/auth/token/",
        {"username": staff.username, "password": "Correct-Horse-42", "code": totp_code(secret)},
        format="json",
    )
    assert ok.status_code == 201 and ok.json()["token"]
    customer = UserFactory.create(role=Role.CUSTOMER)
    refused = client.post(
        "/api/v1/auth/token/",
        {"username": customer.username, "password": "Correct-Horse-42", "code": "123456"},
        format="json",
    )
    assert refused.status_code == 400
    codes = [
        client.post(
            "/api/v1/auth/token/",
            {"username": "x", "password": "y", "code": "000000"},
            format="json",
        ).status_code
        for _ in range(6)
    ]
    assert 429 in codes
    cache.clear()


# ---- the schema and its documentation --------------------------------------------------------


def test_openapi_schema_validates():
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")


def test_docs_are_served_by_the_portal(customer):
    from django.test import Client

    client = Client()
    client.force_login(customer)
    for url in ("/api/v1/docs/", "/api/v1/redoc/"):
        response = client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        assert "cdn" not in html.lower() and "googleapis" not in html
        assert "/static/drf_spectacular_sidecar/" in html
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200 and b"openapi" in schema.content


def test_staff_creates_nothing_for_another_branch(world, other_staff):
    response = api(other_staff).post(
        "/api/v1/bundles/",
        {"case": world["dispute"].reference, "recipient_kind": "mediation_centre"},
        format="json",
    )
    assert response.status_code == 404


def test_bundle_request_through_the_api(world, staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api(staff).post(
            "/api/v1/bundles/",
            {"case": world["dispute"].reference, "recipient_kind": "mediation_centre"},
            format="json",
        )
    assert response.status_code == 202
    bundle_id = response.json()["id"]
    status = api(staff).get(f"/api/v1/bundles/{bundle_id}/").json()
    assert status["status"] == "ready"
    pdf = api(world["users"]["customer_a"]).get(f"/api/v1/bundles/{bundle_id}/download/")
    assert pdf.status_code == 200
    assert api(world["users"]["customer_b"]).get(f"/api/v1/bundles/{bundle_id}/").status_code == 404


def test_amend_opt_in_and_withdraw(customer, other_customer, branch, centre):
    d = make_dispute(customer, branch, "60000")
    client = api(customer)
    amended = client.post(
        f"/api/v1/disputes/{d.reference}/amend/", {"amount": "50000"}, format="json"
    )
    assert amended.status_code == 200 and amended.json()["fast_lane_eligible"] is True
    assert (
        api(other_customer)
        .post(f"/api/v1/disputes/{d.reference}/amend/", {"amount": "1"}, format="json")
        .status_code
        == 404
    )
    # Naming a centre is a binding act made on the portal's page: refused here, with a word.
    named = client.post(
        f"/api/v1/disputes/{d.reference}/opt-in/",
        {"agree_mediation": True, "agree_disclosure": True, "organisation": centre.pk},
        format="json",
    )
    assert named.status_code == 400 and "organisation" in named.json()["fields"]
    opted = client.post(
        f"/api/v1/disputes/{d.reference}/opt-in/",
        {"agree_mediation": True, "agree_disclosure": True},
        format="json",
    )
    assert opted.status_code == 200 and opted.json()["status"] == "fast_lane"
    withdrawn = client.post(
        f"/api/v1/disputes/{d.reference}/withdraw/", {"reason": "已解决"}, format="json"
    )
    assert withdrawn.json()["status"] == "withdrawn"
    timeline = client.get(f"/api/v1/disputes/{d.reference}/timeline/").json()
    assert [e["title"] for e in timeline][-1] == "纠纷已撤回"


def test_list_rows_match_the_detail_representation(customer, staff, branch):
    d = make_dispute(customer, branch, "12345.60")
    client = api(staff)
    listed = client.get("/api/v1/disputes/").json()["results"]
    detail = client.get(f"/api/v1/disputes/{d.reference}/").json()
    assert listed == [detail]
    d.refresh_from_db()
    assert detail == json.loads(json.dumps(dispute_out(d, staff)))


def test_customers_and_partners_never_get_the_banks_internal_targets(customer, staff, branch):
    d = make_dispute(customer, branch, "12345.60")
    d.refresh_from_db()
    assert d.next_deadline != d.next_party_deadline  # day 1's labels come before the decision
    mine = api(customer).get(f"/api/v1/disputes/{d.reference}/").json()
    theirs = api(staff).get(f"/api/v1/disputes/{d.reference}/").json()
    assert mine["next_deadline"] == d.next_party_deadline.isoformat() == d.decision_due.isoformat()
    assert theirs["next_deadline"] == d.next_deadline.isoformat()
    listed = api(customer).get("/api/v1/disputes/").json()["results"]
    assert listed[0]["next_deadline"] == mine["next_deadline"]
    page = client_for(customer).get("/").content.decode()
    assert d.next_party_deadline.isoformat() in page
    assert d.next_deadline.isoformat() not in page
