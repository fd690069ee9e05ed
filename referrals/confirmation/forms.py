"""Forms for judicial confirmation: starting the application, the court's acceptance and
rulings, amending the agreement after a rejection, and the bank's payment."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mediation.forms import AmountField
from portal.forms import DateInput
from portal.models import OrganisationKind, PartnerOrganisation
from referrals.confirmation.lifecycle import NotAcceptedReason, RejectionGround


class ConfirmationStartForm(forms.Form):
    court = forms.ModelChoiceField(
        label=_("Competent court"),
        queryset=PartnerOrganisation.objects.none(),
        help_text=_(
            "CPL art. 205: the basic people's court where the mediation organisation "
            "is located; for a mediation the court invited, that court."
        ),
    )
    filed_by_agent = forms.BooleanField(
        label=_("Filed through an agent (power of attorney)"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["court"].queryset = PartnerOrganisation.objects.active().filter(  # type: ignore[attr-defined]
            kind=OrganisationKind.COURT
        )


class ConfirmationAcceptForm(forms.Form):
    day = forms.DateField(label=_("Accepted on"), widget=DateInput())
    case_number = forms.CharField(
        label=_("Case number (调确字)"), max_length=60, help_text=_("e.g. （2026）沪0115民特123号")
    )


class NotAcceptForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Ground (CPL interpretation art. 355)"), choices=NotAcceptedReason.choices
    )
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class RulingForm(forms.Form):
    ruling_number = forms.CharField(label=_("Ruling number"), max_length=60)
    ruling_on = forms.DateField(label=_("Ruling made on"), widget=DateInput())
    received_on = forms.DateField(label=_("Ruling received on"), widget=DateInput())
    file = forms.FileField(label=_("The ruling (PDF or image)"), required=False)


class RejectForm(RulingForm):
    ground = forms.ChoiceField(
        label=_("Ground (CPL interpretation art. 358)"), choices=RejectionGround.choices
    )
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AmendAgreementForm(forms.Form):
    file = forms.FileField(label=_("The amended, signed agreement"))
    terms = forms.CharField(
        label=_("Terms"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    effective_on = forms.DateField(label=_("Took effect on"), widget=DateInput())


class PerformanceForm(forms.Form):
    paid_on = forms.DateField(label=_("Paid on"), widget=DateInput())
    amount = AmountField(label=_("Amount paid (yuan)"))
    file = forms.FileField(label=_("Proof of payment"))
