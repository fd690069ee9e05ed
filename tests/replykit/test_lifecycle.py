"""The reply's state machine: the docstring's table is the code's, and each transition is
refused from every state that must refuse it."""

from __future__ import annotations

import pytest

import mediation.replykit.lifecycle as reply_lifecycle
from mediation.replykit.models import Reply
from tests.lifecycle_tables import declared_transitions, docstring_table


def test_table_matches_code():
    assert docstring_table(reply_lifecycle) == declared_transitions(Reply)


@pytest.mark.parametrize(
    ("name", "allowed"),
    [
        ("submit", {"draft"}),
        ("issue", {"draft"}),
        ("approve", {"awaiting_approval"}),
        ("send_back", {"awaiting_approval"}),
    ],
)
def test_each_transition_only_from_its_states(name, allowed):
    meta = getattr(Reply, name)._django_fsm
    for state in ("draft", "awaiting_approval", "issued"):
        assert meta.has_transition(state) == (state in allowed), (name, state)
