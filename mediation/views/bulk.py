"""Bulk actions on the staff queue (issue 19): triage, give to a handler, refer to a centre,
for the cases ticked on the page.

Each ticked case goes through the very action its case page offers (the same form, the same
check of who may act and in which state, the same service), in a transaction of its own: one
refused case leaves the others done, and the person reads what happened to each.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mediation import access as dispute_access
from mediation import hooks
from mediation.models import Dispute
from mediation.views.cases import ACTIONS
from portal import refusals
from portal.actions import Action
from portal.decorators import role_required
from portal.exceptions import ApplicationError, TransitionRefused, normalise_exception
from portal.forms import choose_the_only_option, form_errors_to_messages
from portal.models import User
from portal.pagination import list_url
from portal.types import AuthedRequest

# The case actions a queue offers for many cases at once ("refer" is referrals', registered
# through mediation.hooks), and how many cases one request may carry.
BULK_ACTIONS = ("triage", "assign", "refer")
BULK_MAX = 100


def _bulk_actions() -> dict[str, Action[Dispute]]:
    actions = hooks.case_actions(ACTIONS)
    return {name: actions[name] for name in BULK_ACTIONS if name in actions}


def _form(action: Action[Dispute], name: str, data: Any, kwargs: dict[str, Any]) -> forms.Form:
    assert action.form is not None
    return action.form(data, prefix=f"bulk-{name}", **kwargs)


def bulk_forms(user: User) -> list[tuple[str, Action[Dispute], forms.Form | None]]:
    """The bulk actions' forms for the queue page, with the choices of the viewer's scope."""
    out = []
    for name, action in _bulk_actions().items():
        form = None
        if action.form is not None:
            kwargs = action.bulk_form_kwargs(user) if action.bulk_form_kwargs else {}
            form = choose_the_only_option(_form(action, name, None, kwargs))
        out.append((name, action, form))
    return out


@login_required
@role_required("staff")
@require_POST
def queue_bulk(request: AuthedRequest) -> HttpResponse:
    back = list_url(reverse("mediation:queue"), request.POST.get("filter", ""))
    request.error_redirect = back  # type: ignore[attr-defined]
    name = request.POST.get("bulk", "")
    action = _bulk_actions().get(name)
    if action is None:
        raise Http404("bulk action")
    refs = list(dict.fromkeys(r.strip() for r in request.POST.getlist("refs") if r.strip()))
    if not refs:
        messages.error(request, _("Tick the cases to act on first."))
        return redirect(back)
    if len(refs) > BULK_MAX:
        messages.error(request, _("At most %(n)s cases at a time: tick fewer.") % {"n": BULK_MAX})
        return redirect(back)
    cleaned: dict[str, Any] = {}
    if action.form is not None:
        # The form once for all: a missing or wrong field is said once and no case is touched.
        kwargs = action.bulk_form_kwargs(request.user) if action.bulk_form_kwargs else {}
        form = _form(action, name, request.POST, kwargs)
        if not form.is_valid():
            form_errors_to_messages(request, form)
            return redirect(back)
        cleaned = form.cleaned_data
    done: list[str] = []
    for ref in refs:
        try:
            _run_on(request, action, name, ref, cleaned)
        except Http404:
            messages.error(request, _("%(ref)s: not among the cases you handle.") % {"ref": ref})
        except Exception as exc:
            error = normalise_exception(exc)
            if error is None:
                raise
            if error.http_status == 403:
                refusals.note(request.user, "action.refused", error.code, request.path)
            messages.error(request, f"{ref}：{error.message}")
        else:
            done.append(ref)
    if done:
        messages.success(
            request,
            _("%(action)s: done for %(n)s cases (%(refs)s).")
            % {"action": action.label, "n": len(done), "refs": "、".join(done)},
        )
    return redirect(back)


def _run_on(
    request: AuthedRequest, action: Action[Dispute], name: str, ref: str, cleaned: dict[str, Any]
) -> None:
    """One case, as its page would do it: visible to this person, the action open to them in
    the case's state, the form valid for this case (a handler of its branch), the service."""
    dispute = dispute_access.dispute_get_for(request.user, ref)
    if not action.shown(request.user, dispute):
        raise TransitionRefused(_("This action is not open for this case in its current state."))
    if action.form is not None and action.form_kwargs is not None:
        form = _form(action, name, request.POST, action.form_kwargs(dispute))
        if not form.is_valid():
            raise ApplicationError(" ".join(str(e) for errs in form.errors.values() for e in errs))
        cleaned = form.cleaned_data
    action.run(request, dispute, cleaned)
