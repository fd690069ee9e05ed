"""Issue 22's journey: head office finds a product's hot spot, opens a class of problems from
it, records the characterisation and the compensation rule and sends the offers; a customer
reads their offer and accepts it with the one-time code. Screenshots in
test-artifacts/screenshots/."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from mediation.insight.hotspots import hotspots_raise
from mediation.models import Product
from mediation.problems.models import ClassMember, OfferStatus
from mediation.replykit.library import load_library
from portal.models import Branch
from tests.browser.conftest import check_accessibility
from tests.browser.test_journeys import PASSWORD, go_to, open_action, sign_in, sign_out
from tests.factories import CustomerFactory, StaffFactory, enrol_totp, make_dispute, sms_code

pytestmark = [pytest.mark.django_db(transaction=True)]

CODE = "GSJ2026A"
NAME = "固收+稳健增利1号"


def _complaints(branch, customer) -> None:
    """A quiet product for eight weeks, then twenty people in the week ending yesterday, most
    of them sold it above their risk rating; the journey's customer is one of them."""
    Product.objects.create(code=CODE, name=NAME, risk_level=3, equity_share=35)
    yesterday = timezone.now() - timedelta(days=1)
    people = [customer] + [CustomerFactory.create() for _ in range(19)]
    for week in range(2, 10):
        make_dispute(
            CustomerFactory.create(),
            branch,
            "8000.00",
            product_code=CODE,
            product_name=NAME,
            received_at=yesterday - timedelta(weeks=week),
        )
    for n, who in enumerate(people):
        make_dispute(
            who,
            branch,
            f"{10000 + 500 * n}.00",
            product_code=CODE,
            product_name=NAME,
            risk_rating_at_sale=2 if n < 16 else 4,
            received_at=yesterday - timedelta(hours=n),
            facts="净值下跌，销售时未提示权益类资产占比。",
        )


@pytest.mark.parametrize("width,height", [(390, 844), (1280, 900)])
def test_head_office_opens_a_class_and_a_customer_accepts_the_offer(
    page: Page, watch, world, width, height
):
    page.set_viewport_size({"width": width, "height": height})
    load_library()
    head_office = Branch.objects.create(code="HO", name="总行消费者权益保护部", is_head_office=True)
    chief = StaffFactory.create(username="chief", branch=head_office, real_name="陈静")
    enrol_totp(chief)
    customer = CustomerFactory.create(username="holder")
    customer.set_password(PASSWORD)
    customer.save()
    _complaints(world["branch"], customer)
    assert hotspots_raise() >= 1

    # Head office: the figures lead to the open hot spots, the product's among them.
    sign_in(page, "chief")
    go_to(page, "统计")
    page.get_by_role("link", name=re.compile("^投诉热点")).click()
    page.locator("#open-spots").get_by_role("link", name=re.compile(re.escape(NAME))).click()
    expect(page.locator("#suitability")).to_contain_text("80%")
    check_accessibility(page, f"22a-hotspot-{width}")
    panel = open_action(page, "以这些案件建立一类问题")
    panel.get_by_label("标题").fill("固收+产品净值下跌")
    panel.get_by_role("button", name="建立").click()
    expect(page.get_by_text("已以热点背后的案件建立一类问题。")).to_be_visible()
    expect(page.locator("#class-figures")).to_contain_text("20")
    check_accessibility(page, f"22b-class-opened-{width}")

    rule = open_action(page, "记录原因与规则")
    rule.get_by_label("根本原因").fill("产品含约35%权益资产，却向R2客户以稳健名义销售。")
    rule.get_by_label("法律定性").fill("违反适当性义务，银行承担70%的损失。")
    rule.get_by_label("所依据的条文").fill("九民纪要:7")  # a typo: no such paragraph in force
    rule.get_by_label("银行承担损失的比例（%）").fill("70")
    rule.get_by_role("button", name="记录").click()
    # The form comes back open, as typed, with the reason on it.
    rule = page.locator("#rule-form")
    expect(rule.locator(".form-errors")).to_contain_text("九民纪要:7")
    expect(rule.get_by_label("法律定性")).to_have_value("违反适当性义务，银行承担70%的损失。")
    rule.get_by_label("所依据的条文").fill("九民纪要:72")
    rule.get_by_role("button", name="记录").click()
    expect(page.get_by_text("已记录赔付规则。")).to_be_visible()
    page.locator("#send-offers").get_by_role("button", name="发出要约").click()
    expect(page.get_by_text("已发出要约 20 份")).to_be_visible()
    expect(page.locator("#members")).to_contain_text("7,000.00")  # 70% of 10,000.00
    check_accessibility(page, f"22c-offers-sent-{width}")
    # Bundles for the members' cases in one batch: none has evidence yet, and the page says so.
    batch = open_action(page, "为每位成员的案件制作证据包")
    batch.get_by_label("哪些成员的案件").select_option(label="尚未接受要约的全部成员")
    batch.get_by_label("接收方").select_option(label="调解中心")
    batch.get_by_role("button", name="制作证据包").click()
    expect(page.locator(".messages")).to_contain_text("已申请证据包 0 份")
    expect(page.locator(".messages")).to_contain_text(
        "未制作（20 件）：本案还没有可以放入证据包的证据。"
    )
    sign_out(page)

    # The customer: the offer waits on the home page, is read in full and accepted.
    sign_in(page, "holder")
    waiting = page.locator(".waiting")
    expect(waiting).to_contain_text("答复银行 7,000.00 元的和解要约")
    waiting.get_by_role("link", name=re.compile("和解要约")).click()
    act = page.locator(".act")
    expect(act).to_contain_text("人民币柒仟元整")
    expect(act).to_contain_text("违反适当性义务")
    expect(page.locator("#decline summary")).to_have_text("拒绝要约")
    check_accessibility(page, f"22d-offer-{width}")
    page.get_by_role("button", name="发送验证码").click()
    expect(page.get_by_text("验证码已发送到您的手机。")).to_be_visible()
    page.get_by_label("我已阅读上述要约全文并接受。").check()
    page.get_by_label("短信验证码").fill(sms_code(customer.mobile))
    page.get_by_role("button", name="接受要约").click()
    expect(page.get_by_text("您已接受要约")).to_be_visible()
    expect(page.locator("#class-panel")).to_contain_text("7,000.00")
    expect(page.get_by_text("已和解：客户接受了银行的要约")).to_be_visible()
    check_accessibility(page, f"22e-offer-accepted-{width}")
    member = ClassMember.objects.get(dispute__customer=customer)
    assert member.offer_status == OfferStatus.ACCEPTED and member.act is not None
    assert member.dispute.status == "closed"


@pytest.mark.parametrize("width,height", [(390, 844), (1280, 900)])
def test_head_office_reviews_a_group_of_linked_complainants(
    page: Page, watch, world, width, height
):
    page.set_viewport_size({"width": width, "height": height})
    from tests.problems.test_linked import represented

    head_office = Branch.objects.create(code="HO", name="总行消费者权益保护部", is_head_office=True)
    chief = StaffFactory.create(username="chief", branch=head_office, real_name="陈静")
    enrol_totp(chief)
    disputes = represented(CustomerFactory.create(real_name="代理人周某"), world["branch"], 4)
    sign_in(page, "chief")
    go_to(page, "一类问题")
    page.get_by_role("link", name=re.compile("^关联投诉人")).click()
    group = page.locator("section.card").first
    expect(group.get_by_role("heading", level=2)).to_have_text("4 人")
    expect(group).to_contain_text("同一代理人：代理人周某")
    expect(group).to_contain_text(disputes[0].reference)
    expect(group).to_contain_text("尚未审查")
    check_accessibility(page, f"22f-linked-{width}")
    review = open_action(page, "记录审查结论")
    review.get_by_role("combobox", name=re.compile("^发现")).select_option(
        label="有组织的群体：连同证据移交合规部门"
    )
    review.get_by_label("审查了什么、发现了什么").fill("四份授权书由同一代理人提交，笔迹一致。")
    review.get_by_role("button", name="记录").click()
    expect(page.get_by_text("已记录审查结论。")).to_be_visible()
    expect(page.locator("section.card").first).to_contain_text("笔迹一致")
    check_accessibility(page, f"22g-linked-reviewed-{width}")


@pytest.mark.parametrize("width,height", [(390, 844), (1280, 900)])
def test_staff_triage_a_case_with_the_tables_suggestion(
    page: Page, watch, world, triage_table, width, height
):
    """Issue 22, 6: the day-1 labels come filled in with the word that suggested them."""
    page.set_viewport_size({"width": width, "height": height})
    dispute = make_dispute(
        CustomerFactory.create(),
        world["branch"],
        "680.00",
        category="cards",
        facts="信用卡年费在未提示的情况下被扣收，家中老人住院急用钱。",
        request="退还年费。",
    )
    sign_in(page, "staff")
    page.goto(dispute.get_absolute_url())
    panel = open_action(page, "分诊")
    cause = panel.get_by_role("combobox", name=re.compile("案由"))
    expect(cause).to_have_value("信用卡纠纷")
    expect(panel).to_contain_text("投诉中提到“信用卡”")
    expect(panel.get_by_label("紧急程度")).to_have_value("urgent")
    check_accessibility(page, f"22h-triage-suggested-{width}")
    panel.get_by_role("button", name="分诊").click()
    expect(page.locator(".messages")).to_contain_text("已分诊：信用卡纠纷 / 紧急")
