"""Issue 19: the pages people live in fit a phone and a desk. At 390x844 and 1280x900 the
customer's home, filing form and case page, the staff queue, the mediator's case page and the
head-office home never scroll sideways, and no status pill breaks over two lines; each is
axe-clean and saved as a screenshot (test-artifacts/screenshots/19-fit-*)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page

from referrals.centres import services as referral_services
from tests.browser.conftest import check_accessibility
from tests.browser.test_journeys import beside_the_browser
from tests.conftest import client_for
from tests.factories import BranchFactory, CustomerFactory, StaffFactory, make_dispute, refer

pytestmark = [pytest.mark.django_db(transaction=True)]

# Everything wider than the viewport, and every pill taller than one line of its text.
MEASURE = """() => {
  const wide = document.documentElement.scrollWidth - window.innerWidth;
  const wrapped = [...document.querySelectorAll('.badge')].filter(el => {
    const style = getComputedStyle(el);
    const line = parseFloat(style.fontSize) * 1.6;
    return el.getBoundingClientRect().height > line * 1.5 + 4;
  }).map(el => el.textContent.trim());
  return {wide, wrapped};
}"""


def _as(page: Page, live_server, user) -> None:
    """Signed in as `user` (past the second factor, which has its own journey)."""
    page.context.clear_cookies()
    session = client_for(user).cookies["sessionid"].value
    page.context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])


@pytest.mark.parametrize("width,height", [(390, 844), (1280, 900)])
def test_the_pages_people_live_in_fit_the_screen(
    page: Page, watch, world, live_server, width, height
):
    page.set_viewport_size({"width": width, "height": height})
    staff, centre, mediator = world["staff"], world["centre"], world["mediator"]
    customer = CustomerFactory.create(real_name="张伟")
    case = make_dispute(
        customer,
        world["branch"],
        "15000.00",
        request="请赔偿理财产品的全部本金损失，并说明当初为何向我推荐高风险产品。",
    )
    referral = beside_the_browser(refer, case, customer, staff, centre)
    referral_services.referral_acknowledge(actor=mediator, referral_id=referral.pk)
    referral_services.referral_accept(
        actor=mediator, referral_id=referral.pk, mediator_id=mediator.pk
    )
    for n in range(6):
        make_dispute(CustomerFactory.create(), world["branch"], f"{300 + n}.00")
    head_office = StaffFactory.create(branch=BranchFactory.create(code="HO", is_head_office=True))
    pages = [
        ("customer-home", customer, reverse("home")),
        ("customer-file", customer, reverse("mediation:file")),
        ("customer-case", customer, case.get_absolute_url()),
        ("staff-queue", staff, reverse("mediation:queue")),
        ("mediator-case", mediator, case.get_absolute_url()),
        ("head-office-home", head_office, reverse("home")),
    ]
    misfits = {}
    for name, user, url in pages:
        _as(page, live_server, user)
        page.goto(url)
        measured = page.evaluate(MEASURE)
        if measured["wide"] > 0 or measured["wrapped"]:
            misfits[name] = measured
        check_accessibility(page, f"19-fit-{name}-{width}")
    assert not misfits, misfits
