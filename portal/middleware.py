"""Request hygiene and page-level error handling: proxy headers believed only from trusted
proxies; a refused domain action becomes a message, never a 500."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme

from portal.exceptions import normalise_exception
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
        if request.method == "POST":
            messages.error(request, error.message)
            return HttpResponseRedirect(self._back(request))
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
