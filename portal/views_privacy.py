"""A person's own data: ask for a copy, download it, delete the account (portal/privacy.py)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal import privacy
from portal.exceptions import ApplicationError
from portal.models import DataExport, User


@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    exports = DataExport.objects.filter(user=user)[:5]
    return render(
        request,
        "portal/my_data.html",
        {
            "exports": exports,
            "preparing": any(e.status == DataExport.Status.QUEUED for e in exports),
        },
    )


@login_required
@require_POST
def data_export_request(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    try:
        privacy.export_request(user=user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Your copy is being prepared; it appears below in a minute or two."),
        )
    return redirect("my_data")


@login_required
def data_export_download(request: HttpRequest, pk: int, kind: str) -> FileResponse:
    """Only the person's own copy; anyone else's answers 404."""
    user: User = request.user  # type: ignore[assignment]
    export = DataExport.objects.filter(pk=pk, user=user, status=DataExport.Status.READY).first()
    if export is None or kind not in ("json", "pdf"):
        raise Http404
    stored = export.json_file if kind == "json" else export.pdf_file
    return FileResponse(
        stored.open("rb"),
        as_attachment=True,
        filename=f"my-data-{export.requested_at:%Y%m%d}.{kind}",
        content_type="application/json" if kind == "json" else "application/pdf",
    )


@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request: HttpRequest) -> HttpResponse:
    """Delete the account, after saying what that means and asking for the password."""
    user: User = request.user  # type: ignore[assignment]
    error = ""
    if request.method == "POST":
        try:
            privacy.erase_request(user=user, password=request.POST.get("password", ""))
        except ApplicationError as refused:
            error = refused.message
        else:
            logout(request)
            messages.success(request, _("Your account is deleted."))
            return redirect("home")
    return render(
        request,
        "portal/account_delete.html",
        {"blockers": privacy.erasure_blockers(user), "error": error},
    )
