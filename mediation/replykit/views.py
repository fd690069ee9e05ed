"""The reply toolkit's pages: the library (法条一本通), starting a reply from claim types,
the reply page (edit, send, approve, send back), the letter, and the reversal figures."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mediation import access as dispute_access
from portal.access import is_bank_side, refuse
from portal.decorators import role_required
from portal.exceptions import ApplicationError
from portal.models import Role
from portal.transitions import ActionForbidden, may_transition
from portal.types import AuthedRequest

from . import access, library, selectors, services
from .figures import MIN_DECISIONS, reversal_figures
from .forms import EditForm, SendBackForm, StartForm
from .lifecycle import ReplyStatus
from .models import LetterStatus, Reply, StatuteArticle


@login_required
@role_required(Role.STAFF, Role.AUDITOR)
def library_page(request: AuthedRequest) -> HttpResponse:
    """The kit for reading: every claim type with its elements, defences, evidence and the
    articles they rest on; and the library's articles."""
    return render(
        request,
        "replykit/library.html",
        {
            "claim_types": selectors.claim_types_with_kit(),
            "articles": StatuteArticle.objects.filter(superseded_at=None),
        },
    )


@login_required
def start(request: AuthedRequest, reference: str, kind: str) -> HttpResponse:
    user = request.user
    dispute = dispute_access.dispute_get_for(user, reference)
    back = dispute.get_absolute_url()
    open_reply = Reply.objects.filter(dispute=dispute, kind=kind).exclude(status=ReplyStatus.ISSUED)
    existing = open_reply.first() if kind in Reply.Kind.values else None
    if existing is not None and access.can_view_reply(user, existing):
        return redirect("replykit:reply", existing.pk)
    if kind not in Reply.Kind.values or not access.can_start_reply(user, dispute, kind):
        request.error_redirect = back  # type: ignore[attr-defined]
        raise ActionForbidden(_("You may not write this reply now."))
    review = kind == Reply.Kind.REVIEW
    form = StartForm(request.POST or None, category=dispute.category, review=review)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            reply = services.reply_start(
                actor=user,
                reference=reference,
                kind=kind,
                claim_types=c["claim_types"],
                outcome=c["outcome"],
                granted_amount=c["granted_amount"],
                review_outcome=c.get("review_outcome", ""),
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The draft is filled in from the case: edit it below."))
            return redirect("replykit:reply", reply.pk)
    return render(
        request,
        "replykit/start.html",
        {
            "dispute": dispute,
            "form": form,
            "kind": kind,
            "review": dispute.review_requests.first() if review else None,
        },
    )


def _reply_context(request: AuthedRequest, reply: Reply, form: EditForm | None) -> dict[str, Any]:
    user = request.user
    claim_types = selectors.claim_types_with_kit(
        list(reply.claim_types.values_list("code", flat=True))
    )
    bank_side = is_bank_side(user)
    writable = reply.status == ReplyStatus.DRAFT and access.can_write_reply(user, reply)
    if writable and form is None:
        form = EditForm(
            initial={
                "text": reply.text,
                "outcome": reply.outcome,
                "granted_amount": reply.granted_amount,
                "review_outcome": reply.review_outcome,
            },
            review=reply.kind == Reply.Kind.REVIEW,
        )
    cited = library.read_citations(reply.text)
    return {
        "reply": reply,
        "dispute": reply.dispute,
        "bank_side": bank_side,
        "form": form if writable else None,
        "may_approve": may_transition(reply, "approve", user),
        "send_back_form": SendBackForm() if may_transition(reply, "send_back", user) else None,
        "problems": services.problems_of(reply, cited)
        if reply.status != ReplyStatus.ISSUED
        else [],
        "reader_text": library.plain(reply.text, cited),
        "cited": cited.articles,
        "claim_types": claim_types if bank_side else [],
        "checklist": selectors.evidence_checklist(reply.dispute, claim_types) if bank_side else [],
        "may_ask": bank_side and dispute_access.can_handle_dispute(user, reply.dispute),
        "helper_articles": selectors.articles_of(claim_types) if writable else [],
        "threshold": services.approval_threshold(),
        "answers_too": services.answered_with(reply.dispute)
        if bank_side and reply.kind == Reply.Kind.DECISION and reply.status != ReplyStatus.ISSUED
        else [],
    }


@login_required
def reply_page(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    reply = access.reply_get_for(user, pk)
    form = None
    if request.method == "POST":
        form = EditForm(request.POST, review=reply.kind == Reply.Kind.REVIEW)
        if form.is_valid():
            c = form.cleaned_data
            try:
                services.reply_save(
                    actor=user,
                    reply_id=reply.pk,
                    text=c["text"],
                    outcome=c["outcome"],
                    granted_amount=c["granted_amount"],
                    review_outcome=c.get("review_outcome", ""),
                )
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                if "send" in request.POST:
                    request.error_redirect = reverse("replykit:reply", args=[pk])  # type: ignore[attr-defined]
                    sent = services.reply_send(actor=user, reply_id=reply.pk)
                    messages.success(
                        request,
                        _("Sent to a second approver.")
                        if sent.status == ReplyStatus.AWAITING_APPROVAL
                        else _(
                            "Issued: the case records the decision; the letter is being written."
                        ),
                    )
                    return redirect(reply.dispute.get_absolute_url() + "#replies")
                messages.success(request, _("Draft saved."))
                return redirect("replykit:reply", pk)
        reply = access.reply_get_for(user, pk)
    return render(request, "replykit/reply.html", _reply_context(request, reply, form))


@login_required
@require_POST
def approve(request: AuthedRequest, pk: int) -> HttpResponse:
    request.error_redirect = reverse("replykit:reply", args=[pk])  # type: ignore[attr-defined]
    reply = services.reply_approve(actor=request.user, reply_id=pk)
    messages.success(request, _("Approved and issued; the letter is being written."))
    return redirect(reply.dispute.get_absolute_url() + "#replies")


@login_required
@require_POST
def send_back(request: AuthedRequest, pk: int) -> HttpResponse:
    back = reverse("replykit:reply", args=[pk])
    request.error_redirect = back  # type: ignore[attr-defined]
    form = SendBackForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say what the author should change."))
        return redirect(back)
    services.reply_send_back(actor=request.user, reply_id=pk, reason=form.cleaned_data["reason"])
    messages.success(request, _("Sent back to its author with your reason."))
    return redirect(back)


@login_required
@require_POST
def ask_evidence(request: AuthedRequest, pk: int, need_id: int) -> HttpResponse:
    reply = access.reply_get_for(request.user, pk)
    back = reverse("replykit:reply", args=[pk]) + "#checklist"
    request.error_redirect = back  # type: ignore[attr-defined]
    ask = services.evidence_ask(
        actor=request.user, reference=reply.dispute.reference, need_id=need_id
    )
    messages.success(request, _("The customer is asked for: %(what)s.") % {"what": ask.need.label})
    return redirect(back)


@login_required
def letter(request: AuthedRequest, pk: int) -> FileResponse:
    reply = access.reply_get_for(request.user, pk)
    if reply.letter_status != LetterStatus.READY or not reply.letter:
        raise refuse(request.user, "letter", pk)
    return FileResponse(
        reply.letter.open("rb"),
        as_attachment=True,
        filename=f"{reply.dispute.reference}-{services.letter_title(reply)}.pdf",
        content_type="application/pdf",
    )


@login_required
@role_required(Role.STAFF, Role.AUDITOR)
def figures(request: AuthedRequest) -> HttpResponse:
    scope = access.figures_visible_to(request.user)
    if scope is None:
        raise refuse(request.user, "figures", "replies")
    return render(
        request,
        "replykit/figures.html",
        {"figures": reversal_figures(scope), "min_decisions": MIN_DECISIONS},
    )
