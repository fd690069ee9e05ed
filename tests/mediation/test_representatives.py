"""Issue 17, 7: "a customer can authorise an agent (relative or lawyer) with a power of
attorney; the agent acts on that case only, and every act records who acted for whom"."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import reverse

from mediation import services
from mediation.models import Representative
from mediation.services.representatives import representative_authorise, representative_revoke
from portal.exceptions import ApplicationError, TransitionRefused
from portal.models import AuditEvent, BindingAct, Notification
from portal.transitions import ActionForbidden
from tests.conftest import client_for
from tests.factories import CustomerFactory, make_dispute, upload_pdf
from tests.factories.files import pdf_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(db):
    return CustomerFactory.create(username="lawyer_li", real_name="李律师")


def authorise(customer, dispute, agent, relation="lawyer"):
    return representative_authorise(
        actor=customer,
        reference=dispute.reference,
        agent_mobile=agent.mobile,
        relation=relation,
        upload=io.BytesIO(pdf_bytes()),
        file_name="授权委托书.pdf",
        size=None,
    )


def test_the_customer_authorises_through_the_page_and_the_agent_acts_for_them(
    customer, staff, branch, agent, django_capture_on_commit_callbacks, stored_files
):
    case = make_dispute(customer, branch, "20000.00")
    other_case = make_dispute(customer, branch, "9000.00")
    with django_capture_on_commit_callbacks(execute=True):
        answer = client_for(customer).post(
            reverse("mediation:action", args=[case.reference, "authorise_agent"]),
            {
                "authorise_agent-agent_mobile": agent.mobile,
                "authorise_agent-relation": "lawyer",
                "authorise_agent-file": SimpleUploadedFile(
                    "授权委托书.pdf", pdf_bytes(), "application/pdf"
                ),
            },
        )
    assert answer.status_code == 302
    representative = Representative.objects.get(dispute=case, agent=agent)
    assert representative.power_of_attorney.category == "power_of_attorney"
    assert stored_files == [(representative.power_of_attorney.file.name, 0)]
    assert Notification.objects.filter(recipient=agent, event="representative_authorised")
    assert Notification.objects.filter(recipient=staff, event="representative_authorised")

    agent_client = client_for(agent)
    page = agent_client.get(case.get_absolute_url()).content.decode()
    assert "您作为" in page and customer.display_name in page
    # That case only: the customer's other case is not the agent's.
    assert agent_client.get(other_case.get_absolute_url()).status_code == 404
    listed = agent_client.get(reverse("mediation:my_disputes")).content.decode()
    assert case.reference in listed and other_case.reference not in listed

    # The agent acts as the customer would; the chain says for whom.
    upload_pdf(agent, case, "补充证据")
    uploaded = AuditEvent.objects.filter(action="evidence.uploaded", actor=agent).latest("seq")
    assert uploaded.data["on_behalf_of"] == customer.username
    services.consent_opt_in(
        actor=agent, reference=case.reference, agree_mediation=True, agree_disclosure=True
    )
    opted = AuditEvent.objects.get(action="dispute.opt_in")
    assert opted.actor == agent and opted.data["on_behalf_of"] == customer.username
    # The customer's own acts carry no such mark.
    own = AuditEvent.objects.get(action="representative.authorised")
    assert "on_behalf_of" not in own.data


def test_a_binding_act_by_the_agent_names_the_customer(customer, staff, branch, centre, agent):
    from tests.factories import customer_discloses

    case = make_dispute(customer, branch, "20000.00")
    authorise(customer, case, agent)
    services.consent_opt_in(
        actor=customer, reference=case.reference, agree_mediation=True, agree_disclosure=True
    )
    customer_discloses(agent, case.reference, centre.pk)
    act = BindingAct.objects.get(kind="consent.disclosure")
    assert act.actor == agent and act.on_behalf_of == customer.username
    assert act.principal_name == customer.display_name


def test_only_the_customer_authorises_or_revokes(customer, other_customer, staff, branch, agent):
    case = make_dispute(customer, branch)
    for outsider in (staff, other_customer):
        with pytest.raises((ActionForbidden, Http404)):
            authorise(outsider, case, agent)
    representative = authorise(customer, case, agent)
    # The agent cannot pass the case on, nor revoke.
    third = CustomerFactory.create()
    with pytest.raises(ActionForbidden):
        authorise(agent, case, third)
    with pytest.raises(ActionForbidden):
        representative_revoke(
            actor=agent, reference=case.reference, representative_id=representative.pk
        )
    page = client_for(agent).get(case.get_absolute_url()).content.decode()
    assert "authorise_agent" not in page and "agent_revoke" not in page.replace("agents", "")


def test_unknown_or_unverified_numbers_are_refused_with_a_word(customer, branch, agent):
    case = make_dispute(customer, branch)
    with pytest.raises(ApplicationError) as unknown:
        representative_authorise(
            actor=customer,
            reference=case.reference,
            agent_mobile="13900000999",
            relation="relative",
            upload=io.BytesIO(pdf_bytes()),
            file_name="a.pdf",
            size=None,
        )
    assert unknown.value.code == "agent_unknown"
    agent.mobile_verified_at = None
    agent.save(update_fields=["mobile_verified_at"])
    with pytest.raises(ApplicationError):
        authorise(customer, case, agent)
    with pytest.raises(ApplicationError) as self_agent:
        representative_authorise(
            actor=customer,
            reference=case.reference,
            agent_mobile=customer.mobile,
            relation="relative",
            upload=io.BytesIO(pdf_bytes()),
            file_name="a.pdf",
            size=None,
        )
    assert self_agent.value.code == "agent_is_customer"
    assert not Representative.objects.exists()


def test_revoking_ends_the_agents_access_at_once(customer, branch, agent):
    case = make_dispute(customer, branch)
    representative = authorise(customer, case, agent)
    assert client_for(agent).get(case.get_absolute_url()).status_code == 200
    client_for(customer).post(
        reverse("mediation:agent_revoke", args=[case.reference, representative.pk]),
        {"reason": "已自行处理"},
    )
    representative.refresh_from_db()
    assert representative.revoked_at is not None
    assert client_for(agent).get(case.get_absolute_url()).status_code == 404
    with pytest.raises(TransitionRefused):
        representative_revoke(
            actor=customer, reference=case.reference, representative_id=representative.pk
        )
