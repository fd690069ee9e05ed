"""Races on a real database: 20 concurrent attempts at one transition make it happen once.

select_for_update does nothing on SQLite, and TestCase wraps each test in one transaction, so
these run on PostgreSQL with transaction=True (TRAPS.md).
"""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from mediation import services
from mediation.models import Dispute
from portal.audit import audit_verify
from portal.exceptions import ApplicationError
from portal.models import AuditEvent
from tests.factories import make_dispute

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


def _race(n: int, fn):
    barrier = threading.Barrier(n)

    def attempt(_i: int) -> str:
        try:
            barrier.wait()
            fn()
            return "ok"
        except ApplicationError as exc:
            return exc.code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(attempt, range(n)))


def test_twenty_concurrent_transitions_happen_once(customer, staff, branch):
    d = make_dispute(customer, branch)
    services.dispute_triage(
        actor=staff, reference=d.reference, cause_label="合同", urgency="normal"
    )
    before = AuditEvent.objects.count()
    results = _race(
        20, lambda: services.dispute_start_bank_handling(actor=staff, reference=d.reference)
    )
    assert results.count("ok") == 1, results
    assert set(results) <= {"ok", "transition_not_allowed", "concurrent_change"}
    assert Dispute.objects.get(pk=d.pk).status == "bank_handling"
    assert AuditEvent.objects.filter(action="dispute.start_bank_handling").count() == 1
    assert AuditEvent.objects.count() == before + 1
    assert audit_verify() is None


def test_concurrent_double_submit_creates_one_dispute(customer, branch):
    token = uuid.uuid4()
    results = _race(5, lambda: make_dispute(customer, branch, intake_token=token))
    assert results.count("ok") == 5
    assert Dispute.objects.filter(intake_token=token).count() == 1
    assert audit_verify() is None
