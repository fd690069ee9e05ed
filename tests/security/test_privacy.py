"""Issue 16, PIPL arts. 44-47: "there is no way for a person to export or delete their data".
Each test is named after what it shows, and drives the real pages, the task and the job."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from mediation import services as ms
from mediation.models import Dispute
from mediation.privacy import retention_run
from portal.models import AuditEvent, DataExport, User
from tests.conftest import client_for
from tests.factories import CustomerFactory, make_dispute, refer, upload_pdf

pytestmark = pytest.mark.django_db
RIGHT = "Correct-Horse-42"


def closed_dispute(customer, staff, branch, evidence: str = "", **kwargs) -> Dispute:
    dispute = make_dispute(customer, branch, **kwargs)
    if evidence:
        upload_pdf(customer, dispute, evidence)
    ms.dispute_triage(
        actor=staff, reference=dispute.reference, cause_label="信用卡纠纷", urgency="normal"
    )
    ms.dispute_start_bank_handling(actor=staff, reference=dispute.reference)
    ms.dispute_close(actor=staff, reference=dispute.reference, reason="bank_decision_accepted")
    return Dispute.objects.get(pk=dispute.pk)


def ask_for_a_copy(client: Client, capture) -> DataExport:
    with capture(execute=True):  # the task runs once the request commits
        answer = client.post(reverse("data_export_request"))
    assert answer.status_code == 302
    return DataExport.objects.latest("requested_at")


def test_a_data_export_holds_the_persons_cases_and_nothing_of_anyone_elses(
    customer, other_customer, staff, branch, centre, django_capture_on_commit_callbacks
):
    mine = make_dispute(customer, branch, facts="我的理财产品亏损了。")
    upload_pdf(customer, mine, "我的合同")
    refer(mine, customer, staff, centre)
    theirs = make_dispute(other_customer, branch, facts="别人的信用卡被盗刷。")
    upload_pdf(other_customer, theirs, "别人的合同")
    client = client_for(customer)
    export = ask_for_a_copy(client, django_capture_on_commit_callbacks)
    assert export.status == DataExport.Status.READY
    page = client.get(reverse("my_data")).content.decode()
    assert reverse("data_export_download", args=[export.pk, "pdf"]) in page

    answer = client.get(reverse("data_export_download", args=[export.pk, "json"]))
    assert answer.status_code == 200
    assert answer["Content-Disposition"].startswith("attachment")
    data = json.loads(answer.getvalue())
    body = json.dumps(data, ensure_ascii=False)
    for own in (
        mine.reference,
        "我的理财产品亏损了。",
        "我的合同",
        customer.id_number,
        centre.name,
    ):
        assert own in body
    for other in (theirs.reference, "别人的信用卡被盗刷", "别人的合同", other_customer.real_name):
        assert other not in body
    pdf = client.get(reverse("data_export_download", args=[export.pk, "pdf"]))
    reader = PdfReader(io.BytesIO(pdf.getvalue()))
    text = "".join(page.extract_text() for page in reader.pages)
    assert mine.reference in text and theirs.reference not in text
    assert AuditEvent.objects.filter(action="privacy.export_requested").exists()
    assert AuditEvent.objects.filter(action="privacy.export_ready").exists()


def test_another_persons_copy_answers_404(
    customer, other_customer, django_capture_on_commit_callbacks
):
    export = ask_for_a_copy(client_for(customer), django_capture_on_commit_callbacks)
    stranger = client_for(other_customer)
    for kind in ("json", "pdf"):
        url = reverse("data_export_download", args=[export.pk, kind])
        assert stranger.get(url).status_code == 404
    assert Client().get(reverse("data_export_download", args=[export.pk, "pdf"])).status_code == 302


def test_copies_are_limited_and_expire(customer, django_capture_on_commit_callbacks, settings):
    from portal.privacy import exports_expire

    client = client_for(customer)
    for _ in range(settings.DATA_EXPORT_MAX_PER_DAY):
        ask_for_a_copy(client, django_capture_on_commit_callbacks)
    refused = client.post(reverse("data_export_request"), follow=True)
    assert "明天再" in refused.content.decode()
    assert DataExport.objects.count() == settings.DATA_EXPORT_MAX_PER_DAY
    names = [str(e.pdf_file.name) for e in DataExport.objects.all()]
    later = timezone.now() + timedelta(days=settings.DATA_EXPORT_KEEP_DAYS + 1)
    with django_capture_on_commit_callbacks(execute=True):
        assert exports_expire(now=later) == settings.DATA_EXPORT_MAX_PER_DAY
    assert not DataExport.objects.exists()
    assert not any(default_storage.exists(n) for n in names)


def test_deletion_is_refused_while_a_case_is_open(customer, branch):
    dispute = make_dispute(customer, branch)
    client = client_for(customer)
    page = client.get(reverse("account_delete")).content.decode()
    assert dispute.reference in page and 'name="password"' not in page
    refused = client.post(reverse("account_delete"), {"password": RIGHT})
    assert dispute.reference in refused.content.decode()
    assert User.objects.get(pk=customer.pk).is_active


def test_deletion_needs_the_password(customer):
    client = client_for(customer)
    wrong = client.post(reverse("account_delete"), {"password": "not-it"})
    assert "密码不对" in wrong.content.decode()
    assert User.objects.get(pk=customer.pk).erased_at is None


def test_a_person_deletes_their_account_and_can_no_longer_sign_in(customer, staff, branch):
    dispute = closed_dispute(customer, staff, branch)
    mobile, id_number = customer.mobile, customer.id_number
    client = client_for(customer)
    done = client.post(reverse("account_delete"), {"password": RIGHT})
    assert done.status_code == 302
    erased = User.objects.get(pk=customer.pk)
    assert erased.erased_at is not None and not erased.is_active
    assert not erased.has_usable_password()
    assert (erased.real_name, erased.mobile, erased.email, erased.id_number) == ("", None, "", "")
    assert not User.objects.filter(mobile=mobile).exists()
    assert not User.objects.filter(id_number=id_number).exists()
    again = Client().post(reverse("login"), {"username": mobile, "password": RIGHT})
    assert again.status_code == 200 and "_auth_user_id" not in again.wsgi_request.session
    assert AuditEvent.objects.filter(action="privacy.erased", target_id=str(customer.pk)).exists()
    # The closed case stays, as a record the law requires the bank to keep, until retention.
    assert Dispute.objects.get(pk=dispute.pk).facts == dispute.facts


def test_retention_removes_a_closed_cases_personal_data_but_not_a_held_or_recent_one(
    customer, other_customer, staff, branch, centre, settings, django_capture_on_commit_callbacks
):
    old = closed_dispute(customer, staff, branch, evidence="旧案合同", facts="旧案事实。")
    evidence = old.evidence.get()
    held = closed_dispute(other_customer, staff, branch, facts="被冻结的案件。")
    Dispute.objects.filter(pk=held.pk).update(legal_hold=True, legal_hold_reason="诉讼中")
    open_case = make_dispute(customer, branch, facts="未结案件。")
    recent = closed_dispute(CustomerFactory.create(), staff, branch, facts="新结案件。")
    long_ago = timezone.now() - timedelta(days=settings.PERSONAL_DATA_RETENTION_DAYS + 1)
    Dispute.objects.filter(pk__in=[old.pk, held.pk]).update(closed_at=long_ago)

    with django_capture_on_commit_callbacks(execute=True):
        assert retention_run() >= 1
    cleared = Dispute.objects.get(pk=old.pk)
    assert cleared.pseudonymised_at is not None and "旧案事实" not in cleared.facts
    assert cleared.amount == old.amount and cleared.status == "closed"  # counts still hold
    item = cleared.evidence.get(pk=evidence.pk)
    assert item.title != "旧案合同" and not item.file
    assert not default_storage.exists(str(evidence.file.name))
    assert Dispute.objects.get(pk=held.pk).facts == "被冻结的案件。"
    assert Dispute.objects.get(pk=open_case.pk).facts == "未结案件。"
    assert Dispute.objects.get(pk=recent.pk).facts == "新结案件。"
    assert AuditEvent.objects.filter(action="privacy.pseudonymised", case_ref=old.reference)
    # Run again: nothing more to do.
    assert retention_run() == 0


def test_retention_erases_a_customer_left_with_nothing_after_the_period(
    customer, staff, branch, settings, django_capture_on_commit_callbacks
):
    dispute = closed_dispute(customer, staff, branch)
    long_ago = timezone.now() - timedelta(days=settings.PERSONAL_DATA_RETENTION_DAYS + 1)
    Dispute.objects.filter(pk=dispute.pk).update(closed_at=long_ago)
    User.objects.filter(pk=customer.pk).update(last_login=long_ago, date_joined=long_ago)
    with django_capture_on_commit_callbacks(execute=True):
        retention_run()
    assert User.objects.get(pk=customer.pk).erased_at is not None


def test_a_legal_hold_set_in_the_admin_is_audited(admin_client, customer, branch):
    dispute = make_dispute(customer, branch)
    answer = admin_client.post(
        f"/admin/mediation/dispute/{dispute.pk}/change/",
        {
            "legal_hold": "on",
            "legal_hold_reason": "监管调查",
            # The read-only inlines' management forms, as the admin's page posts them.
            **{
                f"{p}-{k}": "0"
                for p in ("consents", "evidence")
                for k in ("TOTAL_FORMS", "INITIAL_FORMS")
            },
        },
    )
    assert answer.status_code == 302
    assert Dispute.objects.get(pk=dispute.pk).legal_hold
    event = AuditEvent.objects.get(
        action="admin.changed", target_type="mediation.dispute", target_id=str(dispute.pk)
    )
    assert event.data["fields"]["legal_hold"] == {"before": False, "after": True}


def test_staff_accounts_are_closed_by_an_administrator_not_their_holder(staff):
    client = client_for(staff)
    assert "系统管理员" in client.get(reverse("my_data")).content.decode()
    refused = client.post(reverse("account_delete"), {"password": RIGHT})
    assert "系统管理员" in refused.content.decode()
    assert User.objects.get(pk=staff.pk).is_active
