"""Where a posted form leads, with or without scripts.

A form sent by htmx (an action's form on a case page) is done without a reload: the answer is
an `HX-Location` to the page the person goes back to, whose main part htmx fetches and puts in
place of the current one, scrolled to the top where the page's messages say what happened; the
address bar follows. A form posted without scripts gets the ordinary redirect to the same page.
"""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect


def leave_to(request: HttpRequest, url: str) -> HttpResponse:
    """The answer to a posted form that is done (or refused by a service): the page at `url`."""
    if getattr(request, "htmx", False):
        response = HttpResponse()
        # (django_htmx's HttpResponseLocation types `swap` without modifiers such as `show:`.)
        response["HX-Location"] = json.dumps(
            {"path": url, "target": "#main", "select": "#main", "swap": "outerHTML show:window:top"}
        )
        return response
    return redirect(url)
