"""Forms for intake, triage, consent and closure. They validate input; services decide."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from mediation.amounts import parse_amount
from mediation.lifecycle import ClosureReason, DisputeStatus
from mediation.models import (
    Channel,
    DecisionTrack,
    Dispute,
    EvidenceCategory,
    ProductCategory,
    Representative,
    RiskRating,
    Urgency,
)
from mediation.triage import case_causes, complaint_text, suggest
from portal.forms import DateInput
from portal.models import Branch, OrganisationKind, PartnerOrganisation, User
from portal.ratelimit import normalise_login
from portal.validators import validate_mainland_mobile, validate_resident_id


class AmountField(forms.Field):
    """Accepts '49,999.00', '49999' and full-width digits; refuses zero, negatives, fen
    fractions and words with a clear message."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "maxlength": 30})

    def __init__(self, *, min_zero: bool = False, **kwargs: Any) -> None:
        # A claim must be above zero; an agreed payment may be zero (the customer waives it).
        super().__init__(**kwargs)
        self.min_zero = min_zero

    def to_python(self, value: Any) -> Decimal | None:
        if value in self.empty_values:
            return None
        text = str(value).strip()
        if len(text) > 30:
            raise ValidationError(_("This amount is too long."), code="max_length")
        if self.min_zero and text.strip("0.") == "":
            return Decimal("0.00")
        return parse_amount(text)


class DisputeIntakeForm(forms.Form):
    intake_token = forms.UUIDField(widget=forms.HiddenInput)
    branch = forms.ModelChoiceField(
        label=_("Branch that sold the product or handles your account"),
        queryset=Branch.objects.all(),
    )
    category = forms.ChoiceField(label=_("Product"), choices=ProductCategory.choices)
    amount = AmountField(
        label=_("Amount claimed (yuan)"),
        help_text=_("Claims of 50,000 yuan or less may use the mediation fast lane."),
    )
    facts = forms.CharField(
        label=_("What happened"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000
    )
    request = forms.CharField(
        label=_("What you ask the bank to do"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
    account_number = forms.RegexField(
        label=_("Account or card number (optional)"),
        regex=r"^\d{8,30}$",
        required=False,
        error_messages={"invalid": _("Digits only, 8 to 30 of them.")},
    )


def _limit(name: str) -> int:
    field = DisputeIntakeForm.base_fields[name]
    return int(getattr(field, "max_length", None) or 30)


class DisputeDraftForm(forms.Form):
    """What a draft keeps: the filing form's fields as typed, none required (a draft need not
    be complete), texts within the filing form's own limits (refused above them, never cut)."""

    branch = forms.ModelChoiceField(queryset=Branch.objects.all(), required=False)
    category = forms.ChoiceField(choices=[("", ""), *ProductCategory.choices], required=False)
    amount = forms.CharField(max_length=20, required=False)
    facts = forms.CharField(max_length=_limit("facts"), required=False)
    request = forms.CharField(max_length=_limit("request"), required=False)
    account_number = forms.CharField(max_length=30, required=False)

    def draft_data(self) -> dict[str, str]:
        """The fields as the filing form takes them back (its `initial`)."""
        data = dict(self.cleaned_data)
        branch = data.pop("branch")
        return {"branch": str(branch.pk) if branch else "", **data}


class StaffIntakeForm(DisputeIntakeForm):
    """Staff record a dispute received by phone or letter on a customer's behalf."""

    channel = forms.ChoiceField(
        label=_("Received by"),
        choices=[(c.value, c.label) for c in Channel if c != Channel.WEB],
    )
    received_on = forms.DateField(label=_("Date received"), widget=DateInput())
    customer_name = forms.CharField(label=_("Customer's real name"), max_length=50)
    customer_mobile = forms.CharField(
        label=_("Customer's mobile number"), max_length=11, validators=[validate_mainland_mobile]
    )
    customer_id_number = forms.CharField(
        label=_("Customer's resident ID number"), max_length=18, required=False
    )
    product_code = forms.CharField(
        label=_("Product code (if known)"), max_length=40, required=False
    )
    product_name = forms.CharField(
        label=_("Product name (if known)"), max_length=100, required=False
    )
    contract_number = forms.CharField(
        label=_("Contract number (if known)"), max_length=60, required=False
    )
    regulator_reference = forms.CharField(
        label=_("Regulator's transfer number"),
        help_text=_("Only for a complaint the regulator transferred: as on its transfer letter."),
        max_length=60,
        required=False,
    )
    regulator_reply_due = forms.DateField(
        label=_("Report to the regulator by"),
        help_text=_("The date the transfer letter sets for the bank's report."),
        widget=DateInput(),
        required=False,
    )
    # The scanned letter the case is recorded from (its first exhibit), if any.
    scan = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Staff fill this form about someone else: the customer's form speaks to "you".
        self.fields["branch"].label = _("Branch that sold the product or handles the account")
        self.fields["facts"].label = _("What happened, as the customer tells it")
        self.fields["request"].label = _("What the customer asks the bank to do")

    def clean_customer_id_number(self) -> str:
        value = self.cleaned_data["customer_id_number"].strip().upper()
        if value:
            validate_resident_id(value)
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        regulator = data.get("channel") == Channel.REGULATOR
        due, received = data.get("regulator_reply_due"), data.get("received_on")
        if regulator and not due:
            self.add_error(
                "regulator_reply_due", _("A transferred complaint needs the regulator's date.")
            )
        if regulator and not (data.get("regulator_reference") or "").strip():
            self.add_error("regulator_reference", _("Enter the transfer letter's number."))
        if not regulator and due:
            self.add_error(
                "regulator_reply_due",
                _("Only a complaint the regulator transferred has a date for the regulator."),
            )
        if not regulator and (data.get("regulator_reference") or "").strip():
            self.add_error(
                "regulator_reference",
                _("Only a complaint the regulator transferred has a transfer number."),
            )
        if due and received and due < received:
            self.add_error(
                "regulator_reply_due", _("The regulator's date cannot be before receipt.")
            )
        return data


class AmendForm(forms.Form):
    amount = AmountField(label=_("Amount claimed (yuan)"))
    facts = forms.CharField(
        label=_("What happened"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000
    )
    request = forms.CharField(
        label=_("What you ask the bank to do"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class StaffAmendForm(AmendForm):
    """Staff amend the claim only on the customer's request, recorded with the change."""

    customer_request = forms.CharField(
        label=_("The customer's request for this change"),
        help_text=_("When and how the customer asked, e.g. 'by phone on 2026-11-30, 10:20'."),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
    )


class RepresentativeForm(forms.Form):
    agent_mobile = forms.CharField(
        label=_("Your agent's mobile number"),
        max_length=20,
        help_text=_("Your agent needs their own account on the portal, with this number verified."),
    )
    relation = forms.ChoiceField(
        label=_("Who they are to you"), choices=Representative.Relation.choices
    )
    file = forms.FileField(label=_("Power of attorney you signed (PDF or image)"))

    def clean_agent_mobile(self) -> str:
        mobile = normalise_login(self.cleaned_data["agent_mobile"])
        if not mobile.isascii() or not mobile.isdigit():
            raise forms.ValidationError(_("Use digits only for the mobile number."))
        validate_mainland_mobile(mobile)
        return mobile


class ReviewAskForm(forms.Form):
    reasons = forms.CharField(
        label=_("Why the decision should be reviewed"),
        help_text=_("What the decision got wrong, and any new facts; add new evidence below."),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
    )


class MediationAskForm(forms.Form):
    note = forms.CharField(
        label=_("Why you ask for mediation (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )
    agree_mediation = forms.BooleanField(label=_("I consent to mediation"), required=True)


class MediationDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("The bank's decision"),
        choices=[("agree", _("Agree to mediation")), ("refuse", _("Refuse, with a reason"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason for a refusal (the customer reads it)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "refuse" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give the reason for the refusal."))
        return data


class DatalistInput(forms.TextInput):
    """A text box that offers a list of known values (a <datalist>) and still takes any other."""

    def __init__(self, options: Any, list_id: str, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({**(attrs or {}), "list": list_id})
        self.options, self.list_id = options, list_id

    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> SafeString:
        box = super().render(name, value, attrs, renderer)
        options = format_html_join("", '<option value="{}">', ((o,) for o in self.options()))
        return format_html('{}<datalist id="{}">{}</datalist>', box, self.list_id, options)


class TriageForm(forms.Form):
    """Day 1 labels. On one case, the triage table's suggestion comes filled in, with the rule
    and the word that made it (mediation/triage.py); staff confirm or change it."""

    cause_label = forms.CharField(
        label=_("Legal cause (案由)"),
        max_length=100,
        widget=DatalistInput(case_causes, "case-causes"),
    )
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices)
    is_complex = forms.BooleanField(
        label=_("Hard case: needs head-office consultation (30-day decision period)"),
        required=False,
    )

    def __init__(self, *args: Any, dispute: Dispute | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if dispute is None:
            return
        found = suggest(complaint_text(dispute))
        cause = dispute.suggested_cause or found.cause
        urgency = dispute.suggested_urgency or found.urgency
        # The word is the table's as it stands now: named only where it still suggests what
        # was suggested when the complaint was filed (the table may have changed since).
        if cause:
            self.fields["cause_label"].initial = cause
            self.fields["cause_label"].help_text = (
                _(
                    "Suggested by the triage table: the complaint mentions “%(word)s”. "
                    "Confirm or change it."
                )
                % {"word": found.cause_word}
                if found.cause == cause
                else _(
                    "Suggested by the triage table when the complaint was filed. "
                    "Confirm or change it."
                )
            )
        if urgency:
            self.fields["urgency"].initial = urgency
            self.fields["urgency"].help_text = (
                _("Suggested: the complaint mentions “%(word)s”.") % {"word": found.urgency_word}
                if found.urgency == urgency
                else _("Suggested when the complaint was filed.")
            )


class AssignHandlerForm(forms.Form):
    handler = forms.ModelChoiceField(label=_("Handled by"), queryset=User.objects.none())

    def __init__(self, *args: Any, staff: QuerySet[User] | None = None, **kwargs: Any) -> None:
        """`staff`: whom the case (or, in a bulk action, the viewer's cases) may be given to
        (mediation.access.assignable_staff)."""
        super().__init__(*args, **kwargs)
        field = self.fields["handler"]
        field.queryset = staff if staff is not None else User.objects.none()  # type: ignore[attr-defined]
        field.label_from_instance = _staff_label  # type: ignore[attr-defined]


def _staff_label(user: User) -> str:
    return f"{user.display_name}（{user.branch.name}）" if user.branch else user.display_name


class OptInForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Preferred mediation centre"),
        queryset=PartnerOrganisation.objects.none(),
        required=False,
        empty_label=_("Let the bank propose one (I will be asked before my data is sent)"),
    )
    agree_mediation = forms.BooleanField(label=_("I consent to mediation"), required=True)
    agree_disclosure = forms.BooleanField(
        label=_("I consent to the disclosure of my personal information described above"),
        required=True,
    )

    def __init__(self, *args: Any, given: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = PartnerOrganisation.objects.active().filter(  # type: ignore[attr-defined]
            kind=OrganisationKind.MEDIATION_CENTRE
        )
        # A consent the customer already gave, still in force, is shown as given, not asked
        # for again (a disabled field keeps its initial value whatever is posted).
        for name, when in (given or {}).items():
            field = self.fields[name]
            field.disabled, field.required, field.initial = True, False, True
            field.label = _("%(label)s (given on %(d)s)") % {
                "label": field.label,
                "d": f"{timezone.localtime(when):%Y-%m-%d}",
            }


class MediationCentreForm(forms.Form):
    """One of the active partner mediation centres: for a disclosure consent naming it, or
    for a referral to it."""

    organisation = forms.ModelChoiceField(
        label=_("Mediation centre"), queryset=PartnerOrganisation.objects.none()
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = PartnerOrganisation.objects.active().filter(  # type: ignore[attr-defined]
            kind=OrganisationKind.MEDIATION_CENTRE
        )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class LinkRepeatForm(forms.Form):
    primary = forms.CharField(
        label=_("The earlier case's reference"),
        max_length=20,
        widget=forms.TextInput(attrs={"placeholder": "MD-2026-000123"}),
    )


class RiskRatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Risk rating on the bank's record when the product was sold"),
        choices=RiskRating.choices,
        coerce=int,
    )


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, required=False
    )


class CloseForm(forms.Form):
    # A settlement is the customer's own act (their accepted offer), never a closure staff
    # choose.
    reason = forms.ChoiceField(
        label=_("Closure reason"),
        choices=[c for c in ClosureReason.choices if c[0] != ClosureReason.SETTLEMENT],
    )
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("reason") == ClosureReason.OTHER and not data.get("note", "").strip():
            self.add_error("note", _("Explain the closure reason."))
        return data


class MilestoneForm(forms.Form):
    milestone = forms.ChoiceField(
        choices=[
            ("plan", "plan"),
            ("consultation", "consultation"),
            ("return_visit", "return_visit"),
        ],
        widget=forms.HiddenInput,
    )
    text = forms.CharField(
        label=_("Text"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000, required=False
    )


class RegulatorReplyForm(forms.Form):
    text = forms.CharField(
        label=_("What the bank reported to the regulator"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )


class ExtendForm(forms.Form):
    track = forms.ChoiceField(
        label=_("New decision period"),
        choices=[
            (DecisionTrack.COMPLEX.value, DecisionTrack.COMPLEX.label),
            (DecisionTrack.EXTENDED.value, DecisionTrack.EXTENDED.label),
        ],
    )
    reason = forms.CharField(
        label=_("Reason and approval"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReturnVisitForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How satisfied are you with the handling? (1 = not at all, 5 = very)"),
        choices=[(n, str(n)) for n in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class QueueFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Find"),
        required=False,
        max_length=40,
        help_text=_(
            "A reference, a name, a mobile number, or the last 4 digits of one or of an ID"
        ),
    )
    status = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("All states")), *DisputeStatus.choices]
    )
    branch = forms.ModelChoiceField(
        label=_("Branch"),
        queryset=Branch.objects.all(),
        required=False,
        empty_label=_("All branches"),
    )
    category = forms.ChoiceField(
        label=_("Product"),
        required=False,
        choices=[("", _("All products")), *ProductCategory.choices],
    )
    clock = forms.ChoiceField(
        label=_("Clocks"),
        required=False,
        choices=[("", _("Any")), ("overdue", _("Overdue")), ("due_soon", _("Due soon"))],
    )
    sort = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=[
            # What waits first: the overdue cases, then the nearest deadlines (closed cases,
            # with no clock running, last).
            ("", _("Overdue and nearest deadline first")),
            ("newest", _("Newest first")),
            ("amount", _("Largest claim first")),
        ],
    )
    fast_lane = forms.BooleanField(label=_("Fast lane only"), required=False)
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("All channels")), *Channel.choices]
    )
    product = forms.CharField(label=_("Product code"), required=False, max_length=40)
    contract = forms.CharField(label=_("Contract number"), required=False, max_length=60)
    # One member of staff's caseload (a case page links here); named above the list.
    handler = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    # The branches of one province (the figures' province tiles link here); named above it.
    province = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)
    # Received between these days (the management heat map's cells link here).
    received_from = forms.DateField(label=_("Received from"), required=False, widget=DateInput())
    received_to = forms.DateField(label=_("Received to"), required=False, widget=DateInput())

    def __init__(self, *args: Any, all_branches: bool = True, **kwargs: Any) -> None:
        """A branch's staff see their own branch only: no branch filter offering others."""
        super().__init__(*args, **kwargs)
        self.scope = "all" if all_branches else "branch"
        if not all_branches:
            del self.fields["branch"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") and data["status"] not in DisputeStatus.values:
            raise ValidationError(_("Unknown state."))
        return data


# How many files one upload may carry (each is checked, stored and counted on its own).
FILES_PER_UPLOAD = 10


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern): a list of uploads."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, (list, tuple)) else [data]
        if len(files) > FILES_PER_UPLOAD:
            raise ValidationError(
                _("At most %(n)s files at a time.") % {"n": FILES_PER_UPLOAD}, code="too_many"
            )
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class LetterScanForm(forms.Form):
    """A customer's letter, scanned at intake: read by the worker, then recorded by staff."""

    scan = forms.FileField(
        label=_("Scanned letter (PDF, JPEG or PNG)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
        error_messages={"required": _("Choose the scanned letter to upload.")},
    )


class EvidenceForm(forms.Form):
    file = MultipleFileField(
        label=_("Files (PDF, JPEG or PNG; several at once if you like)"),
        widget=MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png", "multiple": True}),
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=120,
        required=False,
        help_text=_("Left blank, each file is titled by its name."),
    )
    category = forms.ChoiceField(label=_("Category"), choices=EvidenceCategory.choices)
    document_date = forms.DateField(
        label=_("Date of the document"),
        required=False,
        widget=DateInput(),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, categories: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if categories is not None:
            labels = dict(EvidenceCategory.choices)
            self.fields["category"].choices = [(c, labels[c]) for c in categories]  # type: ignore[attr-defined]
