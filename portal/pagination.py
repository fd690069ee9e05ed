"""Paging for the HTML lists, in the shape `templates/includes/pagination.html` reads."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

PAGE_SIZE = 25


def paginate(request: HttpRequest, qs: QuerySet[Any], per_page: int = PAGE_SIZE) -> dict[str, Any]:
    """The requested page of `qs` (out-of-range or junk page numbers give the nearest page) and
    the query string without `page`, so the page links keep the list's filters."""
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "page": Paginator(qs, per_page).get_page(request.GET.get("page")),
        "query": query.urlencode(),
    }
