"""Typing helpers shared by views."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from portal.models import User


class AuthedRequest(HttpRequest):
    """A request behind @login_required: `user` is a portal User, never anonymous."""

    user: User
    htmx: HtmxDetails  # django_htmx.middleware.HtmxMiddleware
