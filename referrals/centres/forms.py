"""Forms for referrals to mediation centres: sending, accepting, sessions, extensions,
proposals, agreements, and the inbox filter."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mediation.forms import AmountField
from portal.forms import DateInput
from portal.models import OrganisationKind, User
from referrals.centres.lifecycle import ReferralStatus
from referrals.models import Bundle, Referral, SessionMode


class ReferralSendForm(forms.Form):
    bundle = forms.ModelChoiceField(
        label=_("Bundle to send"),
        queryset=Bundle.objects.none(),
        required=False,
        empty_label=_("No bundle yet: send the case file"),
    )

    def __init__(self, *args: Any, referral: Referral, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["bundle"].queryset = Bundle.objects.ready().filter(  # type: ignore[attr-defined]
            dispute=referral.dispute, recipient_kind=OrganisationKind.MEDIATION_CENTRE
        )


class AcceptReferralForm(forms.Form):
    mediator = forms.ModelChoiceField(label=_("Mediator"), queryset=User.objects.none())

    def __init__(self, *args: Any, referral: Referral, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mediator"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            role="partner",
            organisation=referral.organisation,
            partner_role="mediator",
            is_active=True,
        )


class RequiredReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class DeclarationForm(forms.Form):
    text = forms.CharField(
        label=_("Declaration"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        initial=_("I have no interest in the dispute and no relationship with either party."),
    )


class SessionForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=_("Time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    duration_minutes = forms.IntegerField(
        label=_("Length (minutes)"), min_value=15, max_value=480, initial=60
    )
    mode = forms.ChoiceField(label=_("Mode"), choices=SessionMode.choices)
    place = forms.CharField(
        label=_("Place or link"),
        max_length=300,
        help_text=_("Online: the meeting's https:// link. In person: the address."),
    )


class SessionMoveForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=_("New time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    place = forms.CharField(
        label=_("Place or link (leave empty to keep it)"), max_length=300, required=False
    )


class ExtensionForm(forms.Form):
    days = forms.IntegerField(label=_("Extra days"), min_value=1, max_value=30)
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class AgreementForm(forms.Form):
    file = forms.FileField(label=_("Signed and sealed agreement (PDF or image)"))
    amount = AmountField(label=_("Amount the bank pays (yuan)"), min_zero=True)
    terms = forms.CharField(
        label=_("Terms"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    performance_due = forms.DateField(label=_("Performance deadline"), widget=DateInput())
    effective_on = forms.DateField(
        label=_("Took effect on (signed by all and sealed)"),
        widget=DateInput(),
    )


class AgreementDraftForm(forms.Form):
    amount = AmountField(label=_("Amount the bank pays (yuan)"), min_zero=True)
    terms = forms.CharField(
        label=_("Terms"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    performance_due = forms.DateField(label=_("Performance deadline"), widget=DateInput())


class ProposalForm(AgreementDraftForm):
    above_claim_reason = forms.CharField(
        label=_("Why above the customer's claim (only if it is)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ProposalWithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it is withdrawn"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class InboxFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("All states")), *[c for c in ReferralStatus.choices if c[0] != "draft"]],
    )
    due = forms.ChoiceField(
        label=_("Clocks"),
        required=False,
        choices=[
            ("", _("Any")),
            ("overdue", _("Mediator assignment overdue")),
            ("soon", _("Due within 3 days")),
        ],
    )
    mine = forms.BooleanField(label=_("Assigned to me"), required=False)
