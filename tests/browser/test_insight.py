"""Issue 21's journey: head office opens the complaint figures, clicks a heat-map cell, lands on
the queue of those cases and opens one. Screenshots in test-artifacts/screenshots/."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from mediation.insight.history import seed_history
from mediation.insight.rollups import rollups_refresh
from tests.browser.conftest import check_accessibility
from tests.browser.test_journeys import go_to, sign_in
from tests.factories import StaffFactory, UserFactory, enrol_totp

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width,height", [(390, 844), (1280, 900)])
def test_head_office_drills_from_the_heat_map_to_a_case(page: Page, watch, world, width, height):
    page.set_viewport_size({"width": width, "height": height})
    admin = UserFactory.create(username="importer", role="admin")
    seed_history(actor=admin, days=60)
    rollups_refresh()
    from portal.models import Branch

    head_office = Branch.objects.get(code="HO")
    chief = StaffFactory.create(username="chief", branch=head_office, real_name="陈静")
    enrol_totp(chief)
    sign_in(page, "chief")
    go_to(page, "统计")
    expect(page.get_by_role("heading", name="投诉统计")).to_be_visible()
    expect(page.locator("#kpis")).to_contain_text("受理投诉")
    # The charts draw (vendored ECharts, under the strict CSP: no console error) beside tables.
    expect(page.locator(".chart.chart-drawn canvas").first).to_be_visible()
    expect(page.locator("#category")).to_be_visible()
    check_accessibility(page, f"21a-figures-{width}")
    cell = page.locator("#heat a").first
    count = int(cell.inner_text())
    cell.click()
    expect(page).to_have_url(re.compile(r"/disputes/queue/\?branch=\d+&received_from="))
    rows = page.locator("table.list tbody tr")
    expect(rows).to_have_count(min(count, 25))
    check_accessibility(page, f"21b-heat-drilldown-{width}")
    page.locator("table.list tbody a").first.click()
    expect(page.get_by_role("heading", name=re.compile("纠纷 HS-"))).to_be_visible()
