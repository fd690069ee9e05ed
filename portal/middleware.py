"""Request hygiene and page-level error handling: proxy headers believed only from trusted
proxies; a refused domain action becomes a message, never a 500."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import cache
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from portal import refusals
from portal.exceptions import normalise_exception
from portal.htmx import leave_to
from portal.ratelimit import is_trusted_proxy


class TrustedProxyHeaders:
    """X-Forwarded-For and X-Forwarded-Proto from anyone but a proxy in TRUSTED_PROXIES are
    dropped before anything reads them: a client cannot claim HTTPS (SECURE_PROXY_SSL_HEADER)
    or another address (rate limits)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_trusted_proxy(request.META.get("REMOTE_ADDR", "")):
            request.META.pop("HTTP_X_FORWARDED_FOR", None)
            request.META.pop("HTTP_X_FORWARDED_PROTO", None)
        return self.get_response(request)


class SessionLifetime:
    """A session ends after SESSION_IDLE_SECONDS without a request (30 minutes for staff,
    partners, auditors and administrators; SESSION_IDLE_SECONDS_CUSTOMER for customers) and in
    any case SESSION_ABSOLUTE_SECONDS after sign-in. The next page says why and asks to sign
    in again; an API call made with the session is then anonymous (401)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if user is not None and user.is_authenticated and session is not None:
            # A page asking for its unread count by itself is not someone using the portal.
            passive = request.path == _passive_path()
            now = int(time.time())
            started = session.setdefault("signed_in_at", now)  # stamped at sign-in (below)
            seen = session.get("seen_at", now)
            idle = (
                settings.SESSION_IDLE_SECONDS_CUSTOMER
                if getattr(user, "role", "") == "customer"
                else settings.SESSION_IDLE_SECONDS
            )
            if now - seen > idle or now - started > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                if passive:
                    return HttpResponse(status=286)  # htmx: stop asking
                if not request.path.startswith("/api/"):
                    messages.info(request, _("You were signed out after a while without use."))
                    return redirect_to_login(request.get_full_path())
            elif not passive and (now - seen >= 60 or "seen_at" not in session):
                session["seen_at"] = now  # written at most once a minute
        return self.get_response(request)


@cache
def _passive_path() -> str:
    return reverse("notifications_count")


def stamp_session(sender: object, request: HttpRequest, **kwargs: object) -> None:
    """The session's clocks start at sign-in (so a page's first request writes nothing);
    connected to user_logged_in in portal/apps.py."""
    if getattr(request, "session", None) is not None:
        now = int(time.time())
        request.session["signed_in_at"] = now
        request.session["seen_at"] = now


class SecondFactorRequired:
    """A session whose password was right but whose second factor is still owed
    (portal/second_factor.py) reaches only the code page, the enrolment page, sign-out and the
    language switch; any other page sends it there, and an API call answers 403."""

    # The unread count answers a half-signed-in page itself: "stop asking" (no redirect).
    OPEN_VIEWS = frozenset(
        {
            "second_factor_verify",
            "second_factor_enrol",
            "logout",
            "set_language",
            "notifications_count",
        }
    )

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        from portal import second_factor

        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or second_factor.session_verified(request):
            return None
        match = request.resolver_match
        if match is not None and match.url_name in self.OPEN_VIEWS:
            return None
        if request.path.startswith("/api/"):
            return JsonResponse(
                {
                    "code": "second_factor_required",
                    "detail": _("Finish signing in with your second factor first."),
                },
                status=403,
            )
        page = "second_factor_verify" if second_factor.enrolled(user) else "second_factor_enrol"
        return HttpResponseRedirect(
            f"{reverse(page)}?{urlencode({'next': request.get_full_path()})}"
        )


class NoStoreForPeople:
    """Every answer to a signed-in person or an API client is theirs alone: no browser or proxy
    cache keeps it (case pages, downloads, the confirmation application). Static files never
    get here (WhiteNoise answers them first)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or request.path.startswith("/api/"):
            add_never_cache_headers(response)
        return response


class HtmxRedirectsThePage:
    """A redirect answering htmx takes the whole page, not the part that asked: an ended
    session's sign-in page or the second-factor check would otherwise appear inside a panel
    (htmx's request follows a redirect by itself). A form sent from a panel goes where the
    redirect says (after signing in, to the action's own page); a part the page asked for
    by itself (a panel's form, a bundle's status) reloads the page, which then leads to the
    sign-in page and back to the page, never to the part alone. The portal's answer to a form
    done is an HX-Location already (portal.htmx.leave_to); this is for every other redirect."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, "htmx", False) and 300 <= response.status_code < 400:
            location = response.get("Location")
            if location:
                # The same response (its cookies kept), as htmx reads a redirect of the page.
                del response["Location"]
                if request.method == "GET":
                    response["HX-Refresh"] = "true"
                else:
                    response["HX-Redirect"] = location
                response.status_code = 200
        return response


class ApplicationErrorMiddleware:
    """A view may set `request.error_redirect` to the page its form was posted from; else the
    same-site referer is used, else the home page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if request.path.startswith("/api/"):
            return None  # DRF's handler owns API errors
        error = normalise_exception(exception)
        if error is None:
            return None
        if error.http_status == 403:
            refusals.note(request.user, "action.refused", error.code, request.path)
        if request.method == "POST":
            messages.error(request, error.message)
            return leave_to(request, self._back(request))
        return render(request, "400.html", {"message": error.message}, status=error.http_status)

    @staticmethod
    def _back(request: HttpRequest) -> str:
        target = getattr(request, "error_redirect", None)
        if target:
            return str(target)
        referer = request.headers.get("referer", "")
        if referer and url_has_allowed_host_and_scheme(
            referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return referer
        return "/"


class PortalLocaleMiddleware(LocaleMiddleware):
    """Chinese first: pages are in zh-Hans unless the user chose English with the switch (the
    language cookie). The API follows Accept-Language, so `Accept-Language: en` gives English
    error messages to partner systems."""

    def process_request(self, request: HttpRequest) -> None:
        if request.path.startswith("/api/"):
            language = translation.get_language_from_request(request)
        else:
            cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
            language = cookie if cookie in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
