"""Reading the transition table in a lifecycle module's docstring, and the declared one."""

from __future__ import annotations

import re
from types import ModuleType

from django.db import models


def docstring_table(module: ModuleType) -> dict[str, tuple[set[str], str]]:
    """Parse the reST simple table: column positions come from its '=' rule line."""
    lines = (module.__doc__ or "").splitlines()
    rules = [i for i, ln in enumerate(lines) if ln.startswith("=" * 19)]
    assert len(rules) == 3, "the module docstring holds one transition table"
    cols = [m.start() for m in re.finditer(r"=+", lines[rules[0]])]
    table: dict[str, tuple[set[str], str]] = {}
    current = ""
    for line in lines[rules[1] + 1 : rules[2]]:
        name = line[: cols[1]].strip()
        sources = line[cols[1] : cols[2]].strip()
        target = line[cols[2] :].strip()
        if name:
            current = name
            table[name] = (set(), target)
        table[current][0].update(s.strip() for s in sources.split(",") if s.strip())
    return table


def declared_transitions(model: type[models.Model]) -> dict[str, tuple[set[str], str]]:
    field = model._meta.get_field("status")
    declared: dict[str, tuple[set[str], str]] = {}
    for t in field.get_all_transitions(model):  # type: ignore[union-attr]
        sources, target = declared.setdefault(t.name, (set(), str(t.target)))
        sources.add(str(t.source))
        assert target == t.target
    return declared


def refusals(model: type[models.Model], states: list[str]) -> list[tuple[str, str]]:
    """Every (transition, state) pair the machine must refuse."""
    return [
        (name, state)
        for name, (sources, _target) in declared_transitions(model).items()
        for state in states
        if state not in sources
    ]


def allowed(model: type[models.Model]) -> list[tuple[str, str]]:
    return [
        (name, state)
        for name, (sources, _target) in declared_transitions(model).items()
        for state in sorted(sources)
    ]
