"""Sign-in rate limit: after 10 failed attempts from one address for one login within 15
minutes, further attempts are refused (429) until the window passes."""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.http import HttpRequest

MAX_FAILURES = 10
WINDOW_SECONDS = 15 * 60


def _key(request: HttpRequest, login: str) -> str:
    raw = f"{request.META.get('REMOTE_ADDR', '')}|{login.strip().lower()}"
    return "signin-fail:" + hashlib.sha256(raw.encode()).hexdigest()


def signin_blocked(request: HttpRequest, login: str) -> bool:
    return int(cache.get(_key(request, login), 0)) >= MAX_FAILURES


def signin_failed(request: HttpRequest, login: str) -> None:
    key = _key(request, login)
    if cache.add(key, 1, WINDOW_SECONDS):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, WINDOW_SECONDS)


def signin_succeeded(request: HttpRequest, login: str) -> None:
    cache.delete(_key(request, login))
