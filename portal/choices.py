"""Display labels of choice fields, read through their TextChoices."""

from __future__ import annotations

from typing import Any

from django.db import models


class ChoiceLabel:
    """`status_label = ChoiceLabel(DisputeStatus, "status")`: the label of the field's value in
    the active language, one translation per read. Django's get_FOO_display() builds a dict of
    every choice on each call, which hashes (and so translates) every lazy label: it was a
    third of a queue page's rendering (bench/scale.py)."""

    def __init__(self, choices: type[models.TextChoices], field: str) -> None:
        self.choices, self.field = choices, field

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self
        value = getattr(obj, self.field)
        try:
            return self.choices(value).label
        except ValueError:  # a value outside the choices is shown as it is
            return value
