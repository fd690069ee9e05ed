"""Sign in with a username, a mobile number or an email address."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest

from portal import ratelimit
from portal.models import User


class MobileOrEmailBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if not username or not password:
            return None
        # Every door (sign-in page, admin, token endpoint) asks the one limiter first; a
        # locked account gets no answer about its password, right or wrong.
        wait = ratelimit.seconds_to_wait(request, username)
        if wait:
            if request is not None:
                request.signin_wait = wait  # type: ignore[attr-defined]
            raise PermissionDenied
        login = ratelimit.normalise_login(username)
        query = Q(username=login) | Q(mobile=login)
        if "@" in login:
            query |= Q(email__iexact=login)
        user = User.objects.filter(query).order_by("pk").first()
        if user is None:
            User().set_password(password)  # same work as a real check: no timing oracle
        elif user.check_password(password) and self.user_can_authenticate(user):
            ratelimit.record_success(username)
            return user
        ratelimit.record_failure(request, username)
        return None

    def get_user(self, user_id: Any) -> User | None:
        """The signed-in user with the branch and organisation every page asks for, in the
        one query that loads the user on each request."""
        user = User.objects.select_related("branch", "organisation").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
