"""Arbitration: the actions on an arbitration case.

Every party works on the case page (/disputes/<ref>/); what each sees and may do comes from
the domain's access module. Each action validates a form and calls one service."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from portal.actions import Action, action_view, transition_allowed
from portal.types import AuthedRequest
from referrals.arbitration import access as arbitration_access
from referrals.arbitration import services as arbitration_services
from referrals.arbitration.forms import ArbitrationAcceptForm, ArbitrationDecisionForm, DateForm
from referrals.centres.forms import (
    RequiredReasonForm,
)
from referrals.models import (
    ArbitrationCase,
)

ARBITRATION_ACTIONS: dict[str, Action[ArbitrationCase]] = {
    "file": Action(
        _("Record the filing"),
        DateForm,
        lambda rq, a, c: arbitration_services.arbitration_file(
            actor=rq.user, case_id=a.pk, filed_on=c["day"]
        ),
        transition_allowed("file"),
    ),
    "accept": Action(
        _("Record the acceptance"),
        ArbitrationAcceptForm,
        lambda rq, a, c: arbitration_services.arbitration_accept(
            actor=rq.user, case_id=a.pk, accepted_on=c["day"], case_number=c["case_number"]
        ),
        transition_allowed("accept"),
    ),
    "decide": Action(
        _("Record an award or a mediation document"),
        ArbitrationDecisionForm,
        lambda rq, a, c: arbitration_services.arbitration_decide(
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
        lambda rq, a, c: arbitration_services.arbitration_withdraw(
            actor=rq.user, case_id=a.pk, reason=c["reason"]
        ),
        transition_allowed("withdraw"),
        danger=True,
    ),
}


@login_required
@require_http_methods(["GET", "POST"])
def arbitration_action(request: AuthedRequest, pk: int, action: str) -> HttpResponse:
    case = arbitration_access.arbitration_get_for(request.user, pk)
    return action_view(
        request,
        ARBITRATION_ACTIONS,
        action,
        case,
        case.dispute.get_absolute_url() + "#arbitration",
        prefix="a-",
    )
