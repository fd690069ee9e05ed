"""The referral, arbitration and litigation panels of the case page, and their actions.

Every party works on the same case page (/disputes/<ref>/); what each sees and may do comes
from portal/permissions.py. Partner session notes are rendered for the centre's members only.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from mediation.forms import OptionalReasonForm
from mediation.models import Dispute
from portal import permissions
from portal.actions import Action, post_action, shown_actions, transition_allowed
from portal.audit import audit_record
from portal.decorators import role_required
from portal.models import User
from portal.pagination import paginate
from portal.types import AuthedRequest
from referrals import services as rs
from referrals.forms import (
    AcceptReferralForm,
    AgreementForm,
    AmendAgreementForm,
    ArbitrationAcceptForm,
    ArbitrationDecisionForm,
    ConfirmationAcceptForm,
    DateForm,
    DeclarationForm,
    ExtensionForm,
    InboxFilterForm,
    NotAcceptForm,
    PerformanceForm,
    ProposalForm,
    ReferralSendForm,
    RejectForm,
    RequiredReasonForm,
    RulingForm,
    SessionForm,
)
from referrals.models import (
    ArbitrationCase,
    FormStatus,
    JudicialConfirmation,
    MediationExtension,
    MediationSession,
    MediatorProposal,
    Referral,
)


def _centre_member_while(*states: str) -> Any:
    return lambda user, r: permissions.is_referral_partner(r, user) and r.status in states


REFERRAL_ACTIONS: dict[str, Action[Referral]] = {
    "send": Action(
        _("Send to the centre"),
        ReferralSendForm,
        lambda rq, r, c: rs.referral_send(
            actor=rq.user, referral_id=r.pk, bundle_id=c["bundle"].pk if c["bundle"] else None
        ),
        transition_allowed("send"),
        form_kwargs=lambda r: {"referral": r},
    ),
    "acknowledge": Action(
        _("Acknowledge receipt"),
        None,
        lambda rq, r, c: rs.referral_acknowledge(actor=rq.user, referral_id=r.pk),
        transition_allowed("acknowledge"),
    ),
    "accept": Action(
        _("Accept and assign a mediator"),
        AcceptReferralForm,
        lambda rq, r, c: rs.referral_accept(
            actor=rq.user, referral_id=r.pk, mediator_id=c["mediator"].pk
        ),
        transition_allowed("accept"),
        form_kwargs=lambda r: {"referral": r},
    ),
    "decline": Action(
        _("Decline"),
        RequiredReasonForm,
        lambda rq, r, c: rs.referral_decline(actor=rq.user, referral_id=r.pk, reason=c["reason"]),
        transition_allowed("decline"),
        danger=True,
    ),
    "declare": Action(
        _("Conflict-of-interest declaration"),
        DeclarationForm,
        lambda rq, r, c: rs.referral_declare_conflicts(
            actor=rq.user, referral_id=r.pk, text=c["text"]
        ),
        lambda u, r: _centre_member_while("accepted")(u, r) and not r.sessions.exists(),
    ),
    "schedule": Action(
        _("Schedule a session"),
        SessionForm,
        lambda rq, r, c: rs.session_schedule(
            actor=rq.user,
            referral_id=r.pk,
            starts_at=c["starts_at"],
            mode=c["mode"],
            place=c["place"],
        ),
        _centre_member_while("accepted"),
    ),
    "extend": Action(
        _("Propose an extension"),
        ExtensionForm,
        lambda rq, r, c: rs.extension_propose(
            actor=rq.user, referral_id=r.pk, days=c["days"], reason=c["reason"]
        ),
        _centre_member_while("accepted"),
    ),
    "propose": Action(
        _("Make a mediator's proposal"),
        ProposalForm,
        lambda rq, r, c: rs.proposal_make(
            actor=rq.user,
            referral_id=r.pk,
            amount=c["amount"],
            terms=c["terms"],
            performance_due=c["performance_due"],
        ),
        _centre_member_while("accepted"),
    ),
    "agreement": Action(
        _("Record the signed agreement"),
        AgreementForm,
        lambda rq, r, c: rs.agreement_record(
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
        lambda rq, r, c: rs.referral_fail(actor=rq.user, referral_id=r.pk, reason=c["reason"]),
        transition_allowed("fail"),
        danger=True,
    ),
    "withdraw": Action(
        _("Withdraw the referral"),
        RequiredReasonForm,
        lambda rq, r, c: rs.referral_withdraw(actor=rq.user, referral_id=r.pk, reason=c["reason"]),
        transition_allowed("withdraw"),
        danger=True,
    ),
}

ARBITRATION_ACTIONS: dict[str, Action[ArbitrationCase]] = {
    "file": Action(
        _("Record the filing"),
        DateForm,
        lambda rq, a, c: rs.arbitration_file(actor=rq.user, case_id=a.pk, filed_on=c["day"]),
        transition_allowed("file"),
    ),
    "accept": Action(
        _("Record the acceptance"),
        ArbitrationAcceptForm,
        lambda rq, a, c: rs.arbitration_accept(
            actor=rq.user, case_id=a.pk, accepted_on=c["day"], case_number=c["case_number"]
        ),
        transition_allowed("accept"),
    ),
    "decide": Action(
        _("Record an award or a mediation document"),
        ArbitrationDecisionForm,
        lambda rq, a, c: rs.arbitration_decide(
            actor=rq.user,
            case_id=a.pk,
            kind=c["kind"],
            made_on=c["day"],
            summary=c["summary"],
            amount=c["amount"],
        ),
        transition_allowed("make_award"),
    ),
    "withdraw": Action(
        _("Withdraw the arbitration"),
        RequiredReasonForm,
        lambda rq, a, c: rs.arbitration_withdraw(actor=rq.user, case_id=a.pk, reason=c["reason"]),
        transition_allowed("withdraw"),
        danger=True,
    ),
}


def _party_in_preparation(user: User, c: JudicialConfirmation) -> bool:
    return c.status == "preparing" and permissions.can_prepare_confirmation(c, user)


def _staff_in(*states: str) -> Any:
    return lambda user, c: c.status in states and permissions.can_handle_dispute(c.dispute, user)


def _consent_pending(user: User, c: JudicialConfirmation) -> bool:
    if c.status != "preparing":
        return False
    if permissions.is_dispute_customer(c.dispute, user):
        return c.customer_consent_at is None
    return permissions.can_handle_dispute(c.dispute, user) and c.bank_consent_at is None


def _file(rq: AuthedRequest, c: JudicialConfirmation, data: dict[str, Any]) -> object:
    return rs.confirmation_file(actor=rq.user, confirmation_id=c.pk)


def _ruling_kwargs(data: dict[str, Any]) -> dict[str, Any]:
    upload = data.get("file")
    return {
        "ruling_number": data["ruling_number"],
        "ruling_on": data["ruling_on"],
        "received_on": data["received_on"],
        "upload": upload,
        "file_name": upload.name if upload else "",
        "size": upload.size if upload else None,
    }


CONFIRMATION_ACTIONS: dict[str, Action[JudicialConfirmation]] = {
    "consent": Action(
        _("We agree to apply jointly for confirmation"),
        None,
        lambda rq, c, d: rs.confirmation_consent(actor=rq.user, confirmation_id=c.pk),
        _consent_pending,
    ),
    "form": Action(
        _("Generate the application form"),
        None,
        lambda rq, c, d: rs.confirmation_request_form(actor=rq.user, confirmation_id=c.pk),
        _staff_in("preparing"),
        message=_("The application form is being generated; this page shows when it is ready."),
    ),
    "file": Action(_("File the joint application"), None, _file, _staff_in("preparing")),
    "accept": Action(
        _("Record the court's acceptance"),
        ConfirmationAcceptForm,
        lambda rq, c, d: rs.confirmation_accept(
            actor=rq.user, confirmation_id=c.pk, accepted_on=d["day"], case_number=d["case_number"]
        ),
        transition_allowed("accept"),
    ),
    "not_accept": Action(
        _("Record that the court did not accept"),
        NotAcceptForm,
        lambda rq, c, d: rs.confirmation_not_accept(
            actor=rq.user, confirmation_id=c.pk, reason=d["reason"], note=d["note"]
        ),
        transition_allowed("not_accept"),
        danger=True,
    ),
    "extend_review": Action(
        _("Record the 10-day extension of the ruling period"),
        RequiredReasonForm,
        lambda rq, c, d: rs.confirmation_extend_review(
            actor=rq.user, confirmation_id=c.pk, reason=d["reason"]
        ),
        lambda u, c: transition_allowed("confirm")(u, c) and not c.decision_extended,
    ),
    "confirm": Action(
        _("Record the ruling confirming the agreement"),
        RulingForm,
        lambda rq, c, d: rs.confirmation_confirm(
            actor=rq.user, confirmation_id=c.pk, **_ruling_kwargs(d)
        ),
        transition_allowed("confirm"),
        multipart=True,
    ),
    "reject": Action(
        _("Record the ruling rejecting the application"),
        RejectForm,
        lambda rq, c, d: rs.confirmation_reject(
            actor=rq.user,
            confirmation_id=c.pk,
            ground=d["ground"],
            note=d["note"],
            **_ruling_kwargs(d),
        ),
        transition_allowed("reject"),
        danger=True,
        multipart=True,
    ),
    "amend": Action(
        _("Amend the agreement and apply again"),
        AmendAgreementForm,
        lambda rq, c, d: rs.confirmation_after_rejection(
            actor=rq.user,
            confirmation_id=c.pk,
            route="amend",
            upload=d["file"],
            file_name=d["file"].name,
            size=d["file"].size,
            terms=d["terms"],
            effective_on=d["effective_on"],
        ),
        transition_allowed("amend_agreement"),
        multipart=True,
    ),
    "mediate": Action(
        _("Mediate again"),
        OptionalReasonForm,
        lambda rq, c, d: rs.confirmation_after_rejection(
            actor=rq.user, confirmation_id=c.pk, route="mediate", reason=d["reason"]
        ),
        transition_allowed("mediate_again"),
    ),
    "sue": Action(
        _("Go to court with a lawsuit"),
        OptionalReasonForm,
        lambda rq, c, d: rs.confirmation_after_rejection(
            actor=rq.user, confirmation_id=c.pk, route="sue", reason=d["reason"]
        ),
        transition_allowed("sue"),
    ),
    "performance": Action(
        _("Record the bank's payment"),
        PerformanceForm,
        lambda rq, c, d: rs.performance_record(
            actor=rq.user,
            confirmation_id=c.pk,
            paid_on=d["paid_on"],
            amount=d["amount"],
            upload=d["file"],
            file_name=d["file"].name,
            size=d["file"].size,
        ),
        lambda u, c: _staff_in("confirmed")(u, c) and c.paid_on is None,
        multipart=True,
    ),
    "withdraw": Action(
        _("Withdraw the application"),
        RequiredReasonForm,
        lambda rq, c, d: rs.confirmation_withdraw(
            actor=rq.user, confirmation_id=c.pk, reason=d["reason"]
        ),
        transition_allowed("withdraw"),
        danger=True,
    ),
}


def case_panels(user: User, dispute: Dispute) -> dict[str, Any]:
    """What the referral, arbitration and litigation panels show this user."""
    referrals = [
        r
        for r in dispute.referrals.select_related(
            "organisation", "mediator", "bundle"
        ).prefetch_related("sessions", "extensions", "proposals")
        if permissions.can_view_referral(user, r)
    ]
    panels = []
    for referral in referrals:
        agreement = (
            getattr(referral, "agreement", None)
            if referral.status in ("agreement", "proposal_accepted")
            else None
        )
        panels.append(
            {
                "referral": referral,
                "agreement": agreement,
                "notes_visible": permissions.can_read_session_notes(user, referral),
                "actions": shown_actions(REFERRAL_ACTIONS, user, referral, prefix="r-"),
                "is_customer": permissions.is_dispute_customer(dispute, user),
                "is_handler": permissions.can_handle_dispute(dispute, user),
            }
        )
    arbitrations = [
        {"case": case, "actions": shown_actions(ARBITRATION_ACTIONS, user, case, prefix="a-")}
        for case in dispute.arbitrations.select_related("commission").prefetch_related("decisions")
        if not permissions.is_partner_member(user) or user.organisation_id == case.commission_id
    ]
    confirmations = [
        {
            "c": c,
            "actions": shown_actions(CONFIRMATION_ACTIONS, user, c, prefix="c-"),
            "missing": c.missing_materials() if c.status == "preparing" else [],
            "is_customer": permissions.is_dispute_customer(dispute, user),
        }
        for c in dispute.confirmations.select_related("court", "agreement", "ruling_document")
        if permissions.can_view_confirmation(user, c)
    ]
    return {
        "confirmation_panels": confirmations,
        "referral_panels": panels,
        "arbitration_panels": arbitrations,
        "litigations": list(dispute.litigations.all()),
        "today": timezone.localdate(),
    }


def _case_url(dispute: Dispute, anchor: str = "") -> str:
    return reverse("mediation:detail", args=[dispute.reference]) + anchor


@login_required
@require_POST
def referral_action(request: AuthedRequest, pk: int, action: str) -> HttpResponse:
    referral = permissions.referral_get_for(request.user, pk)
    return post_action(
        request,
        REFERRAL_ACTIONS,
        action,
        referral,
        _case_url(referral.dispute, "#referral"),
        prefix="r-",
    )


@login_required
@require_POST
def confirmation_action(request: AuthedRequest, pk: int, action: str) -> HttpResponse:
    confirmation = permissions.confirmation_get_for(request.user, pk)
    return post_action(
        request,
        CONFIRMATION_ACTIONS,
        action,
        confirmation,
        _case_url(confirmation.dispute, "#confirmation"),
        prefix="c-",
    )


@login_required
def confirmation_application(request: AuthedRequest, pk: int) -> FileResponse:
    confirmation = permissions.confirmation_get_for(request.user, pk)
    if confirmation.form_status != FormStatus.READY:
        raise Http404("application form")
    audit_record(
        actor=request.user,
        action="confirmation.form_downloaded",
        target=confirmation,
        case_ref=confirmation.dispute.reference,
    )
    response = FileResponse(
        confirmation.application_pdf.open("rb"),
        as_attachment=True,
        filename=f"{confirmation.dispute.reference}-司法确认申请书.pdf",
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def arbitration_action(request: AuthedRequest, pk: int, action: str) -> HttpResponse:
    case = permissions.arbitration_get_for(request.user, pk)
    return post_action(
        request,
        ARBITRATION_ACTIONS,
        action,
        case,
        _case_url(case.dispute, "#arbitration"),
        prefix="a-",
    )


def _answer_actions(accept: bool) -> dict[str, Action[MediatorProposal]]:
    return {
        "answer": Action(
            _("Answer"),
            None,
            lambda rq, p, c: rs.proposal_answer(actor=rq.user, proposal_id=p.pk, accept=accept),
            lambda u, p: True,
        )
    }


@login_required
@require_POST
def proposal_answer(request: AuthedRequest, pk: int, answer: str) -> HttpResponse:
    proposal = MediatorProposal.objects.select_related("referral").filter(pk=pk).first()
    if proposal is None or answer not in ("accept", "refuse"):
        raise permissions.refuse(request.user, "proposal", pk)
    referral = permissions.referral_get_for(request.user, proposal.referral_id)
    return post_action(
        request,
        _answer_actions(answer == "accept"),
        "answer",
        proposal,
        _case_url(referral.dispute, "#referral"),
    )


@login_required
@require_POST
def extension_consent(request: AuthedRequest, pk: int) -> HttpResponse:
    extension = MediationExtension.objects.filter(pk=pk).first()
    if extension is None:
        raise permissions.refuse(request.user, "extension", pk)
    referral = permissions.referral_get_for(request.user, extension.referral_id)
    actions: dict[str, Action[MediationExtension]] = {
        "consent": Action(
            _("Consent"),
            None,
            lambda rq, e, c: rs.extension_consent(actor=rq.user, extension_id=e.pk),
            lambda u, e: True,
        )
    }
    return post_action(
        request, actions, "consent", extension, _case_url(referral.dispute, "#referral")
    )


@login_required
@require_POST
def session_notes(request: AuthedRequest, pk: int) -> HttpResponse:
    session = MediationSession.objects.filter(pk=pk).first()
    if session is None:
        raise permissions.refuse(request.user, "session", pk)
    referral = permissions.referral_get_for(request.user, session.referral_id)
    if not permissions.can_read_session_notes(request.user, referral):
        raise permissions.refuse(request.user, "session", pk)
    actions: dict[str, Action[MediationSession]] = {
        "notes": Action(
            _("Save notes"),
            None,
            lambda rq, s, c: rs.session_record_notes(
                actor=rq.user, session_id=s.pk, notes=rq.POST.get("notes", "")
            ),
            lambda u, s: True,
        )
    }
    return post_action(request, actions, "notes", session, _case_url(referral.dispute, "#referral"))


@login_required
@role_required("partner")
def inbox(request: AuthedRequest) -> HttpResponse:
    """The mediator's inbox: referrals to their own organisation only."""
    today = timezone.localdate()
    qs = permissions.referrals_visible_to(request.user).for_inbox()
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
