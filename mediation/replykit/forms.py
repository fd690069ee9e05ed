"""The reply toolkit's forms: choosing claim types and the outcome, editing, sending back."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.forms import BLANK_CHOICE_LABEL

from .models import ClaimType, Outcome, ReviewOutcome

MAX_REPLY = 20_000


class OutcomeFields(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[("", BLANK_CHOICE_LABEL), *Outcome.choices]
    )
    granted_amount = forms.DecimalField(
        label=_("Amount the bank pays (yuan)"),
        min_value=Decimal("0"),
        max_digits=14,
        decimal_places=2,
        initial=Decimal("0.00"),
        help_text=_("0 if the bank pays nothing."),
        error_messages={
            "invalid": _("Write the amount in figures, for example 1280.50."),
            "max_digits": _("That amount is too large."),
            "max_whole_digits": _("That amount is too large."),
            "max_decimal_places": _("At most two decimal places (fen)."),
        },
    )
    review_outcome = forms.ChoiceField(
        label=_("The review's outcome"),
        choices=[("", BLANK_CHOICE_LABEL), *ReviewOutcome.choices],
        required=False,
    )

    def __init__(self, *args: Any, review: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if review:
            self.fields["review_outcome"].required = True
            self.order_fields(["review_outcome"])
        else:
            del self.fields["review_outcome"]


class StartForm(OutcomeFields):
    claim_types = forms.MultipleChoiceField(
        label=_("Claim types (one or more)"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one claim type.")},
    )

    def __init__(self, *args: Any, category: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        types = list(ClaimType.objects.filter(active=True))
        # The case's own product category first.
        types.sort(key=lambda t: (t.category != category, t.position))
        field: forms.MultipleChoiceField = self.fields["claim_types"]  # type: ignore[assignment]
        field.choices = [(t.code, t.name) for t in types]
        self.order_fields(["claim_types"])


class EditForm(OutcomeFields):
    text = forms.CharField(
        label=_("The reply"),
        widget=forms.Textarea(attrs={"rows": 24}),
        max_length=MAX_REPLY,
        help_text=_(
            "Cite articles as [[民法典:577]]; the letter prints the title and number with a "
            "footnote, and the article's text in an annex. Replace every 【待填：…】."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order_fields(["text"])


class SendBackForm(forms.Form):
    reason = forms.CharField(
        label=_("What should the author change?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
