"""One-time codes by SMS: six digits, valid OTP_VALID_SECONDS (5 minutes), OTP_MAX_ATTEMPTS
(5) tries, used once, stored only as an HMAC keyed with SECRET_KEY. Sending is limited per
number (one a minute, OTP_MAX_PER_NUMBER an hour) and per client address (OTP_MAX_PER_ADDRESS
an hour), counted in the shared cache. A new code replaces the number's earlier ones for the
same purpose.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from portal.exceptions import ApplicationError
from portal.models import OneTimeCode
from portal.ratelimit import count_in_window
from portal.sms import SmsError, sms_send


class CodeRefused(ApplicationError):
    code = "code_refused"


class TooManyCodes(ApplicationError):
    code = "throttled"
    http_status = 429


def _digest(mobile: str, purpose: str, code: str) -> str:
    return salted_hmac("portal.otp", f"{purpose}|{mobile}|{code}", algorithm="sha256").hexdigest()


def otp_send(*, mobile: str, purpose: str, address: str, text: str) -> None:
    """Send a new code to `mobile`; `text` holds `{code}` where the code goes. Raises
    TooManyCodes when a limit is reached (the message says how long to wait)."""
    if not cache.add(f"otp:gap:{purpose}:{mobile}", 1, 60):
        raise TooManyCodes(_("A code was sent less than a minute ago. Please wait a moment."))
    if (
        count_in_window(f"otp:number:{mobile}", 3600) > settings.OTP_MAX_PER_NUMBER
        or count_in_window(f"otp:address:{address}", 3600) > settings.OTP_MAX_PER_ADDRESS
    ):
        raise TooManyCodes(_("Too many codes were asked for. Please try again in an hour."))
    code = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        now = timezone.now()
        OneTimeCode.objects.filter(mobile=mobile, purpose=purpose, used_at__isnull=True).update(
            used_at=now
        )
        OneTimeCode.objects.create(
            mobile=mobile,
            purpose=purpose,
            code_hash=_digest(mobile, purpose, code),
            expires_at=now + timedelta(seconds=settings.OTP_VALID_SECONDS),
        )
    # Network I/O after the code is committed, outside any transaction (callers hold none).
    try:
        sms_send(mobile, text.format(code=code))
    except SmsError as exc:
        raise ApplicationError(
            _("The text message could not be sent just now. Please try again in a minute."),
            code="sms_failed",
        ) from exc


def otp_verify(*, mobile: str, purpose: str, code: str) -> None:
    """Spend one try of the number's current code; raises CodeRefused unless it matches."""
    wrong = CodeRefused(_("The code is wrong or has expired. Ask for a new one."))
    with transaction.atomic():
        current = (
            OneTimeCode.objects.select_for_update()
            .filter(mobile=mobile, purpose=purpose, used_at__isnull=True)
            .order_by("-created_at")
            .first()
        )
        if (
            current is None
            or current.expires_at <= timezone.now()
            or current.attempts >= settings.OTP_MAX_ATTEMPTS
        ):
            raise wrong
        current.attempts += 1
        matched = hmac.compare_digest(current.code_hash, _digest(mobile, purpose, code.strip()))
        if matched:
            current.used_at = timezone.now()
        current.save(update_fields=["attempts", "used_at"])
    if not matched:
        raise wrong
