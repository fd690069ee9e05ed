"""Issue 19, 5: a customer chooses text messages for one notice and switches email off for
another, at 390x844 and 1280x900. Screenshots in test-artifacts/screenshots/."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import check_accessibility
from tests.browser.test_journeys import sign_in
from tests.factories import CustomerFactory

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width,height", [(390, 844), (1280, 900)])
def test_a_customer_chooses_how_each_notice_reaches_them(page: Page, watch, width, height):
    page.set_viewport_size({"width": width, "height": height})
    CustomerFactory.create(username="wang", email="wang@example.cn")
    sign_in(page, "wang")
    page.goto("/notifications/")
    page.get_by_role("link", name="选择接收哪些通知").click()
    check_accessibility(page, f"19y-notification-channels-{width}")
    page.get_by_label("已安排调解会议: 短信").check()
    page.get_by_label("已安排调解会议: 邮件").uncheck()
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".messages")).to_be_visible()
    expect(page.get_by_label("已安排调解会议: 短信")).to_be_checked()
    expect(page.get_by_label("已安排调解会议: 邮件")).not_to_be_checked()
    expect(page.get_by_label("已安排调解会议: 接收")).to_be_checked()
    check_accessibility(page, f"19z-notification-channels-saved-{width}")
