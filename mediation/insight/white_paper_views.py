"""The white paper: head office asks for a version, an administrator publishes it, and anyone
reads the published ones without signing in."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from portal.access import is_administrator, refuse
from portal.transitions import may_transition
from portal.types import AuthedRequest

from .documents import month_bars
from .models import WhitePaper
from .white_paper import (
    FIRST_YEAR,
    may_ask_for,
    papers_for,
    published_papers,
    white_paper_publish,
    white_paper_request,
)
from .white_paper_lifecycle import WhitePaperStatus


class AskForm(forms.Form):
    year = forms.TypedChoiceField(label=gettext_lazy("Year"), coerce=int)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        this_year = timezone.localdate().year
        self.fields["year"].choices = [  # type: ignore[attr-defined]
            (y, _("%(year)s (to date)") % {"year": y} if y == this_year else str(y))
            for y in range(this_year, max(FIRST_YEAR, this_year - 10) - 1, -1)
        ]
        self.fields["year"].initial = this_year - 1


@login_required
def manage(request: AuthedRequest) -> HttpResponse:
    """Every version, newest first; ask for a new one; publish a built one."""
    if not may_ask_for(request.user):
        raise refuse(request.user, "white_paper", "list")
    form = AskForm(request.POST or None)
    if request.method == "POST":
        request.error_redirect = reverse("insight:white_papers")  # type: ignore[attr-defined]
        if form.is_valid():
            paper = white_paper_request(actor=request.user, year=form.cleaned_data["year"])
            messages.success(
                request,
                _("Version %(v)s of %(year)s is being built; this page shows when it is ready.")
                % {"v": paper.version, "year": paper.year},
            )
            return redirect("insight:white_papers")
    papers = list(papers_for(request.user)[:60])
    return render(
        request,
        "insight/white_papers.html",
        {
            "form": form,
            "papers": papers,
            "may_publish": is_administrator(request.user),
            "building": any(p.status == WhitePaperStatus.QUEUED for p in papers),
            "publishable": {p.pk for p in papers if may_transition(p, "publish", request.user)},
        },
    )


@login_required
@require_POST
def publish(request: AuthedRequest, pk: int) -> HttpResponse:
    request.error_redirect = reverse("insight:white_papers")  # type: ignore[attr-defined]
    paper = white_paper_publish(actor=request.user, paper_id=pk)
    messages.success(
        request,
        _("Published: the white paper %(year)s, version %(v)s, is public.")
        % {"year": paper.year, "v": paper.version},
    )
    return redirect("insight:white_papers")


@login_required
def staff_pdf(request: AuthedRequest, pk: int) -> FileResponse:
    """A built version's PDF, for those who build and approve them (before it is public)."""
    paper = papers_for(request.user).filter(pk=pk).first()
    if paper is None or not paper.pdf:
        raise refuse(request.user, "white_paper", pk)
    return _pdf(paper)


def _pdf(paper: WhitePaper) -> FileResponse:
    return FileResponse(
        paper.pdf.open("rb"),
        as_attachment=True,
        filename=paper.file_name,
        content_type="application/pdf",
    )


# ---- public: no sign-in -----------------------------------------------------------------------


def public_index(request: HttpRequest) -> HttpResponse:
    """Each year's latest published version, newest year first."""
    latest: dict[int, WhitePaper] = {}
    for paper in published_papers().order_by("-year", "-version"):
        latest.setdefault(paper.year, paper)
    return render(request, "insight/white_paper_index.html", {"papers": list(latest.values())})


def public_paper(request: HttpRequest, year: int) -> HttpResponseBase:
    """A year's paper: its latest published version, or an earlier one (?v=N)."""
    versions = list(published_papers().filter(year=year).order_by("-version"))
    if not versions:
        raise Http404("no published white paper for this year")
    wanted = request.GET.get("v", "")
    paper = next((p for p in versions if str(p.version) == wanted), versions[0])
    return render(
        request,
        "insight/white_paper.html",
        {
            "paper": paper.figures,
            "record": paper,
            "versions": versions,
            "chart": month_bars(paper.figures.get("months", [])),
        },
    )


def public_pdf(request: HttpRequest, year: int, version: int) -> FileResponse:
    paper = published_papers().filter(year=year, version=version).first()
    if paper is None or not paper.pdf:
        raise Http404("no published white paper of this version")
    return _pdf(paper)
