"""Sign-in, registration and the home page per role."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.hashers import make_password
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal import second_factor
from portal.exceptions import ApplicationError
from portal.forms import (
    CodeForm,
    EnrolCodeForm,
    RegistrationForm,
    SecondFactorCodeForm,
    SignInForm,
)
from portal.models import OneTimeCodePurpose, User
from portal.otp import otp_send, otp_verify
from portal.ratelimit import client_address
from portal.services import user_register_customer, user_verify_mobile
from portal.validators import mask_mobile
from portal.waiting import waiting_for

# Each role's home page, registered by the app that owns what it shows (mediation: customers,
# staff and partners; referrals: auditors). A builder takes the request and today's date and
# returns the template and its context; roles with none registered see the administrator's page.
type HomeBuilder = Callable[[HttpRequest, date], tuple[str, dict[str, object]]]
HOME_PAGES: dict[str, HomeBuilder] = {}


def register_home(role: str, builder: HomeBuilder) -> None:
    HOME_PAGES[role] = builder


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "portal/landing.html")
    today = timezone.localdate()
    builder = HOME_PAGES.get(request.user.role)
    if builder is None:
        return render(request, "portal/home_admin.html", {"today": today})
    template, context = builder(request, today)
    waiting = waiting_for(request.user, today)
    return render(request, template, {"today": today, "waiting": waiting, **context})


PENDING = "pending_registration"


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    """Registration, step 1. With a mobile number the account is made only once the number is
    proved with a one-time code (step 2); the answer is the same whether or not the number is
    registered already, and a number held by a proved account never gets a code."""
    if request.user.is_authenticated:
        return redirect("home")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        request.session[PENDING] = {
            "real_name": data["real_name"],
            "mobile": data["mobile"],
            "email": data["email"],
            "id_number": data["id_number"],
            "password_hash": make_password(data["password1"]),
        }
        try:
            _send_registration_code(request, data["mobile"])
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            return redirect("register_verify")
    return render(request, "registration/register.html", {"form": form})


def _send_registration_code(request: HttpRequest, mobile: str) -> None:
    if User.objects.filter(mobile=mobile, mobile_verified_at__isnull=False).exists():
        return  # taken: no code can be right, and the page says the same as for a free number
    otp_send(
        mobile=mobile,
        purpose=OneTimeCodePurpose.REGISTER,
        address=client_address(request),
        text=_("Your registration code is {code}. It is valid for 5 minutes; do not share it."),
    )


@require_http_methods(["GET", "POST"])
def register_verify(request: HttpRequest) -> HttpResponse:
    """Registration, step 2: the code sent to the number. A new code on request."""
    pending = request.session.get(PENDING)
    if request.user.is_authenticated or not pending:
        return redirect("register")
    form = CodeForm(request.POST if "code" in request.POST else None)
    if request.method == "POST" and "resend" in request.POST:
        try:
            _send_registration_code(request, pending["mobile"])
            messages.success(request, _("A new code is on its way."))
        except ApplicationError as error:
            messages.error(request, error.message)
        return redirect("register_verify")
    if request.method == "POST" and form.is_valid():
        try:
            otp_verify(
                mobile=pending["mobile"],
                purpose=OneTimeCodePurpose.REGISTER,
                code=form.cleaned_data["code"],
            )
        except ApplicationError as error:
            form.add_error("code", error.message)
        else:
            user = user_register_customer(
                real_name=pending["real_name"],
                mobile=pending["mobile"],
                email=pending["email"],
                id_number=pending["id_number"],
                password_hash=pending["password_hash"],
            )
            del request.session[PENDING]
            login(request, user, backend="portal.auth_backends.MobileOrEmailBackend")
            messages.success(
                request, _("Welcome. Your mobile number is verified and your account is ready.")
            )
            if pending["email"] and not user.email:
                messages.warning(
                    request,
                    _("The email address was not added: another account uses it."),
                )
            return redirect("home")
    return render(
        request,
        "registration/register_verify.html",
        {"form": form, "masked_mobile": mask_mobile(pending["mobile"])},
    )


@login_required
@require_http_methods(["GET", "POST"])
def verify_mobile(request: HttpRequest) -> HttpResponse:
    """A customer whose account predates verified numbers proves theirs: cases recorded by
    phone for that number and their ID number then reach them."""
    user: User = request.user  # type: ignore[assignment]
    if not user.mobile or user.mobile_verified_at is not None:
        return redirect("profile")
    form = CodeForm(request.POST if "code" in request.POST else None)
    if request.method == "POST" and "send" in request.POST:
        try:
            otp_send(
                mobile=user.mobile,
                purpose=OneTimeCodePurpose.REGISTER,
                address=client_address(request),
                text=_("Your verification code is {code}. It is valid for 5 minutes."),
            )
            messages.success(request, _("A code is on its way to your mobile."))
        except ApplicationError as error:
            messages.error(request, error.message)
        return redirect("verify_mobile")
    if request.method == "POST" and form.is_valid():
        try:
            otp_verify(
                mobile=user.mobile,
                purpose=OneTimeCodePurpose.REGISTER,
                code=form.cleaned_data["code"],
            )
        except ApplicationError as error:
            form.add_error("code", error.message)
        else:
            user_verify_mobile(user=user)
            messages.success(request, _("Your mobile number is verified."))
            return redirect("profile")
    return render(request, "portal/verify_mobile.html", {"form": form})


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    return render(
        request,
        "portal/profile.html",
        {
            "second_factor_on": second_factor.enrolled(user),
            "second_factor_required": second_factor.role_requires(user),
            "recovery_codes_left": second_factor.recovery_codes_left(user),
        },
    )


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


@login_required
@require_http_methods(["GET", "POST"])
def second_factor_verify(request: HttpRequest) -> HttpResponse:
    """Sign-in, step 2: the code from the app (or a recovery code)."""
    user: User = request.user  # type: ignore[assignment]
    if second_factor.session_verified(request):
        return redirect(_next_url(request))
    if not second_factor.enrolled(user):
        return redirect(f"{reverse('second_factor_enrol')}?{request.GET.urlencode()}")
    form = SecondFactorCodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            second_factor.verify(request=request, user=user, code=form.cleaned_data["code"])
        except ApplicationError as error:
            form.add_error("code", error.message)
            status = 429 if error.code == "throttled" else 200  # as a wrong password
        else:
            second_factor.mark_verified(request.session, user)
            if second_factor.recovery_codes_left(user) <= 3:
                messages.warning(
                    request,
                    _("Only %(n)s recovery codes are left. Make new ones on your account page.")
                    % {"n": second_factor.recovery_codes_left(user)},
                )
            return redirect(_next_url(request))
    return render(
        request,
        "registration/second_factor_verify.html",
        {"form": form, "next": _next_url(request)},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def second_factor_enrol(request: HttpRequest) -> HttpResponse:
    """Turn on two-step verification: scan the QR code, enter the app's code, keep the ten
    recovery codes (shown once). Staff, partners, auditors and administrators land here at
    their first sign-in; customers may come from their account page."""
    user: User = request.user  # type: ignore[assignment]
    if second_factor.enrolled(user):
        if not second_factor.session_verified(request):
            return redirect(f"{reverse('second_factor_verify')}?{request.GET.urlencode()}")
        messages.info(request, _("Two-step verification is already on."))
        return redirect("profile")
    form = EnrolCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = second_factor.enrol(request=request, user=user, code=form.cleaned_data["code"])
        except ApplicationError as error:
            form.add_error("code", error.message)
        else:
            return render(
                request,
                "registration/second_factor_codes.html",
                {"codes": codes, "next": _next_url(request), "first_time": True},
            )
    secret = second_factor.pending_secret(request)
    return render(
        request,
        "registration/second_factor_enrol.html",
        {
            "form": form,
            "secret": secret,
            "qr_svg": second_factor.setup_qr_svg(user, secret),
            "next": _next_url(request),
            "required": second_factor.role_requires(user),
        },
    )


@login_required
@require_http_methods(["POST"])
def second_factor_manage(request: HttpRequest) -> HttpResponse:
    """From the account page: new recovery codes, or (customers only) turning it off."""
    user: User = request.user  # type: ignore[assignment]
    if not second_factor.enrolled(user):
        return redirect("profile")
    if "renew" in request.POST:
        codes = second_factor.new_recovery_codes(user=user)
        return render(
            request,
            "registration/second_factor_codes.html",
            {"codes": codes, "next": reverse("profile"), "first_time": False},
        )
    try:
        second_factor.turn_off(user=user, by=user, code=request.POST.get("code", ""))
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Two-step verification is off."))
    return redirect("profile")


class SignInView(LoginView):
    """Django's sign-in under the one limiter (portal/ratelimit.py): 429 while it waits."""

    authentication_form = SignInForm

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        if getattr(request, "signin_wait", 0):
            response.status_code = 429
        return response


def error_400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "400.html", status=400)


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", status=500)
