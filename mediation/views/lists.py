"""Lists of disputes per role. Each list is one page of rows with a constant query count."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from mediation import access as dispute_access
from mediation.forms import QueueFilterForm
from portal.decorators import role_required
from portal.pagination import paginate
from portal.types import AuthedRequest


@login_required
@role_required("customer")
def my_disputes(request: AuthedRequest) -> HttpResponse:
    qs = dispute_access.disputes_visible_to(request.user).for_list()
    return render(
        request,
        "mediation/my_disputes.html",
        {**paginate(request, qs), "today": timezone.localdate()},
    )


@login_required
@role_required("staff")
def queue(request: AuthedRequest) -> HttpResponse:
    today = timezone.localdate()
    qs = dispute_access.disputes_visible_to(request.user).for_list()
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
    return render(
        request, "mediation/queue.html", {"form": form, **paginate(request, qs), "today": today}
    )


@login_required
@role_required("auditor")
def closed_cases(request: AuthedRequest) -> HttpResponse:
    qs = dispute_access.disputes_visible_to(request.user).for_list()
    return render(
        request,
        "mediation/case_list.html",
        {**paginate(request, qs), "today": timezone.localdate(), "title_kind": "closed"},
    )


@login_required
@role_required("partner")
def partner_cases(request: AuthedRequest) -> HttpResponse:
    qs = dispute_access.disputes_visible_to(request.user).for_list()
    return render(
        request,
        "mediation/case_list.html",
        {**paginate(request, qs), "today": timezone.localdate(), "title_kind": "partner"},
    )
