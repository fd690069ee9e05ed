"""The class page's forms: they validate input; the services decide."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from mediation.forms import AmountField
from portal.forms import DateInput

from .models import ClusterReview, Eligibility, RectificationKind

MAX_REFERENCES = 2_000


class ReferencesField(forms.CharField):
    """Case references, one per line or separated by commas or spaces."""

    widget = forms.Textarea(attrs={"rows": 4, "placeholder": "MD-2026-000123"})

    def to_python(self, value: object) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        refs = [
            r for r in text.replace(",", " ").replace("，", " ").replace("、", " ").split() if r
        ]
        if len(refs) > MAX_REFERENCES:
            raise ValidationError(
                _("At most %(n)s references at a time."), params={"n": MAX_REFERENCES}
            )
        return refs


TITLE_MAX = 120
TITLE_HELP = _("Customers read this title in their offer: name the product and what happened.")


class OpenForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX, help_text=TITLE_HELP)
    references = ReferencesField(
        label=_("Cases (references)"),
        help_text=_("One per line; each person's repeat complaints join with their first."),
        max_length=40_000,
    )


class AddForm(forms.Form):
    references = ReferencesField(label=_("Add cases (references)"), max_length=40_000)


class RuleForm(forms.Form):
    root_cause = forms.CharField(
        label=_("Root cause"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
    characterisation = forms.CharField(
        label=_("Legal characterisation"),
        help_text=_("What the bank did wrong in law and what share of the loss it bears."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )
    citations = forms.CharField(
        label=_("Articles relied on"),
        help_text=_("As the library cites them, separated by spaces: 九民纪要:72 民法典:496"),
        max_length=500,
    )
    share = AmountField(label=_("Share of the loss the bank pays (%)"))
    cap = AmountField(label=_("Most paid to one person (yuan, optional)"), required=False)
    eligibility = forms.ChoiceField(label=_("Who is offered"), choices=Eligibility.choices)

    def clean_share(self) -> Decimal:
        share: Decimal = self.cleaned_data["share"]
        if share > 100:
            raise ValidationError(_("A share is at most 100%."))
        return share


class AdvanceForm(forms.Form):
    reference = forms.CharField(
        label=_("Case"),
        max_length=20,
        widget=forms.TextInput(attrs={"placeholder": "MD-2026-000123"}),
    )
    amount = AmountField(label=_("Amount paid (yuan)"))
    paid_on = forms.DateField(label=_("Paid on"), widget=DateInput())
    payment_reference = forms.CharField(
        label=_("Payment reference (optional)"), max_length=60, required=False
    )


class RectificationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=RectificationKind.choices)
    description = forms.CharField(
        label=_("What is done"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    staff_named = forms.CharField(
        label=_("Staff concerned (for accountability)"), max_length=200, required=False
    )
    measure = forms.CharField(
        label=_("Measure (for accountability)"), max_length=200, required=False
    )
    due = forms.DateField(label=_("Due (optional)"), required=False, widget=DateInput())


class DoneForm(forms.Form):
    note = forms.CharField(
        label=_("How it was done"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class CloseForm(forms.Form):
    outcome = forms.CharField(
        label=_("How the class ended"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Why (optional)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        required=False,
    )


class ClusterReviewForm(forms.Form):
    """What a look at one cluster of linked complainants found."""

    people = forms.CharField(widget=forms.HiddenInput, max_length=20_000)
    decision = forms.ChoiceField(label=_("Finding"), choices=ClusterReview.Decision.choices)
    note = forms.CharField(
        label=_("What was looked at and found"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )

    def clean_people(self) -> list[int]:
        parts = self.cleaned_data["people"].split(",")
        if not all(p.isdigit() and len(p) < 12 for p in parts):
            raise ValidationError(_("The cluster could not be read: open the page again."))
        return [int(p) for p in parts]
