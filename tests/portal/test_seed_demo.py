"""Demo data: idempotent, one login per role, a dispute in every state."""

import pytest
from django.core.management import call_command

from mediation.insight.models import WhitePaper
from mediation.lifecycle import DisputeStatus
from mediation.models import Dispute, EvidenceItem
from portal.audit import audit_verify
from portal.models import User
from referrals.models import Bundle

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent_and_covers_every_state(capsys):
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "Demo-2026-portal" in out and "mediator" in out
    counts = (
        User.objects.count(),
        Dispute.objects.count(),
        EvidenceItem.objects.count(),
        Bundle.objects.count(),
        WhitePaper.objects.count(),
    )
    call_command("seed_demo", "--quiet")
    assert counts == (
        User.objects.count(),
        Dispute.objects.count(),
        EvidenceItem.objects.count(),
        Bundle.objects.count(),
        WhitePaper.objects.count(),
    )
    # This year's white paper, asked for by head office (the worker builds it after commit).
    paper = WhitePaper.objects.get()
    assert paper.requested_by.username == "headoffice" and paper.status == "queued"
    assert set(Dispute.objects.values_list("status", flat=True)) == set(DisputeStatus.values)
    assert {u.role for u in User.objects.all()} == {
        "customer",
        "staff",
        "partner",
        "auditor",
        "admin",
    }
    assert User.objects.get(username="customer").check_password("Demo-2026-portal")
    # Issue 19: the demo customer is not met by a hundred unread notifications.
    for user in User.objects.all():
        assert user.notifications.filter(read_at__isnull=True).count() <= 5
    assert audit_verify() is None


def test_demo_staff_sign_in_with_the_printed_key(settings, capsys):
    from django.test import Client

    from portal.demo import DEMO_TOTP_SECRET, login_lines
    from tests.factories import totp_code

    call_command("seed_demo", "--quiet")
    assert DEMO_TOTP_SECRET in "\n".join(login_lines())
    client = Client()
    client.post("/accounts/login/", {"username": "staff", "password": "Demo-2026-portal"})
    assert client.get("/")["Location"].startswith("/accounts/two-step/")
    settings.DEBUG = True
    capsys.readouterr()
    call_command("demo_code")
    assert capsys.readouterr().out.split()[0] == totp_code(DEMO_TOTP_SECRET)
    client.post("/accounts/two-step/", {"code": totp_code(DEMO_TOTP_SECRET)})
    assert client.get("/").status_code == 200
