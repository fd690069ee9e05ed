"""The token lookup behind every API request: the objects select_related() gives, cached for a
short while, and revocation clearing the cache."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.api_auth import token_issue, token_issue_for_organisation, token_lookup, token_revoke
from portal.models import ApiToken

pytestmark = pytest.mark.django_db


def orm_lookup(prefix: str) -> ApiToken | None:
    return (
        ApiToken.objects.select_related("user", "user__branch", "user__organisation")
        .filter(prefix=prefix, revoked_at__isnull=True)
        .first()
    )


def fields(obj):
    return None if obj is None else {f.attname: getattr(obj, f.attname) for f in obj._meta.fields}


@pytest.mark.parametrize("owner", ["staff", "organisation", "customer"])
def test_same_objects_as_select_related(owner, staff, centre, customer):
    if owner == "organisation":
        token, key = token_issue_for_organisation(name="系统", organisation=centre)
    else:
        token, key = token_issue(name="脚本", user=staff if owner == "staff" else customer)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=token.created_at)
    found, expected = token_lookup(key[:10]), orm_lookup(key[:10])
    assert found is not None and expected is not None
    assert fields(found) == fields(expected)
    assert fields(found.user) == fields(expected.user)
    with CaptureQueriesContext(connection) as queries:
        assert fields(found.user.branch) == fields(expected.user.branch)
        assert fields(found.user.organisation) == fields(expected.user.organisation)
    assert len(queries) == 0, "branch and organisation come with the token"


def test_a_per_process_cache_holds_no_token(staff, settings):
    """With the default per-process cache a revocation could not reach the other workers:
    every lookup asks the database."""
    settings.SHARED_CACHE = False
    _token, key = token_issue(name="脚本", user=staff)
    assert token_lookup(key[:10]) is not None
    with CaptureQueriesContext(connection) as queries:
        assert token_lookup(key[:10]) is not None
    assert len(queries) == 1


def test_unknown_and_revoked_tokens_are_not_found(staff, settings):
    settings.SHARED_CACHE = True
    token, key = token_issue(name="脚本", user=staff)
    assert token_lookup("nosuchpref") is None
    assert token_lookup(key[:10]) is not None  # now in the cache
    token_revoke(token=token)
    assert token_lookup(key[:10]) is None, "revoking clears the cached lookup"


def test_a_repeated_lookup_is_served_from_the_cache(staff, settings):
    settings.SHARED_CACHE = True  # as with CACHE_URL=redis://...
    _token, key = token_issue(name="脚本", user=staff)
    assert token_lookup(key[:10]) is not None
    with CaptureQueriesContext(connection) as queries:
        found = token_lookup(key[:10])
    assert found is not None and found.user == staff
    assert len(queries) == 0


def test_a_revoked_token_is_refused_by_the_api_at_once(staff):
    from rest_framework.test import APIClient

    token, key = token_issue(name="脚本", user=staff)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/disputes/").status_code == 200
    token_revoke(token=token)
    assert client.get("/api/v1/disputes/").status_code == 401


@pytest.mark.parametrize(
    ("header", "status", "detail"),
    [
        ("token {key}", 200, None),  # the keyword in any case
        ("Token  {key} ", 200, None),
        ("Token", 401, "Give the token after the word Token."),
        ("Token {key} extra", 401, "Give the token after the word Token."),
        ("Token {key}x", 401, "Invalid or revoked token."),
        ("Token ключ-ключ-ключ", 401, "Invalid or revoked token."),
        ("Bearer {key}", 401, None),  # not ours: no credentials
    ],
)
def test_authorization_header(header, status, detail, staff):
    from rest_framework.test import APIClient

    _token, key = token_issue(name="脚本", user=staff)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header.format(key=key))
    response = client.get("/api/v1/disputes/", headers={"Accept-Language": "en"})
    assert response.status_code == status, response.content
    if detail is not None:
        assert response.json()["message"] == detail
