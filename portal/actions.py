"""Buttons on a case page: each action is a form posted to one URL that calls one service.

A registry maps an action name to its label, form, the service call, and who sees it; the
page lists the actions the user may take now, each a closed panel, and `post_action`
validates the posted form and runs the service. Refusals raised by the service become
messages on the page (portal.middleware.ApplicationErrorMiddleware), returning the user to
`back`.

An action's form is built and rendered when its panel is opened, not with the page: the
panel asks the action's URL for it (htmx, `action_view`'s GET); without scripts the panel
holds a link to the same URL, which answers with the form on a page of its own. A staff case
page offers a dozen actions and most visits open none: their forms, choices and queries were
half of the page's cost.

With scripts the opened form is sent by htmx too: a form that does not pass comes back in its
panel with each error beside its field; one that passes leads back to the page without a
reload (`portal.htmx.leave_to`). Without scripts it posts and redirects as any form.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.db import models
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from portal.forms import choose_the_only_option, form_errors_to_messages
from portal.htmx import leave_to
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

    @property
    def asks(self) -> bool:
        """Whether the action has a form to fill in (templates read this: they would call the
        form class itself)."""
        return self.form is not None


def transition_allowed[T: models.Model](name: str) -> Callable[[User, T], bool]:
    """`shown` for an action that is the lifecycle transition `name`: offered exactly when the
    state machine lets this user take it now (the same check the service runs)."""

    def shown(user: User, obj: T) -> bool:
        return may_transition(obj, name, user)

    return shown


def shown_actions[T](
    registry: dict[str, Action[T]],
    user: User,
    obj: T,
    prefix: str = "",
    eager: tuple[str, ...] = (),
) -> list[tuple[str, Action[T], forms.Form | None]]:
    """The actions `user` may take on `obj` now, in the registry's order. Only the forms of
    the `eager` ones (a panel the page shows open) are built; the others come when their
    panel is opened (`action_view`)."""
    return [
        (name, action, action_form(action, obj, prefix, name) if name in eager else None)
        for name, action in registry.items()
        if action.shown(user, obj)
    ]


def action_form[T](action: Action[T], obj: T, prefix: str, name: str) -> forms.Form | None:
    """The unbound form of `action` on `obj`, a lone option chosen (None: a plain button)."""
    if action.form is None:
        return None
    extra = action.form_kwargs(obj) if action.form_kwargs else {}
    return choose_the_only_option(action.form(prefix=f"{prefix}{name}", **extra))


def action_view[T](
    request: AuthedRequest,
    registry: dict[str, Action[T]],
    name: str,
    obj: T,
    back: str,
    prefix: str = "",
    *,
    body: str = "includes/action_body.html",
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    """One action's URL. POST does it (`post_action`); GET answers with its form: the bare
    form for a panel that asked with htmx, else a page of its own (no scripts) whose form
    posts to the same URL and leads back to `back`. An action the person may not take now is
    not found, as on POST."""
    action = registry.get(name)
    if action is None:
        raise Http404("action")

    def page(form: forms.Form | None) -> HttpResponse:
        return form_view(
            request,
            label=action.label,
            body=body,
            back=back,
            case=getattr(obj, "dispute", None) or (obj if hasattr(obj, "reference") else None),
            context={"name": name, "action": action, "form": form, "obj": obj, **(context or {})},
        )

    if request.method == "POST":
        # A form that does not pass comes back on the action's own page, as typed, each
        # error beside its field: nothing the person wrote is lost.
        # (Only to whom the action is offered: its form may list choices, the branch's staff.)
        offered = action.shown(request.user, obj)
        return post_action(
            request, registry, name, obj, back, prefix, refused=page if offered else None
        )
    if not action.shown(request.user, obj):
        raise Http404("action")
    return page(action_form(action, obj, prefix, name))


def form_view(
    request: AuthedRequest,
    *,
    label: Any,
    body: str,
    back: str,
    case: Any = None,
    context: dict[str, Any],
) -> HttpResponse:
    """A panel's form, asked for when the panel is opened: `body` alone for htmx, else on a
    page of its own titled `label`, leading back to `back` (the case page)."""
    page = {
        "label": label,
        "action_url": request.path,
        "back": back,
        "body": body,
        "case": case,
        **context,
    }
    response = render(request, body if request.htmx else "portal/action_page.html", page)
    # The fragment and the page share a URL: a cache must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


def post_action[T](
    request: AuthedRequest,
    registry: dict[str, Action[T]],
    name: str,
    obj: T,
    back: str,
    prefix: str = "",
    refused: Callable[[forms.Form], HttpResponse] | None = None,
) -> HttpResponse:
    """Do the action from its posted form. A form that does not pass: `refused(form)` answers
    (the form again with its errors), else its errors become messages on `back`."""
    action = registry.get(name)
    if action is None:
        raise Http404("action")
    request.error_redirect = back  # type: ignore[attr-defined]
    cleaned: dict[str, Any] = {}
    if action.form is not None:
        extra = action.form_kwargs(obj) if action.form_kwargs else {}
        form = action.form(request.POST, request.FILES, prefix=f"{prefix}{name}", **extra)
        if not form.is_valid():
            if refused is not None:
                return refused(form)
            form_errors_to_messages(request, form)
            return leave_to(request, back)
        cleaned = form.cleaned_data
    action.run(request, obj, cleaned)
    messages.success(request, done_message(action, obj, cleaned))
    return leave_to(request, (action.then(obj, cleaned) if action.then else None) or back)


def done_message[T](action: Action[T], obj: T, cleaned: dict[str, Any]) -> str:
    """What the person reads once `action` is done on `obj`."""
    if callable(action.message):
        return str(action.message(obj, cleaned))
    return str(action.message or _("%(action)s: done.") % {"action": action.label})
