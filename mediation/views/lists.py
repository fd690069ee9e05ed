"""Lists of disputes per role. Each list is one page of rows with a constant query count."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import F, Q
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from mediation import access as dispute_access
from mediation.forms import QueueFilterForm
from portal import access as portal_access
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


def find_condition(text: str) -> Q:
    """What staff type into the queue's search: a reference, a name, a whole mobile number, or
    the last four digits of a mobile or an ID number (what a caller reads out)."""
    text = text.strip().upper()
    if text.startswith("MD-"):
        return Q(reference__startswith=text)
    if len(text) == 4 and text[:3].isdigit() and (text[3].isdigit() or text[3] == "X"):
        # An ID number may end in X (its check digit); a mobile number never does.
        by_id = Q(customer__id_number__endswith=text)
        return by_id | Q(customer__mobile__endswith=text) if text.isdigit() else by_id
    if text.isdigit() and len(text) == 11:
        return Q(customer__mobile=text) | Q(customer__recorded_mobile=text)
    return Q(customer__real_name__icontains=text) | Q(reference__icontains=text)


@login_required
@role_required("staff")
def queue(request: AuthedRequest) -> HttpResponse:
    today = timezone.localdate()
    qs = dispute_access.disputes_visible_to(request.user).for_list()
    form = QueueFilterForm(
        request.GET or None, all_branches=portal_access.is_head_office_staff(request.user)
    )
    if form.is_valid():
        data = form.cleaned_data
        if data.get("q"):
            qs = qs.filter(find_condition(data["q"]))
        if data.get("sort") == "deadline":
            qs = qs.order_by(F("next_deadline").asc(nulls_last=True), "-received_at", "-pk")
        elif data.get("sort") == "amount":
            qs = qs.order_by("-amount", "-received_at", "-pk")
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
