"""Sign in with a username, a mobile number or an email address."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from portal import ratelimit
from portal.access import access_log
from portal.audit import audit_record
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
            _record_failure(request, None, ratelimit.normalise_login(username), locked=True)
            raise PermissionDenied
        login = ratelimit.normalise_login(username)
        user = ratelimit.account_for_login(login)
        if user is None:
            User().set_password(password)  # same work as a real check: no timing oracle
        elif user.check_password(password) and self.user_can_authenticate(user):
            ratelimit.record_success(username)
            return user
        ratelimit.record_failure(request, username)
        _record_failure(request, user, login)
        return None

    def get_user(self, user_id: Any) -> User | None:
        """The signed-in user with the branch and organisation every page asks for, in the
        one query that loads the user on each request."""
        user = User.objects.select_related("branch", "organisation").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None


def _record_failure(
    request: HttpRequest | None, user: User | None, login: str, *, locked: bool = False
) -> None:
    """A failed or refused sign-in: in the access log always, and in the audit chain when it
    names an account (an unknown name has no object to hang the event on)."""
    address = ratelimit.client_address(request) if request is not None else ""
    access_log.warning(
        "signin %s login=%r address=%s", "locked" if locked else "failed", login, address
    )
    if user is None and locked:
        user = ratelimit.account_for_login(login)
    if user is not None:
        audit_record(
            actor=None,
            action="signin.locked" if locked else "signin.failed",
            target=user,
            case_ref="",
            data={"address": address},
        )
