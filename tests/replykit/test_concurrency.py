"""Races on PostgreSQL: two approvers pressing at once issue a reply once, and two members of
staff starting the decision at once make one draft (select_for_update does nothing on SQLite;
TRAPS.md)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection

from mediation.models import Dispute
from mediation.replykit import services as rs
from mediation.replykit.models import Reply
from portal.audit import audit_verify
from portal.models import AuditEvent
from tests.factories import StaffFactory
from tests.mediation.test_concurrency import _race
from tests.replykit.helpers import handling, ready_reply

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


def test_two_approvers_at_once_issue_once(legal_library, customer, staff, branch):
    d = handling(customer, staff, branch)
    reply = ready_reply(staff, d, outcome="refused", amount="0")
    rs.reply_send(actor=staff, reply_id=reply.pk)
    approvers = [StaffFactory.create(branch=branch) for _ in range(4)]
    calls = iter(approvers)
    results = _race(4, lambda: rs.reply_approve(actor=next(calls), reply_id=reply.pk))
    assert results.count("ok") == 1, results
    assert AuditEvent.objects.filter(action="reply.approve").count() == 1
    assert AuditEvent.objects.filter(action="dispute.decision_recorded").count() == 1
    assert Dispute.objects.get(pk=d.pk).decision_at is not None
    assert audit_verify() is None


def test_two_drafts_at_once_make_one(legal_library, customer, staff, branch):
    d = handling(customer, staff, branch)
    colleague = StaffFactory.create(branch=branch)
    people = iter([staff, colleague])
    results = _race(
        2,
        lambda: rs.reply_start(
            actor=next(people),
            reference=d.reference,
            kind="decision",
            claim_types=["card_fee"],
            outcome="granted",
            granted_amount=Decimal("100"),
        ),
    )
    assert sorted(results) == ["ok", "reply_exists"], results
    assert Reply.objects.filter(dispute=d).count() == 1
