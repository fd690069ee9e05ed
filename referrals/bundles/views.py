"""Evidence bundles: request a new version, and download a ready one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mediation import access as dispute_access
from mediation.problems import access as class_access
from portal.access import refuse
from portal.actions import form_view
from portal.forms import form_errors_to_messages
from portal.types import AuthedRequest
from referrals.bundles import access as bundle_access
from referrals.bundles.batch import class_bundles_request
from referrals.bundles.forms import BundleRequestForm, ClassBundlesForm
from referrals.bundles.models import being_built
from referrals.bundles.services import bundle_log_download, bundle_request
from referrals.models import BundleStatus


@login_required
@require_GET
def bundle_table(request: AuthedRequest, reference: str) -> HttpResponse:
    """The case page's bundle table alone, for htmx to swap in while a bundle is built (it
    stops asking once none is); any other request goes to the case page."""
    dispute = dispute_access.dispute_get_for(request.user, reference)
    if not request.htmx:
        return redirect(reverse("mediation:detail", args=[reference]) + "#bundles")
    bundles = bundle_access.bundles_on_dispute_visible_to(request.user, dispute)
    return render(
        request,
        "referrals/bundle_table.html",
        {"dispute": dispute, "bundles": bundles, "bundles_building": being_built(bundles)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_bundle(request: AuthedRequest, reference: str) -> HttpResponse:
    """GET: the form for a new bundle version, as the case page's opened panel asks for it
    (or on its own page without scripts); POST: the bundle asked of the worker."""
    dispute = dispute_access.dispute_get_for(request.user, reference)
    request.error_redirect = reverse("mediation:detail", args=[reference])  # type: ignore[attr-defined]
    if request.method == "GET":
        if not bundle_access.can_request_bundle(request.user, dispute):
            raise refuse(request.user, "bundle_request", reference)
        return form_view(
            request,
            label=_("Prepare a new bundle version"),
            body="referrals/_bundle_request.html",
            back=dispute.get_absolute_url() + "#bundles",
            case=dispute,
            context={
                "dispute": dispute,
                "form": BundleRequestForm(dispute=dispute, prefix="bundle"),
            },
        )
    form = BundleRequestForm(request.POST, dispute=dispute, prefix="bundle")
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return redirect("mediation:detail", reference=reference)
    data = form.cleaned_data
    bundle = bundle_request(
        actor=request.user,
        reference=reference,
        recipient_kind=data["recipient_kind"],
        organisation_id=data["organisation"].pk if data["organisation"] else None,
        evidence_ids=[int(pk) for pk in data["evidence"]],
        purpose=data["purpose"],
    )
    messages.success(
        request,
        _("Bundle version %(v)s is being prepared; this page shows when it is ready.")
        % {"v": bundle.version},
    )
    return redirect(reverse("mediation:detail", args=[reference]) + "#bundles")


@login_required
def download_bundle(request: AuthedRequest, reference: str, pk: int, part: str) -> FileResponse:
    bundle = bundle_access.bundle_get_for(request.user, reference, pk)
    if bundle.status != BundleStatus.READY or part not in ("pdf", "zip"):
        raise Http404("bundle file")
    field = bundle.pdf if part == "pdf" else bundle.zip
    bundle_log_download(actor=request.user, bundle=bundle, part=part)
    response = FileResponse(
        field.open("rb"),
        as_attachment=True,
        filename=f"{bundle.dispute.reference}-{bundle.recipient_kind}-v{bundle.version}.{part}",
        content_type="application/pdf" if part == "pdf" else "application/zip",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def request_class_bundles(request: AuthedRequest, class_id: int) -> HttpResponse:
    """Head office asks for a bundle for each chosen member's case of a class of problems."""
    problem = class_access.class_get_for(request.user, class_id)
    if not class_access.can_manage_class(request.user, problem):
        raise refuse(request.user, "class_bundles", class_id)
    back = problem.get_absolute_url() + "#class-bundles"
    request.error_redirect = back  # type: ignore[attr-defined]
    form = ClassBundlesForm(request.POST, prefix="batch")
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return redirect(back)
    data = form.cleaned_data
    result = class_bundles_request(
        actor=request.user,
        class_id=class_id,
        who=data["who"],
        recipient_kind=data["recipient_kind"],
        organisation_id=data["organisation"].pk if data["organisation"] else None,
        purpose=data["purpose"],
    )
    messages.success(
        request,
        _("Bundles requested: %(n)s; the worker builds them one by one.") % {"n": result.requested},
    )
    for reason, n in sorted(result.left_out.items()):
        messages.warning(request, _("Left out (%(n)s): %(reason)s") % {"n": n, "reason": reason})
    return redirect(back)
