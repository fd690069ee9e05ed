"""Filing a dispute, the dispute page, and every action on it.

Actions are POSTs to /disputes/<ref>/<action>/; each validates a form and calls one service.
A refused action (wrong state, missing consent) comes back as a message on the page through
portal.middleware.ApplicationErrorMiddleware.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from mediation import services
from mediation.forms import (
    AmendForm,
    CloseForm,
    DecisionForm,
    DisclosureConsentForm,
    DisputeIntakeForm,
    ExtendForm,
    MilestoneForm,
    OptInForm,
    OptionalReasonForm,
    ReasonForm,
    StaffIntakeForm,
    TriageForm,
)
from mediation.lifecycle import DisputeStatus
from mediation.models import Consent, Dispute
from mediation.services.consents import (
    DISCLOSURE_CATEGORIES,
    disclosure_consent_text,
    mediation_consent_text,
)
from mediation.timeline import NEXT_STEPS, dispute_timeline
from portal import permissions
from portal.decorators import role_required
from portal.forms import form_errors_to_messages
from portal.models import User
from portal.services import user_get_or_create_customer
from portal.types import AuthedRequest


def client_ip(request: AuthedRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


@login_required
@role_required("customer")
@require_http_methods(["GET", "POST"])
def file_dispute(request: AuthedRequest) -> HttpResponse:
    form = DisputeIntakeForm(request.POST or None, initial={"intake_token": uuid.uuid4()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
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
        messages.success(
            request, _("Your dispute %(ref)s has been received.") % {"ref": dispute.reference}
        )
        return redirect("mediation:detail", reference=dispute.reference)
    return render(request, "mediation/file.html", {"form": form})


@login_required
@role_required("staff")
@require_http_methods(["GET", "POST"])
def record_dispute(request: AuthedRequest) -> HttpResponse:
    form = StaffIntakeForm(
        request.POST or None,
        initial={
            "intake_token": uuid.uuid4(),
            "received_on": timezone.localdate(),
            "branch": request.user.branch_id,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        staff: User = request.user
        if not permissions.is_head_office_staff(staff) and data["branch"].pk != staff.branch_id:
            form.add_error("branch", _("You can record disputes for your own branch only."))
        else:
            customer = user_get_or_create_customer(
                real_name=data["customer_name"],
                mobile=data["customer_mobile"],
                id_number=data["customer_id_number"],
                created_by=staff,
            )
            received_at = timezone.make_aware(datetime.combine(data["received_on"], time(9)))
            dispute = services.dispute_submit(
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
            )
            messages.success(request, _("Dispute %(ref)s recorded.") % {"ref": dispute.reference})
            return redirect("mediation:detail", reference=dispute.reference)
    return render(request, "mediation/record.html", {"form": form})


# ---- actions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    """A button on the dispute page: who may see it, its form, and the service it calls."""

    label: Any
    form: type[forms.Form] | None
    run: Callable[[AuthedRequest, Dispute, dict[str, Any]], object]
    shown: Callable[[User, Dispute], bool]
    danger: bool = False
    message: Any = None  # defaults to "Done." in dispute_action


def _transition_available(name: str) -> Callable[[User, Dispute], bool]:
    def shown(user: User, dispute: Dispute) -> bool:
        method = getattr(dispute, name)
        meta = method._django_fsm
        return bool(
            meta.has_transition(dispute.status)
            and meta.has_transition_perm(dispute, dispute.status, user)
        )

    return shown


def _staff_open(user: User, dispute: Dispute) -> bool:
    return permissions.can_handle_dispute(dispute, user) and dispute.is_open


def _customer_may_opt_in(user: User, dispute: Dispute) -> bool:
    return _transition_available("opt_in")(user, dispute) and dispute.fast_lane_eligible


def _customer_in_lane(user: User, dispute: Dispute) -> bool:
    return permissions.is_dispute_customer(dispute, user) and dispute.status in (
        DisputeStatus.FAST_LANE,
        DisputeStatus.REFERRED,
    )


ACTIONS: dict[str, Action] = {
    "amend": Action(
        gettext_lazy("Amend the claim"),
        AmendForm,
        lambda r, d, c: services.dispute_amend(actor=r.user, reference=d.reference, **c),
        lambda u, d: permissions.can_amend_dispute(d, u),
        message=gettext_lazy("Your changes were saved."),
    ),
    "triage": Action(
        gettext_lazy("Triage"),
        TriageForm,
        lambda r, d, c: services.dispute_triage(actor=r.user, reference=d.reference, **c),
        _transition_available("triage"),
    ),
    "start_bank_handling": Action(
        gettext_lazy("Handle on the standard track"),
        None,
        lambda r, d, c: services.dispute_start_bank_handling(actor=r.user, reference=d.reference),
        _transition_available("start_bank_handling"),
    ),
    "opt_in": Action(
        gettext_lazy("Choose the mediation fast lane"),
        OptInForm,
        lambda r, d, c: services.consent_opt_in(
            actor=r.user,
            reference=d.reference,
            agree_mediation=c["agree_mediation"],
            agree_disclosure=c["agree_disclosure"],
            organisation_id=c["organisation"].pk if c.get("organisation") else None,
            ip_address=client_ip(r),
            user_agent=r.headers.get("user-agent", ""),
        ),
        _customer_may_opt_in,
        message=gettext_lazy("Your case is now in the mediation fast lane."),
    ),
    "consent_disclosure": Action(
        gettext_lazy("Consent to disclosure to a named mediation centre"),
        DisclosureConsentForm,
        lambda r, d, c: services.consent_give_disclosure(
            actor=r.user,
            reference=d.reference,
            organisation_id=c["organisation"].pk,
            ip_address=client_ip(r),
            user_agent=r.headers.get("user-agent", ""),
        ),
        _customer_in_lane,
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
    "decision": Action(
        gettext_lazy("Record the bank's decision"),
        DecisionForm,
        lambda r, d, c: services.dispute_record_decision(
            actor=r.user, reference=d.reference, text=c["text"]
        ),
        lambda u, d: _staff_open(u, d) and d.status == DisputeStatus.BANK_HANDLING,
    ),
    "start_litigation": Action(
        gettext_lazy("Record that the case went to court"),
        OptionalReasonForm,
        lambda r, d, c: services.dispute_start_litigation(
            actor=r.user, reference=d.reference, reason=c["reason"]
        ),
        _transition_available("start_litigation"),
    ),
    "resume_handling": Action(
        gettext_lazy("Return the case to the bank"),
        OptionalReasonForm,
        lambda r, d, c: services.dispute_resume_handling(
            actor=r.user, reference=d.reference, reason=c["reason"]
        ),
        _transition_available("resume_handling"),
    ),
    "close": Action(
        gettext_lazy("Close the case"),
        CloseForm,
        lambda r, d, c: services.dispute_close(
            actor=r.user, reference=d.reference, reason=c["reason"], note=c["note"]
        ),
        _transition_available("close"),
    ),
    "withdraw": Action(
        gettext_lazy("Withdraw the dispute"),
        ReasonForm,
        lambda r, d, c: services.dispute_withdraw(
            actor=r.user, reference=d.reference, reason=c["reason"]
        ),
        _transition_available("withdraw"),
        danger=True,
        message=gettext_lazy("The dispute was withdrawn."),
    ),
}


def _action_forms(user: User, dispute: Dispute) -> list[tuple[str, Action, forms.Form | None]]:
    shown = []
    for name, action in ACTIONS.items():
        if action.shown(user, dispute):
            initial = {}
            if name == "amend":
                initial = {
                    "amount": dispute.amount,
                    "facts": dispute.facts,
                    "request": dispute.request,
                }
            form = action.form(initial=initial, prefix=name) if action.form else None
            shown.append((name, action, form))
    return shown


@login_required
def detail(request: AuthedRequest, reference: str) -> HttpResponse:
    user: User = request.user
    dispute = permissions.dispute_get_for(user, reference)
    today = timezone.localdate()
    consents = dispute.consents.select_related("recipient").order_by("granted_at")
    context = {
        "dispute": dispute,
        "today": today,
        "clocks": [(c, c.state(today)) for c in dispute.clocks],
        "timeline": dispute_timeline(dispute),
        "next_step": NEXT_STEPS[DisputeStatus(dispute.status)],
        "actions": _action_forms(user, dispute),
        "consents": consents,
        "is_customer": permissions.is_dispute_customer(dispute, user),
        "is_handler": permissions.can_handle_dispute(dispute, user),
        "threshold": services.fast_lane_threshold(),
        "mediation_consent_text": mediation_consent_text(),
        "disclosure_consent_text": disclosure_consent_text(None),
        "disclosure_categories": DISCLOSURE_CATEGORIES,
        "show_id_whole": False,
    }
    context.update(_evidence_context(request, dispute))
    return render(request, "mediation/detail.html", context)


def _evidence_context(request: AuthedRequest, dispute: Dispute) -> dict[str, Any]:
    from mediation.views.evidence import evidence_context

    return evidence_context(request, dispute)


@login_required
@require_POST
def dispute_action(request: AuthedRequest, reference: str, action: str) -> HttpResponse:
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404("action")
    user: User = request.user
    dispute = permissions.dispute_get_for(user, reference)
    request.error_redirect = reverse("mediation:detail", args=[reference])  # type: ignore[attr-defined]
    cleaned: dict[str, Any] = {}
    if spec.form is not None:
        form = spec.form(request.POST, prefix=action)
        if not form.is_valid():
            form_errors_to_messages(request, form)
            return redirect("mediation:detail", reference=reference)
        cleaned = form.cleaned_data
    spec.run(request, dispute, cleaned)
    messages.success(request, str(spec.message or _("Done.")))
    return redirect("mediation:detail", reference=reference)


@login_required
@require_POST
def consent_withdraw(request: AuthedRequest, reference: str, consent_id: int) -> HttpResponse:
    dispute = permissions.dispute_get_for(request.user, reference)
    request.error_redirect = reverse("mediation:detail", args=[reference])  # type: ignore[attr-defined]
    if not Consent.objects.filter(pk=consent_id, dispute=dispute).exists():
        raise permissions.refuse(request.user, "consent", consent_id)
    services.consent_withdraw(
        actor=request.user,
        consent_id=consent_id,
        reason=request.POST.get("reason", ""),
    )
    messages.success(request, _("Consent withdrawn. Nothing more will be disclosed."))
    return redirect("mediation:detail", reference=reference)
