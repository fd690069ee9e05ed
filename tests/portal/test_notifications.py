"""Notifications: the right people, idempotent reminders, opt-outs, retries, the centre, and
return visits."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mediation import services as ms
from mediation.services.return_visits import return_visit_record
from portal.exceptions import TransitionRefused
from portal.models import Delivery, Notification, NotificationOptOut
from portal.notifications import notify, retry_deliveries
from portal.notifications.reminders import send_due_reminders
from referrals.centres import agreements as agreement_services
from referrals.centres import services as referral_services
from referrals.centres import sessions as session_services
from tests.conftest import client_for
from tests.factories import PartnerFactory, StaffFactory, make_dispute, refer
from tests.factories.files import pdf_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Call notify() as the services do, with its deliveries queued after commit."""

    def _send(*args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return notify(*args, **kwargs)

    return _send


def events_for(user):
    return sorted(Notification.objects.filter(recipient=user).values_list("event", flat=True))


def test_dispute_received_reaches_only_its_customer(
    customer, other_customer, staff, branch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        d = make_dispute(customer, branch)
    assert events_for(customer) == ["dispute_received", "lane_decided"]
    assert events_for(other_customer) == [] and events_for(staff) == []
    received = Notification.objects.get(recipient=customer, event="dispute_received")
    assert d.reference in received.title and received.legal
    assert str(d.decision_due) in received.body and received.title_en.startswith("Your dispute")


def test_referral_events_reach_parties_and_only_that_centre(
    customer,
    other_customer,
    staff,
    other_staff,
    mediator,
    other_mediator,
    branch,
    centre,
    django_capture_on_commit_callbacks,
):
    d = make_dispute(customer, branch)
    with django_capture_on_commit_callbacks(execute=True):
        referral = refer(d, customer, staff, centre)
    assert "referral_sent" in events_for(customer) and "referral_sent" in events_for(mediator)
    assert events_for(other_mediator) == [] and events_for(other_customer) == []
    with django_capture_on_commit_callbacks(execute=True):
        referral_services.referral_accept(
            actor=mediator, referral_id=referral.pk, mediator_id=mediator.pk
        )
    assert "referral_accepted" in events_for(customer) and "referral_accepted" in events_for(staff)
    assert "referral_accepted" not in events_for(other_staff)
    with django_capture_on_commit_callbacks(execute=True):
        agreement_services.proposal_make(
            actor=mediator,
            referral_id=referral.pk,
            amount=Decimal("500"),
            terms="t",
            performance_due=timezone.localdate(),
        )
    # Binding on the bank below the threshold: only the customer answers.
    assert "proposal_awaiting" in events_for(customer)
    assert "proposal_awaiting" not in events_for(staff)


def test_review_due_reaches_auditors_only(
    customer, staff, auditor, branch, django_capture_on_commit_callbacks
):
    from referrals.reviews.services import review_enqueue_due

    d = make_dispute(customer, branch)
    ms.dispute_triage(actor=staff, reference=d.reference, cause_label="x", urgency="normal")
    ms.dispute_start_bank_handling(actor=staff, reference=d.reference)
    ms.dispute_close(actor=staff, reference=d.reference, reason="bank_decision_accepted")
    with django_capture_on_commit_callbacks(execute=True):
        review_enqueue_due(today=timezone.localdate() + timedelta(days=200))
    assert events_for(auditor) == ["review_due"]
    assert "review_due" not in events_for(staff) + events_for(customer)


def test_nothing_is_said_about_a_change_that_rolled_back(
    customer, branch, django_capture_on_commit_callbacks
):
    from django.db import transaction

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        make_dispute(customer, branch)
        raise RuntimeError("rolled back")
    assert not Notification.objects.exists()


@pytest.fixture
def agreement(customer, staff, mediator, branch, centre):
    d = make_dispute(customer, branch)
    referral = refer(d, customer, staff, centre)
    referral_services.referral_accept(
        actor=mediator, referral_id=referral.pk, mediator_id=mediator.pk
    )
    return agreement_services.agreement_record(
        actor=mediator,
        referral_id=referral.pk,
        upload=io.BytesIO(pdf_bytes()),
        file_name="a.pdf",
        size=None,
        amount=Decimal("100"),
        terms="t",
        performance_due=timezone.localdate() + timedelta(days=40),
        effective_on=timezone.localdate(),
    )


def test_window_reminders_are_idempotent_and_catch_up(agreement, customer, staff):
    ends = agreement.confirmation_window_ends

    def run(days_before):
        """How many window reminders one run sends (the window is also the case's next
        deadline, so the staff's daily clock reminder comes too: not counted here)."""
        before = Notification.objects.filter(event="confirmation_window").count()
        send_due_reminders(today=ends - timedelta(days=days_before))
        return Notification.objects.filter(event="confirmation_window").count() - before

    assert run(15) == 0
    assert run(10) == 2  # the customer and the branch's staff
    assert run(10) == 0 and run(9) == 0  # same threshold, no second message
    # The job did not run from 8 days before to 3 days before: it catches up with "5".
    assert run(3) == 2
    assert run(2) == 0
    assert run(1) == 2
    bodies = Notification.objects.filter(recipient=customer, event="confirmation_window")
    assert bodies.count() == 3 and all(n.legal for n in bodies)


def test_opting_out_works_except_for_legal_notices(
    customer, staff, mediator, branch, centre, django_capture_on_commit_callbacks
):
    client = client_for(customer)
    page = client.get(reverse("notification_preferences"))
    assert "session_scheduled" in page.content.decode()
    assert 'name="agreement_recorded"' not in page.content.decode()  # legal: not offered
    client.post(reverse("notification_preferences"), {"referral_sent": "on"})  # others off
    assert NotificationOptOut.objects.filter(user=customer, event="session_scheduled").exists()
    d = make_dispute(customer, branch)
    referral = refer(d, customer, staff, centre)
    referral_services.referral_accept(
        actor=mediator, referral_id=referral.pk, mediator_id=mediator.pk
    )
    referral_services.referral_declare_conflicts(actor=mediator, referral_id=referral.pk, text="无")
    with django_capture_on_commit_callbacks(execute=True):
        session_services.session_schedule(
            actor=mediator,
            referral_id=referral.pk,
            starts_at=timezone.now() + timedelta(days=1),
            mode="online",
            place="https://meet.example.cn/room/42",
        )
    assert "session_scheduled" not in events_for(customer)
    assert "session_scheduled" in events_for(staff)
    NotificationOptOut.objects.create(user=customer, event="agreement_recorded")
    with django_capture_on_commit_callbacks(execute=True):
        agreement_services.agreement_record(
            actor=mediator,
            referral_id=referral.pk,
            upload=io.BytesIO(pdf_bytes()),
            file_name="a.pdf",
            size=None,
            amount=Decimal("1"),
            terms="t",
            performance_due=timezone.localdate(),
            effective_on=timezone.localdate(),
        )
    assert "agreement_recorded" in events_for(customer)


def test_email_is_plain_and_html_chinese_with_english(customer, mailoutbox, send):
    customer.email = "zhang@example.com"
    customer.save()
    send("review_due", recipients=[customer], params={"ref": "MD-2026-000001"}, url="/x/")
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert "MD-2026-000001" in message.subject and "/" in message.subject
    assert "回头看" in message.body and "Look-back review" in message.body
    assert message.alternatives and "text/html" in message.alternatives[0][1]


def test_failing_mail_server_is_retried_and_loses_nothing(
    customer, settings, send, django_capture_on_commit_callbacks
):
    customer.email = "zhang@example.com"
    customer.save()
    settings.MAILERS = {"default": {"BACKEND": "tests.mail_backends.FailingBackend"}}
    send("review_due", recipients=[customer], params={"ref": "MD-1"})
    delivery = Delivery.objects.get()
    assert delivery.status == "retrying" and delivery.attempts == 1
    assert "refused" in delivery.last_error
    assert retry_deliveries() == 0  # back-off not yet over
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        assert retry_deliveries(now=timezone.now() + timedelta(minutes=5)) == 1
    delivery.refresh_from_db()
    assert delivery.status == "sent" and delivery.attempts == 2
    assert len(mail.outbox) == 1


def test_gives_up_after_six_attempts(customer, settings, send):
    customer.email = "zhang@example.com"
    customer.save()
    settings.MAILERS = {"default": {"BACKEND": "tests.mail_backends.FailingBackend"}}
    send("review_due", recipients=[customer], params={"ref": "MD-1"})
    for minutes in (10, 30, 60, 120, 300):
        retry_deliveries(now=timezone.now() + timedelta(minutes=minutes * 10))
    delivery = Delivery.objects.get()
    assert delivery.status == "failed" and delivery.attempts == 6


def test_centre_list_query_count_is_constant_and_marks_read(customer):
    client = client_for(customer)
    notify("review_due", recipients=[customer], params={"ref": "MD-1"}, url="/disputes/")
    with CaptureQueriesContext(connection) as few:
        page = client.get(reverse("notifications"))
    assert "回头看" in page.content.decode()
    for i in range(15):
        notify("review_due", recipients=[customer], params={"ref": f"MD-{i}"})
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("notifications"))
    assert len(many) == len(few)
    home = client.get("/")
    assert home.context["unread_count"] == 16
    first = Notification.objects.filter(recipient=customer).earliest("pk")
    response = client.post(reverse("notification_read", args=[first.pk]), {"open": "1"})
    assert response["Location"] == "/disputes/"
    client.post(reverse("notifications_read_all"))
    assert client.get("/").context["unread_count"] == 0


def test_other_peoples_notifications_are_untouched(customer, other_customer):
    notify("review_due", recipients=[customer], params={"ref": "MD-1"})
    n = Notification.objects.get()
    client_for(other_customer).post(reverse("notification_read", args=[n.pk]))
    n.refresh_from_db()
    assert n.read_at is None
    assert "MD-1" not in client_for(other_customer).get(reverse("notifications")).content.decode()


def test_staff_reminders_for_clocks(customer, branch, staff, other_staff):
    d = make_dispute(customer, branch)
    assert d.next_deadline is not None
    send_due_reminders(today=d.next_deadline)
    assert events_for(staff) == ["clock_due_soon"] and events_for(other_staff) == []
    send_due_reminders(today=d.next_deadline + timedelta(days=1))
    send_due_reminders(today=d.next_deadline + timedelta(days=1))
    assert events_for(staff) == ["clock_due_soon", "clock_overdue"]


def test_staff_get_one_count_a_day_not_one_notice_per_case(
    customer, branch, staff, other_staff, hq_staff
):
    """A backlog of cases is one line for each member of staff, with the counts and a link to
    the filtered queue; head office counts every branch."""
    from mediation.models import Dispute

    cases = [make_dispute(customer, branch) for _ in range(5)]
    due = cases[0].next_deadline
    assert due is not None
    Dispute.objects.filter(pk__in=[c.pk for c in cases[:3]]).update(
        next_deadline=due - timedelta(days=1)
    )
    send_due_reminders(today=due)
    mine = Notification.objects.get(recipient=staff)
    assert mine.event == "clock_overdue" and mine.url.endswith("/disputes/queue/?clock=overdue")
    assert "3" in mine.title and "2" in mine.body  # three overdue, two more due today
    assert Notification.objects.filter(recipient=hq_staff).count() == 1
    assert not Notification.objects.filter(recipient=other_staff).exists()
    send_due_reminders(today=due)  # the same day again: nothing new
    assert Notification.objects.filter(event__startswith="clock_").count() == 2


def test_daily_command_runs(capsys):
    call_command("send_due_reminders")
    assert "reminders:" in capsys.readouterr().out


# ---- return visits ---------------------------------------------------------------------------


@pytest.fixture
def closed(customer, staff, branch, django_capture_on_commit_callbacks):
    d = make_dispute(customer, branch)
    ms.dispute_triage(actor=staff, reference=d.reference, cause_label="x", urgency="normal")
    ms.dispute_start_bank_handling(actor=staff, reference=d.reference)
    with django_capture_on_commit_callbacks(execute=True):
        ms.dispute_close(actor=staff, reference=d.reference, reason="bank_decision_accepted")
    return d


def test_customer_is_invited_and_rates_within_seven_days(closed, customer):
    assert "return_visit" in events_for(customer)
    client = client_for(customer)
    page = client.get(reverse("mediation:detail", args=[closed.reference]))
    assert any(name == "rate" for name, _a, _f in page.context["actions"])
    client.post(
        reverse("mediation:action", args=[closed.reference, "rate"]),
        {"rate-rating": "4", "rate-comment": "处理及时"},
    )
    closed.refresh_from_db()
    assert closed.return_visit.rating == 4 and closed.return_visit.channel == "online"
    with pytest.raises(TransitionRefused):
        return_visit_record(actor=customer, reference=closed.reference, rating=5)


def test_rating_window_closes_after_seven_days(closed, customer, staff):
    with time_machine.travel(timezone.now() + timedelta(days=8), tick=False):
        with pytest.raises(TransitionRefused):
            return_visit_record(actor=customer, reference=closed.reference, rating=5)
        visit = return_visit_record(
            actor=staff, reference=closed.reference, rating=3, comment="电话回访"
        )
    assert visit.channel == "phone"


def test_satisfaction_figure_for_staff(closed, customer, staff):
    return_visit_record(actor=customer, reference=closed.reference, rating=4)
    home = client_for(staff).get("/")
    assert home.context["satisfaction"]["average"] == 4


def test_other_customer_cannot_rate(closed, other_customer):
    from django.http import Http404

    with pytest.raises(Http404):
        return_visit_record(actor=other_customer, reference=closed.reference, rating=5)


def test_partner_and_court_members_receive_nothing_of_other_cases(
    customer, staff, branch, centre, mediator, django_capture_on_commit_callbacks
):
    outsider = PartnerFactory.create()
    other_branch_staff = StaffFactory.create()
    with django_capture_on_commit_callbacks(execute=True):
        d = make_dispute(customer, branch)
        refer(d, customer, staff, centre)
    assert events_for(outsider) == [] and events_for(other_branch_staff) == []
    with time_machine.travel(datetime(2030, 1, 1, tzinfo=UTC)):
        assert Notification.objects.filter(recipient=outsider).count() == 0
