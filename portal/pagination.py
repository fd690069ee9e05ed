"""Paging for the HTML lists, in the shape `templates/includes/pagination.html` reads."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, QueryDict

PAGE_SIZE = 25
# A list counts its rows up to this many. Counting every row of a million-case queue costs more
# than the page itself (a head-office COUNT is a scan of the whole table); past a thousand
# cases people filter, they do not page.
COUNT_CAP = 1000


class CappedPaginator(Paginator):
    """A Paginator over the first COUNT_CAP rows at most; `capped` tells the page there are
    more, so that it says so rather than show a total it did not count."""

    @cached_property
    def _counted(self) -> int:
        qs = self.object_list
        if not isinstance(qs, QuerySet):
            return len(qs)
        if qs.query.is_sliced:  # already bounded
            return qs.count()
        # Unordered: the database need not sort what it only counts.
        return qs.order_by()[: COUNT_CAP + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self._counted, COUNT_CAP)

    @property
    def capped(self) -> bool:
        return self._counted > COUNT_CAP


def paginate(
    request: HttpRequest, qs: QuerySet[Any], per_page: int | None = None
) -> dict[str, Any]:
    """The requested page of `qs` (out-of-range or junk page numbers give the nearest page) and
    the query string without `page`, so the page links keep the list's filters."""
    return {
        "page": CappedPaginator(qs, per_page or PAGE_SIZE).get_page(request.GET.get("page")),
        "query": without_page(request.GET),
    }


def without_page(params: QueryDict) -> str:
    """A list's query string without its page: its filters alone, encoded."""
    kept = params.copy()
    kept.pop("page", None)
    return kept.urlencode()


def list_url(path: str, query: str) -> str:
    """`path` with the list filters of a query string a form posted back (the list the person
    was looking at): its parameters only, re-encoded, without the page; never a place to go."""
    encoded = without_page(QueryDict(query))
    return f"{path}?{encoded}" if encoded else path
