"""Issue 19's desk journey: a member of staff finds a caller's case by the last four digits of
their ID number, ticks ten new cases and triages them in one go, gives them to a colleague, and
downloads the queue; the XLSX holds the ten rows. At 390x844 and 1280x900, axe-clean, with
screenshots in test-artifacts/screenshots/."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from mediation.lifecycle import DisputeStatus
from mediation.models import Dispute
from tests.browser.conftest import check_accessibility
from tests.browser.test_journeys import go_to, open_action, sign_in
from tests.factories import CustomerFactory, StaffFactory, make_dispute

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width,height", [(390, 844), (1280, 900)])
def test_staff_search_bulk_triage_and_export(page: Page, watch, world, width, height):
    page.set_viewport_size({"width": width, "height": height})
    branch = world["branch"]
    colleague = StaffFactory.create(branch=branch, real_name="何军")
    caller = CustomerFactory.create(real_name="欧阳明", id_number="11010119900307301X")
    wanted = make_dispute(caller, branch, "8000", category="credit_card", request="退还年费。")
    new = [
        make_dispute(CustomerFactory.create(), branch, "500", request=f"第{n}号：多扣手续费")
        for n in range(10)
    ]
    sign_in(page, "staff")
    go_to(page, "纠纷工作台")

    # A caller reads out the last four digits of their ID number.
    page.get_by_label("查找").fill("301x")
    page.get_by_role("button", name="筛选").click()
    rows = page.locator("table.list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(wanted.reference)
    expect(rows.first).to_contain_text("退还年费。")
    check_accessibility(page, f"19a-queue-search-{width}")

    # The ten new cases: tick them, triage them together.
    page.get_by_role("link", name="清除").click()
    page.get_by_label("状态").select_option(label="已提交")
    page.get_by_role("button", name="筛选").click()
    for d in new:
        page.get_by_label(f"选择 {d.reference}").check()
    panel = open_action(page, "分诊")
    panel.get_by_label("案由").fill("银行卡纠纷")
    panel.get_by_label("紧急程度").select_option(label="紧急")
    panel.get_by_role("button", name="分诊").click()
    expect(page.locator(".messages")).to_contain_text("分诊：已完成 10 件")
    check_accessibility(page, f"19b-queue-bulk-triaged-{width}")
    assert all(
        (d.status, d.cause_label) == (DisputeStatus.TRIAGED, "银行卡纠纷")
        for d in Dispute.objects.filter(pk__in=[d.pk for d in new])
    )

    # Give them to a colleague (tick all on the page: the page lists just these ten).
    page.get_by_label("状态").select_option(label="已分诊")
    page.get_by_role("button", name="筛选").click()
    expect(page.locator("table.list tbody tr")).to_have_count(10)
    page.get_by_role("button", name="勾选本页全部").click()
    panel = open_action(page, "指派经办人")
    panel.get_by_label("经办人").select_option(label=f"何军（{branch.name}）")
    panel.get_by_role("button", name="指派经办人").click()
    expect(page.locator(".messages")).to_contain_text("指派经办人：已完成 10 件")
    assert set(
        Dispute.objects.filter(pk__in=[d.pk for d in new]).values_list("handler", flat=True)
    ) == {colleague.pk}

    # The triaged cases, downloaded: the XLSX holds the ten rows.
    with page.expect_download() as download:
        page.get_by_role("link", name="Excel (XLSX)").click()
    sheet = load_workbook(BytesIO(download.value.path().read_bytes())).active
    assert sheet is not None
    rows_out = list(sheet.iter_rows(min_row=2, values_only=True))
    assert sorted(r[0] for r in rows_out) == sorted(d.reference for d in new)
    assert all(re.match(r"第\d号：多扣手续费", str(r[5])) for r in rows_out)
