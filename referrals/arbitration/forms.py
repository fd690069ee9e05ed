"""Forms for arbitration (starting, filing, acceptance, awards) and for recording a lawsuit."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mediation.forms import AmountField
from portal.forms import DateInput
from portal.models import OrganisationKind, PartnerOrganisation
from referrals.models import AwardKind


class ArbitrationStartForm(forms.Form):
    commission = forms.ModelChoiceField(
        label=_("Arbitration commission"), queryset=PartnerOrganisation.objects.none()
    )
    signed_on = forms.DateField(label=_("Arbitration agreement signed on"), widget=DateInput())
    file = forms.FileField(label=_("The written arbitration agreement"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["commission"].queryset = PartnerOrganisation.objects.active().filter(  # type: ignore[attr-defined]
            kind=OrganisationKind.ARBITRATION_COMMISSION
        )


class DateForm(forms.Form):
    day = forms.DateField(label=_("Date"), widget=DateInput())


class ArbitrationAcceptForm(forms.Form):
    day = forms.DateField(label=_("Accepted on"), widget=DateInput())
    case_number = forms.CharField(label=_("Commission case number"), max_length=60)


class ArbitrationDecisionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Decision"), choices=AwardKind.choices)
    day = forms.DateField(label=_("Made on"), widget=DateInput())
    summary = forms.CharField(
        label=_("Summary"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    amount = AmountField(label=_("Amount the bank pays (yuan)"), required=False, min_zero=True)


class LitigationForm(forms.Form):
    court_name = forms.CharField(label=_("Court"), max_length=120)
    case_number = forms.CharField(label=_("Case number"), max_length=60)
    filed_on = forms.DateField(label=_("Filed on"), widget=DateInput())
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
