"""Issue 20's journey in a real browser: staff answer a card-fee complaint with the reply
toolkit, a colleague approves the refusal, the customer downloads the sealed letter and asks
for a review, which another member of staff reverses with the kit; the reversal shows in the
figures. Screenshots land in test-artifacts/screenshots/."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from mediation import services as ms
from mediation.replykit import services as reply_services
from mediation.replykit.models import Reply
from portal.seal import check_seal
from tests.browser.conftest import check_accessibility
from tests.browser.test_journeys import (
    PASSWORD,
    beside_the_browser,
    open_action,
    sign_in,
    sign_out,
)
from tests.factories import CustomerFactory, StaffFactory, enrol_totp, make_dispute

pytestmark = [pytest.mark.django_db(transaction=True)]
BLANK = re.compile(r"【待填[:：][^】]*】")


def fill_blanks(page: Page) -> None:
    box = page.get_by_label("答复:")
    box.fill(BLANK.sub("2026年10月8日", box.input_value()))


@pytest.mark.parametrize("width,height", [(390, 844), (1280, 900)])
def test_reply_with_the_kit_letter_review_and_reversal(
    page: Page, watch, world, legal_library, width, height
):
    page.set_viewport_size({"width": width, "height": height})
    branch, staff = world["branch"], world["staff"]
    colleague = StaffFactory.create(username="approver", branch=branch, real_name="何军")
    reviewer = StaffFactory.create(username="reviewer", branch=branch, real_name="周敏")
    enrol_totp(reviewer)
    customer = CustomerFactory.create(username="cardholder", real_name="张伟")
    customer.set_password(PASSWORD)
    customer.save()
    dispute = make_dispute(
        customer,
        branch,
        "680.00",
        category="credit_card",
        facts="信用卡年费680元在未提示的情况下被扣收。",
        request="退还年费680元。",
    )
    ms.dispute_triage(
        actor=staff, reference=dispute.reference, cause_label="信用卡纠纷", urgency="normal"
    )
    ms.dispute_start_bank_handling(actor=staff, reference=dispute.reference)

    # Staff answer with the kit: a refusal, which waits for a second approver.
    sign_in(page, "staff")
    page.goto(dispute.get_absolute_url())
    page.get_by_role("link", name="用法条一本通撰写本行决定").click()
    page.get_by_label("信用卡费用、利息争议").check()
    page.get_by_label("处理结果:").select_option("refused")
    page.get_by_label("银行支付金额（元）:").fill("0")
    page.get_by_role("button", name="生成草稿").click()
    expect(page.get_by_text("已根据案件填好草稿")).to_be_visible()
    expect(page.locator("#problems")).to_contain_text("请先填写空白处")
    check_accessibility(page, f"20a-reply-draft-{width}")
    fill_blanks(page)
    page.get_by_role("button", name="保存并提交复签").click()
    expect(page.get_by_text("已提交复签。")).to_be_visible()
    sign_out(page)
    reply = Reply.objects.get(dispute=dispute)
    assert reply.status == "awaiting_approval"
    beside_the_browser(reply_services.reply_approve, actor=colleague, reply_id=reply.pk)

    # The customer downloads the sealed letter, then asks for a review.
    sign_in(page, "cardholder")
    page.goto(dispute.get_absolute_url())
    panel = page.locator("#replies")
    expect(panel).to_contain_text("投诉处理决定")
    check_accessibility(page, f"20b-customer-letter-{width}")
    with page.expect_download() as download:
        panel.get_by_role("link", name="下载决定书（PDF）").click()
    pdf = Path(download.value.path()).read_bytes()
    reply.refresh_from_db()
    assert hashlib.sha256(pdf).hexdigest() == reply.letter_sha256
    assert beside_the_browser(check_seal, pdf).valid
    form = open_action(page, "申请核查银行的处理决定")
    form.get_by_label("申请核查的理由:").fill("领用合约中年费条款未加粗提示，申请核查。")
    form.get_by_role("button", name="申请核查银行的处理决定").click()
    expect(page.locator("#review-request")).to_be_visible()
    sign_out(page)

    # Someone with no hand in the decision reverses it with the kit.
    sign_in(page, "reviewer")
    page.goto(dispute.get_absolute_url())
    page.get_by_role("link", name="用法条一本通作出核查决定").click()
    page.get_by_label("信用卡费用、利息争议").check()
    page.get_by_label("核查结果:").select_option("reversed")
    page.get_by_label("处理结果:").select_option("granted")
    page.get_by_label("银行支付金额（元）:").fill("680")
    page.get_by_role("button", name="生成草稿").click()
    fill_blanks(page)
    check_accessibility(page, f"20c-review-draft-{width}")
    page.get_by_role("button", name="保存并送达客户").click()
    expect(page.get_by_text("已送达：案件已记录本行决定")).to_be_visible()
    expect(page.locator("#review-request + dd")).to_contain_text("撤销原决定")
    page.goto(reverse("replykit:figures"))
    expect(page.locator("#total")).to_contain_text("核查后变更或撤销 1 件")
    check_accessibility(page, f"20d-figures-{width}")
    review = Reply.objects.get(dispute=dispute, kind="review")
    assert review.status == "issued" and review.letter_status == "ready"
