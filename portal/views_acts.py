"""The page on which a person makes a binding act, their sealed acts, and the public page where
anyone checks a seal."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods
from django_stubs_ext import StrOrPromise

from portal import access as portal_access
from portal import binding
from portal.exceptions import ApplicationError
from portal.models import BindingAct, User
from portal.ratelimit import client_address
from portal.seal import check_seal, seal_files
from portal.validators import mask_mobile

type Text = StrOrPromise


@dataclass(frozen=True)
class ActPage:
    """The words of one kind of binding act's page: its heading, the tick's label, the button."""

    heading: Text
    agree: Text
    button: Text
    done: Text


def act_page(
    request: HttpRequest,
    *,
    act: binding.ActText,
    page: ActPage,
    perform: Callable[[binding.Reauthenticated, str], object],
    back: str,
    extra: dict[str, object] | None = None,
) -> HttpResponse:
    """A binding act's page (portal/binding.py): the whole text; "send me a code"; a tick and
    the code, which `perform(proof, shown_sha256)` turns into the act. A refusal is shown on the
    page; after the act, back to the case with `page.done`."""
    user: User = request.user  # type: ignore[assignment]
    error = ""
    if request.method == "POST" and "send" in request.POST:
        try:
            binding.send_code(user=user, address=client_address(request), title=act.title)
        except ApplicationError as refused:
            error = refused.message
        else:
            messages.success(request, _("A code is on its way to your mobile."))
            return redirect(request.get_full_path())
    elif request.method == "POST":
        if not request.POST.get("read"):
            error = str(_("Tick the box to say you have read the whole text."))
        else:
            try:
                proof = binding.reauthenticate(user=user, code=request.POST.get("code", ""))
                perform(proof, request.POST.get("text_sha256", ""))
            except ApplicationError as refused:
                error = refused.message
            else:
                messages.success(request, page.done)
                return redirect(back)
    return render(
        request,
        "portal/binding_act_confirm.html",
        {
            "act": act,
            "page": page,
            "error": error,
            "back": back,
            "masked_mobile": mask_mobile(user.mobile or ""),
            **(extra or {}),
        },
    )


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
