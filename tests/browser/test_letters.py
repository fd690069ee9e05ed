"""Issue 19, 6: staff start a letter's record from its scan; the portal reads it and fills the
form; staff correct and record it, and the scan is the case's first exhibit. At 390x844 and
1280x900; screenshots in test-artifacts/screenshots/."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import check_accessibility
from tests.browser.test_journeys import go_to, open_action, sign_in
from tests.mediation.test_letters import LETTER, scan_of

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width,height", [(390, 844), (1280, 900)])
def test_staff_record_a_letter_from_its_scan(page: Page, watch, world, tmp_path, width, height):
    page.set_viewport_size({"width": width, "height": height})
    scan = tmp_path / "来信.png"
    scan.write_bytes(scan_of(LETTER))
    sign_in(page, "staff")
    go_to(page, "登记来电来信纠纷")
    panel = open_action(page, "从信件扫描件开始")
    check_accessibility(page, f"19s-record-scan-{width}")
    panel.get_by_label("信件扫描件（PDF、JPEG 或 PNG）").set_input_files(str(scan))
    panel.get_by_role("button", name="上传并识别").click()
    # Read by the worker (in the tests, as soon as the upload commits): what was read, shown.
    expect(page.locator(".letter-text")).to_contain_text("我要求：退还本金12000元")
    check_accessibility(page, f"19t-scan-read-{width}")
    page.get_by_role("link", name="根据此信登记纠纷").click()
    expect(page.locator("#from-scan")).to_contain_text("登记前请逐项与原信核对")
    expect(page.get_by_label("客户姓名")).to_have_value("张三")
    expect(page.get_by_label("客户手机号码")).to_have_value("13800001234")
    check_accessibility(page, f"19u-record-from-scan-{width}")
    page.get_by_label("产品类别").select_option("wealth")
    page.get_by_label("索赔金额（元）").fill("12000")
    page.get_by_role("button", name="登记纠纷", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("已登记")
    expect(page.get_by_role("link", name="客户来信（扫描件）")).to_be_visible()
    check_accessibility(page, f"19v-recorded-from-scan-{width}")
