"""Judicial confirmation: the actions on an application, and its generated application form.

Every party works on the case page (/disputes/<ref>/); what each sees and may do comes from
the domain's access module. Each action validates a form and calls one service."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from mediation import access as dispute_access
from mediation.forms import OptionalReasonForm
from portal import access as portal_access
from portal.actions import Action, action_view, transition_allowed
from portal.audit import audit_record
from portal.exceptions import ApplicationError
from portal.forms import choose_the_only_option
from portal.models import OrganisationKind, PartnerOrganisation, User
from portal.types import AuthedRequest
from portal.views_acts import ActPage, act_page
from referrals.centres.forms import (
    RequiredReasonForm,
)
from referrals.confirmation import access as confirmation_access
from referrals.confirmation import application_form as form_services
from referrals.confirmation import court as court_services
from referrals.confirmation import services as confirmation_services
from referrals.confirmation.forms import (
    AmendAgreementForm,
    ConfirmationAcceptForm,
    NotAcceptForm,
    PerformanceForm,
    RejectForm,
    RulingForm,
)
from referrals.confirmation.lifecycle import ConfirmationStatus
from referrals.models import (
    FormStatus,
    JudicialConfirmation,
)


def _bank_consent_pending(user: User, c: JudicialConfirmation) -> bool:
    """The bank agrees here; the customer's agreement is a binding act on its own page."""
    return confirmation_access.consent_pending_from(
        user, c
    ) and not dispute_access.is_dispute_customer(user, c.dispute)


def _handler_while(*states: str) -> Any:
    return lambda user, c: confirmation_access.is_handler_while(user, c, *states)


def _file(rq: AuthedRequest, c: JudicialConfirmation, data: dict[str, Any]) -> object:
    return confirmation_services.confirmation_file(actor=rq.user, confirmation_id=c.pk)


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
        lambda rq, c, d: confirmation_services.confirmation_consent(
            actor=rq.user, confirmation_id=c.pk
        ),
        _bank_consent_pending,
    ),
    "form": Action(
        _("Generate the application form"),
        None,
        lambda rq, c, d: form_services.confirmation_request_form(
            actor=rq.user, confirmation_id=c.pk
        ),
        _handler_while(ConfirmationStatus.PREPARING),
        message=_("The application form is being generated; this page shows when it is ready."),
    ),
    "file": Action(
        _("File the joint application"), None, _file, _handler_while(ConfirmationStatus.PREPARING)
    ),
    "accept": Action(
        _("Record the court's acceptance"),
        ConfirmationAcceptForm,
        lambda rq, c, d: court_services.confirmation_accept(
            actor=rq.user, confirmation_id=c.pk, accepted_on=d["day"], case_number=d["case_number"]
        ),
        transition_allowed("accept"),
    ),
    "not_accept": Action(
        _("Record that the court did not accept"),
        NotAcceptForm,
        lambda rq, c, d: court_services.confirmation_not_accept(
            actor=rq.user, confirmation_id=c.pk, reason=d["reason"], note=d["note"]
        ),
        transition_allowed("not_accept"),
        danger=True,
    ),
    "extend_review": Action(
        _("Record the 10-day extension of the ruling period"),
        RequiredReasonForm,
        lambda rq, c, d: court_services.confirmation_extend_review(
            actor=rq.user, confirmation_id=c.pk, reason=d["reason"]
        ),
        lambda u, c: transition_allowed("confirm")(u, c) and not c.decision_extended,
    ),
    "confirm": Action(
        _("Record the ruling confirming the agreement"),
        RulingForm,
        lambda rq, c, d: court_services.confirmation_confirm(
            actor=rq.user, confirmation_id=c.pk, **_ruling_kwargs(d)
        ),
        transition_allowed("confirm"),
        multipart=True,
    ),
    "reject": Action(
        _("Record the ruling rejecting the application"),
        RejectForm,
        lambda rq, c, d: court_services.confirmation_reject(
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
        lambda rq, c, d: confirmation_services.confirmation_amend_agreement(
            actor=rq.user,
            confirmation_id=c.pk,
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
        lambda rq, c, d: confirmation_services.confirmation_mediate_again(
            actor=rq.user, confirmation_id=c.pk, reason=d["reason"]
        ),
        transition_allowed("mediate_again"),
    ),
    "sue": Action(
        _("Go to court with a lawsuit"),
        OptionalReasonForm,
        lambda rq, c, d: confirmation_services.confirmation_sue(
            actor=rq.user, confirmation_id=c.pk, reason=d["reason"]
        ),
        transition_allowed("sue"),
    ),
    "performance": Action(
        _("Record the bank's payment"),
        PerformanceForm,
        lambda rq, c, d: confirmation_services.performance_record(
            actor=rq.user,
            confirmation_id=c.pk,
            paid_on=d["paid_on"],
            amount=d["amount"],
            upload=d["file"],
            file_name=d["file"].name,
            size=d["file"].size,
        ),
        lambda u, c: _handler_while(ConfirmationStatus.CONFIRMED)(u, c) and c.paid_on is None,
        multipart=True,
    ),
    "withdraw": Action(
        _("Withdraw the application"),
        RequiredReasonForm,
        lambda rq, c, d: confirmation_services.confirmation_withdraw(
            actor=rq.user, confirmation_id=c.pk, reason=d["reason"]
        ),
        transition_allowed("withdraw"),
        danger=True,
    ),
}


@login_required
@require_http_methods(["GET", "POST"])
def confirmation_action(request: AuthedRequest, pk: int, action: str) -> HttpResponse:
    confirmation = confirmation_access.confirmation_get_for(request.user, pk)
    return action_view(
        request,
        CONFIRMATION_ACTIONS,
        action,
        confirmation,
        confirmation.dispute.get_absolute_url() + "#confirmation",
        prefix="c-",
    )


@login_required
def confirmation_application(request: AuthedRequest, pk: int) -> FileResponse:
    confirmation = confirmation_access.confirmation_get_for(request.user, pk)
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


class CourtChoiceForm(forms.Form):
    court = forms.ModelChoiceField(
        label=_("Competent court"),
        queryset=PartnerOrganisation.objects.none(),
        empty_label=None,
        help_text=_(
            "CPL art. 205: the basic people's court where the mediation organisation is located, "
            "or where you live; for a mediation the court invited, that court."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["court"].queryset = PartnerOrganisation.objects.active().filter(  # type: ignore[attr-defined]
            kind=OrganisationKind.COURT
        )


APPLY_PAGE = ActPage(
    heading=_("Apply for judicial confirmation"),
    agree=_("I have read the whole text above and apply jointly with the bank."),
    button=_("Apply for judicial confirmation"),
    done=_(
        "You applied. The bank is asked to join the application; once it has, the application "
        "goes to the court. A sealed copy is being prepared under 'Your confirmations'."
    ),
)
JOIN_PAGE = ActPage(
    heading=_("Join the application for judicial confirmation"),
    agree=_("I have read the whole text above and apply jointly with the bank."),
    button=_("Join the application"),
    done=_(
        "You joined the application. A sealed copy is being prepared under 'Your confirmations'."
    ),
)


@login_required
@require_http_methods(["GET", "POST"])
def confirmation_apply(request: AuthedRequest, reference: str) -> HttpResponse:
    """The customer starts the joint application online (a binding act), choosing the court
    first; the bank is asked to join."""
    dispute = dispute_access.dispute_get_for(request.user, reference)
    back = dispute.get_absolute_url() + "#referral"
    if not dispute_access.is_dispute_customer(request.user, dispute):
        raise portal_access.refuse(request.user, "dispute", reference)
    try:
        agreement = confirmation_services.confirmation_agreement(dispute)
    except ApplicationError as refused:
        messages.error(request, refused.message)
        return redirect(back)
    choice = choose_the_only_option(CourtChoiceForm(request.GET or None))
    if not choice.is_valid():
        return render(
            request,
            "referrals/confirmation_court.html",
            {"dispute": dispute, "agreement": agreement, "form": choice, "back": back},
        )
    court = choice.cleaned_data["court"]
    return act_page(
        request,
        act=confirmation_services.confirmation_act_text(
            dispute=dispute, agreement=agreement, court=court
        ),
        page=APPLY_PAGE,
        perform=lambda proof, shown: confirmation_services.confirmation_apply_confirmed(
            actor=request.user,
            reference=reference,
            court_id=court.pk,
            proof=proof,
            shown_sha256=shown,
        ),
        back=back,
        extra={"change_court": request.path},
    )


@login_required
@require_http_methods(["GET", "POST"])
def confirmation_join(request: AuthedRequest, pk: int) -> HttpResponse:
    """The customer joins the application the bank prepared (a binding act)."""
    c = confirmation_access.confirmation_get_for(request.user, pk)
    if not dispute_access.is_dispute_customer(request.user, c.dispute):
        raise portal_access.refuse(request.user, "confirmation", pk)
    back = c.dispute.get_absolute_url() + "#confirmation"
    if not confirmation_access.consent_pending_from(request.user, c):
        messages.info(request, _("Nothing waits for your agreement on this application."))
        return redirect(back)
    return act_page(
        request,
        act=confirmation_services.confirmation_act_text(
            dispute=c.dispute, agreement=c.agreement, court=c.court
        ),
        page=JOIN_PAGE,
        perform=lambda proof, shown: confirmation_services.confirmation_join_confirmed(
            actor=request.user, confirmation_id=pk, proof=proof, shown_sha256=shown
        ),
        back=back,
    )
