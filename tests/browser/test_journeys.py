"""The main journeys in a real browser, in Chinese, as the people who make them.

Each journey clicks and types only what its person would; what other parties do in between
(the bank referring, the centre proposing ...) is done through the same services the pages
call. Every journey fails on a console error or a failed request, and its pages pass axe-core
with no serious violation; screenshots land in test-artifacts/screenshots/.
"""

from __future__ import annotations

import io
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from mediation import services as ms
from mediation.models import Dispute
from portal.models import OrganisationKind
from portal.seal import check_seal
from referrals.bundles import services as bundle_services
from referrals.centres import agreements as agreement_services
from referrals.centres import services as referral_services
from referrals.confirmation import application_form as application_form
from referrals.confirmation import services as confirmation_services
from referrals.models import Referral
from tests.browser.conftest import check_accessibility
from tests.factories import (
    BranchFactory,
    CustomerFactory,
    OrganisationFactory,
    PartnerFactory,
    StaffFactory,
    UserFactory,
    customer_joins,
    enrol_totp,
    make_dispute,
    refer,
    sms_code,
    totp_code,
    upload_pdf,
    valid_id,
)
from tests.factories.files import jpeg_with_gps_bytes, pdf_bytes

pytestmark = [pytest.mark.django_db(transaction=True)]
PASSWORD = "Correct-Horse-42"


def phone_code(username: str) -> str:
    """What the person's authenticator app shows now (the secret it was given at enrolment)."""
    from allauth.mfa.models import Authenticator

    from portal import crypto

    totp = Authenticator.objects.get(user__username=username, type="totp")
    return totp_code(crypto.decrypt(totp.data["secret"]))


def beside_the_browser(work, *args, **kwargs):
    """Run set-up that seals a binding act (pyHanko runs its own event loop) in a thread of its
    own: Playwright's loop is running in the test's thread. The worker does this in production."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(work, *args, **kwargs).result()


def sign_in(page: Page, login: str, password: str = PASSWORD) -> None:
    """The password, then (for every role but customers) the code from the phone."""
    page.goto("/accounts/login/")
    page.get_by_label("手机号、邮箱或用户名:").fill(login)
    page.get_by_label("密码:").fill(password)
    page.locator("main").get_by_role("button", name="登录").click()
    if "/accounts/two-step/" in page.url:
        page.get_by_label(re.compile("验证器应用")).fill(phone_code(login))
        page.get_by_role("button", name="继续").click()
        expect(page).not_to_have_url(re.compile("/accounts/two-step/"))
    expect(page.get_by_role("link", name=re.compile("^通知"))).to_be_visible()


def open_menu(page: Page) -> None:
    """On a phone the header's menu folds behind one button: open it, as a person would."""
    page.wait_for_load_state("domcontentloaded")  # the page's deferred scripts have run
    toggle = page.locator(".menu-toggle")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false":
        toggle.click()


def go_to(page: Page, label: str) -> None:
    """Follow a link of the header's navigation."""
    open_menu(page)
    page.get_by_role("navigation", name="主导航").get_by_role(
        "link", name=label, exact=True
    ).click()


def sign_out(page: Page) -> None:
    open_menu(page)
    page.get_by_role("button", name="退出").click()
    # Signed out once the signed-out page has loaded: a sign-in started sooner aborts that load.
    expect(page.locator(".site-header").get_by_role("link", name="登录")).to_be_visible()


def open_action(page: Page, label: str) -> Locator:
    """Open a <details> action panel with the keyboard, as a keyboard user would; return it.
    The page is first let finish loading (its deferred scripts run): a key pressed while it is
    still being parsed could reach a summary the parser has not finished (a CI run lost one)."""
    page.wait_for_load_state("domcontentloaded")
    # An action just done is sent by htmx and its page swapped in when answered: a panel opened
    # before that would be swapped away (htmx marks an element with htmx-request meanwhile),
    # and one opened while the new part settles has no listener yet to fetch its form (htmx
    # wires new elements at the end of settling, htmx-settling meanwhile: a CI run lost one).
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )
    summary = page.locator("summary", has_text=label).first
    summary.focus()
    page.keyboard.press("Enter")
    panel = page.locator("details[open]", has=page.locator("summary", has_text=label)).first
    expect(panel).to_be_visible()
    return panel


def test_customer_journey(page: Page, watch, world, tmp_path):
    # Register.
    page.goto("/accounts/register/")
    page.get_by_label("姓名:").fill("王小明")
    page.get_by_label("手机号码:").fill("13912345678")
    page.get_by_label("居民身份证号码:").fill(valid_id(5))
    page.get_by_label("密码:", exact=True).fill("Mediation-Fast-2026")
    page.get_by_label("再次输入密码:").fill("Mediation-Fast-2026")
    check_accessibility(page, "01-register")
    page.get_by_role("button", name="创建账户").click()
    # The number is proved with the code sent by text message (the database SMS backend).
    expect(page.get_by_role("heading", name="验证手机号码")).to_be_visible()
    check_accessibility(page, "01b-verify-mobile")
    page.get_by_label("短信验证码:").fill(sms_code("13912345678"))
    page.get_by_role("button", name="验证并创建账户").click()
    expect(page.get_by_text("欢迎！您的手机号码已验证，账户已开通。")).to_be_visible()

    # File a 30,000 yuan dispute.
    go_to(page, "提交纠纷")
    page.get_by_label("销售产品或管理您账户的网点:").select_option(label="上海浦东支行")
    page.get_by_label("产品类别:").select_option(label="理财产品")
    page.get_by_label("索赔金额（元）:").fill("30,000")
    page.get_by_label("事实经过:").fill("销售人员承诺保本，实际亏损三万元。")
    page.get_by_label("您的诉求:").fill("赔偿本金损失。")
    check_accessibility(page, "02-file-dispute")
    page.get_by_role("button", name="下一步：核对").click()
    expect(page.get_by_role("heading", name="核对您的纠纷")).to_be_visible()
    expect(page.locator("dl.facts")).to_contain_text("人民币叁万元整")
    check_accessibility(page, "02b-file-review")
    page.get_by_role("button", name="确认提交").click()
    expect(page.get_by_text(re.compile(r"您的纠纷 MD-\d{4}-\d{6} 已受理"))).to_be_visible()
    dispute = Dispute.objects.get()

    # Opt into the fast lane with both consents.
    page.get_by_label("我同意调解").check()
    page.get_by_label("我同意按上述说明提供我的个人信息").check()
    page.get_by_label("意向调解中心:").select_option(label="上海市金融消费纠纷调解中心")
    page.get_by_role("button", name="选择调解快车道").click()
    expect(page.get_by_text("您的案件已进入调解快车道。")).to_be_visible()
    # Naming the centre that receives the information is a binding act: its own page.
    expect(page.get_by_role("heading", name="同意向调解组织提供您的个人信息")).to_be_visible()
    expect(page.locator(".act")).to_contain_text("上海市金融消费纠纷调解中心")
    expect(page.locator(".act")).to_contain_text("敏感个人信息")
    check_accessibility(page, "02b-disclosure-act")
    page.get_by_role("button", name="发送验证码").click()
    page.get_by_label("我已阅读上述全文，并同意此项授权。").check()
    page.get_by_label("短信验证码").fill(sms_code("13912345678"))
    page.get_by_role("button", name="确认同意").click()
    expect(page.get_by_text("您的同意已记录。")).to_be_visible()

    # Upload a PDF and a photo.
    for name, content, title in (
        ("合同.pdf", pdf_bytes(2), "理财合同"),
        ("截图.jpg", jpeg_with_gps_bytes(), "转账截图"),
    ):
        path = tmp_path / name
        path.write_bytes(content)
        panel = open_action(page, "上传证据")
        panel.get_by_label(re.compile("^文件（PDF、JPEG 或 PNG")).set_input_files(str(path))
        panel.get_by_label("标题:").fill(title)
        panel.get_by_label("类别:").select_option(label="合同")
        panel.get_by_role("button", name="上传", exact=True).click()
        expect(page.get_by_text(f"证据“{title}”已上传。")).to_be_visible()
    # Two statements at once, titled by their names.
    statements = [tmp_path / "一月账单.pdf", tmp_path / "二月账单.pdf"]
    for path in statements:
        path.write_bytes(pdf_bytes())
    panel = open_action(page, "上传证据")
    panel.get_by_label(re.compile("^文件（PDF、JPEG 或 PNG")).set_input_files(
        [str(p) for p in statements]
    )
    panel.get_by_label("类别:").select_option(value="statement")
    panel.get_by_role("button", name="上传", exact=True).click()
    expect(page.get_by_text("证据“二月账单”已上传。")).to_be_visible()
    expect(page.locator(".checklist")).to_contain_text("已上传")
    check_accessibility(page, "03-customer-case")

    # The bank refers, the centre accepts and proposes (other people, through the services).
    referral = referral_services.referral_create(
        actor=world["staff"], reference=dispute.reference, organisation_id=world["centre"].pk
    )
    referral_services.referral_send(actor=world["staff"], referral_id=referral.pk)
    referral_services.referral_accept(
        actor=world["mediator"], referral_id=referral.pk, mediator_id=world["mediator"].pk
    )
    agreement_services.proposal_make(
        actor=world["mediator"],
        referral_id=referral.pk,
        amount=Decimal("8000.00"),
        terms="银行补偿客户8,000元。",
        performance_due=timezone.localdate() + timedelta(days=10),
    )

    # Follow the timeline and accept the proposal.
    page.reload()
    timeline = page.locator("ol.timeline")
    for step in (
        "纠纷已受理",
        "已进入调解快车道",
        "案件已转交调解中心",
        "调解中心受理案件并指派调解员",
        "调解员提出调解方案",
    ):
        expect(timeline).to_contain_text(step)
    # Accepting is a binding act: the whole text, a tick, a code; then the sealed PDF. (Days
    # after the consent's code: the minute between two codes to one number has long passed.)
    cache.clear()
    page.get_by_role("link", name="阅读并接受调解方案…").click()
    expect(page.get_by_text("人民币捌仟元整")).to_be_visible()
    check_accessibility(page, "03b-accept-proposal")
    page.get_by_role("button", name="发送验证码").click()
    page.get_by_label("我已阅读以上全部内容，接受本调解方案。").check()
    page.get_by_label("短信验证码").fill(sms_code("13912345678"))
    page.get_by_role("button", name="接受调解方案").click()
    expect(page.locator(".case-head .badge")).to_have_text("已达成调解协议")
    page.reload()  # the seal is made by the worker once the acceptance commits
    with page.expect_download() as download:
        acts = page.locator(".acts li")
        expect(acts).to_have_count(2)  # the consent naming the centre, then the acceptance
        acts.filter(has_text="调解员调解方案").get_by_role("link", name="盖章 PDF").click()
    sealed = Path(download.value.path()).read_bytes()
    with ThreadPoolExecutor(1) as pool:  # pyHanko runs its own event loop; Playwright's is busy
        assert pool.submit(check_seal, sealed).result().valid

    # The bank closes the case; the customer rates the handling.
    ms.dispute_close(actor=world["staff"], reference=dispute.reference, reason="agreement")
    page.reload()
    panel = open_action(page, "评价案件处理情况")
    panel.get_by_label("5", exact=True).check()
    panel.get_by_label("意见:").fill("处理及时，感谢。")
    panel.get_by_role("button", name="评价案件处理情况").click()
    expect(page.get_by_text("感谢您的评价。")).to_be_visible()
    expect(page.get_by_text("评分 5 / 5")).to_be_visible()
    check_accessibility(page, "04-customer-closed")


@pytest.mark.parametrize("width,height", [(390, 844), (1280, 900)])
def test_customer_above_threshold_asks_for_mediation_and_the_bank_agrees(
    page: Page, watch, world, width, height
):
    """Issue 17: "'您可申请调解' for a 60,000 customer (no way to)"."""
    page.set_viewport_size({"width": width, "height": height})
    customer = CustomerFactory.create(username="bigclaim")
    dispute = make_dispute(customer, world["branch"], "80000.00")
    sign_in(page, "bigclaim")
    go_to(page, "我的纠纷")
    page.get_by_role("link", name=re.compile(r"MD-\d{4}-\d{6}")).click()
    notice = page.locator("#lane-notice")
    expect(notice).to_contain_text("本纠纷不能进入调解快车道")
    expect(notice).to_contain_text("80,000.00")
    expect(notice).to_contain_text("50,000.00")
    for route in ("申请调解", "仲裁", "诉讼"):
        expect(notice).to_contain_text(route)
    expect(page.get_by_role("button", name="选择调解快车道")).to_have_count(0)
    check_accessibility(page, f"05-above-threshold-{width}")
    panel = open_action(page, "申请调解")
    panel.get_by_label("申请调解的理由（选填）:").fill("希望由调解中心居中协调。")
    panel.get_by_label("我同意调解").check()
    panel.get_by_role("button", name="申请调解").click()
    expect(page.get_by_text("您的申请已提交银行。")).to_be_visible()
    expect(page.locator(".mediation-request")).to_contain_text("等待银行决定")
    check_accessibility(page, f"05b-mediation-asked-{width}")
    sign_out(page)

    sign_in(page, "staff")
    expect(page.locator(".waiting")).to_be_visible()
    page.goto(dispute.get_absolute_url())
    expect(page.locator(".mediation-request")).to_contain_text("客户的调解申请")
    panel = open_action(page, "对客户的调解申请作出决定")
    panel.get_by_label("同意调解").check()
    panel.get_by_role("button", name="对客户的调解申请作出决定").click()
    expect(page.get_by_text("决定已记录，并已告知客户。")).to_be_visible()
    expect(page.locator(".case-head .badge")).to_have_text("已同意调解，待转交")
    check_accessibility(page, f"05c-mediation-agreed-staff-{width}")
    dispute.refresh_from_db()
    assert dispute.status == "fast_lane" and dispute.mediation_agreed_at is not None


@pytest.mark.parametrize("width,height", [(390, 844), (1280, 900)])
def test_customer_applies_for_judicial_confirmation(page: Page, watch, world, width, height):
    """Issue 17: "no customer action to start a judicial confirmation after an agreement"."""
    page.set_viewport_size({"width": width, "height": height})
    court = OrganisationFactory.create(name="上海市浦东新区人民法院", kind=OrganisationKind.COURT)
    customer = CustomerFactory.create(username="agreed")
    dispute = make_dispute(customer, world["branch"], "20000.00")
    referral = beside_the_browser(refer, dispute, customer, world["staff"], world["centre"])
    referral_services.referral_accept(
        actor=world["mediator"], referral_id=referral.pk, mediator_id=world["mediator"].pk
    )
    Referral.objects.filter(pk=referral.pk).update(sent_at=timezone.now() - timedelta(days=5))
    agreement_services.agreement_record(
        actor=world["mediator"],
        referral_id=referral.pk,
        upload=io.BytesIO(pdf_bytes()),
        file_name="协议.pdf",
        size=None,
        amount=Decimal("12000.00"),
        terms="银行支付12,000元，客户放弃其他请求。",
        effective_on=timezone.localdate() - timedelta(days=1),
        performance_due=timezone.localdate() + timedelta(days=10),
    )
    sign_in(page, "agreed")
    waiting = page.locator(".waiting")
    expect(waiting).to_contain_text("您可申请对调解协议进行司法确认")
    check_accessibility(page, f"06-home-waiting-{width}")
    waiting.get_by_role("link", name="您可申请对调解协议进行司法确认").click()
    page.get_by_label("法院").select_option(label=court.name)
    page.get_by_role("button", name="下一步：阅读申请").click()
    act = page.locator(".act")
    expect(act).to_contain_text(court.name)
    expect(act).to_contain_text("人民币壹万贰仟元整")
    expect(act).to_contain_text("第二百零六条")
    check_accessibility(page, f"06b-confirmation-act-{width}")
    page.get_by_role("button", name="发送验证码").click()
    expect(page.get_by_text("验证码已发送到您的手机。")).to_be_visible()
    page.get_by_label("我已阅读上述全文，并与银行共同申请。").check()
    page.get_by_label("短信验证码").fill(sms_code(customer.mobile))
    page.get_by_role("button", name="申请司法确认").click()
    expect(page.get_by_text("您已提出申请。")).to_be_visible()
    panel = page.locator("#confirmation")
    expect(panel).to_contain_text(court.name)
    expect(panel).to_contain_text("客户: 已同意")
    check_accessibility(page, f"06c-confirmation-applied-{width}")
    c = dispute.confirmations.get()
    assert c.customer_consent_at is not None and c.bank_consent_at is None


def test_mediator_journey(page: Page, watch, world, tmp_path):
    customer = CustomerFactory.create()
    dispute = make_dispute(customer, world["branch"], "15000.00")
    referral = beside_the_browser(refer, dispute, customer, world["staff"], world["centre"])
    upload_pdf(customer, dispute, "理财合同", name="合同.pdf")
    bundle_services.bundle_request(
        actor=world["staff"],
        reference=dispute.reference,
        recipient_kind=OrganisationKind.MEDIATION_CENTRE,
        organisation_id=world["centre"].pk,
    )
    bundle_services.bundle_generate(bundle_id=dispute.bundles.get().pk)

    sign_in(page, "mediator")
    go_to(page, "转介收件箱")
    check_accessibility(page, "06-mediator-inbox")
    page.get_by_role("link", name=dispute.reference).click()
    panel = open_action(page, "受理并指派调解员")
    panel.get_by_label("调解员:").select_option(label="刘洋")
    panel.get_by_role("button", name="受理并指派调解员").click()
    expect(page.get_by_text("已受理：调解中").first).to_be_visible()
    panel = open_action(page, "利益冲突声明")
    panel.get_by_role("button", name="利益冲突声明").click()
    expect(page.locator(".messages")).to_contain_text("利益冲突声明：已完成")
    panel = open_action(page, "安排调解会议")
    when = (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT10:00")
    panel.get_by_label("时间:").fill(when)
    panel.get_by_label("方式:").select_option(label="线上")
    panel.get_by_label("地点或链接:").fill("https://mediation.example/room/1")
    panel.get_by_role("button", name="安排调解会议").click()
    expect(page.get_by_text("https://mediation.example/room/1")).to_be_visible()
    with page.expect_download() as download:
        page.locator("#bundles").get_by_role("link", name="PDF").click()
    assert download.value.suggested_filename.endswith(".pdf")
    # A proposal above the claim is refused without a reason; one typed wrong is withdrawn
    # and replaced.
    panel = open_action(page, "提出调解方案")
    panel.get_by_label("银行支付金额（元）:").fill("99,000")
    panel.get_by_label("协议内容:").fill("银行补偿客户99,000元。")
    panel.get_by_label("履行期限:").fill((timezone.localdate() + timedelta(10)).isoformat())
    panel.get_by_role("button", name="提出调解方案").click()
    expect(page.get_by_text("高于客户的请求金额（15,000.00 元）")).to_be_visible()
    panel = open_action(page, "提出调解方案")
    panel.get_by_label("银行支付金额（元）:").fill("900")
    panel.get_by_label("协议内容:").fill("银行补偿客户900元。")
    panel.get_by_label("履行期限:").fill((timezone.localdate() + timedelta(10)).isoformat())
    panel.get_by_role("button", name="提出调解方案").click()
    expect(page.locator(".proposal")).to_contain_text("900.00")
    panel = open_action(page, "撤回调解方案")
    panel.get_by_label("撤回理由").fill("金额录入错误，应为9,000元。")
    panel.get_by_role("button", name="撤回调解方案").click()
    expect(page.locator(".proposal").first).to_contain_text("已撤回")
    panel = open_action(page, "提出调解方案")
    panel.get_by_label("银行支付金额（元）:").fill("9,000")
    panel.get_by_label("协议内容:").fill("银行补偿客户9,000元。")
    panel.get_by_label("履行期限:").fill((timezone.localdate() + timedelta(10)).isoformat())
    panel.get_by_role("button", name="提出调解方案").click()
    expect(page.locator(".proposal").nth(1)).to_contain_text("9,000.00")
    signed = tmp_path / "协议.pdf"
    signed.write_bytes(pdf_bytes())
    panel = open_action(page, "登记签署的调解协议")
    panel.get_by_label("已签字盖章的调解协议（PDF或图片）:").set_input_files(str(signed))
    panel.get_by_label("银行支付金额（元）:").fill("9,000")
    panel.get_by_label("协议内容:").fill("银行支付9,000元。")
    panel.get_by_label("履行期限:").fill((timezone.localdate() + timedelta(10)).isoformat())
    panel.get_by_label("生效日期（各方签字并盖章之日）:").fill(timezone.localdate().isoformat())
    panel.get_by_role("button", name="登记签署的调解协议").click()
    expect(page.get_by_text("已签订调解协议").first).to_be_visible()
    check_accessibility(page, "07-mediator-case")
    assert Referral.objects.get(pk=referral.pk).status == "agreement"


def test_court_clerk_journey(page: Page, watch, world):
    court = OrganisationFactory.create(name="上海市浦东新区人民法院", kind=OrganisationKind.COURT)
    enrol_totp(
        PartnerFactory.create(username="clerk", organisation=court, partner_role="court_clerk")
    )
    customer = CustomerFactory.create()
    dispute = make_dispute(customer, world["branch"], "20000.00")
    referral = beside_the_browser(refer, dispute, customer, world["staff"], world["centre"])
    referral_services.referral_accept(
        actor=world["mediator"], referral_id=referral.pk, mediator_id=world["mediator"].pk
    )
    agreement_services.agreement_record(
        actor=world["mediator"],
        referral_id=referral.pk,
        upload=io.BytesIO(pdf_bytes()),
        file_name="协议.pdf",
        size=None,
        amount=Decimal("12000"),
        terms="银行支付12,000元。",
        performance_due=timezone.localdate() + timedelta(10),
        effective_on=timezone.localdate(),
    )
    c = confirmation_services.confirmation_start(
        actor=world["staff"], reference=dispute.reference, court_id=court.pk
    )
    for actor, cat in (
        (world["mediator"], "mediation_proof"),
        (customer, "identity"),
        (world["staff"], "bank_identity"),
    ):
        upload_pdf(actor, dispute, cat, cat)
    application_form.confirmation_request_form(actor=world["staff"], confirmation_id=c.pk)
    application_form.confirmation_form_generate(confirmation_id=c.pk)
    customer_joins(customer, c.pk)
    confirmation_services.confirmation_consent(actor=world["staff"], confirmation_id=c.pk)
    confirmation_services.confirmation_file(actor=world["staff"], confirmation_id=c.pk)

    sign_in(page, "clerk")
    page.get_by_role("link", name="全部案件").click()
    page.get_by_role("link", name=dispute.reference).click()
    today = timezone.localdate().isoformat()
    panel = open_action(page, "登记法院受理")
    panel.get_by_label("受理日期:").fill(today)
    panel.get_by_label("案号（调确字）:").fill(f"（{timezone.localdate().year}）沪0115民特88号")
    panel.get_by_role("button", name="登记法院受理").click()
    expect(page.get_by_text("法院已受理").first).to_be_visible()
    panel = open_action(page, "登记确认协议有效的裁定")
    panel.get_by_label("裁定书编号:").fill(f"（{timezone.localdate().year}）沪0115民特88号")
    panel.get_by_label("裁定日期:", exact=True).fill(today)
    panel.get_by_label("收到裁定日期:").fill(today)
    panel.get_by_role("button", name="登记确认协议有效的裁定").click()
    expect(page.get_by_text("已确认有效：可申请强制执行").first).to_be_visible()
    check_accessibility(page, "08-court-clerk")


def test_auditor_journey(page: Page, watch, world):
    from referrals.reviews.services import review_enqueue_due

    enrol_totp(UserFactory.create(username="auditor", role="auditor", real_name="郑刚"))
    customer = CustomerFactory.create(real_name="张伟")
    dispute = make_dispute(customer, world["branch"], "1500.00", category="credit_card")
    staff = world["staff"]
    ms.dispute_triage(
        actor=staff, reference=dispute.reference, cause_label="信用卡纠纷", urgency="normal"
    )
    ms.dispute_start_bank_handling(actor=staff, reference=dispute.reference)
    ms.dispute_close(actor=staff, reference=dispute.reference, reason="bank_decision_accepted")
    # The same customer complains again by phone after closure.
    repeat = make_dispute(
        customer,
        world["branch"],
        "1500.00",
        channel="phone",
        received_at=timezone.now() + timedelta(minutes=5),
    )
    review_enqueue_due(today=timezone.localdate() + timedelta(days=200))

    sign_in(page, "auditor")
    page.get_by_role("link", name="回头看评估").first.click()
    check_accessibility(page, "09-review-queue")
    page.get_by_role("link", name=dispute.reference).click()
    panel = open_action(page, "领取本评估")
    panel.get_by_role("button", name="领取本评估").click()
    expect(page.get_by_role("link", name=repeat.reference)).to_be_visible()
    for item, value in (
        ("系统漏洞是否修复（系统、合同或流程整改）:", "否"),
        ("员工问责是否到位:", "是"),
        ("客户是否二次投诉:", "发现二次投诉"),
        ("约定履行是否完成:", "不适用"),
        ("回访客户满意度:", "不适用"),
    ):
        page.get_by_label(item).select_option(label=value)
    for box in page.get_by_label("发现:").all():
        box.fill("已核实。")
    page.get_by_role("button", name="保存检查清单").click()
    expect(page.get_by_text("检查清单已保存。")).to_be_visible()
    panel = open_action(page, "结论：未通过")
    panel.get_by_label("评估结论:").fill("年费减免规则未修订，客户二次投诉。")
    panel.get_by_role("button", name="结论：未通过").click()
    panel = open_action(page, "新增整改事项")
    panel.get_by_label("整改事项:").fill("修订信用卡年费减免规则。")
    panel.get_by_label("责任部门:").fill("信用卡中心")
    panel.get_by_label("到期日:").fill((timezone.localdate() + timedelta(30)).isoformat())
    panel.get_by_role("button", name="新增整改事项").click()
    expect(page.get_by_text("修订信用卡年费减免规则。")).to_be_visible()
    check_accessibility(page, "10-review")


def test_keyboard_only_sign_in_and_filing(page: Page, watch, world):
    """No mouse: every control is native HTML, reachable with Tab and used with the keyboard."""
    CustomerFactory.create(username="keyboard", mobile="13700000009")
    page.goto("/")
    page.keyboard.press("Tab")  # the skip link comes first
    expect(page.get_by_role("link", name="跳到主要内容")).to_be_focused()
    page.goto("/accounts/login/")  # the login field has the focus from the start
    expect(page.get_by_label("手机号、邮箱或用户名:")).to_be_focused()
    page.keyboard.type("13700000009")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name=re.compile("^通知"))).to_be_visible()
    link = page.get_by_role("link", name="提交纠纷", exact=True)
    link.focus()
    page.keyboard.press("Enter")
    page.get_by_label("销售产品或管理您账户的网点:").focus()
    page.keyboard.press("ArrowDown")  # choose the first branch
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")  # product: the next category
    for text in ("4800", "年费未按约定减免。", "退还年费。"):
        page.keyboard.press("Tab")
        page.keyboard.type(text)
    page.keyboard.press("Tab")  # account number (optional)
    page.keyboard.press("Tab")  # the next step: read it over
    expect(page.get_by_role("button", name="下一步：核对")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="核对您的纠纷")).to_be_visible()
    page.get_by_role("button", name="确认提交").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text(re.compile(r"您的纠纷 MD-\d{4}-\d{6} 已受理"))).to_be_visible()
    assert Dispute.objects.get().amount == Decimal("4800.00")


@pytest.mark.parametrize("width,height", [(390, 844), (1280, 900)])
def test_staff_member_enrols_totp_and_signs_in_with_it(page: Page, watch, width, height):
    """A new staff member's first sign-in: the portal asks for an authenticator app, shows the
    QR code and the key, takes the app's code, shows the recovery codes once; the next sign-in
    asks for the app's code."""
    page.set_viewport_size({"width": width, "height": height})
    branch = BranchFactory.create(code="BJ01", name="北京西城支行")
    StaffFactory.create(username="newstaff", branch=branch)
    page.goto("/accounts/login/")
    page.get_by_label("手机号、邮箱或用户名:").fill("newstaff")
    page.get_by_label("密码:").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="开启两步验证")).to_be_visible()
    expect(page.locator(".qr svg")).to_be_visible()
    check_accessibility(page, f"20-enrol-totp-{width}")
    secret = page.get_by_test_id("totp-secret").inner_text()  # as typed into the app by hand
    page.get_by_label(re.compile("应用当前显示的六位验证码")).fill(totp_code(secret))
    page.get_by_role("button", name="开启").click()
    codes = page.get_by_test_id("recovery-codes").locator("li")
    expect(codes).to_have_count(10)
    check_accessibility(page, f"21-recovery-codes-{width}")
    page.get_by_role("link", name=re.compile("已保存")).click()
    expect(page).not_to_have_url(re.compile("/accounts/two-step/"))
    sign_out(page)
    expect(page.get_by_role("banner").get_by_role("link", name="登录")).to_be_visible()

    page.goto("/accounts/login/")
    page.get_by_label("手机号、邮箱或用户名:").fill("newstaff")
    page.get_by_label("密码:").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="两步验证")).to_be_visible()
    page.get_by_label(re.compile("验证器应用")).fill("000000")
    page.get_by_role("button", name="继续").click()
    expect(page.get_by_text("验证码不对")).to_be_visible()
    check_accessibility(page, f"22-second-factor-{width}")
    page.get_by_label(re.compile("验证器应用")).fill(totp_code(secret))
    page.get_by_role("button", name="继续").click()
    expect(page).not_to_have_url(re.compile("/accounts/two-step/"))
    page.goto("/accounts/profile/")
    expect(page.get_by_text(re.compile("已开启"))).to_be_visible()


@pytest.mark.parametrize("width,height", [(390, 844), (1280, 900)])
def test_customer_signs_an_agreement_online_and_authorises_an_agent(
    page: Page, watch, world, width, height, tmp_path
):
    """Issue 17: signing an agreement is a binding act; an agent acts on one case only."""
    page.set_viewport_size({"width": width, "height": height})
    customer = CustomerFactory.create(username="signer")
    agent = CustomerFactory.create(username="agent_li", real_name="李律师")
    dispute = make_dispute(customer, world["branch"], "20000.00")
    referral = beside_the_browser(refer, dispute, customer, world["staff"], world["centre"])
    referral_services.referral_accept(
        actor=world["mediator"], referral_id=referral.pk, mediator_id=world["mediator"].pk
    )
    agreement_services.agreement_draft(
        actor=world["mediator"],
        referral_id=referral.pk,
        amount=Decimal("12000.00"),
        terms="银行支付12,000元，客户放弃其他请求。",
        performance_due=timezone.localdate() + timedelta(days=10),
    )
    sign_in(page, "signer")
    page.locator(".waiting").get_by_role("link", name=re.compile("签署调解协议")).click()
    act = page.locator(".act")
    expect(act).to_contain_text("人民币壹万贰仟元整")
    check_accessibility(page, f"07-sign-agreement-{width}")
    page.get_by_role("button", name="发送验证码").click()
    page.get_by_label("我已阅读上述全文，并签署本协议。").check()
    page.get_by_label("短信验证码").fill(sms_code(customer.mobile))
    page.get_by_role("button", name="签署协议").click()
    expect(page.get_by_text("您已签署协议。")).to_be_visible()
    expect(page.locator(".agreement-draft")).to_contain_text("已签署")

    poa = tmp_path / "授权委托书.pdf"
    poa.write_bytes(pdf_bytes())
    panel = open_action(page, "授权代理人办理本案件")
    panel.get_by_label("代理人的手机号码:").fill(agent.mobile)
    panel.get_by_label("与您的关系:").select_option(label="律师")
    panel.get_by_label("您签署的授权委托书（PDF 或图片）:").set_input_files(str(poa))
    panel.get_by_role("button", name="授权代理人办理本案件").click()
    expect(page.get_by_text("已授权代理人办理本案件")).to_be_visible()
    expect(page.locator("#representatives")).to_contain_text("李律师")
    check_accessibility(page, f"07b-agent-authorised-{width}")
    sign_out(page)

    sign_in(page, "agent_li")
    go_to(page, "我的纠纷")
    page.get_by_role("link", name=dispute.reference).click()
    expect(page.locator("#acting-for")).to_contain_text(customer.display_name)
    check_accessibility(page, f"07c-agent-case-{width}")
