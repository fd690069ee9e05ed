"""Customer registration and sign-in forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from portal.models import User
from portal.ratelimit import minutes_to_wait, normalise_login
from portal.validators import validate_mainland_mobile, validate_resident_id


class LimitedSignIn(AuthenticationForm):
    """A sign-in the limiter refused says so, with the wait (portal/ratelimit.py)."""

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except ValidationError:
            wait = getattr(self.request, "signin_wait", 0)
            if wait:
                raise ValidationError(
                    _(
                        "Too many failed attempts. Try again in %(minutes)s minute(s), or reset "
                        "your password."
                    ),
                    code="throttled",
                    params={"minutes": minutes_to_wait(wait)},
                ) from None
            raise


class AdminSignInForm(LimitedSignIn, AdminAuthenticationForm):
    """The admin's sign-in, under the same limiter."""


class SignInForm(LimitedSignIn):
    username = forms.CharField(
        label=_("Mobile number, email or username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )


class RegistrationForm(forms.Form):
    real_name = forms.CharField(label=_("Real name"), max_length=50)
    mobile = forms.CharField(
        label=_("Mobile number"),
        max_length=11,
        help_text=_("You sign in with it; we send a code to prove it is yours."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "numeric"}),
    )
    email = forms.EmailField(
        label=_("Email"), required=False, help_text=_("Optional: for messages by email.")
    )
    id_number = forms.CharField(
        label=_("Resident ID number"),
        max_length=18,
        help_text=_("18 characters; used only where a rule requires it and shown masked."),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters, not only digits, not a common password."),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_mobile(self) -> str:
        """ASCII digits only, after turning full-width ones (from a Chinese keyboard) into
        ASCII: `13７00000001` is 13700000001. Whether the number is taken is not said here:
        the one-time code decides (portal/views.py), so the form answers alike for every
        number."""
        mobile = normalise_login(self.cleaned_data["mobile"])
        if mobile:
            if not mobile.isascii() or not mobile.isdigit():
                raise ValidationError(_("Use digits only for the mobile number."), code="digits")
            validate_mainland_mobile(mobile)
        return mobile

    def clean_email(self) -> str:
        """Whether the address is taken is not said here (that would tell anyone which
        addresses have accounts): registration keeps it only if it is free, once the mobile
        number is proved (portal/views.py)."""
        return str(self.cleaned_data["email"]).strip().lower()

    def clean_id_number(self) -> str:
        value = self.cleaned_data["id_number"].strip().upper()
        validate_resident_id(value)
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords differ."))
        elif p1:
            candidate = User(
                username=data.get("mobile") or data.get("email") or "",
                email=data.get("email") or "",
                real_name=data.get("real_name") or "",
            )
            try:
                password_validation.validate_password(p1, candidate)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return data


def form_errors_to_messages(request: HttpRequest, form: forms.Form) -> None:
    """For forms posted from a page that shows several: each error as a message, with its
    field's label, so the page the user returns to says what was wrong."""
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else str(error))


class CodeForm(forms.Form):
    """The six-digit code sent by text message."""

    code = forms.CharField(
        label=_("Code from the text message"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_code(self) -> str:
        code = normalise_login(self.cleaned_data["code"])
        if not (code.isascii() and code.isdigit()):
            raise ValidationError(_("The code is six digits."), code="digits")
        return code


class SecondFactorCodeForm(forms.Form):
    """A code from the authenticator app, or a recovery code."""

    code = forms.CharField(
        label=_("Code from your authenticator app, or a recovery code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class EnrolCodeForm(forms.Form):
    code = forms.CharField(
        label=_("The six-digit code your app shows now"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


# Django 6.1 labels an empty choice "- Select an option -" (django.db.models.fields), and its
# zh_Hans catalog does not translate it: the project's catalog does (it comes first).
BLANK_CHOICE_LABEL = _("- Select an option -")


class DateInput(forms.DateInput):
    """A date picker. Its value is always ISO (2026-12-07): the only form `<input type="date">`
    takes; a localised one (zh-Hans: 2026/12/07) was dropped by the browser, which left an
    initial date, say the day a letter came, blank."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


def choose_the_only_option(form: forms.Form) -> forms.Form:
    """A required select with one real option asks nothing: the option is chosen and the blank
    goes (a centre with one mediator, a region with one court). Bound forms are left as posted."""
    if form.is_bound:
        return form
    for name, field in form.fields.items():
        if not field.required or field.disabled:
            continue
        if isinstance(field, forms.ModelChoiceField):
            queryset: Any = field.queryset
            only = list(queryset[:2])
            if len(only) == 1:
                field.empty_label = None
                form.initial.setdefault(name, only[0].pk)
        elif isinstance(field, forms.ChoiceField) and not isinstance(
            field, forms.MultipleChoiceField
        ):
            choices: list[Any] = list(field.choices)  # type: ignore[arg-type]
            real = [c for c in choices if c[0] not in ("", None)]
            if len(real) == 1:
                field.choices = real
                form.initial.setdefault(name, real[0][0])
    return form
