"""The forms that ask for evidence bundles: for one case, or for each member's case of a class
of problems. Both name a recipient the same way."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mediation.models import Dispute
from portal.models import OrganisationKind, PartnerOrganisation
from referrals.bundles.batch import WHO


class RecipientForm(forms.Form):
    """The recipient's kind and, if known, the active organisation of that kind."""

    recipient_kind = forms.ChoiceField(label=_("Recipient"), choices=OrganisationKind.choices)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=PartnerOrganisation.objects.none(),
        required=False,
        empty_label=_("Not named yet"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = PartnerOrganisation.objects.active()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        org = data.get("organisation")
        if org is not None and org.kind != data.get("recipient_kind"):
            self.add_error("organisation", _("This organisation is not of the chosen kind."))
        return data


class BundleRequestForm(RecipientForm):
    evidence = forms.MultipleChoiceField(
        label=_("Exhibits"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked to use the recipient's default selection."),
    )
    purpose = forms.CharField(label=_("Purpose"), max_length=200, required=False)

    def __init__(self, *args: Any, dispute: Dispute, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["evidence"].choices = [  # type: ignore[attr-defined]
            (str(e.pk), f"{e.title}（{e.get_category_display()}）")
            for e in dispute.evidence.order_by("uploaded_at", "pk")
        ]


class ClassBundlesForm(RecipientForm):
    """A bundle for each chosen member's case of a class of problems, for one recipient."""

    who = forms.ChoiceField(label=_("Whose cases"), choices=[])
    purpose = forms.CharField(label=_("Purpose"), max_length=200, required=False)
    field_order = ["who", "recipient_kind", "organisation", "purpose"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["who"].choices = [(k, label) for k, (label, _s) in WHO.items()]  # type: ignore[attr-defined]
