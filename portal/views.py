"""Sign-in, registration and the home page per role."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.db.models import Avg, Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from mediation.lifecycle import DisputeStatus
from portal import permissions
from portal.forms import RegistrationForm, SignInForm
from portal.ratelimit import signin_blocked, signin_failed, signin_succeeded
from portal.services import user_register_customer


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "portal/landing.html")
    user = request.user
    today = timezone.localdate()
    context: dict[str, object] = {"today": today}
    visible = permissions.disputes_visible_to(user)
    if permissions.is_customer(user):
        context["disputes"] = visible.for_list()[:5]
        template = "portal/home_customer.html"
    elif permissions.is_bank_staff(user):
        context["counts"] = {
            "new": visible.filter(status=DisputeStatus.SUBMITTED).count(),
            "open": visible.open().count(),
            "overdue": visible.overdue(today=today).count(),
            "due_soon": visible.due_soon(today=today).count(),
            "fast_lane": visible.fast_lane().count(),
        }
        context["satisfaction"] = visible.filter(return_visit__isnull=False).aggregate(
            average=Avg("return_visit__rating"), count=Count("return_visit")
        )
        template = "portal/home_staff.html"
    elif permissions.is_partner_member(user):
        context["disputes"] = visible.for_list()[:10]
        template = "portal/home_partner.html"
    elif permissions.is_auditor(user):
        from referrals.services.reviews import auditor_figures

        context["closed_count"] = visible.count()
        context["figures"] = auditor_figures(today=today)
        template = "portal/home_auditor.html"
    else:
        template = "portal/home_admin.html"
    return render(request, template, context)


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
    """Django's sign-in, rate limited per address and login (portal/ratelimit.py)."""

    authentication_form = SignInForm

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        login_name = request.POST.get("username", "")
        if signin_blocked(request, login_name):
            form = self.get_form()
            form.add_error(
                None, _("Too many failed attempts. Wait 15 minutes, or reset your password.")
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        response = super().post(request, *args, **kwargs)
        if request.user.is_authenticated:
            signin_succeeded(request, login_name)
        else:
            signin_failed(request, login_name)
        return response


def error_400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "400.html", status=400)


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", status=500)
