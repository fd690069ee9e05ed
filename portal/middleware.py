"""Page-level error handling: a refused domain action becomes a message, never a 500."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render

from portal.exceptions import normalise_exception


class ApplicationErrorMiddleware:
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
            back = request.headers.get("referer") or request.path
            if not back.startswith(("/", request.build_absolute_uri("/"))):
                back = request.path
            return HttpResponseRedirect(back)
        return render(request, "400.html", {"message": error.message}, status=error.http_status)
