"""A case page's action panels, opened in Chromium: with scripts the form comes into the panel
(htmx); without scripts the panel's link opens the form on a page of its own, and the action is
done from there. Screenshots in test-artifacts/screenshots/."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import SCREENSHOTS, check_accessibility
from tests.browser.test_journeys import open_action, sign_in
from tests.factories import CustomerFactory, make_dispute

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width,height", [(390, 844), (1280, 900)])
def test_an_opened_panel_brings_its_form(page: Page, watch, world, width, height):
    page.set_viewport_size({"width": width, "height": height})
    dispute = make_dispute(CustomerFactory.create(real_name="王芳"), world["branch"])
    sign_in(page, "staff")
    page.goto(dispute.get_absolute_url())
    panel = open_action(page, "分诊")
    expect(panel.get_by_label("案由")).to_be_visible()  # asked for and swapped in
    page.goto(dispute.get_absolute_url() + "triage/")  # the same form on its own page
    expect(page.get_by_role("heading", level=1)).to_have_text("分诊")
    check_accessibility(page, f"19x-action-page-{width}")
    page.go_back()
    panel = open_action(page, "分诊")
    check_accessibility(page, f"19w-action-panel-{width}")
    # Sent by htmx: a form that does not pass comes back in its panel, the error beside it,
    # and one that passes is done without reloading the page (the page's marker survives).
    page.evaluate("window.stayed = true")
    panel.get_by_label("案由").fill("")
    panel.get_by_role("button", name="分诊").click()
    expect(panel.locator(".invalid-feedback")).to_contain_text("该字段是必填项")
    panel.get_by_label("案由").fill("理财纠纷")
    panel.get_by_role("button", name="分诊").click()
    expect(page.locator(".messages")).to_contain_text("已分诊：理财纠纷")
    expect(page).to_have_url(re.compile(re.escape(dispute.get_absolute_url()) + "$"))
    assert page.evaluate("window.stayed === true"), "the page was reloaded"
    check_accessibility(page, f"19w-action-done-inline-{width}")


@pytest.mark.parametrize("width,height", [(390, 844), (1280, 900)])
def test_without_scripts_the_form_opens_on_its_own_page(
    browser: Browser, browser_context_args, world, width, height
):
    dispute = make_dispute(CustomerFactory.create(real_name="王芳"), world["branch"])
    context = browser.new_context(
        **{**browser_context_args, "viewport": {"width": width, "height": height}},
        java_script_enabled=False,
    )
    page = context.new_page()
    try:
        sign_in(page, "staff")
        page.goto(dispute.get_absolute_url())
        page.locator("summary", has_text="分诊").first.click()  # <details> opens without scripts
        page.get_by_role("link", name="打开表单：分诊").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("分诊")
        # axe needs scripts: the page as read, a screenshot (the same page is checked with them).
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"19x-action-page-nojs-{width}.png"), full_page=True)
        page.get_by_label("案由").fill("理财纠纷")
        page.get_by_role("button", name="分诊").click()
        expect(page.locator(".messages")).to_contain_text("已分诊：理财纠纷")
        expect(page).to_have_url(f"{browser_context_args['base_url']}{dispute.get_absolute_url()}")
    finally:
        context.close()


def test_a_limited_box_counts_as_it_is_typed_in_a_form_that_came_later(page: Page, watch, world):
    """The limit is written under the box (read without scripts); with scripts the count
    follows the typing, in an action's form fetched when its panel opened."""
    dispute = make_dispute(CustomerFactory.create(real_name="王芳"), world["branch"])
    sign_in(page, "staff")
    page.goto(dispute.get_absolute_url())
    panel = open_action(page, "撤回纠纷")
    counter = panel.locator(".count")
    expect(panel).to_contain_text("最多 2000 字，超出部分无法输入。")
    expect(counter).to_have_text("已输入 0 / 2000 字")
    panel.get_by_label("理由").fill("客户来电表示已与网点协商解决")
    expect(counter).to_have_text("已输入 14 / 2000 字")
    # Refused (no reason given), the form comes back into its panel and counts again.
    panel.get_by_label("理由").fill("")
    panel.get_by_role("button", name="撤回纠纷").click()
    expect(panel.locator(".invalid-feedback")).to_be_visible()
    expect(panel.locator(".count")).to_have_text("已输入 0 / 2000 字")
