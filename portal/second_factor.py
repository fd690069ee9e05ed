"""The second factor: a TOTP code from an authenticator app, or one of ten recovery codes,
asked after the password at every sign-in of staff, partners, auditors and administrators
(SECOND_FACTOR_ROLES), and of any customer who chose to enrol.

django-allauth's MFA keeps the authenticators (its `Authenticator` model) and checks the codes
(a TOTP code is taken once; a recovery code is spent); the portal drives it from its own
sign-in, so the same step follows every door that takes a password, the admin's included:

1. The password is right: Django signs the person in, and `on_signed_in` marks the session
   as not yet verified when this person needs a second factor.
2. `portal.middleware.SecondFactorRequired` lets such a session reach only the code page (or,
   for someone who has not enrolled yet, the enrolment page) and sign-out; an API call with
   it answers 403.
3. The code is right: `verify` marks the session verified, for this user.

Failed codes count against the account in the one sign-in limiter (portal/ratelimit.py) and
enter the audit chain. TOTP secrets and recovery seeds are encrypted at rest (portal/crypto.py,
through the MFA adapter below).
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING, Any

from allauth.mfa.adapter import DefaultMFAAdapter, get_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret, validate_totp_code
from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from portal import crypto, ratelimit
from portal.audit import audit_record
from portal.exceptions import ApplicationError

if TYPE_CHECKING:
    from portal.models import User

SESSION_KEY = "portal.second_factor"
SECRET_SESSION_KEY = "portal.second_factor.new_secret"  # noqa: S105 - a session key's name


class PortalMFAAdapter(DefaultMFAAdapter):
    """allauth's MFA with the portal's encryption and a label people recognise in their app."""

    def encrypt(self, text: str) -> str:
        return crypto.encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return crypto.decrypt(encrypted_text)

    def get_totp_label(self, user: Any) -> str:
        return str(user.username)

    def get_totp_issuer(self) -> str:
        return str(settings.MFA_TOTP_ISSUER)


def role_requires(user: User) -> bool:
    return bool(
        getattr(user, "role", "") in settings.SECOND_FACTOR_ROLES
        or user.is_staff
        or user.is_superuser
    )


def enrolled(user: User) -> bool:
    return Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists()


def required_for(user: User) -> bool:
    return role_requires(user) or enrolled(user)


# Session state ------------------------------------------------------------------------------


def _signed_in_state(user: User) -> dict[str, Any]:
    """Verified only when this person needs no second factor."""
    return {"user": user.pk, "verified": not required_for(user)}


def on_signed_in(sender: object, request: HttpRequest, user: User, **kwargs: object) -> None:
    session = getattr(request, "session", None)
    if session is not None:
        session[SESSION_KEY] = _signed_in_state(user)


def session_verified(request: HttpRequest) -> bool:
    user = request.user
    state = request.session.get(SESSION_KEY)
    if not isinstance(state, dict) or state.get("user") != user.pk:
        # A session from before the second factor existed: decide now, once.
        state = request.session[SESSION_KEY] = _signed_in_state(user)  # type: ignore[arg-type]
    return bool(state["verified"])


def mark_verified(session: SessionBase, user: User) -> None:
    session[SESSION_KEY] = {"user": user.pk, "verified": True}


# Codes ---------------------------------------------------------------------------------------


def normalise_code(code: str) -> str:
    """Digits from a Chinese keyboard as ASCII; spaces and dashes people type dropped."""
    return "".join(unicodedata.normalize("NFKC", code).split()).replace("-", "")


def code_is_valid(user: User, code: str) -> bool:
    """A current TOTP code (each taken once) or an unused recovery code (then spent)."""
    code = normalise_code(code)
    if not code:
        return False
    for authenticator in Authenticator.objects.filter(user_id=user.pk).exclude(
        type=Authenticator.Type.WEBAUTHN
    ):
        if authenticator.wrap().validate_code(code):
            authenticator.record_usage()
            return True
    return False


def verify(*, request: HttpRequest | None, user: User, code: str) -> None:
    """Check a second-factor code for `user` under the sign-in limiter (the request gives the
    client address). Raises ApplicationError (code `throttled` or `wrong_code`)."""
    wait = ratelimit.seconds_to_wait(request, user.username)
    if wait:
        raise ApplicationError(
            _("Too many wrong codes. Try again in %(minutes)s minute(s).")
            % {"minutes": ratelimit.minutes_to_wait(wait)},
            code="throttled",
        )
    address = ratelimit.client_address(request) if request is not None else ""
    if not code_is_valid(user, code):
        ratelimit.record_failure(request, user.username)
        audit_record(
            actor=None,
            action="signin.second_factor_failed",
            target=user,
            case_ref="",
            data={"address": address},
        )
        raise ApplicationError(
            _("That code is not right, or was used already. Enter the current code."),
            code="wrong_code",
        )
    ratelimit.record_success(user.username)
    audit_record(
        actor=user,
        action="signin.second_factor",
        target=user,
        case_ref="",
        data={"address": address},
    )


# Enrolment -----------------------------------------------------------------------------------


def pending_secret(request: HttpRequest, *, new: bool = False) -> str:
    """The secret being enrolled, kept in the session until the first code proves the app has
    it (a reload shows the same QR code)."""
    secret = None if new else request.session.get(SECRET_SESSION_KEY)
    if not secret:
        secret = request.session[SECRET_SESSION_KEY] = generate_totp_secret()
    return str(secret)


def setup_qr_svg(user: User, secret: str) -> str:
    adapter = get_adapter()
    return adapter.build_totp_svg(adapter.build_totp_url(user, secret))


@transaction.atomic
def enrol(*, request: HttpRequest, user: User, code: str) -> list[str]:
    """Turn the second factor on with the pending secret, once a code from the app matches it.
    Returns the recovery codes, to be shown once."""
    if enrolled(user):
        raise ApplicationError(_("Two-step verification is already on."), code="enrolled")
    secret = request.session.get(SECRET_SESSION_KEY)
    if not secret:
        raise ApplicationError(_("Start again: scan the new code."), code="no_secret")
    if not validate_totp_code(str(secret), normalise_code(code)):
        raise ApplicationError(
            _("That code does not match. Check the time on your phone and enter the current code."),
            code="wrong_code",
        )
    TOTP.activate(user, str(secret))
    codes = RecoveryCodes.activate(user).get_unused_codes()
    audit_record(actor=user, action="second_factor.enrolled", target=user, case_ref="")
    del request.session[SECRET_SESSION_KEY]
    mark_verified(request.session, user)
    return codes


@transaction.atomic
def new_recovery_codes(*, user: User) -> list[str]:
    """Replace the recovery codes (the old ones stop working)."""
    Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.RECOVERY_CODES).delete()
    codes = RecoveryCodes.activate(user).get_unused_codes()
    audit_record(
        actor=user, action="second_factor.recovery_codes_renewed", target=user, case_ref=""
    )
    return codes


def recovery_codes_left(user: User) -> int:
    authenticator = Authenticator.objects.filter(
        user_id=user.pk, type=Authenticator.Type.RECOVERY_CODES
    ).first()
    return len(RecoveryCodes(authenticator).get_unused_codes()) if authenticator else 0


@transaction.atomic
def turn_off(*, user: User, by: User, code: str = "") -> None:
    """Remove a person's second factor. Someone whose role requires one cannot turn it off
    (an administrator resets it for them, e.g. after a lost phone, and they enrol again at the
    next sign-in); a customer turns it off with a current code."""
    if by.pk == user.pk:
        if role_requires(user):
            raise ApplicationError(
                _("Your role requires two-step verification; it cannot be turned off."),
                code="required",
            )
        if not code_is_valid(user, code):
            raise ApplicationError(_("That code is not right."), code="wrong_code")
    Authenticator.objects.filter(user_id=user.pk).delete()
    audit_record(
        actor=by,
        action="second_factor.removed",
        target=user,
        case_ref="",
        data={"by_self": by.pk == user.pk},
    )
