"""Issue 17, audiences: "a withdrawn draft referral's reason (客户选择的是上海中心，误选北京。)
shows on the customer's page and timeline and in the Shanghai mediator's timeline". The bank's
notes reach the bank's staff and auditors only, on pages and API alike."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from referrals.centres import services as referral_services
from tests.conftest import client_for
from tests.factories import OrganisationFactory, make_dispute, opt_in_naming, refer

pytestmark = pytest.mark.django_db
NOTE = "客户选择的是上海中心，误选北京。"


def test_a_dropped_drafts_note_reaches_the_bank_only(customer, staff, mediator, branch, centre):

    dispute = make_dispute(customer, branch)
    beijing = OrganisationFactory.create(name="北京金融街调解中心")
    opt_in_naming(customer, dispute.reference, centre.pk)
    draft = referral_services.referral_create(
        actor=staff, reference=dispute.reference, organisation_id=beijing.pk
    )
    referral_services.referral_withdraw(actor=staff, referral_id=draft.pk, reason=NOTE)
    sent = referral_services.referral_create(
        actor=staff, reference=dispute.reference, organisation_id=centre.pk
    )
    referral_services.referral_send(actor=staff, referral_id=sent.pk)
    url = dispute.get_absolute_url()

    assert NOTE in client_for(staff).get(url).content.decode()
    for party in (customer, mediator):
        page = client_for(party).get(url).content.decode()
        assert NOTE not in page and f"referral-h-{draft.pk}" not in page, party.role
        api = APIClient()
        api.force_authenticate(party)
        timeline = api.get(f"/api/v1/disputes/{dispute.reference}/timeline/")
        if timeline.status_code == 200:
            assert NOTE not in timeline.content.decode()
        listing = api.get("/api/v1/referrals/").content.decode()
        assert NOTE not in listing and str(draft.pk) not in [
            str(r["id"]) for r in api.get("/api/v1/referrals/").json()["results"]
        ]


def test_a_sent_referral_withdrawn_by_the_bank_keeps_its_reason_from_the_parties(
    customer, staff, mediator, branch, centre
):
    dispute = make_dispute(customer, branch)
    referral = refer(dispute, customer, staff, centre)
    referral_services.referral_withdraw(actor=staff, referral_id=referral.pk, reason=NOTE)
    url = dispute.get_absolute_url()
    assert NOTE in client_for(staff).get(url).content.decode()
    customer_page = client_for(customer).get(url).content.decode()
    assert NOTE not in customer_page and "已撤回" in customer_page
    api = APIClient()
    api.force_authenticate(customer)
    body = api.get("/api/v1/referrals/").json()["results"]
    assert body and all(r["reason"] == "" for r in body)
