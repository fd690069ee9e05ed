"""API rate limits counted per fixed window.

DRF's SimpleRateThrottle keeps the time of every request in the window as one cached list that
each request reads, trims, prepends to and writes back: at the portal's 6,000 requests a minute
per user, a busy partner system's list holds thousands of floats, copied and pickled on every
call. These throttles count requests per fixed window with one cache increment instead (atomic
on Redis or Memcached). The price is the usual one of fixed windows: a client can spend its rate
at the end of one window and again at the start of the next.
"""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.throttling import (
    AnonRateThrottle,
    ScopedRateThrottle,
    SimpleRateThrottle,
    UserRateThrottle,
)

from portal.ratelimit import client_address


class FixedWindowMixin(SimpleRateThrottle):
    num_requests: int | None  # set by SimpleRateThrottle.__init__ from the rate
    duration: int | None

    def get_ident(self, request: Request) -> str:
        """The client's address as the sign-in limiter sees it: X-Forwarded-For only through
        TRUSTED_PROXIES (DRF's own reads any X-Forwarded-For, so a new header value per
        request would escape every limit)."""
        return client_address(request._request)

    def allow_request(self, request: Request, view: Any) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        allowed, seconds = self.num_requests, self.duration
        assert allowed is not None and seconds is not None
        self.now = self.timer()
        window = int(self.now // seconds)
        self.window_ends = (window + 1) * seconds
        key = f"{self.key}:{window}"
        try:
            count = self.cache.incr(key)
        except ValueError:
            # The window's first request; if another one created the counter in between, count
            # on it.
            count = 1 if self.cache.add(key, 1, seconds + 1) else self.cache.incr(key)
        return bool(count <= allowed)

    def wait(self) -> float:
        return max(self.window_ends - self.now, 0.0)


class UserThrottle(FixedWindowMixin, UserRateThrottle):
    """The "user" rate, per signed-in user (per client address when anonymous)."""


class AnonThrottle(FixedWindowMixin, AnonRateThrottle):
    """The "anon" rate, per client address, for requests without a user."""


class ScopedThrottle(FixedWindowMixin, ScopedRateThrottle):
    """A view's own rate (`throttle_scope`), per user or client address."""

    def allow_request(self, request: Request, view: Any) -> bool:
        # DRF's scoped throttle learns its rate from the view here, not in __init__.
        self.scope = getattr(view, self.scope_attr, None)
        if not self.scope:
            return True
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)
