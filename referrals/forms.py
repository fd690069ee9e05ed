from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mediation.forms import AmountField
from mediation.models import Dispute
from portal.models import OrganisationKind, PartnerOrganisation, User
from referrals.confirmation_lifecycle import NotAcceptedReason, RejectionGround
from referrals.lifecycle import ReferralStatus
from referrals.models import AwardKind, Bundle, Referral, SessionMode


class BundleRequestForm(forms.Form):
    recipient_kind = forms.ChoiceField(label=_("Recipient"), choices=OrganisationKind.choices)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=PartnerOrganisation.objects.none(),
        required=False,
        empty_label=_("Not named yet"),
    )
    evidence = forms.MultipleChoiceField(
        label=_("Exhibits"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked to use the recipient's default selection."),
    )
    purpose = forms.CharField(label=_("Purpose"), max_length=200, required=False)

    def __init__(self, *args: Any, dispute: Dispute, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = PartnerOrganisation.objects.active()  # type: ignore[attr-defined]
        self.fields["evidence"].choices = [  # type: ignore[attr-defined]
            (str(e.pk), f"{e.title}（{e.get_category_display()}）")
            for e in dispute.evidence.order_by("uploaded_at", "pk")
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        org = data.get("organisation")
        if org is not None and org.kind != data.get("recipient_kind"):
            self.add_error("organisation", _("This organisation is not of the chosen kind."))
        return data


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
    mode = forms.ChoiceField(label=_("Mode"), choices=SessionMode.choices)
    place = forms.CharField(label=_("Place or link"), max_length=300)


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
    performance_due = forms.DateField(
        label=_("Performance deadline"), widget=forms.DateInput(attrs={"type": "date"})
    )
    effective_on = forms.DateField(
        label=_("Took effect on (signed by all and sealed)"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class ProposalForm(forms.Form):
    amount = AmountField(label=_("Amount the bank pays (yuan)"), min_zero=True)
    terms = forms.CharField(
        label=_("Terms"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    performance_due = forms.DateField(
        label=_("Performance deadline"), widget=forms.DateInput(attrs={"type": "date"})
    )


class ArbitrationStartForm(forms.Form):
    commission = forms.ModelChoiceField(
        label=_("Arbitration commission"), queryset=PartnerOrganisation.objects.none()
    )
    signed_on = forms.DateField(
        label=_("Arbitration agreement signed on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    file = forms.FileField(label=_("The written arbitration agreement"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["commission"].queryset = PartnerOrganisation.objects.active().filter(  # type: ignore[attr-defined]
            kind=OrganisationKind.ARBITRATION_COMMISSION
        )


class DateForm(forms.Form):
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))


class ArbitrationAcceptForm(forms.Form):
    day = forms.DateField(label=_("Accepted on"), widget=forms.DateInput(attrs={"type": "date"}))
    case_number = forms.CharField(label=_("Commission case number"), max_length=60)


class ArbitrationDecisionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Decision"), choices=AwardKind.choices)
    day = forms.DateField(label=_("Made on"), widget=forms.DateInput(attrs={"type": "date"}))
    summary = forms.CharField(
        label=_("Summary"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    amount = AmountField(label=_("Amount the bank pays (yuan)"), required=False, min_zero=True)


class LitigationForm(forms.Form):
    court_name = forms.CharField(label=_("Court"), max_length=120)
    case_number = forms.CharField(label=_("Case number"), max_length=60)
    filed_on = forms.DateField(label=_("Filed on"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
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
    day = forms.DateField(label=_("Accepted on"), widget=forms.DateInput(attrs={"type": "date"}))
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
    ruling_on = forms.DateField(
        label=_("Ruling made on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    received_on = forms.DateField(
        label=_("Ruling received on"), widget=forms.DateInput(attrs={"type": "date"})
    )
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
    effective_on = forms.DateField(
        label=_("Took effect on"), widget=forms.DateInput(attrs={"type": "date"})
    )


class PerformanceForm(forms.Form):
    paid_on = forms.DateField(label=_("Paid on"), widget=forms.DateInput(attrs={"type": "date"}))
    amount = AmountField(label=_("Amount paid (yuan)"))
    file = forms.FileField(label=_("Proof of payment"))
