"""The audit log is hash-chained; verification names the first altered or missing event."""

import itertools

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from portal.audit import audit_record, audit_verify
from portal.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _tamper_as_the_table_owner():
    """These tests play someone who may alter the audit table: on PostgreSQL the append-only
    trigger is switched off for the test's transaction (tests/security checks it is on)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE portal_auditevent DISABLE TRIGGER USER")


@pytest.fixture
def chain(branch):
    for i in range(5):
        audit_record(actor=None, action=f"test.{i}", target=branch, reason=f"r{i}")
    return list(AuditEvent.objects.order_by("seq"))


def test_chain_links_each_event_to_its_predecessor(chain):
    assert chain[0].prev_hash == "0" * 64
    for prev, event in itertools.pairwise(chain):
        assert event.prev_hash == prev.hash
    assert audit_verify() is None
    call_command("verify_audit")


def test_altered_row_behind_the_portals_back_is_named(chain):
    AuditEvent.objects.filter(seq=3).update(reason="rewritten")
    problem = audit_verify()
    assert problem is not None and problem.seq == 3
    with pytest.raises(CommandError, match="#3"):
        call_command("verify_audit")


def test_deleted_row_is_named_as_missing(chain):
    AuditEvent.objects.filter(seq=2)._raw_delete(AuditEvent.objects.db)
    problem = audit_verify()
    assert problem is not None and problem.seq == 2 and "missing" in problem.message


def test_deleted_last_row_is_named_as_missing(chain):
    AuditEvent.objects.filter(seq=5)._raw_delete(AuditEvent.objects.db)
    problem = audit_verify()
    assert problem is not None and problem.seq == 5


def test_events_cannot_be_changed_or_deleted_through_the_orm(chain):
    event = chain[0]
    event.reason = "x"
    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(ValidationError):
        event.delete()
