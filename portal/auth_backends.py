"""Sign in with a username, a mobile number or an email address."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db.models import Q
from django.http import HttpRequest

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
        login = username.strip()
        query = Q(username=login) | Q(mobile=login)
        if "@" in login:
            query |= Q(email__iexact=login)
        user = User.objects.filter(query).order_by("pk").first()
        if user is None:
            User().set_password(password)  # same work as a real check: no timing oracle
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id: Any) -> User | None:
        """The signed-in user with the branch and organisation every page asks for, in the
        one query that loads the user on each request."""
        user = User.objects.select_related("branch", "organisation").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
