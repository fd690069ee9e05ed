"""Issue 19: a required select with one real option asks nothing (a centre with one mediator):
the option is chosen, the blank is gone; with two options the person still chooses."""

from __future__ import annotations

import re

import pytest
from django import forms

from portal.forms import choose_the_only_option
from tests.conftest import client_for, opened
from tests.factories import PartnerFactory, make_dispute, refer

pytestmark = pytest.mark.django_db


class Pick(forms.Form):
    colour = forms.ChoiceField(choices=[("", "—"), ("red", "红")])
    size = forms.ChoiceField(choices=[("", "—"), ("s", "小"), ("l", "大")])
    note = forms.ChoiceField(choices=[("", "—"), ("x", "x")], required=False)


def test_only_a_required_single_choice_is_made_for_the_person():
    form = choose_the_only_option(Pick())
    colour, size = form.fields["colour"], form.fields["size"]
    assert isinstance(colour, forms.ChoiceField) and isinstance(size, forms.ChoiceField)
    assert colour.choices == [("red", "红")]
    assert form.initial["colour"] == "red"
    assert "size" not in form.initial and len(list(size.choices)) == 3  # type: ignore[arg-type]
    assert "note" not in form.initial  # optional: left to the person
    bound = choose_the_only_option(Pick(data={"colour": "", "size": "s"}))
    assert not bound.is_valid()  # what was posted is judged as posted


def _mediator_select(page: str) -> str:
    found = re.search(r'<select name="[^"]*mediator"[^>]*>(.*?)</select>', page, re.S)
    assert found, "no mediator select"
    return found.group(1)


def test_a_centre_with_one_mediator_has_it_chosen(customer, staff, branch, centre, mediator):
    d = make_dispute(customer, branch)
    refer(d, customer, staff, centre)
    options = _mediator_select(opened(client_for(mediator), d.get_absolute_url()))
    assert 'value=""' not in options and "selected" in options
    PartnerFactory.create(organisation=centre)  # a second mediator: now a real choice
    options = _mediator_select(opened(client_for(mediator), d.get_absolute_url()))
    assert 'value=""' in options


def test_a_date_picker_holds_its_date_in_the_only_form_browsers_take():
    """`<input type="date">` takes ISO dates only: the localised 2026/12/07 was dropped by the
    browser, leaving the day a letter came blank and the form refused as incomplete."""
    from datetime import date

    from django.utils import translation

    from mediation.forms import StaffIntakeForm

    with translation.override("zh-hans"):
        rendered = str(StaffIntakeForm(initial={"received_on": date(2026, 12, 7)})["received_on"])
    assert 'type="date"' in rendered and 'value="2026-12-07"' in rendered
