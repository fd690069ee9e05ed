"""The shared cache of the scale-out profile (CACHE_URL=redis://...): what one process caches
or clears, every other process sees (a token's revocation, a rate-limit count). Runs against
the Redis on 127.0.0.1:6379 when there is one."""

from __future__ import annotations

import socket

import pytest
from django.core.cache.backends.redis import RedisCache

pytestmark = pytest.mark.django_db

LOCATION = "redis://127.0.0.1:6379/15"


def redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


@pytest.fixture
def shared(settings):
    if not redis_up():
        pytest.skip("no Redis on 127.0.0.1:6379")
    settings.SHARED_CACHE = True
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": LOCATION},
    }
    from django.core.cache import cache

    cache.clear()
    yield RedisCache(LOCATION, {})  # the cache as another process opens it
    cache.clear()


def test_a_revoked_token_is_gone_for_every_process(shared, staff):
    from portal.api_auth import _cache_key, token_issue, token_lookup, token_revoke

    token, key = token_issue(name="脚本", user=staff)
    assert token_lookup(key[:10]) is not None
    assert shared.get(_cache_key(key[:10])) is not None, "cached where others read it"
    token_revoke(token=token)
    assert shared.get(_cache_key(key[:10])) is None


def test_rate_limit_counts_are_shared(shared, customer):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(customer)
    assert client.get("/api/v1/disputes/").status_code == 200
    assert any(
        b"throttle" in k or b"ratelimit" in k or b"rate" in k
        for k in shared._cache.get_client().keys("*")
    )


@pytest.mark.parametrize(
    ("cache_url", "engine"),
    [
        ("locmemcache://", "django.contrib.sessions.backends.db"),
        ("redis://127.0.0.1:6379/15", "django.contrib.sessions.backends.cached_db"),
    ],
)
def test_sessions_are_cached_only_in_a_shared_cache(cache_url, engine):
    """A per-process cache would keep a signed-out session alive in the other workers."""
    import os
    import subprocess
    import sys

    found = subprocess.run(
        [sys.executable, "-c", "import portal.settings as s; print(s.SESSION_ENGINE)"],
        env={**os.environ, "DEBUG": "true", "CACHE_URL": cache_url},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.strip()
    assert found == engine
