"""Issue 19, found in the walk: "the customer's evidence categories include 法院裁定书 and
银行营业执照"; "customers can switch off 回头看评估到期, which is not theirs"."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from mediation.services.evidence import evidence_upload
from portal.exceptions import ApplicationError
from tests.conftest import client_for, opened
from tests.factories import make_dispute
from tests.factories.files import pdf_bytes

pytestmark = pytest.mark.django_db


def test_a_customer_files_their_own_documents_only(customer, staff, branch):
    d = make_dispute(customer, branch)
    mine = opened(client_for(customer), d.get_absolute_url())
    form = mine.split('id="id_evidence-category"')[1].split("</select>")[0]
    assert 'value="contract"' in form and 'value="identity"' in form
    for theirs in ("bank_identity", "ruling", "mediation_proof"):
        assert f'value="{theirs}"' not in form
    with pytest.raises(ApplicationError) as refused:
        evidence_upload(
            actor=customer,
            reference=d.reference,
            upload=io.BytesIO(pdf_bytes()),
            original_name="裁定书.pdf",
            declared_size=None,
            title="裁定书",
            category="ruling",
        )
    assert refused.value.code == "category"
    staff_page = opened(client_for(staff), d.get_absolute_url())
    assert 'value="bank_identity"' in staff_page


def test_each_person_switches_off_only_their_own_kinds_of_message(customer, staff, auditor):
    url = reverse("notification_preferences")
    customers = client_for(customer).get(url).content.decode()
    assert 'name="review_due"' not in customers and 'name="clock_due_soon"' not in customers
    assert 'name="session_scheduled"' in customers
    assert 'name="clock_due_soon"' in client_for(staff).get(url).content.decode()
    assert 'name="review_due"' in client_for(auditor).get(url).content.decode()


def test_forms_say_what_they_mean(customer, branch):
    """Issue 19: "9999999999999" answered "请用数字填写金额"; checkbox labels ended in ":"; a
    long text was cut without a word; upload errors named raw MIME types; every action
    answered the generic "操作成功"."""
    from mediation.uploads import file_kind

    d = make_dispute(customer, branch)
    client = client_for(customer)
    page = opened(client, d.get_absolute_url())
    assert "我同意调解</label>" in page and "我同意调解:</label>" not in page
    assert "最多 5000 字，超出部分无法输入。" in page
    assert file_kind("text/plain") == "文本文件"
    answer = client.post(
        reverse("mediation:action", args=[d.reference, "amend"]),
        {"amend-amount": "9999999999999", "amend-facts": "x", "amend-request": "y"},
        follow=True,
    )
    assert "金额过大" in answer.content.decode()


def test_an_action_says_what_happened_or_answers_with_its_own_name(customer, staff, branch):
    d = make_dispute(customer, branch)
    client = client_for(staff)
    answer = client.post(
        reverse("mediation:action", args=[d.reference, "triage"]),
        {"triage-cause_label": "理财纠纷", "triage-urgency": "normal"},
        follow=True,
    ).content.decode()
    assert "已分诊：理财纠纷 / 一般" in answer and "操作成功" not in answer
    answer = client.post(
        reverse("mediation:action", args=[d.reference, "start_bank_handling"]), follow=True
    ).content.decode()
    assert "：已完成。" in answer and "操作成功" not in answer


def test_an_empty_choice_reads_in_chinese(customer, branch):
    d = make_dispute(customer, branch)
    page = client_for(customer).get(reverse("mediation:file")).content.decode()
    assert "- Select an option -" not in page and "— 请选择 —" in page
    page = opened(client_for(customer), d.get_absolute_url())
    assert "- Select an option -" not in page
