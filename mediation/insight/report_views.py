"""The complaint figures as a PDF: asked for from the dashboard, downloaded when built."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.access import refuse
from portal.types import AuthedRequest

from .models import FiguresReport
from .reports import report_request, reports_for


@login_required
@require_POST
def report_ask(request: AuthedRequest) -> HttpResponse:
    period = request.POST.get("period", "")[:10]
    report = report_request(actor=request.user, period_key=period)
    messages.success(
        request,
        _("The PDF of %(period)s is being made; it appears under the period when ready.")
        % {"period": report.period},
    )
    return redirect(reverse("insight:dashboard") + "?" + urlencode({"period": report.period}))


@login_required
def report_pdf(request: AuthedRequest, pk: int) -> FileResponse:
    report = reports_for(request.user).filter(pk=pk).first()
    if report is None or report.status != FiguresReport.Status.READY or not report.pdf:
        raise refuse(request.user, "figures_report", pk)
    return FileResponse(
        report.pdf.open("rb"),
        as_attachment=True,
        filename=report.file_name,
        content_type="application/pdf",
    )
