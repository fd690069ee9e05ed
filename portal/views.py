"""Sign-in, registration and the home page per role."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal.forms import RegistrationForm, SignInForm
from portal.services import user_register_customer

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
    return render(request, template, {"today": today, **context})


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = user_register_customer(
            real_name=data["real_name"],
            mobile=data["mobile"],
            email=data["email"],
            id_number=data["id_number"],
            password=data["password1"],
        )
        login(request, user, backend="portal.auth_backends.MobileOrEmailBackend")
        messages.success(request, _("Welcome. Your account is ready."))
        return redirect("home")
    return render(request, "registration/register.html", {"form": form})


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/profile.html")


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
