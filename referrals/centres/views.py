"""Referrals to a mediation centre: the actions on a referral, a proposal's answer, an
extension's consent, session notes, and the centre's inbox.

Every party works on the case page (/disputes/<ref>/); what each sees and may do comes from
the domain's access module. Each action validates a form and calls one service."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from mediation import access as dispute_access
from portal import access as portal_access
from portal.actions import Action, action_view, post_action, transition_allowed
from portal.decorators import role_required
from portal.pagination import paginate
from portal.types import AuthedRequest
from portal.views_acts import ActPage, act_page
from referrals.centres import access as referral_access
from referrals.centres import agreements as agreement_services
from referrals.centres import services as referral_services
from referrals.centres import sessions as session_services
from referrals.centres.forms import (
    AcceptReferralForm,
    AgreementDraftForm,
    AgreementForm,
    DeclarationForm,
    ExtensionForm,
    InboxFilterForm,
    ProposalForm,
    ProposalWithdrawForm,
    ReferralSendForm,
    RequiredReasonForm,
    SessionForm,
    SessionMoveForm,
)
from referrals.centres.lifecycle import ReferralStatus
from referrals.models import (
    AgreementDraft,
    MediationExtension,
    MediationSession,
    MediatorProposal,
    Referral,
)


def _centre_member_while(*states: str) -> Any:
    return lambda user, r: referral_access.is_centre_member_while(user, r, *states)


REFERRAL_ACTIONS: dict[str, Action[Referral]] = {
    "send": Action(
        _("Send to the centre"),
        ReferralSendForm,
        lambda rq, r, c: referral_services.referral_send(
            actor=rq.user, referral_id=r.pk, bundle_id=c["bundle"].pk if c["bundle"] else None
        ),
        transition_allowed("send"),
        form_kwargs=lambda r: {"referral": r},
    ),
    "acknowledge": Action(
        _("Acknowledge receipt"),
        None,
        lambda rq, r, c: referral_services.referral_acknowledge(actor=rq.user, referral_id=r.pk),
        transition_allowed("acknowledge"),
    ),
    "accept": Action(
        _("Accept and assign a mediator"),
        AcceptReferralForm,
        lambda rq, r, c: referral_services.referral_accept(
            actor=rq.user, referral_id=r.pk, mediator_id=c["mediator"].pk
        ),
        transition_allowed("accept"),
        form_kwargs=lambda r: {"referral": r},
    ),
    "decline": Action(
        _("Decline"),
        RequiredReasonForm,
        lambda rq, r, c: referral_services.referral_decline(
            actor=rq.user, referral_id=r.pk, reason=c["reason"]
        ),
        transition_allowed("decline"),
        danger=True,
    ),
    "declare": Action(
        _("Conflict-of-interest declaration"),
        DeclarationForm,
        lambda rq, r, c: referral_services.referral_declare_conflicts(
            actor=rq.user, referral_id=r.pk, text=c["text"]
        ),
        lambda u, r: (
            _centre_member_while(ReferralStatus.ACCEPTED)(u, r) and not r.sessions.exists()
        ),
    ),
    "schedule": Action(
        _("Schedule a session"),
        SessionForm,
        lambda rq, r, c: session_services.session_schedule(
            actor=rq.user,
            referral_id=r.pk,
            starts_at=c["starts_at"],
            mode=c["mode"],
            place=c["place"],
            duration_minutes=c["duration_minutes"],
        ),
        _centre_member_while(ReferralStatus.ACCEPTED),
        message=_("Session scheduled; the parties get a calendar invitation."),
    ),
    "extend": Action(
        _("Propose an extension"),
        ExtensionForm,
        lambda rq, r, c: session_services.extension_propose(
            actor=rq.user, referral_id=r.pk, days=c["days"], reason=c["reason"]
        ),
        _centre_member_while(ReferralStatus.ACCEPTED),
    ),
    "draft_agreement": Action(
        _("Put an agreement to the parties for signing online"),
        AgreementDraftForm,
        lambda rq, r, c: agreement_services.agreement_draft(
            actor=rq.user,
            referral_id=r.pk,
            amount=c["amount"],
            terms=c["terms"],
            performance_due=c["performance_due"],
        ),
        lambda u, r: (
            _centre_member_while(ReferralStatus.ACCEPTED)(u, r)
            and not r.agreement_drafts.filter(
                sealed_at__isnull=True, withdrawn_at__isnull=True
            ).exists()
        ),
        message=_("The agreement waits for the parties' signatures; they are told."),
    ),
    "propose": Action(
        _("Make a mediator's proposal"),
        ProposalForm,
        lambda rq, r, c: agreement_services.proposal_make(
            actor=rq.user,
            referral_id=r.pk,
            amount=c["amount"],
            terms=c["terms"],
            performance_due=c["performance_due"],
            above_claim_reason=c["above_claim_reason"],
        ),
        _centre_member_while(ReferralStatus.ACCEPTED),
    ),
    "agreement": Action(
        _("Record the signed agreement"),
        AgreementForm,
        lambda rq, r, c: agreement_services.agreement_record(
            actor=rq.user,
            referral_id=r.pk,
            upload=c["file"],
            file_name=c["file"].name,
            size=c["file"].size,
            amount=c["amount"],
            terms=c["terms"],
            performance_due=c["performance_due"],
            effective_on=c["effective_on"],
        ),
        transition_allowed("record_agreement"),
        multipart=True,
    ),
    "fail": Action(
        _("Record that mediation failed"),
        RequiredReasonForm,
        lambda rq, r, c: referral_services.referral_fail(
            actor=rq.user, referral_id=r.pk, reason=c["reason"]
        ),
        transition_allowed("fail"),
        danger=True,
    ),
    "withdraw": Action(
        _("Withdraw the referral"),
        RequiredReasonForm,
        lambda rq, r, c: referral_services.referral_withdraw(
            actor=rq.user, referral_id=r.pk, reason=c["reason"]
        ),
        transition_allowed("withdraw"),
        danger=True,
    ),
}


@login_required
@require_http_methods(["GET", "POST"])
def referral_action(request: AuthedRequest, pk: int, action: str) -> HttpResponse:
    referral = referral_access.referral_get_for(request.user, pk)
    return action_view(
        request,
        REFERRAL_ACTIONS,
        action,
        referral,
        referral.dispute.get_absolute_url() + "#referral",
        prefix="r-",
    )


def _answer_actions(accept: bool) -> dict[str, Action[MediatorProposal]]:
    return {
        "answer": Action(
            _("Answer"),
            None,
            lambda rq, p, c: agreement_services.proposal_answer(
                actor=rq.user, proposal_id=p.pk, accept=accept
            ),
            lambda u, p: True,
        )
    }


PROPOSAL_ACCEPT_PAGE = ActPage(
    heading=_("Accept the mediator's proposal"),
    agree=_("I have read the whole text above and accept the proposal."),
    button=_("Accept the proposal"),
    done=_(
        "You accepted the proposal. A sealed copy of what you accepted is being prepared under "
        "'Your confirmations' on this case."
    ),
)


@login_required
@require_http_methods(["GET", "POST"])
def proposal_confirm(request: AuthedRequest, pk: int) -> HttpResponse:
    """The customer accepts a proposal as a binding act: the whole text, a tick, a code."""
    proposal = referral_access.proposal_get_for(request.user, pk)
    dispute = proposal.referral.dispute
    if not dispute_access.is_dispute_customer(request.user, dispute):
        raise portal_access.refuse(request.user, "proposal", pk)
    return act_page(
        request,
        act=agreement_services.proposal_act_text(proposal),
        page=PROPOSAL_ACCEPT_PAGE,
        perform=lambda proof, shown: agreement_services.proposal_accept_confirmed(
            actor=request.user, proposal_id=pk, proof=proof, shown_sha256=shown
        ),
        back=dispute.get_absolute_url() + "#referral",
    )


AGREEMENT_SIGN_PAGE = ActPage(
    heading=_("Sign the mediation agreement"),
    agree=_("I have read the whole text above and sign the agreement."),
    button=_("Sign the agreement"),
    done=_(
        "You signed the agreement. It takes effect once the bank has signed and the centre has "
        "sealed it; a sealed copy of what you signed is being prepared under 'Your "
        "confirmations'."
    ),
)


@login_required
@require_http_methods(["GET", "POST"])
def agreement_sign(request: AuthedRequest, pk: int) -> HttpResponse:
    """The customer signs an agreement online: a binding act (the whole text, a tick, a code)."""
    draft = referral_access.agreement_draft_get_for(request.user, pk)
    dispute = draft.referral.dispute
    back = dispute.get_absolute_url() + "#referral"
    if not dispute_access.is_dispute_customer(request.user, dispute):
        raise portal_access.refuse(request.user, "agreement_draft", pk)
    if not draft.is_open or draft.customer_signed_at is not None:
        messages.info(request, _("Nothing waits for your signature on this agreement."))
        return redirect(back)
    return act_page(
        request,
        act=agreement_services.agreement_act_text(draft),
        page=AGREEMENT_SIGN_PAGE,
        perform=lambda proof, shown: agreement_services.agreement_sign_confirmed(
            actor=request.user, draft_id=pk, proof=proof, shown_sha256=shown
        ),
        back=back,
    )


AGREEMENT_ACTIONS: dict[str, Action[AgreementDraft]] = {
    "bank_sign": Action(
        _("Sign the agreement for the bank"),
        None,
        lambda rq, d, c: agreement_services.agreement_bank_sign(actor=rq.user, draft_id=d.pk),
        lambda u, d: (
            d.is_open
            and d.bank_signed_at is None
            and dispute_access.can_handle_dispute(u, d.referral.dispute)
        ),
        message=_("The bank signed the agreement."),
    ),
    "seal": Action(
        _("Seal the agreement: it takes effect today"),
        None,
        lambda rq, d, c: agreement_services.agreement_seal(actor=rq.user, draft_id=d.pk),
        lambda u, d: (
            d.is_open and d.fully_signed and referral_access.is_referral_partner(u, d.referral)
        ),
        message=_("Sealed: the agreement is in force and the parties are told."),
    ),
    "withdraw": Action(
        _("Withdraw the agreement"),
        RequiredReasonForm,
        lambda rq, d, c: agreement_services.agreement_draft_withdraw(
            actor=rq.user, draft_id=d.pk, reason=c["reason"]
        ),
        lambda u, d: d.is_open and referral_access.is_referral_partner(u, d.referral),
        danger=True,
        message=_("Agreement withdrawn; the parties are told."),
    ),
}


@login_required
@require_http_methods(["GET", "POST"])
def agreement_action(request: AuthedRequest, pk: int, action: str) -> HttpResponse:
    draft = referral_access.agreement_draft_get_for(request.user, pk)
    back = draft.referral.dispute.get_absolute_url() + "#referral"
    return action_view(request, AGREEMENT_ACTIONS, action, draft, back, prefix=f"ag{pk}-")


PROPOSAL_WITHDRAW: dict[str, Action[MediatorProposal]] = {
    "withdraw": Action(
        _("Withdraw the proposal"),
        ProposalWithdrawForm,
        lambda rq, p, c: agreement_services.proposal_withdraw(
            actor=rq.user, proposal_id=p.pk, reason=c["reason"]
        ),
        lambda u, p: True,
        message=_("Proposal withdrawn; the parties are told. You may make a new one."),
    )
}


@login_required
@require_POST
def proposal_withdraw(request: AuthedRequest, pk: int) -> HttpResponse:
    proposal = referral_access.proposal_get_for(request.user, pk)
    return post_action(
        request,
        PROPOSAL_WITHDRAW,
        "withdraw",
        proposal,
        proposal.referral.dispute.get_absolute_url() + "#referral",
        prefix=f"p{pk}-",
    )


@login_required
@require_POST
def proposal_answer(request: AuthedRequest, pk: int, answer: str) -> HttpResponse:
    if answer not in ("accept", "refuse"):
        raise portal_access.refuse(request.user, "proposal", pk)
    proposal = referral_access.proposal_get_for(request.user, pk)
    if answer == "accept" and dispute_access.is_dispute_customer(
        request.user, proposal.referral.dispute
    ):
        return redirect("referrals:proposal_confirm", pk=pk)  # a binding act has its own page
    return post_action(
        request,
        _answer_actions(answer == "accept"),
        "answer",
        proposal,
        proposal.referral.dispute.get_absolute_url() + "#referral",
    )


@login_required
@require_POST
def extension_consent(request: AuthedRequest, pk: int) -> HttpResponse:
    extension = referral_access.extension_get_for(request.user, pk)
    referral = extension.referral
    actions: dict[str, Action[MediationExtension]] = {
        "consent": Action(
            _("Consent"),
            None,
            lambda rq, e, c: session_services.extension_consent(actor=rq.user, extension_id=e.pk),
            lambda u, e: True,
        )
    }
    return post_action(
        request, actions, "consent", extension, referral.dispute.get_absolute_url() + "#referral"
    )


@login_required
@require_POST
def session_notes(request: AuthedRequest, pk: int) -> HttpResponse:
    session = referral_access.session_notes_get_for(request.user, pk)
    referral = session.referral
    actions: dict[str, Action[MediationSession]] = {
        "notes": Action(
            _("Save notes"),
            None,
            lambda rq, s, c: session_services.session_record_notes(
                actor=rq.user, session_id=s.pk, notes=rq.POST.get("notes", "")
            ),
            lambda u, s: True,
        )
    }
    return post_action(
        request, actions, "notes", session, referral.dispute.get_absolute_url() + "#referral"
    )


SESSION_CHANGES: dict[str, Action[MediationSession]] = {
    "move": Action(
        _("Move the session"),
        SessionMoveForm,
        lambda rq, s, c: session_services.session_reschedule(
            actor=rq.user, session_id=s.pk, starts_at=c["starts_at"], place=c["place"]
        ),
        lambda u, s: True,
        message=_("Session moved; the parties get the changed invitation."),
    ),
    "cancel": Action(
        _("Cancel the session"),
        RequiredReasonForm,
        lambda rq, s, c: session_services.session_cancel(
            actor=rq.user, session_id=s.pk, reason=c["reason"]
        ),
        lambda u, s: True,
        danger=True,
        message=_("Session cancelled; the parties are told and their calendars drop it."),
    ),
}


@login_required
@require_POST
def session_change(request: AuthedRequest, pk: int, action: str) -> HttpResponse:
    """The centre moves or cancels a session (its members only; anyone else: 404)."""
    session = referral_access.session_notes_get_for(request.user, pk)
    back = session.referral.dispute.get_absolute_url() + "#referral"
    return post_action(request, SESSION_CHANGES, action, session, back, prefix=f"s{pk}-")


@login_required
@role_required("partner")
def inbox(request: AuthedRequest) -> HttpResponse:
    """The mediator's inbox: referrals to their own organisation only."""
    today = timezone.localdate()
    qs = referral_access.referrals_visible_to(request.user).for_inbox()
    form = InboxFilterForm(request.GET or None)
    if form.is_valid():
        data = form.cleaned_data
        if data.get("status"):
            qs = qs.filter(status=data["status"])
        if data.get("due") == "overdue":
            qs = qs.assignment_overdue(today=today)
        elif data.get("due") == "soon":
            qs = qs.due_soon(today=today)
        if data.get("mine"):
            qs = qs.filter(mediator=request.user)
    return render(
        request, "referrals/inbox.html", {"form": form, **paginate(request, qs), "today": today}
    )
