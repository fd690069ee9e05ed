"""Lists of disputes per role. Each list is one page of rows with a constant query count."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, NullIf
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mediation import access as dispute_access
from mediation.forms import QueueFilterForm
from mediation.lifecycle import DisputeStatus
from mediation.models import Channel, DisputeQuerySet, ProductCategory, subject_of
from mediation.services import saved_filters
from mediation.views.bulk import bulk_forms
from portal import access as portal_access
from portal.audit import audit_record
from portal.decorators import role_required
from portal.exports import csv_response, xlsx_response
from portal.pagination import list_url, paginate
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
    form, qs = _filtered_queue(request, today)
    handler = form.cleaned_data.get("handler") if form.is_valid() else None
    return render(
        request,
        "mediation/queue.html",
        {
            "form": form,
            # Whose caseload this is: named only if it is a member of staff's.
            "caseload_of": dispute_access.caseload_owner(handler) if handler else None,
            "province": form.cleaned_data.get("province") if form.is_valid() else "",
            **paginate(request, qs),
            "today": today,
            # Rendered in a cached fragment: built only when the fragment is (a callable).
            "bulk_actions": lambda: bulk_forms(request.user),
            "saved_filters": list(request.user.saved_filters.all()),
        },
    )


@login_required
@role_required("staff")
@require_POST
def saved_filter_save(request: AuthedRequest) -> HttpResponse:
    """Keep the filter the queue shows under a name; the queue then offers it as a link."""
    query = request.POST.get("query", "")
    request.error_redirect = list_url(reverse("mediation:queue"), query)  # type: ignore[attr-defined]
    saved = saved_filters.saved_filter_save(
        actor=request.user, name=request.POST.get("name", ""), query=query
    )
    messages.success(request, _("Filter kept as “%(name)s”.") % {"name": saved.name})
    return redirect(list_url(reverse("mediation:queue"), saved.query))


@login_required
@role_required("staff")
@require_POST
def saved_filter_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    saved_filters.saved_filter_delete(actor=request.user, filter_id=pk)
    messages.success(request, _("Filter dropped."))
    return redirect("mediation:queue")


# An export holds the filtered queue up to this many rows (a spreadsheet, not a data dump);
# narrow the filter for more.
EXPORT_MAX_ROWS = 20_000


@login_required
@role_required("staff")
def queue_export(request: AuthedRequest, fmt: str) -> HttpResponseBase:
    """The filtered queue as CSV or XLSX: what the page lists, with the subject, for the
    branch's own follow-up. Personal data: the export is audited with its filter and size."""
    today = timezone.localdate()
    form, qs = _filtered_queue(request, today)
    if fmt not in ("csv", "xlsx"):
        raise Http404("export")
    if request.GET and not form.is_valid():
        # The queue shows what is wrong with the filter; nothing is exported.
        return redirect(reverse("mediation:queue") + "?" + request.GET.urlencode())
    # The customer as the page names them: their real name, else their login.
    customer = Coalesce(NullIf("customer__real_name", Value("")), "customer__username")
    rows = list(
        qs.annotate(customer_name=customer).values_list(
            "reference",
            "received_at",
            "customer_name",
            "branch__name",
            "category",
            "request",
            "amount",
            "status",
            "next_deadline",
            "channel",
        )[: EXPORT_MAX_ROWS + 1]
    )
    if len(rows) > EXPORT_MAX_ROWS:
        messages.error(
            request,
            _("More than %(n)s cases match: narrow the filter to export them.")
            % {"n": f"{EXPORT_MAX_ROWS:,}"},
        )
        return redirect(reverse("mediation:queue") + "?" + request.GET.urlencode())
    audit_record(
        actor=request.user,
        action="queue.exported",
        target=request.user,
        case_ref="",
        data={"format": fmt, "filter": request.GET.dict(), "rows": len(rows)},
    )
    header = [
        _("Reference"),
        _("Received"),
        _("Customer"),
        _("Branch"),
        _("Product"),
        _("Subject"),
        _("Amount claimed (yuan)"),
        _("Status"),
        _("Next deadline"),
        _("Channel"),
    ]
    table = [_export_row(row, as_number=fmt == "xlsx") for row in rows]
    filename = f"纠纷清单-{today:%Y%m%d}.{fmt}"
    if fmt == "csv":
        return csv_response(filename, header, table)
    return xlsx_response(filename, str(_("Dispute queue")), header, table)


def _export_row(row: tuple[Any, ...], *, as_number: bool) -> list[Any]:
    ref, received, name, branch, category, request_text, amount, status, due, channel = row
    return [
        ref,
        f"{timezone.localtime(received):%Y-%m-%d %H:%M}",
        name,
        branch,
        str(ProductCategory(category).label),
        subject_of(request_text),
        amount if as_number else f"{amount:.2f}",
        str(DisputeStatus(status).label),
        f"{due:%Y-%m-%d}" if due else "",
        str(Channel(channel).label),
    ]


def _filtered_queue(request: AuthedRequest, today: date) -> tuple[QueueFilterForm, DisputeQuerySet]:
    qs = dispute_access.disputes_visible_to(request.user).for_list()
    form = QueueFilterForm(
        request.GET or None, all_branches=portal_access.is_head_office_staff(request.user)
    )
    sort = form.cleaned_data.get("sort") if form.is_valid() else ""
    if sort == "amount":
        qs = qs.order_by("-amount", "-received_at", "-pk")
    elif sort != "newest":
        qs = qs.order_by(F("next_deadline").asc(nulls_last=True), "-received_at", "-pk")
    if form.is_valid():
        data = form.cleaned_data
        if data.get("q"):
            qs = qs.filter(find_condition(data["q"]))
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
        if data.get("channel"):
            qs = qs.filter(channel=data["channel"])
        if data.get("product"):
            qs = qs.filter(product_code=data["product"].strip())
        if data.get("contract"):
            qs = qs.filter(contract_number=data["contract"].strip())
        if data.get("handler"):
            qs = qs.filter(handler_id=data["handler"])
        if data.get("province"):
            qs = qs.filter(branch__province=data["province"])
        # Local days as a range of moments: the (branch, received) index answers it, where
        # received_at__date (a time-zone conversion of every row) would be filtered row by row.
        if data.get("received_from"):
            qs = qs.filter(received_at__gte=_start_of(data["received_from"]))
        if data.get("received_to"):
            qs = qs.filter(received_at__lt=_start_of(data["received_to"] + timedelta(days=1)))
    return form, qs


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


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
