"""Buttons on a case page: each action is a form posted to one URL that calls one service.

A registry maps an action name to its label, form, the service call, and who sees it; the
page renders the forms for the actions the user may take now, and `post_action` validates the
posted form and runs the service. Refusals raised by the service become messages on the page
(portal.middleware.ApplicationErrorMiddleware), returning the user to `back`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.db import models
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from portal.forms import choose_the_only_option, form_errors_to_messages
from portal.models import User
from portal.transitions import may_transition
from portal.types import AuthedRequest


@dataclass(frozen=True)
class Action[T]:
    label: Any
    form: type[forms.Form] | None
    run: Callable[[AuthedRequest, T, dict[str, Any]], object]
    shown: Callable[[User, T], bool]
    danger: bool = False
    # What the person reads once it is done: a text, or a function of the object and the form's
    # data that says what happened ("已分诊：…").
    message: Any = None
    form_kwargs: Callable[[T], dict[str, Any]] | None = None
    # The form's arguments when it acts on many of the viewer's objects at once (a bulk action
    # on a queue): what form_kwargs gives for one object, for the viewer's whole scope.
    bulk_form_kwargs: Callable[[User], dict[str, Any]] | None = None
    multipart: bool = False
    # Where the person goes next, when not back to the page (a binding act's own page, say).
    then: Callable[[T, dict[str, Any]], str | None] | None = None


def transition_allowed[T: models.Model](name: str) -> Callable[[User, T], bool]:
    """`shown` for an action that is the lifecycle transition `name`: offered exactly when the
    state machine lets this user take it now (the same check the service runs)."""

    def shown(user: User, obj: T) -> bool:
        return may_transition(obj, name, user)

    return shown


def shown_actions[T](
    registry: dict[str, Action[T]], user: User, obj: T, prefix: str = ""
) -> list[tuple[str, Action[T], forms.Form | None]]:
    out = []
    for name, action in registry.items():
        if action.shown(user, obj):
            form = None
            if action.form is not None:
                extra = action.form_kwargs(obj) if action.form_kwargs else {}
                form = choose_the_only_option(action.form(prefix=f"{prefix}{name}", **extra))
            out.append((name, action, form))
    return out


def post_action[T](
    request: AuthedRequest,
    registry: dict[str, Action[T]],
    name: str,
    obj: T,
    back: str,
    prefix: str = "",
) -> HttpResponse:
    action = registry.get(name)
    if action is None:
        raise Http404("action")
    request.error_redirect = back  # type: ignore[attr-defined]
    cleaned: dict[str, Any] = {}
    if action.form is not None:
        extra = action.form_kwargs(obj) if action.form_kwargs else {}
        form = action.form(request.POST, request.FILES, prefix=f"{prefix}{name}", **extra)
        if not form.is_valid():
            form_errors_to_messages(request, form)
            return redirect(back)
        cleaned = form.cleaned_data
    action.run(request, obj, cleaned)
    messages.success(request, done_message(action, obj, cleaned))
    return redirect((action.then(obj, cleaned) if action.then else None) or back)


def done_message[T](action: Action[T], obj: T, cleaned: dict[str, Any]) -> str:
    """What the person reads once `action` is done on `obj`."""
    if callable(action.message):
        return str(action.message(obj, cleaned))
    return str(action.message or _("%(action)s: done.") % {"action": action.label})
