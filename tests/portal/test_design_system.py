"""Issue 19: the design system is vendored (no CDN), pinned and licensed, and every page speaks
its language: form controls, invalid fields, alerts for messages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django import forms
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.staticfiles import finders
from django.template import Context, Template
from django.urls import reverse

from tests.conftest import client_for

pytestmark = pytest.mark.django_db

VENDOR = Path(__file__).resolve().parents[2] / "static" / "vendor"


def test_every_vendored_package_is_pinned_licensed_and_listed():
    listed = (VENDOR / "README.md").read_text(encoding="utf-8")
    packages = [p for p in VENDOR.iterdir() if p.is_dir()]
    assert {p.name for p in packages} >= {"bootstrap", "htmx", "echarts"}
    for package in packages:
        versions = [v for v in package.iterdir() if v.is_dir()]
        assert len(versions) == 1, f"{package.name}: one pinned version, not {versions}"
        version = versions[0]
        assert re.fullmatch(r"\d+\.\d+\.\d+", version.name)
        assert (version / "LICENSE").is_file(), f"{package.name} {version.name} has no licence"
        assert (
            f"{package.name}@{version.name}" in listed
            or f"{package.name}.org@{version.name}" in listed
        )


def test_pages_load_the_vendored_stylesheet_before_the_portals_own(customer):
    page = client_for(customer).get(reverse("home")).content.decode()
    sheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page)
    assert [s.rsplit("/", 1)[-1] for s in sheets] == ["bootstrap.min.css", "portal.css"]
    assert all(s.startswith("/static/") for s in sheets)  # served by the portal, never a CDN
    found = finders.find("vendor/bootstrap/5.3.8/bootstrap.min.css")
    assert isinstance(found, str) and "Bootstrap  v5.3.8" in Path(found).read_text()[:200]


class Sample(forms.Form):
    name = forms.CharField(label="名称", max_length=10)
    kind = forms.ChoiceField(label="类别", choices=[("a", "甲"), ("b", "乙")])
    agree = forms.BooleanField(label="同意", required=False)
    size = forms.ChoiceField(
        label="大小", choices=[("s", "小"), ("l", "大")], widget=forms.RadioSelect
    )
    note = forms.CharField(
        label="备注", widget=forms.Textarea(attrs={"class": "wide"}), required=False
    )


def _render(form: forms.Form) -> str:
    return Template('{% include "includes/form.html" %}').render(Context({"form": form}))


def _tag(html: str, name: str) -> str:
    found = re.search(rf'<(input|select|textarea)[^>]*name="{name}"[^>]*>', html)
    assert found, name
    return found.group(0)


def test_each_widget_takes_the_design_systems_class():
    html = _render(Sample())
    assert 'class="form-control"' in _tag(html, "name")
    assert 'class="form-select"' in _tag(html, "kind")
    assert 'class="form-check-input"' in _tag(html, "agree")
    assert 'class="wide form-control"' in _tag(html, "note")  # a widget's own class is kept
    assert (
        "form-control" not in _tag(html, "size")
        and "form-check-input" not in html.split('name="size"')[0][-200:]
    )
    assert '<div class="form-check">' in html  # a lone checkbox sits beside its label


def test_a_field_in_error_is_marked_invalid_beside_its_message():
    form = Sample(data={"name": "x" * 11, "kind": "a", "size": "s"})
    assert not form.is_valid()
    html = _render(form)
    assert 'class="form-control is-invalid"' in _tag(html, "name")
    assert "is-invalid" not in _tag(html, "kind")
    assert 'class="invalid-feedback d-block field-errors" role="alert" id="id_name_error"' in html


def test_messages_are_alerts_named_as_the_design_system_names_them(customer):
    """An error is Bootstrap's alert-danger (it has no alert-error); a success, alert-success."""
    assert Message(constants.ERROR, "x").level_tag == "danger"
    assert Message(constants.SUCCESS, "x").level_tag == "success"
    response = client_for(customer).post(reverse("notifications_read_all"), follow=True)
    assert 'class="alert alert-success message success"' in response.content.decode()
