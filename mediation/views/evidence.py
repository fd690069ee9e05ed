"""Uploading evidence and streaming it back, only through permission checks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from mediation import access as dispute_access
from mediation.checklist import evidence_checklist
from mediation.forms import EvidenceForm
from mediation.models import Dispute
from mediation.services.evidence import evidence_log_download, evidence_upload
from portal import access as portal_access
from portal.actions import form_view
from portal.exceptions import ApplicationError
from portal.forms import form_errors_to_messages
from portal.types import AuthedRequest


def evidence_context(request: AuthedRequest, dispute: Dispute) -> dict[str, Any]:
    # What this viewer may see: a partner only its kind's categories, and nothing once the
    # customer withdrew the consent naming it (mediation/access.py).
    evidence = dispute_access.evidence_visible_to(request.user, dispute)
    return {
        "evidence": evidence,
        # The customer is told what to upload for a case of this kind, and what is there.
        "checklist": evidence_checklist(dispute.category, evidence)
        if dispute_access.is_dispute_customer(request.user, dispute) and dispute.is_open
        else [],
        # The upload form comes when its panel is opened (`upload`'s GET).
        "may_upload": dispute_access.can_upload_evidence(request.user, dispute),
    }


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: AuthedRequest, reference: str) -> HttpResponse:
    """GET: the upload form, as the opened panel asks for it (or on its own page without
    scripts); POST: the files, each checked and stored on its own."""
    request.error_redirect = reverse("mediation:detail", args=[reference])  # type: ignore[attr-defined]
    dispute = dispute_access.dispute_get_for(request.user, reference)
    if request.method == "GET":
        if not dispute_access.can_upload_evidence(request.user, dispute):
            raise portal_access.refuse(request.user, "evidence_upload", reference)
        return form_view(
            request,
            label=_("Upload evidence"),
            body="mediation/_evidence_upload.html",
            back=dispute.get_absolute_url(),
            case=dispute,
            context={
                "dispute": dispute,
                "form": EvidenceForm(
                    prefix="evidence",
                    categories=dispute_access.evidence_categories_for(request.user, dispute),
                ),
            },
        )
    form = EvidenceForm(
        request.POST,
        request.FILES,
        prefix="evidence",
        categories=dispute_access.evidence_categories_for(request.user, dispute),
    )
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return _back_to_case(request, reference)
    data = form.cleaned_data
    files = data["file"]
    for n, uploaded in enumerate(files, start=1):
        # Each file on its own: one refused leaves the others filed, and each is named.
        title = data["title"].strip() or Path(uploaded.name).stem[:120] or _("Document")
        if data["title"].strip() and len(files) > 1:
            title = f"{title}（{n}/{len(files)}）"
        try:
            item = evidence_upload(
                actor=request.user,
                reference=reference,
                upload=uploaded,
                original_name=uploaded.name,
                declared_size=uploaded.size,
                title=title,
                category=data["category"],
                description=data["description"],
                document_date=data["document_date"],
            )
        except ApplicationError as exc:  # a refused file, or a limit of the person's reached
            messages.error(
                request,
                _("%(name)s was not accepted: %(why)s")
                % {"name": uploaded.name, "why": exc.message},
            )
            continue
        note = _("Evidence “%(title)s” uploaded.") % {"title": item.title}
        if item.sanitised:
            note += " " + _("Removed for safety: %(what)s.") % {"what": item.sanitised}
        messages.success(request, note)
    return _back_to_case(request, reference)


def _back_to_case(request: AuthedRequest, reference: str) -> HttpResponse:
    """Back to the case page, where the messages say what became of each file. The page's
    upload script (static/portal/upload.js, for its progress bar) asks for the address
    instead of a redirect: following one itself would use up the messages."""
    url = reverse("mediation:detail", args=[reference])
    if request.headers.get("x-upload-progress"):
        return JsonResponse({"next": url})
    return redirect(url)


@login_required
def download(request: AuthedRequest, reference: str, pk: int) -> FileResponse:
    item = dispute_access.evidence_get_for(request.user, pk)
    if item.dispute.reference != reference:
        raise portal_access.refuse(request.user, "evidence", pk)
    evidence_log_download(actor=request.user, item=item)
    ext = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}[item.content_type]
    response = FileResponse(
        item.file.open("rb"),
        as_attachment=True,
        filename=f"{item.dispute.reference}-E{item.pk}{ext}",
        content_type=item.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
