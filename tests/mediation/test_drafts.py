"""Issue 19, 3: a customer reads the dispute over before it is filed, and may save an
unfinished one as a draft, resume it from the home page, or throw it away. Drafts are the
customer's own, in their copy of their data, and removed 30 days after they were last saved."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from mediation.models import Dispute, DisputeDraft
from mediation.privacy import dispute_sections, retention_run
from mediation.services.drafts import DRAFT_KEPT_DAYS
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

FILE = reverse("mediation:file")


def _form(client, branch, **fields):
    token = client.get(FILE).context["form"].initial["intake_token"]
    return {
        "intake_token": token,
        "branch": branch.pk,
        "category": "credit_card",
        "amount": "4,800",
        "facts": "年费未按约定减免。",
        "request": "退还年费。",
        **fields,
    }


def test_the_customer_reads_it_over_then_files_it(customer, branch):
    client = client_for(customer)
    data = _form(client, branch)
    review = client.post(FILE, {**data, "step": "review"})
    page = review.content.decode()
    assert review.status_code == 200 and "核对您的纠纷" in page
    assert "4,800.00" in page and "人民币肆仟捌佰元整" in page and "可进入调解快车道" in page
    assert "信用卡" in page and "年费未按约定减免。" in page
    assert not Dispute.objects.exists()  # nothing filed yet
    assert DisputeDraft.objects.get(customer=customer).data["facts"] == "年费未按约定减免。"
    # Back to change it: the form comes back filled in.
    back = client.post(FILE, {**data, "step": "edit"}).content.decode()
    assert "年费未按约定减免。</textarea>" in back
    filed = client.post(FILE, {**data, "step": "submit"})
    dispute = Dispute.objects.get()
    assert filed["Location"] == dispute.get_absolute_url()
    assert not DisputeDraft.objects.exists()  # filed: the draft is gone


def test_above_the_threshold_the_review_says_what_follows(customer, branch):
    client = client_for(customer)
    page = client.post(FILE, {**_form(client, branch, amount="60000"), "step": "review"})
    assert "超过 50,000.00 元：银行将按一般程序答复；您仍可申请调解。" in page.content.decode()


def test_an_invalid_form_is_not_reviewed(customer, branch):
    client = client_for(customer)
    page = client.post(FILE, {**_form(client, branch, amount="abc"), "step": "review"})
    assert (
        "核对您的纠纷" not in page.content.decode() and "请用数字填写金额" in page.content.decode()
    )
    assert not Dispute.objects.exists()


def test_a_draft_is_saved_resumed_from_home_and_thrown_away(customer, branch):
    client = client_for(customer)
    unfinished = {
        "branch": "",
        "category": "",
        "amount": "",
        "facts": "上个月被扣了两次",
        "request": "",
    }
    saved = client.post(FILE, {**unfinished, "step": "save"})
    assert saved["Location"] == FILE
    assert DisputeDraft.objects.get(customer=customer).data["facts"] == "上个月被扣了两次"
    home = client.get(reverse("home")).content.decode()
    assert "继续填写您未提交的纠纷" in home and f'href="{FILE}"' in home
    resumed = client.get(FILE).content.decode()
    assert "上个月被扣了两次</textarea>" in resumed and "保存的草稿" in resumed
    client.post(FILE, {"step": "drop"})
    assert not DisputeDraft.objects.exists()
    assert "继续填写您未提交的纠纷" not in client.get(reverse("home")).content.decode()


def test_a_draft_over_the_limits_is_refused_never_cut(customer):
    client = client_for(customer)
    page = client.post(FILE, {"facts": "长" * 5001, "step": "save"})
    assert page.status_code == 200 and "5000" in page.content.decode()
    assert not DisputeDraft.objects.exists()


def test_drafts_are_their_customers_alone(customer, other_customer, staff, branch):
    client_for(customer).post(FILE, {"facts": "张伟的草稿", "step": "save"})
    assert "张伟的草稿" not in client_for(other_customer).get(FILE).content.decode()
    assert "继续填写" not in client_for(staff).get(reverse("home")).content.decode()
    assert client_for(staff).get(FILE).status_code == 403


def test_a_draft_is_in_the_copy_and_removed_after_thirty_days(customer, other_customer):
    client_for(customer).post(FILE, {"facts": "旧草稿", "step": "save"})
    client_for(other_customer).post(FILE, {"facts": "新草稿", "step": "save"})
    copy = {s.key: s.records for s in dispute_sections(customer)}
    assert copy["draft"] and "旧草稿" in copy["draft"][0].values()
    DisputeDraft.objects.filter(customer=customer).update(
        updated_at=timezone.now() - timedelta(days=DRAFT_KEPT_DAYS, seconds=1)
    )
    assert retention_run() >= 1
    assert list(DisputeDraft.objects.values_list("data__facts", flat=True)) == ["新草稿"]
