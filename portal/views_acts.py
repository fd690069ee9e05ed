"""A person's sealed binding acts, and the public page where anyone checks a seal."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from portal import access as portal_access
from portal.models import BindingAct, User
from portal.seal import check_seal, seal_files

MAX_CHECK_BYTES = 20 * 1024 * 1024


@login_required
def binding_act_pdf(request: HttpRequest, pk: int) -> FileResponse:
    """The sealed PDF of an act, for the person who made it (anyone else: 404)."""
    user: User = request.user  # type: ignore[assignment]
    act = BindingAct.objects.filter(pk=pk, actor=user, status=BindingAct.Status.READY).first()
    if act is None:
        raise portal_access.refuse(user, "binding_act", pk)
    return FileResponse(
        act.pdf.open("rb"),
        as_attachment=True,
        filename=f"{act.case_ref}-{act.kind}.pdf",
        content_type="application/pdf",
    )


class SealCheckForm(forms.Form):
    document = forms.FileField(label=_("A PDF the portal sealed"))

    def clean_document(self) -> bytes:
        upload = self.cleaned_data["document"]
        if upload.size > MAX_CHECK_BYTES:
            raise forms.ValidationError(_("Files up to 20 MB can be checked here."))
        return bytes(upload.read())


@require_http_methods(["GET", "POST"])
def seal_check(request: HttpRequest) -> HttpResponse:
    """Anyone (no sign-in) checks that a PDF carries the platform's seal and is unchanged."""
    form = SealCheckForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = check_seal(form.cleaned_data["document"])
    return render(request, "portal/seal_check.html", {"form": form, "result": result})


def seal_root(request: HttpRequest) -> HttpResponse:
    """The root certificate the platform's seals chain to, for verifiers' own tools."""
    return HttpResponse(
        seal_files().root.read_bytes(),
        content_type="application/x-pem-file",
        headers={"Content-Disposition": 'attachment; filename="portal-seal-root.crt"'},
    )
