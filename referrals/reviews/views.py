"""The auditor workspace: the review queue and the review page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from mediation.problems.figures import class_figures, membership
from portal.actions import Action, action_view, post_action, shown_actions, transition_allowed
from portal.decorators import role_required
from portal.forms import DateInput
from portal.models import User
from portal.pagination import paginate
from portal.types import AuthedRequest
from referrals.models import CHECKLIST, LookbackReview, RectificationAction, RepeatFinding, Verdict
from referrals.reviews import access as review_access
from referrals.reviews import services as review_services
from referrals.reviews.lifecycle import ReviewStatus


class ReviewFilterForm(forms.Form):
    show = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[
            ("", _("Due: in the queue")),
            ("overdue", _("Overdue")),
            ("mine", _("Mine")),
            ("failed", _("Failed, awaiting re-review")),
            ("scheduled", _("Scheduled")),
            ("all", _("All")),
        ],
    )


class ChecklistForm(forms.Form):
    """Each item: a verdict, the finding and the evidence relied on."""

    def __init__(
        self,
        *args: Any,
        review: LookbackReview,
        contradictions: dict[str, str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        for key, label in CHECKLIST:
            choices = RepeatFinding.choices if key == "repeat" else Verdict.choices
            self.fields[key] = forms.ChoiceField(
                label=label,
                choices=[("", "—"), *choices],
                required=False,
                initial=getattr(review, key),
            )
            if key in contradictions:
                self.fields[f"{key}_justification"] = forms.CharField(
                    label=_("Why this answer stands"),
                    help_text=_("The case shows otherwise: %(shows)s")
                    % {"shows": contradictions[key]},
                    required=False,
                    initial=(review.justifications or {}).get(key, ""),
                    widget=forms.Textarea(attrs={"rows": 2}),
                    max_length=2000,
                )
            self.fields[f"{key}_finding"] = forms.CharField(
                label=_("Finding"),
                required=False,
                initial=getattr(review, f"{key}_finding"),
                widget=forms.Textarea(attrs={"rows": 2}),
                max_length=5000,
            )
            self.fields[f"{key}_evidence"] = forms.CharField(
                label=_("Evidence (document, system change or reference)"),
                required=False,
                initial=getattr(review, f"{key}_evidence"),
                widget=forms.Textarea(attrs={"rows": 1}),
                max_length=5000,
            )
            if key == "accountability":
                self.fields["accountability_persons"] = forms.CharField(
                    label=_("Staff concerned (auditors only)"),
                    required=False,
                    initial=review.accountability_persons,
                    max_length=2000,
                    widget=forms.Textarea(attrs={"rows": 1}),
                )


class VerdictForm(forms.Form):
    findings = forms.CharField(
        label=_("Findings"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ActionForm(forms.Form):
    what = forms.CharField(
        label=_("What must be put right"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    owner = forms.CharField(label=_("Owner"), max_length=100)
    due_on = forms.DateField(label=_("Due on"), widget=DateInput())


def _mine_in(*states: str) -> Any:
    return lambda u, r: review_access.is_review_auditor(u, r) and r.status in states


REVIEW_ACTIONS: dict[str, Action[LookbackReview]] = {
    "take": Action(
        _("Take this review"),
        None,
        lambda rq, r, c: review_services.review_take(actor=rq.user, review_id=r.pk),
        transition_allowed("take"),
    ),
    "pass": Action(
        _("Verdict: passed"),
        VerdictForm,
        lambda rq, r, c: review_services.review_decide(
            actor=rq.user, review_id=r.pk, passed=True, findings=c["findings"]
        ),
        _mine_in("in_review"),
    ),
    "fail": Action(
        _("Verdict: failed"),
        VerdictForm,
        lambda rq, r, c: review_services.review_decide(
            actor=rq.user, review_id=r.pk, passed=False, findings=c["findings"]
        ),
        _mine_in("in_review"),
        danger=True,
    ),
    "add_action": Action(
        _("Add a rectification action"),
        ActionForm,
        lambda rq, r, c: review_services.rectification_add(
            actor=rq.user, review_id=r.pk, what=c["what"], owner=c["owner"], due_on=c["due_on"]
        ),
        _mine_in("failed"),
    ),
    "re_review": Action(
        _("Schedule the re-review"),
        None,
        lambda rq, r, c: review_services.review_schedule_re_review(actor=rq.user, review_id=r.pk),
        _mine_in("failed"),
    ),
}


@login_required
@role_required("auditor")
def queue(request: AuthedRequest) -> HttpResponse:
    today = timezone.localdate()
    qs = LookbackReview.objects.for_queue()
    form = ReviewFilterForm(request.GET or None)
    show = form.cleaned_data.get("show", "") if form.is_valid() else ""
    filters = {
        "": lambda q: q.filter(status__in=[ReviewStatus.QUEUED, ReviewStatus.IN_REVIEW]),
        "overdue": lambda q: q.overdue(today=today),
        "mine": lambda q: q.filter(auditor=request.user),
        "failed": lambda q: q.filter(
            status__in=[ReviewStatus.FAILED, ReviewStatus.RE_REVIEW_SCHEDULED]
        ),
        "scheduled": lambda q: q.filter(status=ReviewStatus.SCHEDULED),
        "all": lambda q: q,
    }
    qs = filters[show](qs)
    return render(
        request,
        "referrals/review_queue.html",
        {
            "form": form,
            **paginate(request, qs),
            "today": today,
            "figures": review_services.auditor_figures(today=today),
        },
    )


def _answer_label(key: str, value: str) -> str:
    """An answer in the viewer's language ("yes" is 是 on a Chinese page)."""
    choices = RepeatFinding if key == "repeat" else Verdict
    return str(choices(value).label) if value in choices.values else ""


def _class_context(review: LookbackReview) -> dict[str, Any]:
    """The class of problems the case belongs to (issue 22: the look-back sees the class): the
    person's offer and what was paid ahead, and whether the class's cause was removed."""
    member = membership(review.dispute)
    if member is None:
        return {}
    problem = member.problem_class
    return {
        "class_member": member,
        "class_figures": class_figures(problem),
        "class_rectifications": list(problem.rectifications.order_by("pk")),
    }


def _review_page(user: User, review: LookbackReview) -> dict[str, Any]:
    contradictions = review_services.checklist_contradictions(review)
    justified = review.justifications or {}
    return {
        "review": review,
        "actions": shown_actions(REVIEW_ACTIONS, user, review, prefix="v-"),
        "checklist": ChecklistForm(review=review, contradictions=contradictions, prefix="cl")
        if review_access.is_review_auditor(user, review) and review.status == ReviewStatus.IN_REVIEW
        else None,
        "contradictions": contradictions,
        "items": [
            (
                label,
                _answer_label(key, getattr(review, key)),
                getattr(review, f"{key}_finding"),
                getattr(review, f"{key}_evidence"),
                contradictions.get(key, ""),
                justified.get(key, ""),
            )
            for key, label in CHECKLIST
        ],
        "repeats": review_services.repeat_complaints(review),
        "performance": review_services.performance_facts(review),
        "rectifications": list(review.actions.all()),
        **_class_context(review),
        "is_mine": review_access.is_review_auditor(user, review),
        "today": timezone.localdate(),
    }


@login_required
@role_required("auditor")
def detail(request: AuthedRequest, pk: int) -> HttpResponse:
    review = review_access.review_get_for(request.user, pk)
    return render(request, "referrals/review_detail.html", _review_page(request.user, review))


def _back(review: LookbackReview) -> str:
    return reverse("reviews:detail", args=[review.pk])


@login_required
@require_http_methods(["GET", "POST"])
def action(request: AuthedRequest, pk: int, name: str) -> HttpResponse:
    review = review_access.review_get_for(request.user, pk)
    return action_view(request, REVIEW_ACTIONS, name, review, _back(review), prefix="v-")


@login_required
@require_POST
def save_checklist(request: AuthedRequest, pk: int) -> HttpResponse:
    review = review_access.review_get_for(request.user, pk)
    checklist: dict[str, Action[LookbackReview]] = {
        "save": Action(
            _("Save the checklist"),
            None,
            lambda rq, r, c: review_services.review_save_checklist(
                actor=rq.user,
                review_id=r.pk,
                values={f: rq.POST.get(f"cl-{f}", "") for f in review_services.CHECKLIST_FIELDS},
                justifications={
                    key: rq.POST.get(f"cl-{key}_justification", "") for key, _l in CHECKLIST
                },
            ),
            lambda u, r: True,
            message=_("Checklist saved."),
        )
    }
    return post_action(request, checklist, "save", review, _back(review))


@login_required
@require_POST
def action_done(request: AuthedRequest, pk: int) -> HttpResponse:
    item = review_access.rectification_get_for(request.user, pk)
    review = item.review
    done: dict[str, Action[RectificationAction]] = {
        "done": Action(
            _("Mark done"),
            None,
            lambda rq, a, c: review_services.rectification_done(
                actor=rq.user, action_id=a.pk, evidence=rq.POST.get("evidence", "")
            ),
            lambda u, a: True,
        )
    }
    return post_action(request, done, "done", item, _back(review))
