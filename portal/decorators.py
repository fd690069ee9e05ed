"""View decorators over the role predicates of portal/access.py."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from portal import refusals


def role_required[R: HttpResponseBase](
    *roles: str,
) -> Callable[[Callable[..., R]], Callable[..., R]]:
    """Another role's page answers 403 (the page exists, but not for this role)."""

    def decorator(view: Callable[..., R]) -> Callable[..., R]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> R:
            if getattr(request.user, "role", None) not in roles:
                refusals.note(request.user, "page.refused", "page", request.path)
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
