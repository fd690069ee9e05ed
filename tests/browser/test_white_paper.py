"""Issue 21's white paper journey: head office builds the year's paper, an administrator
reads it and publishes it, and a visitor who never signs in reads it and downloads the PDF.
Screenshots in test-artifacts/screenshots/."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from mediation.insight.history import seed_history
from mediation.insight.rollups import rollups_refresh
from tests.browser.conftest import check_accessibility
from tests.browser.test_journeys import go_to, sign_in, sign_out
from tests.factories import StaffFactory, UserFactory, enrol_totp

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width,height", [(390, 844), (1280, 900)])
def test_head_office_builds_an_administrator_publishes_anyone_reads(
    page: Page, watch, world, width, height
):
    from django.utils import timezone

    from portal.models import Branch

    page.set_viewport_size({"width": width, "height": height})
    admin = UserFactory.create(username="root", role="admin", real_name="系统管理员")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    enrol_totp(admin)
    seed_history(actor=admin, days=200)
    rollups_refresh()
    chief = StaffFactory.create(
        username="chief", branch=Branch.objects.get(code="HO"), real_name="陈静"
    )
    enrol_totp(chief)
    year = timezone.localdate().year

    sign_in(page, "chief")
    go_to(page, "统计")
    page.get_by_role("link", name=re.compile("白皮书")).click()
    expect(page.get_by_role("heading", name="白皮书", exact=True)).to_be_visible()
    page.get_by_label("年度").select_option(str(year))
    page.get_by_role("button", name="生成", exact=True).click()
    expect(page.locator(".messages")).to_contain_text(f"{year} 年第 1 版正在生成")
    row = page.locator("#white-papers tbody tr").first
    # The worker builds it (immediately in tests); head office cannot publish it.
    expect(row).to_contain_text("已生成，待管理员审批")
    expect(row).to_contain_text("等待管理员发布")
    expect(row.get_by_role("button", name=re.compile("发布"))).to_have_count(0)
    check_accessibility(page, f"21c-white-paper-built-{width}")
    sign_out(page)

    sign_in(page, "root")
    page.get_by_role("link", name=re.compile("白皮书：审阅")).click()
    with page.expect_download() as download:
        page.get_by_role("link", name="下载 PDF").first.click()
    assert download.value.suggested_filename == f"投诉处理白皮书-{year}-v1.pdf"
    page.get_by_role("button", name=f"发布 {year} 年第 1 版").click()
    expect(page.locator(".messages")).to_contain_text("已公开")
    expect(page.locator("#white-papers tbody tr").first).to_contain_text("已发布")
    check_accessibility(page, f"21d-white-paper-published-{width}")
    sign_out(page)

    # A visitor: from the landing page, no sign-in.
    page.goto("/")
    page.get_by_role("link", name=re.compile("年度白皮书")).click()
    page.get_by_role("link", name=f"{year} 年白皮书").click()
    expect(page.get_by_role("heading", name=f"{year} 年投诉处理白皮书")).to_be_visible()
    expect(page.locator(".wp-kpis")).to_contain_text("受理投诉")
    expect(page.get_by_role("heading", name="统计口径")).to_be_visible()
    expect(page.locator(".wp-table").first).to_be_visible()
    check_accessibility(page, f"21e-white-paper-public-{width}")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载 PDF").click()
    assert download.value.suggested_filename == f"投诉处理白皮书-{year}-v1.pdf"
