"""Issue 16, the audit chain can no longer be rewritten: keyed with AUDIT_KEY, its head anchored
outside the database, the head record checked."""

from __future__ import annotations

import hashlib

import pytest
from django.core.management import CommandError, call_command

from portal.audit import GENESIS_HASH, audit_record, audit_verify, chain_payload
from portal.models import AuditChainHead, AuditEvent

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
def chain(branch, django_capture_on_commit_callbacks):
    for i in range(5):
        with django_capture_on_commit_callbacks(execute=True):  # each head anchored
            audit_record(actor=None, action=f"test.{i}", target=branch, reason=f"r{i}")
    return list(AuditEvent.objects.order_by("seq"))


def unkeyed(event: AuditEvent, prev: str) -> str:
    """The hash as the old, unkeyed chain computed it."""
    return hashlib.sha256(chain_payload(event, prev)).hexdigest()


def test_a_recomputed_chain_fails_verify_audit(chain):
    """Edit an event, then recompute every hash after it as the old, unkeyed chain did, and
    fix the head record too: without the key the chain does not verify."""
    AuditEvent.objects.filter(seq=3).update(reason="rewritten")
    prev = GENESIS_HASH
    for event in AuditEvent.objects.order_by("seq"):
        digest = unkeyed(event, prev)
        AuditEvent.objects.filter(pk=event.pk).update(prev_hash=prev, hash=digest)
        prev = digest
    AuditChainHead.objects.filter(pk=1).update(last_hash=prev)
    problem = audit_verify()
    assert problem is not None and problem.seq == 1
    with pytest.raises(CommandError):
        call_command("verify_audit")


def test_a_deleted_head_fails_verify_audit(chain):
    AuditChainHead.objects.all().delete()
    problem = audit_verify()
    assert problem is not None and "head" in problem.message


def test_an_edited_head_fails_verify_audit(chain):
    AuditChainHead.objects.filter(pk=1).update(last_hash="f" * 64)
    assert audit_verify() is not None


def test_a_truncated_chain_with_its_head_moved_back_fails_on_the_anchor(chain):
    """Delete the last two events and move the head record back to match: the database alone
    looks whole, the anchor outside it does not."""
    AuditEvent.objects.filter(seq__gt=3)._raw_delete(AuditEvent.objects.db)
    AuditChainHead.objects.filter(pk=1).update(last_seq=3, last_hash=chain[2].hash)
    problem = audit_verify()
    assert problem is not None and "#5 was anchored" in problem.message


def test_a_whole_chain_with_its_anchor_verifies(chain):
    assert audit_verify() is None
    call_command("verify_audit")


def test_the_audit_table_refuses_updates_and_deletes_on_postgresql(branch):
    from django.db import DatabaseError, connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger is PostgreSQL's")
    with connection.cursor() as cursor:  # undo this module's tampering switch
        cursor.execute("ALTER TABLE portal_auditevent ENABLE TRIGGER USER")
    audit_record(actor=None, action="test.kept", target=branch)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(action="test.kept").update(reason="rewritten")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(action="test.kept")._raw_delete(AuditEvent.objects.db)
    assert AuditEvent.objects.get(action="test.kept").reason == ""


def test_failed_and_locked_sign_ins_enter_the_chain(client, customer):
    for _ in range(7):
        client.post("/accounts/login/", {"username": customer.mobile, "password": "wrong"})
    actions = list(
        AuditEvent.objects.filter(target_id=str(customer.pk)).values_list("action", flat=True)
    )
    assert actions.count("signin.failed") == 6 and actions.count("signin.locked") == 1
    assert audit_verify() is None


def test_an_admin_making_a_user_superuser_leaves_an_audit_event(admin_client, staff):
    page = admin_client.get(f"/admin/portal/user/{staff.pk}/change/")
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
    data.update(
        {
            "is_superuser": "on",
            "is_staff": "on",
            "is_active": "on",
            "date_joined_0": staff.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": staff.date_joined.strftime("%H:%M:%S"),
            "branch": staff.branch_id,
            "groups": [],
            "user_permissions": [],
        }
    )
    data.pop("date_joined", None)
    data.pop("last_login", None)
    response = admin_client.post(f"/admin/portal/user/{staff.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = AuditEvent.objects.filter(action="admin.changed", target_id=str(staff.pk)).get()
    assert event.data["fields"]["is_superuser"] == {"before": False, "after": True}
    assert event.actor is not None and event.actor.is_superuser
