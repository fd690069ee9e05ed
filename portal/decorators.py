"""View decorators over the role predicates of portal/access.py."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from portal import refusals


def role_required(
    *roles: str,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Another role's page answers 403 (the page exists, but not for this role)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if getattr(request.user, "role", None) not in roles:
                refusals.note(request.user, "page.refused", "page", request.path)
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
