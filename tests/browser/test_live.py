"""Issue 19, 1: the case page shows a bundle's build finish without a reload (vendored htmx
under the strict CSP: no console error), at 390x844 and 1280x900."""

from __future__ import annotations

import io

import pytest
from playwright.sync_api import Page, expect

from mediation.services.evidence import evidence_upload
from portal.models import OrganisationKind
from referrals.bundles.services import bundle_generate, bundle_request
from tests.browser.conftest import check_accessibility
from tests.browser.test_journeys import beside_the_browser, sign_in
from tests.factories import CustomerFactory, make_dispute
from tests.factories.files import pdf_bytes

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width,height", [(390, 844), (1280, 900)])
def test_a_bundle_being_built_turns_ready_on_the_page(
    page: Page, watch, world, settings, width, height
):
    page.set_viewport_size({"width": width, "height": height})
    # The worker is not running: the bundle waits in the queue until the test builds it.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    customer = CustomerFactory.create()
    dispute = make_dispute(customer, world["branch"], "8000")
    item = evidence_upload(
        actor=customer,
        reference=dispute.reference,
        upload=io.BytesIO(pdf_bytes(2)),
        original_name="合同.pdf",
        declared_size=len(pdf_bytes(2)),
        title="理财合同",
        category="contract",
    )
    bundle = bundle_request(
        actor=world["staff"],
        reference=dispute.reference,
        recipient_kind=OrganisationKind.COURT,
        evidence_ids=[item.pk],
    )
    sign_in(page, "staff")
    page.goto(dispute.get_absolute_url())
    table = page.locator("#bundle-table")
    expect(table).to_contain_text("排队中")
    check_accessibility(page, f"19c-bundle-queued-{width}")
    beside_the_browser(bundle_generate, bundle_id=bundle.pk)  # the worker builds it
    expect(table.get_by_role("link", name="PDF")).to_be_visible(timeout=10_000)
    expect(table).to_contain_text("已生成")
    assert page.locator("#bundle-table[hx-get]").count() == 0  # no more asking


@pytest.mark.parametrize("width,height", [(390, 844), (1280, 900)])
def test_the_unread_count_appears_without_a_reload(page: Page, watch, world, width, height):
    """A notice arriving while the page is open shows in the header's count when the page next
    asks (every minute; here the test asks at once), without a reload."""
    from portal.notifications import notify

    page.set_viewport_size({"width": width, "height": height})
    sign_in(page, "staff")
    page.goto("/")
    expect(page.locator(".bell .badge")).to_have_count(0)
    beside_the_browser(
        lambda: notify(
            "dispute_received", recipients=[world["staff"]], params={"ref": "MD-1", "due": "-"}
        )
    )
    page.evaluate("htmx.trigger(document.querySelector('.bell-count'), 'refresh')")
    expect(page.locator(".bell .badge")).to_have_text("1")
    check_accessibility(page, f"19-unread-count-live-{width}")
