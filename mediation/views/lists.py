"""Lists of disputes per role. Each list is one page of rows with a constant query count."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from mediation.forms import QueueFilterForm
from mediation.models import Dispute
from portal import permissions
from portal.decorators import role_required
from portal.types import AuthedRequest

PAGE_SIZE = 25


def _page(request: AuthedRequest, qs: QuerySet[Dispute]) -> Page[Dispute]:
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


@login_required
@role_required("customer")
def my_disputes(request: AuthedRequest) -> HttpResponse:
    qs = permissions.disputes_visible_to(request.user).for_list()
    return render(
        request,
        "mediation/my_disputes.html",
        {"page": _page(request, qs), "today": timezone.localdate()},
    )


@login_required
@role_required("staff")
def queue(request: AuthedRequest) -> HttpResponse:
    today = timezone.localdate()
    qs = permissions.disputes_visible_to(request.user).for_list()
    form = QueueFilterForm(request.GET or None)
    if form.is_valid():
        data = form.cleaned_data
        if data.get("status"):
            qs = qs.filter(status=data["status"])
        if data.get("branch"):
            qs = qs.filter(branch=data["branch"])
        if data.get("category"):
            qs = qs.filter(category=data["category"])
        if data.get("clock") == "overdue":
            qs = qs.overdue(today=today)
        elif data.get("clock") == "due_soon":
            qs = qs.due_soon(today=today)
        if data.get("fast_lane"):
            qs = qs.fast_lane()
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "mediation/queue.html",
        {
            "form": form,
            "page": _page(request, qs),
            "today": today,
            "query": query.urlencode(),
        },
    )


@login_required
@role_required("auditor")
def closed_cases(request: AuthedRequest) -> HttpResponse:
    qs = permissions.disputes_visible_to(request.user).for_list()
    return render(
        request,
        "mediation/case_list.html",
        {"page": _page(request, qs), "today": timezone.localdate(), "title_kind": "closed"},
    )


@login_required
@role_required("partner")
def partner_cases(request: AuthedRequest) -> HttpResponse:
    qs = permissions.disputes_visible_to(request.user).for_list()
    return render(
        request,
        "mediation/case_list.html",
        {"page": _page(request, qs), "today": timezone.localdate(), "title_kind": "partner"},
    )
