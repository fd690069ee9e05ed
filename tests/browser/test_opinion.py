"""Issue 21's public-opinion journey: branch staff record a short video about a case from its
page; head office sees the spread on the complaint figures. Screenshots in
test-artifacts/screenshots/."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import check_accessibility
from tests.browser.test_journeys import go_to, sign_in, sign_out
from tests.factories import CustomerFactory, StaffFactory, enrol_totp, make_dispute

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width,height", [(390, 844), (1280, 900)])
def test_staff_record_a_video_and_head_office_sees_the_spread(
    page: Page, watch, world, width, height
):
    from django.utils import timezone

    from mediation.insight.rollups import rollups_refresh
    from portal.models import Branch

    page.set_viewport_size({"width": width, "height": height})
    dispute = make_dispute(CustomerFactory.create(real_name="李娜"), world["branch"])
    rollups_refresh()
    head_office, _ = Branch.objects.get_or_create(
        code="HO", defaults={"name": "总行", "is_head_office": True}
    )
    chief = StaffFactory.create(username="chief", branch=head_office, real_name="陈静")
    enrol_totp(chief)

    sign_in(page, "staff")
    page.goto(dispute.get_absolute_url())
    panel = page.locator("#opinion-panel")
    expect(panel).to_contain_text("尚未登记与本案相关的舆情")
    panel.get_by_role("link", name="登记与本案相关的帖子或视频").click()
    expect(page.get_by_label("相关案件")).to_have_value(dispute.reference)
    page.get_by_label("平台").select_option("douyin")
    page.get_by_label("链接").fill("https://www.douyin.com/video/7300000000000000001")
    page.get_by_label("内容摘要").fill("客户称理财亏损无人处理")
    page.get_by_label("首次发现日期").fill(f"{timezone.localdate():%Y-%m-%d}")
    page.get_by_label("目前浏览量").fill("48000")
    page.get_by_role("button", name="记录", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("已登记：客户称理财亏损无人处理")
    expect(page.locator("#opinion-items")).to_contain_text("48,000")
    check_accessibility(page, f"21f-opinion-list-{width}")
    page.goto(dispute.get_absolute_url())
    expect(page.locator("#opinion-panel")).to_contain_text("抖音（短视频）")
    check_accessibility(page, f"21g-opinion-case-{width}")
    sign_out(page)

    sign_in(page, "chief")
    go_to(page, "统计")
    spread = page.locator("#kpis a", has_text="负面舆情")
    expect(spread).to_contain_text(re.compile(r"1\s*条新发现，浏览 48,000 次"))
    check_accessibility(page, f"21h-figures-spread-{width}")
    # The figures as a PDF: made by the worker, listed under the period, downloaded.
    page.get_by_role("button", name=re.compile("^生成.*的 PDF$")).click()
    expect(page.locator(".messages")).to_contain_text("PDF 正在生成")
    link = page.locator("#reports a", has_text="PDF")
    expect(link).to_be_visible()
    check_accessibility(page, f"21i-figures-pdf-{width}")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.startswith("投诉统计-")
