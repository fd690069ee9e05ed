"""Issue 17, 1: a disclosure consent is a binding act. Naming the centre that receives the
customer's personal information (PIPL arts. 23, 29) is made on its own page: the whole text,
the sensitive data named, a tick, a one-time code; the act is sealed. Opting in names no one."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from mediation import services
from mediation.models import Consent
from portal.exceptions import ApplicationError
from portal.models import AuditEvent, BindingAct
from referrals.centres import services as referral_services
from tests.conftest import client_for
from tests.factories import make_dispute, sms_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_lane(customer, branch):
    d = make_dispute(customer, branch, "20000.00")
    return services.consent_opt_in(
        actor=customer, reference=d.reference, agree_mediation=True, agree_disclosure=True
    )


def url(dispute, centre=None) -> str:
    page = reverse("mediation:disclosure", args=[dispute.reference])
    return f"{page}?organisation={centre.pk}" if centre else page


def test_the_customer_names_the_centre_with_the_code(
    in_lane, customer, staff, centre, django_capture_on_commit_callbacks
):
    draft = referral_services.referral_create(
        actor=staff, reference=in_lane.reference, organisation_id=centre.pk
    )
    client = client_for(customer)
    assert url(in_lane, centre) in client.get("/").content.decode()  # waiting on the home
    with pytest.raises(ApplicationError):  # not sent before the consent names the centre
        referral_services.referral_send(actor=staff, referral_id=draft.pk)

    choose = client.get(url(in_lane)).content.decode()
    assert "text_sha256" not in choose and centre.name in choose
    page = client.get(url(in_lane, centre)).content.decode()
    assert centre.name in page and "敏感个人信息" in page and "第十五条" in page
    found = re.search(r'name="text_sha256" value="([0-9a-f]{64})"', page)
    assert found is not None
    shown = found.group(1)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(in_lane, centre), {"send": "1"})
    code = sms_code(customer.mobile)
    wrong = "000000" if code != "000000" else "111111"
    refused = client.post(url(in_lane, centre), {"read": "1", "code": wrong, "text_sha256": shown})
    assert "验证码错误" in refused.content.decode()
    assert not in_lane.consents.filter(recipient=centre).exists()

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url(in_lane, centre), {"read": "1", "code": code, "text_sha256": shown})
    assert done.status_code == 302
    consent = Consent.objects.get(dispute=in_lane, recipient=centre)
    act = BindingAct.objects.get(actor=customer, kind="consent.disclosure")
    assert act.target_id == str(consent.pk) and act.text_sha256 == shown
    assert act.status == BindingAct.Status.READY  # sealed by the worker after commit
    assert AuditEvent.objects.filter(action="binding_act.confirmed", target_id=str(act.pk))
    referral_services.referral_send(actor=staff, referral_id=draft.pk)
    assert url(in_lane, centre) not in client.get("/").content.decode()
    # Given once: the page now says so rather than asking again.
    again = client.get(url(in_lane, centre), follow=True).content.decode()
    assert "您对该调解组织的同意已经生效" in again and "text_sha256" not in again


def test_the_service_refuses_a_consent_without_the_code(in_lane, customer, centre):
    with pytest.raises(ApplicationError) as refused:
        services.consent_give_disclosure(
            actor=customer,
            reference=in_lane.reference,
            organisation_id=centre.pk,
            proof=None,
            shown_sha256="0" * 64,
        )
    assert refused.value.code == "reauthentication_required"
    assert not in_lane.consents.filter(recipient=centre).exists()


@pytest.mark.parametrize("who", ["other_customer", "staff", "mediator"])
def test_only_the_cases_customer_reaches_the_page(in_lane, centre, who, request):
    user = request.getfixturevalue(who)
    assert client_for(user).get(url(in_lane, centre)).status_code == 404


def test_choosing_a_centre_when_opting_in_leads_to_its_consent_page(customer, branch, centre):
    d = make_dispute(customer, branch, "20000.00")
    answer = client_for(customer).post(
        reverse("mediation:action", args=[d.reference, "opt_in"]),
        {
            "opt_in-organisation": centre.pk,
            "opt_in-agree_mediation": "on",
            "opt_in-agree_disclosure": "on",
        },
    )
    assert answer.status_code == 302 and answer["Location"] == url(d, centre)
    # Opting in named nobody: the general consent has no recipient.
    assert not d.consents.filter(recipient__isnull=False).exists()
