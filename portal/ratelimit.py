"""One sign-in limiter for every door: the sign-in page, the admin's sign-in and the API token
endpoint (they all go through `authenticate()` and the portal's backend, which asks here first).

Three budgets, counted in the shared cache (Redis in production, so every process counts the
same failures):
- per account, whatever login string names it (`customer`, its mobile or its email are one
  account; a login that names no account is counted under its own name, so the answer never
  tells which exist): after SIGNIN_ACCOUNT_FREE_FAILURES failures, each further failure locks
  the account for twice as long as the one before (30 s, 1 min, 2 min ... at most 1 hour);
- per client address: SIGNIN_ADDRESS_MAX_FAILURES failures in 15 minutes (one password tried
  across many accounts);
- global: SIGNIN_GLOBAL_MAX_FAILURES failures in 5 minutes across the portal.

The client address is REMOTE_ADDR. X-Forwarded-For is believed only when the request comes
from an address in TRUSTED_PROXIES, and then only up to the first address that is not one.
"""

from __future__ import annotations

import hashlib
import ipaddress
import time
from functools import cache as memoize
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q
from django.http import HttpRequest

if TYPE_CHECKING:
    from portal.models import User

ADDRESS_WINDOW = 15 * 60
GLOBAL_WINDOW = 5 * 60
BACKOFF_FIRST = 30
BACKOFF_MAX = 60 * 60


@memoize
def _networks(spec: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(net, strict=False) for net in spec)


def is_trusted_proxy(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in _networks(tuple(settings.TRUSTED_PROXIES)))


def client_address(request: HttpRequest) -> str:
    """The address of the client: REMOTE_ADDR, or, when that is a trusted proxy, the last
    X-Forwarded-For hop that is not one (a client can prepend anything; only what our own
    proxies appended counts)."""
    address = request.META.get("REMOTE_ADDR", "")
    if not is_trusted_proxy(address):
        return address
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for hop in reversed([h for h in hops if h]):
        if not is_trusted_proxy(hop):
            return hop
    return address


def account_for_login(login: str) -> User | None:
    """The account a login string names: the one holding it as its mobile number (unique),
    else as its username, else as its email."""
    from portal.models import User

    name = normalise_login(login)
    by_mobile = User.objects.filter(mobile=name).first()
    if by_mobile is not None:
        return by_mobile
    query = Q(username=name)
    if "@" in name:
        query |= Q(email__iexact=name)
    return User.objects.filter(query).order_by("pk").first()


def account_key(login: str) -> str:
    """One key per account, whichever of its names was typed."""
    account = account_for_login(login)
    name = normalise_login(login)
    label = f"user:{account.pk}" if account is not None else f"name:{name.lower()}"
    return hashlib.sha256(label.encode()).hexdigest()


def normalise_login(login: str) -> str:
    """Full-width digits and letters (from a Chinese keyboard) as ASCII; spaces trimmed."""
    import unicodedata

    return unicodedata.normalize("NFKC", login).strip()


def count_in_window(key: str, window: int) -> int:
    """Count one more against `key` for `window` seconds (atomic in Redis); the count so far."""
    if cache.add(key, 1, window):
        return 1
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.add(key, 1, window)
        return 1


def seconds_to_wait(request: HttpRequest | None, login: str) -> int:
    """0 when this sign-in may be tried now; else how long until it may."""
    now = time.time()
    state = cache.get(f"signin:acct:{account_key(login)}")
    if state and state["until"] > now:
        return int(state["until"] - now) + 1
    if request is not None:
        failures = int(cache.get(f"signin:addr:{client_address(request)}", 0))
        if failures >= settings.SIGNIN_ADDRESS_MAX_FAILURES:
            return ADDRESS_WINDOW
    if int(cache.get("signin:global", 0)) >= settings.SIGNIN_GLOBAL_MAX_FAILURES:
        return GLOBAL_WINDOW
    return 0


def minutes_to_wait(seconds: int) -> int:
    """A wait as the messages say it: whole minutes, at least one."""
    return max(1, (seconds + 59) // 60)


def record_failure(request: HttpRequest | None, login: str) -> None:
    key = f"signin:acct:{account_key(login)}"
    state = cache.get(key) or {"failures": 0, "until": 0.0}
    state["failures"] += 1
    excess = state["failures"] - settings.SIGNIN_ACCOUNT_FREE_FAILURES
    if excess > 0:
        state["until"] = time.time() + min(BACKOFF_FIRST * 2 ** (excess - 1), BACKOFF_MAX)
    cache.set(key, state, 24 * 60 * 60)
    if request is not None:
        count_in_window(f"signin:addr:{client_address(request)}", ADDRESS_WINDOW)
    count_in_window("signin:global", GLOBAL_WINDOW)


def record_success(login: str) -> None:
    """A right password clears the account's count (not the address's: a spraying client that
    guesses one account keeps its budget spent)."""
    cache.delete(f"signin:acct:{account_key(login)}")
