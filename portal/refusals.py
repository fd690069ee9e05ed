"""Every refusal in one place (DESIGN.md 5; issue 16): another party's object (the 404 of
`portal.access.refuse`), a forbidden action (403: `ActionForbidden`, `PermissionDenied`), an
API call with credentials that do not hold (401). Each is written to the access log at once and
enters the audit chain when the request is over, after its transactions have committed or
rolled back, so a refusal raised inside a service's transaction is not lost with it.

Failed sign-ins are the sign-in limiter's (portal/auth_backends.py), which writes them the
same way. An API call with no credentials at all is only logged: anyone on the internet can
make one, and the chain is not theirs to fill.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse

from portal.ratelimit import client_address

access_log = logging.getLogger("portal.access")


@dataclass(frozen=True)
class Refusal:
    action: str
    user_id: int | None
    what: str
    key: str


_pending: ContextVar[list[Refusal] | None] = ContextVar("portal_refusals", default=None)


def note(user: Any, action: str, what: str, key: object) -> None:
    """Log a refusal now; the chain gets it when the request ends (or at once outside one)."""
    user_id = getattr(user, "pk", None) if getattr(user, "is_authenticated", False) else None
    access_log.warning(
        "%s user=%s role=%s object=%s key=%s",
        action,
        user_id,
        getattr(user, "role", "anonymous"),
        what,
        key,
    )
    refusal = Refusal(action, user_id, str(what), str(key)[:200])
    pending = _pending.get()
    if pending is None:
        _record([refusal], path="", method="", address="")
    else:
        pending.append(refusal)


def _record(refusals: list[Refusal], *, path: str, method: str, address: str) -> None:
    from portal.audit import audit_record
    from portal.models import User

    users = User.objects.in_bulk([r.user_id for r in refusals if r.user_id is not None])
    for refusal in refusals:
        user = users.get(refusal.user_id) if refusal.user_id is not None else None
        audit_record(
            actor=user,
            action=refusal.action,
            target=user,
            case_ref="",
            data={
                "object": refusal.what,
                "key": refusal.key,
                "path": path,
                "method": method,
                "address": address,
            },
        )


class RefusalsEnterTheChain:
    """Collects the request's refusals and writes them to the audit chain once it is over."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        pending: list[Refusal] = []
        token = _pending.set(pending)
        try:
            return self.get_response(request)
        finally:
            _pending.reset(token)
            if pending:
                _record(
                    pending,
                    path=request.path[:300],
                    method=request.method or "",
                    address=client_address(request),
                )
