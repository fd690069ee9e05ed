"""Filing a dispute, the dispute page, and every action on it.

Actions are POSTs to /disputes/<ref>/<action>/; each validates a form and calls one service.
A refused action (wrong state, missing consent) comes back as a message on the page through
portal.middleware.ApplicationErrorMiddleware.
"""

from __future__ import annotations

import uuid
from datetime import datetime, time
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import OuterRef, prefetch_related_objects
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mediation import access as dispute_access
from mediation import hooks, repeats, services
from mediation.forms import (
    AmendForm,
    AssignHandlerForm,
    CloseForm,
    DisputeDraftForm,
    DisputeIntakeForm,
    ExtendForm,
    LetterScanForm,
    LinkRepeatForm,
    MediationAskForm,
    MediationCentreForm,
    MediationDecisionForm,
    MilestoneForm,
    OptInForm,
    OptionalReasonForm,
    ReasonForm,
    RegulatorReplyForm,
    RepresentativeForm,
    ReturnVisitForm,
    ReviewAskForm,
    RiskRatingForm,
    StaffAmendForm,
    StaffIntakeForm,
    TriageForm,
)
from mediation.letters import letter_fields
from mediation.lifecycle import OPT_IN_STATES, DisputeStatus
from mediation.models import (
    Channel,
    ClaimVersion,
    Consent,
    Dispute,
    DisputeDraft,
    LetterScan,
    MediationRequest,
    Product,
    ProductCategory,
    Representative,
    ReturnVisit,
    ReviewRequest,
    Urgency,
)
from mediation.selectors import case_holds
from mediation.services import drafts, letters
from mediation.services.complaint_review import review_request_make
from mediation.services.consents import (
    DISCLOSURE_CATEGORIES,
    disclosure_act_text,
    disclosure_consent_text,
    mediation_consent_text,
)
from mediation.services.representatives import representative_authorise, representative_revoke
from mediation.services.return_visits import customer_may_rate, return_visit_record
from mediation.timeline import dispute_timeline, next_step
from portal import access as portal_access
from portal.actions import Action, action_view, shown_actions, transition_allowed
from portal.decorators import role_required
from portal.exceptions import ApplicationError
from portal.forms import form_errors_to_messages
from portal.models import User
from portal.services import user_get_or_create_customer
from portal.types import AuthedRequest
from portal.views_acts import ActPage, act_page


def client_ip(request: AuthedRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


@login_required
@role_required("customer")
@require_http_methods(["GET", "POST"])
def file_dispute(request: AuthedRequest) -> HttpResponse:
    """Filing in two steps, the customer's words kept between them: the form, then a page that
    shows everything as the bank will receive it before it is filed. "Save the draft" keeps an
    unfinished one for later (a filed dispute cannot be taken back, only amended)."""
    draft = DisputeDraft.objects.filter(customer=request.user).first()
    step = request.POST.get("step", "review")
    if request.method == "GET" or step == "edit":
        initial = request.POST.dict() if step == "edit" else (draft.data if draft else {})
        form = DisputeIntakeForm(initial={**initial, "intake_token": uuid.uuid4()})
        return render(request, "mediation/file.html", {"form": form, "draft": draft})
    if step == "drop":
        drafts.dispute_draft_drop(customer=request.user)
        messages.success(request, _("Draft thrown away."))
        return redirect("mediation:file")
    if step == "save":
        draft_form = DisputeDraftForm(request.POST)
        if not draft_form.is_valid():
            form_errors_to_messages(request, draft_form)
            form = DisputeIntakeForm(initial=request.POST.dict())
            return render(request, "mediation/file.html", {"form": form, "draft": draft})
        drafts.dispute_draft_save(customer=request.user, data=draft_form.draft_data())
        messages.success(
            request, _("Draft saved. Come back to it from your home page whenever you like.")
        )
        return redirect("mediation:file")
    form = DisputeIntakeForm(request.POST)
    if not form.is_valid():
        return render(request, "mediation/file.html", {"form": form, "draft": draft})
    data = form.cleaned_data
    if step != "submit":
        # What was typed is kept as the draft while the customer reads it over.
        draft_form = DisputeDraftForm(request.POST)
        if draft_form.is_valid():
            drafts.dispute_draft_save(customer=request.user, data=draft_form.draft_data())
        return render(
            request,
            "mediation/file_review.html",
            {
                "form": form,
                "data": data,
                "category_label": ProductCategory(data["category"]).label,
                "eligible": services.is_amount_eligible(data["amount"]),
                "threshold": services.fast_lane_threshold(),
            },
        )
    dispute = services.dispute_submit(
        customer=request.user,
        branch=data["branch"],
        category=data["category"],
        amount=data["amount"],
        facts=data["facts"],
        request=data["request"],
        account_number=data["account_number"],
        intake_token=data["intake_token"],
    )
    drafts.dispute_draft_drop(customer=request.user)
    messages.success(
        request, _("Your dispute %(ref)s has been received.") % {"ref": dispute.reference}
    )
    return redirect("mediation:detail", reference=dispute.reference)


@login_required
@role_required("staff")
@require_http_methods(["GET", "POST"])
def record_dispute(request: AuthedRequest) -> HttpResponse:
    """A dispute received by phone or letter, recorded by staff; from a scanned letter
    (`?scan=`), its text read by the worker fills the form first, and the scan becomes the
    case's first exhibit."""
    scan = _scan_asked_for(request)
    initial: dict[str, Any] = {
        "intake_token": uuid.uuid4(),
        "received_on": timezone.localdate(),
        "branch": request.user.branch_id,
    }
    if scan is not None:
        found = letter_fields(scan.text)
        initial.update(
            scan=scan.pk,
            channel=Channel.LETTER,
            received_on=timezone.localdate(scan.created_at),
            facts=found.facts,
            request=found.request,
            customer_name=found.customer_name,
            customer_mobile=found.customer_mobile,
        )
    form = StaffIntakeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        staff: User = request.user
        if not portal_access.is_head_office_staff(staff) and data["branch"].pk != staff.branch_id:
            form.add_error("branch", _("You can record disputes for your own branch only."))
        else:
            dispute = _record(staff, data)
            messages.success(request, _("Dispute %(ref)s recorded.") % {"ref": dispute.reference})
            if data["scan"]:
                try:
                    letters.letter_scan_attach(
                        actor=staff, scan_id=data["scan"], reference=dispute.reference
                    )
                except ApplicationError as refused:
                    # The case stands; the scan stays on its own page to be added by hand.
                    messages.warning(
                        request,
                        _("The scanned letter was not added to the case: %(why)s")
                        % {"why": refused.message},
                    )
            return redirect("mediation:detail", reference=dispute.reference)
    return render(
        request,
        "mediation/record.html",
        {"form": form, "scan": scan, "scan_form": LetterScanForm()},
    )


def _scan_asked_for(request: AuthedRequest) -> LetterScan | None:
    """The scanned letter a recording starts from (the query's or the posted form's)."""
    raw = request.POST.get("scan") or request.GET.get("scan")
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404("scan")
    return dispute_access.letter_scan_get_for(request.user, int(raw))


def _record(staff: User, data: dict[str, Any]) -> Dispute:
    customer = user_get_or_create_customer(
        real_name=data["customer_name"],
        mobile=data["customer_mobile"],
        id_number=data["customer_id_number"],
        created_by=staff,
    )
    received_at = timezone.make_aware(datetime.combine(data["received_on"], time(9)))
    return services.dispute_submit(
        customer=customer,
        branch=data["branch"],
        category=data["category"],
        amount=data["amount"],
        facts=data["facts"],
        request=data["request"],
        account_number=data["account_number"],
        channel=data["channel"],
        recorded_by=staff,
        received_at=received_at,
        intake_token=data["intake_token"],
        regulator_reference=data["regulator_reference"],
        product_code=data["product_code"],
        product_name=data["product_name"],
        contract_number=data["contract_number"],
        regulator_reply_due=data["regulator_reply_due"],
    )


@login_required
@role_required("staff")
@require_POST
def letter_scan_upload(request: AuthedRequest) -> HttpResponse:
    """A scanned letter (PDF or image) kept and handed to the worker to read."""
    request.error_redirect = reverse("mediation:record")  # type: ignore[attr-defined]
    form = LetterScanForm(request.POST, request.FILES)
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return redirect("mediation:record")
    upload = form.cleaned_data["scan"]
    scan = letters.letter_scan_upload(
        actor=request.user, upload=upload, original_name=upload.name, declared_size=upload.size
    )
    return redirect("mediation:letter_scan", pk=scan.pk)


@login_required
@role_required("staff")
@require_GET
def letter_scan(request: AuthedRequest, pk: int) -> HttpResponse:
    """A scanned letter while the worker reads it (the page asks again every two seconds
    with htmx; without scripts, a link), then what was read and the way on to record it."""
    scan = dispute_access.letter_scan_get_for(request.user, pk)
    return render(request, "mediation/letter_scan.html", {"scan": scan})


# ---- actions ------------------------------------------------------------------------------


def _staff_open(user: User, dispute: Dispute) -> bool:
    return dispute_access.can_handle_dispute(user, dispute) and dispute.is_open


def _customer_may_opt_in(user: User, dispute: Dispute) -> bool:
    return transition_allowed("opt_in")(user, dispute) and dispute.fast_lane_eligible


def _pending_mediation_request(dispute: Dispute) -> bool:
    # A case has a request or two at most; a case page with any reads them beforehand.
    return any(
        r.decision == MediationRequest.Decision.PENDING for r in dispute.mediation_requests.all()
    )


def _customer_may_ask_mediation(user: User, dispute: Dispute) -> bool:
    """Above the threshold, while the bank handles the case (DESIGN.md 3: the bank may refuse
    only with a recorded reason)."""
    return (
        dispute_access.is_dispute_customer(user, dispute)
        and not dispute.fast_lane_eligible
        and dispute.status in OPT_IN_STATES
        and not _pending_mediation_request(dispute)
    )


def _mediation_request_waits(user: User, dispute: Dispute) -> bool:
    return dispute_access.can_handle_dispute(user, dispute) and _pending_mediation_request(dispute)


def disclosure_url(dispute: Dispute, organisation_id: int) -> str:
    page = reverse("mediation:disclosure", args=[dispute.reference])
    return f"{page}?organisation={organisation_id}"


def _customer_may_ask_review(user: User, dispute: Dispute) -> bool:
    """Once the bank decided, within the 30 days, once (the button or nothing: no promise
    without it)."""
    return bool(
        dispute_access.is_dispute_customer(user, dispute)
        and dispute.status == DisputeStatus.BANK_HANDLING
        and dispute.decision_at
        and dispute.review_request_due
        and timezone.localdate() <= dispute.review_request_due
        and not dispute.review_requests.exists()
    )


def _customer_in_lane(user: User, dispute: Dispute) -> bool:
    return dispute_access.is_dispute_customer(user, dispute) and dispute.status in (
        DisputeStatus.FAST_LANE,
        DisputeStatus.REFERRED,
    )


ACTIONS: dict[str, Action[Dispute]] = {
    "amend": Action(
        gettext_lazy("Amend the claim"),
        AmendForm,
        lambda r, d, c: services.dispute_amend(actor=r.user, reference=d.reference, **c),
        lambda u, d: (
            dispute_access.is_dispute_customer(u, d) and dispute_access.can_amend_dispute(u, d)
        ),
        message=gettext_lazy("Your changes were saved as a new version of your claim."),
        form_kwargs=lambda d: {"initial": _claim_as_it_stands(d)},
    ),
    "amend_on_request": Action(
        gettext_lazy("Amend the claim on the customer's request"),
        StaffAmendForm,
        lambda r, d, c: services.dispute_amend(actor=r.user, reference=d.reference, **c),
        lambda u, d: (
            dispute_access.can_handle_dispute(u, d) and dispute_access.can_amend_dispute(u, d)
        ),
        message=gettext_lazy("The claim's new version was saved; the customer is shown it."),
        form_kwargs=lambda d: {"initial": _claim_as_it_stands(d)},
    ),
    "ask_mediation": Action(
        gettext_lazy("Ask the bank for mediation"),
        MediationAskForm,
        lambda r, d, c: services.mediation_request(
            actor=r.user,
            reference=d.reference,
            agree_mediation=c["agree_mediation"],
            note=c["note"],
            ip_address=client_ip(r),
            user_agent=r.headers.get("user-agent", ""),
        ),
        _customer_may_ask_mediation,
        message=gettext_lazy(
            "Your request is with the bank. It may refuse only with a reason, which you will read."
        ),
    ),
    "decide_mediation": Action(
        gettext_lazy("Decide on the customer's request for mediation"),
        MediationDecisionForm,
        lambda r, d, c: services.mediation_request_decide(
            actor=r.user,
            reference=d.reference,
            agree=c["decision"] == "agree",
            reason=c["reason"],
        ),
        _mediation_request_waits,
        message=gettext_lazy("Decision recorded; the customer is told."),
    ),
    "triage": Action(
        gettext_lazy("Triage"),
        TriageForm,
        lambda r, d, c: services.dispute_triage(actor=r.user, reference=d.reference, **c),
        transition_allowed("triage"),
        form_kwargs=lambda d: {"dispute": d},
        message=lambda d, c: (
            _("Triaged: %(cause)s / %(urgency)s")
            % {"cause": c["cause_label"], "urgency": Urgency(c["urgency"]).label}
        ),
    ),
    "assign": Action(
        gettext_lazy("Give the case to a handler"),
        AssignHandlerForm,
        lambda r, d, c: services.dispute_assign_handler(
            actor=r.user, reference=d.reference, handler_id=c["handler"].pk
        ),
        dispute_access.can_assign_handler,
        message=lambda d, c: (
            _("%(ref)s is now handled by %(who)s.")
            % {"ref": d.reference, "who": c["handler"].display_name}
        ),
        form_kwargs=lambda d: {"staff": dispute_access.assignable_staff(d.branch_id)},
        bulk_form_kwargs=lambda u: {"staff": dispute_access.staff_assignable_by(u)},
    ),
    "start_bank_handling": Action(
        gettext_lazy("Handle on the standard track"),
        None,
        lambda r, d, c: services.dispute_start_bank_handling(actor=r.user, reference=d.reference),
        transition_allowed("start_bank_handling"),
    ),
    "opt_in": Action(
        gettext_lazy("Choose the mediation fast lane"),
        OptInForm,
        lambda r, d, c: services.consent_opt_in(
            actor=r.user,
            reference=d.reference,
            agree_mediation=c["agree_mediation"],
            agree_disclosure=c["agree_disclosure"],
            ip_address=client_ip(r),
            user_agent=r.headers.get("user-agent", ""),
        ),
        _customer_may_opt_in,
        message=gettext_lazy("Your case is now in the mediation fast lane."),
        form_kwargs=lambda d: {"given": services.consents_given(d)},
        # A centre chosen now: its consent by name is a binding act, on its own page next.
        then=lambda d, c: (
            disclosure_url(d, c["organisation"].pk) if c.get("organisation") else None
        ),
    ),
    "milestone": Action(
        gettext_lazy("Record a service target"),
        MilestoneForm,
        lambda r, d, c: services.dispute_record_milestone(
            actor=r.user, reference=d.reference, milestone=c["milestone"], text=c["text"]
        ),
        _staff_open,
    ),
    "extend": Action(
        gettext_lazy("Extend the decision period"),
        ExtendForm,
        lambda r, d, c: services.dispute_extend_decision(
            actor=r.user, reference=d.reference, track=c["track"], reason=c["reason"]
        ),
        lambda u, d: _staff_open(u, d) and d.decision_at is None,
    ),
    "regulator_reply": Action(
        gettext_lazy("Record the report to the regulator"),
        RegulatorReplyForm,
        lambda r, d, c: services.dispute_record_regulator_reply(
            actor=r.user, reference=d.reference, text=c["text"]
        ),
        lambda u, d: (
            dispute_access.can_handle_dispute(u, d)
            and d.regulator_reply_due is not None
            and d.regulator_replied_at is None
        ),
        message=gettext_lazy("The report to the regulator is recorded."),
    ),
    "resume_handling": Action(
        gettext_lazy("Return the case to the bank"),
        OptionalReasonForm,
        lambda r, d, c: services.dispute_resume_handling(
            actor=r.user, reference=d.reference, reason=c["reason"]
        ),
        transition_allowed("resume_handling"),
    ),
    "close": Action(
        gettext_lazy("Close the case"),
        CloseForm,
        lambda r, d, c: services.dispute_close(
            actor=r.user, reference=d.reference, reason=c["reason"], note=c["note"]
        ),
        transition_allowed("close"),
    ),
    "rate": Action(
        gettext_lazy("Rate the handling of your case"),
        ReturnVisitForm,
        lambda r, d, c: return_visit_record(
            actor=r.user, reference=d.reference, rating=c["rating"], comment=c["comment"]
        ),
        customer_may_rate,
        message=gettext_lazy("Thank you for your rating."),
    ),
    "phone_visit": Action(
        gettext_lazy("Record a telephone return visit"),
        ReturnVisitForm,
        lambda r, d, c: return_visit_record(
            actor=r.user, reference=d.reference, rating=c["rating"], comment=c["comment"]
        ),
        lambda u, d: (
            dispute_access.can_record_return_visit(u, d)
            and not ReturnVisit.objects.filter(dispute=d).exists()
        ),
    ),
    "ask_review": Action(
        gettext_lazy("Ask for a review of the bank's decision"),
        ReviewAskForm,
        lambda r, d, c: review_request_make(actor=r.user, reference=d.reference, **c),
        _customer_may_ask_review,
        message=gettext_lazy(
            "Your request is with the bank: someone other than the person who gave the decision "
            "reviews it."
        ),
    ),
    "authorise_agent": Action(
        gettext_lazy("Authorise an agent to act for you on this case"),
        RepresentativeForm,
        lambda r, d, c: representative_authorise(
            actor=r.user,
            reference=d.reference,
            agent_mobile=c["agent_mobile"],
            relation=c["relation"],
            upload=c["file"],
            file_name=c["file"].name,
            size=c["file"].size,
        ),
        lambda u, d: dispute_access.is_principal(u, d) and d.is_open,
        multipart=True,
        message=gettext_lazy(
            "Your agent is authorised on this case and is told. You may revoke it at any time."
        ),
    ),
    "withdraw": Action(
        gettext_lazy("Withdraw the dispute"),
        ReasonForm,
        lambda r, d, c: services.dispute_withdraw(
            actor=r.user, reference=d.reference, reason=c["reason"]
        ),
        transition_allowed("withdraw"),
        danger=True,
        message=gettext_lazy("The dispute was withdrawn."),
    ),
    "confirm_repeat": Action(
        gettext_lazy("Confirm the link to the same person's earlier complaint"),
        None,
        lambda r, d, c: repeats.repeat_confirm(actor=r.user, reference=d.reference),
        lambda u, d: (
            dispute_access.can_link_repeats(u, d)
            and d.repeat_of_id is not None
            and d.repeat_confirmed_at is None
        ),
        message=gettext_lazy("Confirmed: one case, one reply. The customer now sees the link."),
    ),
    "undo_repeat": Action(
        gettext_lazy("Undo the link: another matter"),
        ReasonForm,
        lambda r, d, c: repeats.repeat_undo(
            actor=r.user, reference=d.reference, reason=c["reason"]
        ),
        lambda u, d: dispute_access.can_link_repeats(u, d) and d.repeat_of_id is not None,
        message=gettext_lazy("The link is undone: this case stands, and counts, alone."),
    ),
    "link_repeat": Action(
        gettext_lazy("Link as a repeat of the same person's other case"),
        LinkRepeatForm,
        lambda r, d, c: repeats.repeat_link(
            actor=r.user, reference=d.reference, primary_reference=c["primary"]
        ),
        lambda u, d: dispute_access.can_link_repeats(u, d) and d.repeat_of_id is None and d.is_open,
        message=gettext_lazy("Linked: one case, one reply."),
    ),
    "risk_rating": Action(
        gettext_lazy("Record the customer's risk rating when the product was sold"),
        RiskRatingForm,
        lambda r, d, c: services.dispute_record_risk_rating(
            actor=r.user, reference=d.reference, rating=int(c["rating"])
        ),
        lambda u, d: dispute_access.can_handle_dispute(u, d) and d.is_open,
        message=gettext_lazy("The rating is recorded."),
    ),
}


def _claim_as_it_stands(dispute: Dispute) -> dict[str, Any]:
    """An amendment starts from the claim as it stands."""
    return {"amount": dispute.amount, "facts": dispute.facts, "request": dispute.request}


def _action_forms(user: User, dispute: Dispute) -> list[tuple[str, Action[Dispute], Any]]:
    # Opting in is what the page is for while it is offered: its panel is open, its form here.
    return shown_actions(hooks.case_actions(ACTIONS), user, dispute, eager=("opt_in",))


def _consent_texts() -> dict[str, str]:
    """What the customer consents to, read above the forms that give the consent."""
    return {
        "mediation_consent_text": mediation_consent_text(),
        "disclosure_consent_text": disclosure_consent_text(None),
    }


# The case's own lists the page reads only if they hold anything (`case_holds`).
CASE_LISTS: dict[str, Any] = {
    "consents": Consent,
    "return_visit": ReturnVisit,
    "representatives": Representative,
    "review_requests": ReviewRequest,
    "mediation_requests": MediationRequest,
    "repeats": Dispute.objects.filter(repeat_of=OuterRef("pk")),
    # Every case has its claim as filed (version 1); the page lists the versions once amended.
    "amended_claim": ClaimVersion.objects.filter(dispute=OuterRef("pk"), number__gt=1),
}


@login_required
def detail(request: AuthedRequest, reference: str) -> HttpResponse:
    user: User = request.user
    dispute = dispute_access.dispute_get_for(user, reference)
    today = timezone.localdate()
    is_customer = dispute_access.is_dispute_customer(user, dispute)
    banks_side = dispute_access.reads_the_banks_notes(user)
    # The claim's versions, agents, requests and repeats are the customer's and the bank's
    # side's to see.
    parties = is_customer or banks_side
    # Which of the case's lists hold anything, the panels' included, in one query: only those
    # are read (most cases have no amended claim, agent, request, repeat, consent, reply or
    # outside body).
    holds = case_holds(dispute, **CASE_LISTS, **hooks.case_lists())
    if holds["mediation_requests"]:
        # Read once for the page's list and its actions' checks.
        prefetch_related_objects([dispute], "mediation_requests")
    context = {
        "dispute": dispute,
        "today": today,
        "clocks": [(c, c.state(today)) for c in dispute.clocks_for(internal=banks_side)],
        "timeline": dispute_timeline(dispute, user),
        "next_step": next_step(dispute, user),
        "actions": _action_forms(user, dispute),
        "consents": (
            list(dispute.consents.select_related("recipient").order_by("granted_at"))
            if holds["consents"]
            else []
        ),
        "return_visit": dispute.return_visit if holds["return_visit"] else None,
        "is_customer": is_customer,
        "is_handler": dispute_access.can_handle_dispute(user, dispute),
        # The claim's versions and the requests for mediation: the customer's and the bank's.
        "claim_versions": (
            list(dispute.claim_versions.select_related("made_by"))
            if parties and holds["amended_claim"]
            else []
        ),
        # The customer's agents: the customer and the bank's side see them; an agent sees whom
        # they act for.
        "representatives": (
            list(dispute.representatives.select_related("agent", "power_of_attorney"))
            if parties and holds["representatives"]
            else []
        ),
        "acting_for": dispute.customer if dispute_access.is_agent(user, dispute) else None,
        "is_principal": dispute_access.is_principal(user, dispute),
        "review_requests": list(dispute.review_requests.all())
        if parties and holds["review_requests"]
        else [],
        "mediation_requests": list(dispute.mediation_requests.all())
        if parties and holds["mediation_requests"]
        else [],
        "threshold": services.fast_lane_threshold(),
        "lane_notice_states": OPT_IN_STATES,
        **_consent_texts(),
        "disclosure_categories": DISCLOSURE_CATEGORIES,
        "disclosure_choice": MediationCentreForm(auto_id="id_disclosure_%s")
        if _customer_in_lane(user, dispute)
        else None,
        "show_id_whole": False,
        # A partner whose consent the customer withdrew sees the case without the person.
        "pseudonymised": not dispute_access.partner_may_receive_data(user, dispute),
        # Repeat complaints (mediation/repeats.py): the bank's side sees a link the rule
        # made at once, the customer once staff confirmed it.
        "repeat_of": dispute.repeat_of if dispute_access.sees_repeat_link(user, dispute) else None,
        "repeats": list(dispute.repeats.only("reference", "received_at", "channel"))
        if banks_side and holds["repeats"]
        else [],
        "product": (
            Product.objects.filter(code=dispute.product_code).first()
            if banks_side and dispute.product_code
            else None
        ),
        **hooks.case_panels(user, dispute, holds),
    }
    context.update(_evidence_context(request, dispute))
    return render(request, "mediation/detail.html", context)


def _evidence_context(request: AuthedRequest, dispute: Dispute) -> dict[str, Any]:
    from mediation.views.evidence import evidence_context

    return evidence_context(request, dispute)


@login_required
@require_http_methods(["GET", "POST"])
def dispute_action(request: AuthedRequest, reference: str, action: str) -> HttpResponse:
    """A case action: its form (GET: the opened panel's, or a page of its own), or done (POST)."""
    dispute = dispute_access.dispute_get_for(request.user, reference)
    back = reverse("mediation:detail", args=[reference])
    return action_view(
        request,
        hooks.case_actions(ACTIONS),
        action,
        dispute,
        back,
        body="mediation/_action_body.html",
        context=_consent_texts() if action in ("opt_in", "ask_mediation") else None,
    )


@login_required
@require_POST
def consent_withdraw(request: AuthedRequest, reference: str, consent_id: int) -> HttpResponse:
    dispute = dispute_access.dispute_get_for(request.user, reference)
    request.error_redirect = reverse("mediation:detail", args=[reference])  # type: ignore[attr-defined]
    dispute_access.consent_get_for(request.user, dispute, consent_id)
    services.consent_withdraw(
        actor=request.user,
        consent_id=consent_id,
        reason=request.POST.get("reason", ""),
    )
    messages.success(request, _("Consent withdrawn. Nothing more will be disclosed."))
    return redirect("mediation:detail", reference=reference)


DISCLOSURE_PAGE = ActPage(
    heading=gettext_lazy("Consent to give a mediation centre your personal information"),
    agree=gettext_lazy("I have read the whole text above and give this consent."),
    button=gettext_lazy("Give the consent"),
    done=gettext_lazy(
        "Your consent is recorded. A sealed copy is being prepared under 'Your confirmations'."
    ),
)


@login_required
@require_http_methods(["GET", "POST"])
def disclosure(request: AuthedRequest, reference: str) -> HttpResponse:
    """The customer consents, by name, to a centre receiving their personal information: a
    binding act (PIPL arts. 23, 29), choosing the centre first."""
    dispute = dispute_access.dispute_get_for(request.user, reference)
    back = dispute.get_absolute_url()
    if not dispute_access.is_dispute_customer(request.user, dispute):
        raise portal_access.refuse(request.user, "dispute", reference)
    choice = MediationCentreForm(request.GET or None)
    if not choice.is_valid():
        return render(
            request,
            "mediation/disclosure_choose.html",
            {"dispute": dispute, "form": choice, "back": back},
        )
    centre = choice.cleaned_data["organisation"]
    if dispute.consents_in_force(kind="personal_info", organisation_id=centre.pk).exists():
        messages.info(request, _("Your consent to this centre is already in force."))
        return redirect(back)
    return act_page(
        request,
        act=disclosure_act_text(dispute, centre),
        page=DISCLOSURE_PAGE,
        perform=lambda proof, shown: services.consent_give_disclosure(
            actor=request.user,
            reference=reference,
            organisation_id=centre.pk,
            proof=proof,
            shown_sha256=shown,
            ip_address=client_ip(request),
            user_agent=request.headers.get("user-agent", ""),
        ),
        back=back,
    )


@login_required
@require_POST
def agent_revoke(request: AuthedRequest, reference: str, pk: int) -> HttpResponse:
    """The customer revokes an agent's authorisation (the agent loses the case at once)."""
    dispute = dispute_access.dispute_get_for(request.user, reference)
    back = dispute.get_absolute_url() + "#representatives"
    request.error_redirect = back  # type: ignore[attr-defined]
    if not dispute_access.is_principal(request.user, dispute):
        raise portal_access.refuse(request.user, "representative", pk)
    representative_revoke(
        actor=request.user,
        reference=reference,
        representative_id=pk,
        reason=request.POST.get("reason", ""),
    )
    messages.success(request, _("The agent's authorisation is revoked; they are told."))
    return redirect(back)
