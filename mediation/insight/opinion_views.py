"""Public opinion: the list staff keep of posts and videos about complaints, and recording one
(from the list, or from a case page with its reference filled in)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from portal.access import is_bank_staff, refuse
from portal.exceptions import ApplicationError
from portal.forms import DateInput
from portal.types import AuthedRequest

from .access import figures_scope, opinion_items_visible_to
from .models import Platform
from .opinion import opinion_count_views, opinion_record, parse_references


class OpinionForm(forms.Form):
    platform = forms.ChoiceField(label=gettext_lazy("Platform"), choices=Platform.choices)
    url = forms.URLField(
        label=gettext_lazy("Link"),
        max_length=500,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    title = forms.CharField(
        label=gettext_lazy("What it says"),
        max_length=200,
        help_text=gettext_lazy("In a few words, as a colleague would search for it."),
    )
    first_seen = forms.DateField(label=gettext_lazy("First seen on"), widget=DateInput())
    views = forms.IntegerField(
        label=gettext_lazy("Views so far"), min_value=0, max_value=10**12, initial=0
    )
    references = forms.CharField(
        label=gettext_lazy("The cases it is about"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "MD-2026-000123"}),
        help_text=gettext_lazy("Case references, separated by spaces or commas."),
    )


@login_required
def opinion_list(request: AuthedRequest) -> HttpResponse:
    if figures_scope(request.user) is None:
        raise refuse(request.user, "opinion", "list")
    may_record = is_bank_staff(request.user)
    initial = {"references": request.GET.get("refs", "")[:2000]}
    form = OpinionForm(request.POST or None, initial=initial) if may_record else None
    if request.method == "POST":
        if form is None:
            raise refuse(request.user, "opinion", "record")
        if form.is_valid():
            data = form.cleaned_data
            try:
                item = opinion_record(
                    actor=request.user,
                    platform=data["platform"],
                    url=data["url"],
                    title=data["title"],
                    first_seen=data["first_seen"],
                    views=data["views"],
                    references=parse_references(data["references"]),
                )
            except ApplicationError as exc:  # said with the form as typed
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    _("Recorded: %(what)s, about %(n)s case(s).")
                    % {"what": item.title, "n": item.disputes.count()},
                )
                return redirect("insight:opinion")
    items = opinion_items_visible_to(request.user).prefetch_related("disputes")
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "insight/opinion.html",
        {"form": form, "page": page, "may_record": may_record},
    )


@login_required
@require_POST
def opinion_views(request: AuthedRequest, pk: int) -> HttpResponse:
    request.error_redirect = reverse("insight:opinion")  # type: ignore[attr-defined]
    try:
        views = int(request.POST.get("views", ""))
    except ValueError:
        messages.error(request, _("Views are a whole number."))
        return redirect("insight:opinion")
    item = opinion_count_views(actor=request.user, item_id=pk, views=views)
    messages.success(
        request, _("Views of “%(what)s” now %(n)s.") % {"what": item.title, "n": f"{views:,}"}
    )
    return redirect("insight:opinion")
