"""The classes' pages: the list, opening one (from a hot spot or a selection), a class's page
with its rule, members, offers, payments, rectification and before/after; and the customer's
offer page (a binding act)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from mediation import hooks
from mediation.insight.access import hotspot_get_for
from mediation.models import Dispute
from portal.access import refuse
from portal.exceptions import ApplicationError
from portal.forms import form_errors_to_messages
from portal.models import User
from portal.pagination import paginate
from portal.transitions import may_transition
from portal.types import AuthedRequest
from portal.views_acts import ActPage, act_page

from . import access, linked, offers, services
from .figures import AFTER_WEEKS, BEFORE_WEEKS, class_figures
from .forms import (
    TITLE_MAX,
    AddForm,
    AdvanceForm,
    CloseForm,
    ClusterReviewForm,
    DeclineForm,
    DoneForm,
    OpenForm,
    RectificationForm,
    RuleForm,
)
from .lifecycle import ClassStatus
from .models import ClusterReview, OfferStatus


@login_required
def class_list(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if not access.may_see_classes(user):
        raise refuse(user, "problem_classes", "list")
    classes = access.classes_visible_to(user).select_related("hotspot")
    form = OpenForm(request.POST or None) if access.can_manage_class(user) else None
    if request.method == "POST":
        if form is None:
            raise refuse(user, "problem_classes", "open")
        if form.is_valid():
            request.error_redirect = reverse("problems:list")  # type: ignore[attr-defined]
            problem = services.class_open(
                actor=user,
                title=form.cleaned_data["title"],
                references=form.cleaned_data["references"],
            )
            messages.success(request, _("Class opened."))
            return redirect(problem.get_absolute_url())
    return render(
        request,
        "problems/list.html",
        {
            "page": paginate(request, classes)["page"],
            "form": form,
            "may_see_linked": access.may_see_linked(user),
        },
    )


@login_required
@require_POST
def open_from_hotspot(request: AuthedRequest, spot_id: int) -> HttpResponse:
    spot = hotspot_get_for(request.user, spot_id)
    request.error_redirect = reverse("insight:hotspot", args=[spot.pk])  # type: ignore[attr-defined]
    title = request.POST.get("title", "").strip() or spot.label
    if len(title) > TITLE_MAX:
        messages.error(request, _("A title has at most %(n)s characters.") % {"n": TITLE_MAX})
        return redirect("insight:hotspot", pk=spot.pk)
    problem = services.class_open(actor=request.user, title=title, hotspot_id=spot.pk)
    messages.success(request, _("Class opened with the cases behind the hot spot."))
    return redirect(problem.get_absolute_url())


def hotspot_panel(user: Any, spot: Any) -> dict[str, Any]:
    """On a hot spot's page: the classes opened from it, and opening one."""
    return {
        "classes": list(access.classes_visible_to(user).filter(hotspot=spot)),
        "may_open_class": access.can_manage_class(user),
    }


_FORMS = {
    "rule": RuleForm,
    "add": AddForm,
    "advance": AdvanceForm,
    "rectify": RectificationForm,
    "done": DoneForm,
    "close": CloseForm,
}


@login_required
@require_http_methods(["GET", "POST"])
def class_page(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    problem = access.class_get_for(user, pk)
    back = problem.get_absolute_url()
    manage = access.can_manage_class(user)
    bound: dict[str, Any] = {}
    if request.method == "POST":
        request.error_redirect = back  # type: ignore[attr-defined]
        if not manage:
            raise refuse(user, "problem_class", pk)
        done = _post(request, problem.pk, bound)
        if done:
            messages.success(request, done)
            return redirect(back)
    members = problem.members.select_related("dispute", "dispute__customer", "dispute__branch")
    status = request.GET.get("offer", "")
    if status in OfferStatus.values:
        members = members.filter(offer_status=status)
    listing = paginate(request, members.order_by("pk"), per_page=50)
    running = manage and problem.status != ClassStatus.CLOSED
    cited = list(problem.citations.all())
    forms: dict[str, Any] = {}
    if running:
        forms = {
            "add": bound.get("add") or AddForm(),
            "rectify": bound.get("rectify") or RectificationForm(),
        }
        if problem.status == ClassStatus.OPEN:  # the rule is fixed once offers go
            forms["rule"] = bound.get("rule") or RuleForm(
                initial={
                    "root_cause": problem.root_cause,
                    "characterisation": problem.characterisation,
                    "citations": " ".join(a.token for a in cited),
                    "share": problem.share,
                    "cap": problem.cap,
                    "eligibility": problem.eligibility,
                }
            )
    figures = class_figures(problem)
    waiting = figures.offers.get(OfferStatus.SENT, 0)
    may_close = manage and may_transition(problem, "close", user)
    close_form = (bound.get("close") or CloseForm()) if may_close and not waiting else None
    return render(
        request,
        "problems/detail.html",
        {
            "problem": problem,
            "cited": cited,
            "figures": figures,
            "offer_counts": [
                (label, figures.offers[v])
                for v, label in OfferStatus.choices
                if figures.offers.get(v)
            ],
            "close_waits_for": waiting if may_close else 0,
            "members": listing["page"],
            "query": listing["query"],
            "offer_filter": status,
            "offer_statuses": OfferStatus.choices,
            "forms": forms,
            "close_form": close_form,
            "advance_form": (bound.get("advance") or AdvanceForm()) if manage else None,
            "done_form": DoneForm() if manage else None,
            "done_bound": bound.get("done"),
            "done_action": _action_id(request.POST),
            "manage": running,
            # Sending again reaches only members not yet offered (cases added since).
            "may_send": running and figures.offers.get(OfferStatus.PENDING, 0) > 0,
            "before_weeks": BEFORE_WEEKS,
            "after_weeks": AFTER_WEEKS,
            **hooks.class_panels(user, problem),
        },
    )


def _post(request: AuthedRequest, pk: int, bound: dict[str, Any]) -> str:
    """One of the page's forms; returns the success message, or "" with the bound form kept
    in `bound` to show its errors."""
    user = request.user
    which = request.POST.get("form", "")
    if which == "send":
        offered, not_offered = services.class_send_offers(actor=user, class_id=pk)
        return _("Offers sent: %(n)s; not offered: %(m)s (the reason is on each row).") % {
            "n": offered,
            "m": not_offered,
        }
    form_class = _FORMS.get(which)
    if form_class is None:
        raise refuse(user, "problem_class_form", which)
    form = form_class(request.POST)
    if not form.is_valid():
        bound[which] = form
        messages.error(request, _("Check the form below."))
        return ""
    try:
        return _apply(user, pk, which, form.cleaned_data, request.POST)
    except ApplicationError as refused:
        # A rule of the domain said no: the form comes back as typed, with the reason on it.
        form.add_error(None, refused.message)
        bound[which] = form
        messages.error(request, _("Check the form below."))
        return ""


def _apply(user: Any, pk: int, which: str, data: dict[str, Any], post: Any) -> str:
    if which == "rule":
        services.class_set_rule(
            actor=user,
            class_id=pk,
            root_cause=data["root_cause"],
            characterisation=data["characterisation"],
            citation_tokens=data["citations"].split(),
            share=data["share"],
            cap=data["cap"],
            eligibility=data["eligibility"],
        )
        return _("The rule is recorded.")
    if which == "add":
        added, left = services.class_add_cases(
            actor=user, class_id=pk, references=data["references"]
        )
        return _("%(n)s people added; %(m)s cases were already in a class.") % {
            "n": added,
            "m": left,
        }
    if which == "advance":
        member = services.member_by_reference(actor=user, class_id=pk, reference=data["reference"])
        payment = services.advance_record(
            actor=user,
            class_id=pk,
            member_id=member.pk,
            amount=data["amount"],
            paid_on=data["paid_on"],
            payment_reference=data["payment_reference"],
        )
        return _("Advance of %(a)s yuan recorded.") % {"a": f"{payment.amount:,.2f}"}
    if which == "rectify":
        services.rectification_add(
            actor=user,
            class_id=pk,
            kind=data["kind"],
            description=data["description"],
            staff_named=data["staff_named"],
            measure=data["measure"],
            due=data["due"],
        )
        return _("Rectification action added.")
    if which == "done":
        services.rectification_done(
            actor=user,
            class_id=pk,
            action_id=_action_id(post),
            note=data["note"],
        )
        return _("Marked done.")
    services.class_close(actor=user, class_id=pk, outcome=data["outcome"])
    return _("The class is closed.")


def _action_id(post: Any) -> int:
    raw = str(post.get("action", ""))
    return int(raw) if raw.isdigit() and len(raw) < 10 else 0


@login_required
@require_http_methods(["GET", "POST"])
def linked_complainants(request: AuthedRequest) -> HttpResponse:
    """Clusters of different customers joined by an agent, a number, an account or a device,
    for head office to look at (mediation/problems/linked.py); auditors read."""
    user = request.user
    if not access.may_see_linked(user):
        raise refuse(user, "linked_complainants", "list")
    manage = access.can_manage_class(user)
    if request.method == "POST":
        if not manage:
            raise refuse(user, "linked_complainants", "review")
        back = reverse("problems:linked")
        request.error_redirect = back  # type: ignore[attr-defined]
        form = ClusterReviewForm(request.POST)
        if not form.is_valid():
            form_errors_to_messages(request, form)
            return redirect(back)
        data = form.cleaned_data
        linked.cluster_review(
            actor=user, people=data["people"], decision=data["decision"], note=data["note"]
        )
        messages.success(request, _("The review is recorded."))
        return redirect(back)
    return render(request, "problems/linked.html", linked_page(manage))


def linked_page(manage: bool) -> dict[str, Any]:
    found = linked.clusters()
    ids = {p for c in found for p in c.people}
    people = User.objects.in_bulk(ids)
    cases: dict[int, list[Dispute]] = {}
    for d in (
        Dispute.objects.filter(customer_id__in=ids)
        .only("reference", "customer_id", "status", "received_at", "product_name")
        .order_by("received_at")
    ):
        cases.setdefault(d.customer_id, []).append(d)
    reviews = list(ClusterReview.objects.select_related("reviewed_by"))
    rows = []
    for n, c in enumerate(found, start=1):
        current = next((r for r in reviews if r.fingerprint == c.fingerprint), None)
        earlier = None
        if current is None:
            earlier = next((r for r in reviews if set(r.people) & set(c.people)), None)
        rows.append(
            {
                "cluster": c,
                "people": [(people[p], cases.get(p, [])) for p in c.people if p in people],
                "review": current,
                "earlier": earlier,
                "form": ClusterReviewForm(
                    initial={"people": ",".join(map(str, c.people))}, auto_id=f"c{n}_%s"
                )
                if manage
                else None,
            }
        )
    return {"rows": rows, "min_size": linked.CLUSTER_MIN, "manage": manage}


OFFER_PAGE = ActPage(
    heading=gettext_lazy("The bank's settlement offer"),
    agree=gettext_lazy("I have read the whole offer above and accept it."),
    button=gettext_lazy("Accept the offer"),
    done=gettext_lazy(
        "You accepted the offer: your complaint is settled. A sealed copy is being prepared "
        "under 'Your confirmations'."
    ),
)


@login_required
@require_http_methods(["GET", "POST"])
def offer_page(request: AuthedRequest, pk: int) -> HttpResponse:
    """The customer reads the offer in full and accepts it as a binding act, or declines it."""
    member = access.offer_get_for(request.user, pk)
    back = member.dispute.get_absolute_url()
    if member.offer_status != OfferStatus.SENT:
        messages.info(request, _("This offer was already answered."))
        return redirect(back)
    return act_page(
        request,
        act=offers.offer_act_text(member),
        page=OFFER_PAGE,
        perform=lambda proof, shown: offers.offer_accept(
            actor=request.user, member_id=pk, proof=proof, shown_sha256=shown
        ),
        back=back,
        extra={
            "decline_url": reverse("problems:decline", args=[pk]),
            "decline_form": DeclineForm(),
        },
    )


@login_required
@require_POST
def offer_decline(request: AuthedRequest, pk: int) -> HttpResponse:
    member = access.offer_get_for(request.user, pk)
    back = member.dispute.get_absolute_url()
    request.error_redirect = back  # type: ignore[attr-defined]
    form = DeclineForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    offers.offer_decline(actor=request.user, member_id=pk, reason=reason)
    messages.success(request, _("You declined the offer. Your complaint goes on as before."))
    return redirect(back)
