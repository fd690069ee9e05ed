"""Issue 22, 4: linked complainants. Different customers joined by a shared agent, contact
number, account or card number, or device form clusters shown to head office with the reasons;
each review is audited; nothing about the customers' complaints changes."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mediation.models import Consent, Dispute
from mediation.problems import linked
from mediation.problems.models import ClusterReview
from portal.exceptions import ApplicationError
from portal.models import AuditEvent
from portal.transitions import ActionForbidden
from tests.conftest import client_for
from tests.factories import CustomerFactory, make_dispute
from tests.mediation.test_representatives import authorise

pytestmark = pytest.mark.django_db


def represented(agent, branch, n: int) -> list[Dispute]:
    """`n` customers each authorise `agent` on a complaint of theirs."""
    disputes = []
    for _i in range(n):
        customer = CustomerFactory.create()
        dispute = make_dispute(customer, branch, "3000.00")
        authorise(customer, dispute, agent, relation="other")
        disputes.append(dispute)
    return disputes


def people(cluster) -> set[int]:
    return set(cluster.people)


def test_one_agent_for_three_customers_is_a_cluster_two_are_not(branch):
    agent = CustomerFactory.create(real_name="代理人甲")
    pair = represented(agent, branch, 2)
    assert linked.clusters() == []
    third = represented(agent, branch, 1)
    [cluster] = linked.clusters()
    assert people(cluster) == {d.customer_id for d in pair + third}
    [reason] = cluster.reasons
    assert reason.kind == "agent" and reason.shown == "代理人甲" and reason.people == 3


def test_a_number_and_an_account_join_people_through_one_another(branch):
    a = CustomerFactory.create(mobile="13911112222")
    b = CustomerFactory.create(mobile=None, mobile_verified_at=None, recorded_mobile="13911112222")
    c = CustomerFactory.create()
    make_dispute(b, branch, "100.00", account_number="6222020000001234")
    make_dispute(c, branch, "100.00", account_number="6222020000001234")
    [cluster] = linked.clusters()
    assert people(cluster) == {a.pk, b.pk, c.pk}
    shown = {r.kind: r.shown for r in cluster.reasons}
    assert shown == {"phone": "*******2222", "account": "************1234"}


def test_the_same_device_joins_customers(branch):
    device = {"ip_address": "203.0.113.7", "user_agent": "Mozilla/5.0 (Linux; Android 14)"}
    customers = [CustomerFactory.create() for _ in range(3)]
    for customer in customers:
        dispute = make_dispute(customer, branch, "100.00")
        Consent.objects.create(
            dispute=dispute,
            kind=Consent.Kind.MEDIATION,
            purpose="调解",
            text="同意调解",
            text_version="1",
            granted_at=timezone.now(),
            **device,
        )
    [cluster] = linked.clusters()
    assert people(cluster) == {c.pk for c in customers}
    assert [r.kind for r in cluster.reasons] == ["device"]


@pytest.fixture
def group(branch):
    return represented(CustomerFactory.create(real_name="代理人乙"), branch, 3)


def test_head_office_reads_and_reviews_auditors_read_others_get_404(
    group, hq_staff, auditor, staff, customer, mediator
):
    url = reverse("problems:linked")
    page = client_for(hq_staff).get(url).content.decode()
    assert "代理人乙" in page and group[0].reference in page and 'name="decision"' in page
    audit_page = client_for(auditor).get(url).content.decode()
    assert "代理人乙" in audit_page and 'name="decision"' not in audit_page
    for outsider in (staff, customer, mediator):
        assert client_for(outsider).get(url).status_code == 404
    assert client_for(auditor).post(url, {"decision": "watch"}).status_code == 404
    assert not ClusterReview.objects.exists()


def test_a_review_is_recorded_audited_and_changes_nothing_else(group, hq_staff, branch):
    [cluster] = linked.clusters()
    before = list(Dispute.objects.order_by("pk").values_list("status", "next_deadline"))
    client = client_for(hq_staff)
    url = reverse("problems:linked")
    empty = client.post(url, {"people": ",".join(map(str, cluster.people)), "decision": "watch"})
    assert empty.status_code == 302 and not ClusterReview.objects.exists()
    done = client.post(
        url,
        {
            "people": ",".join(map(str, cluster.people)),
            "decision": "organised",
            "note": "同一代理人代三人投诉，授权书笔迹一致。",
        },
        follow=True,
    )
    assert "授权书笔迹一致" in done.content.decode()
    review = ClusterReview.objects.get()
    assert review.decision == "organised" and review.fingerprint == cluster.fingerprint
    event = AuditEvent.objects.get(action="linked_cluster.reviewed")
    assert event.data["people"] == 3 and event.data["reasons"] == ["agent"]
    assert list(Dispute.objects.order_by("pk").values_list("status", "next_deadline")) == before

    # The group grows: the page says so, and a review of the old set is refused.
    agent = group[0].representatives.get().agent
    represented(agent, branch, 1)
    assert "审查后有变更" in client.get(url).content.decode()
    with pytest.raises(ApplicationError):
        linked.cluster_review(actor=hq_staff, people=cluster.people, decision="watch", note="再看")


def test_only_head_office_records_a_review(group, staff):
    [cluster] = linked.clusters()
    with pytest.raises(ActionForbidden):
        linked.cluster_review(actor=staff, people=cluster.people, decision="watch", note="x")


def test_bad_people_lists_are_a_message_not_a_500(group, hq_staff):
    client = client_for(hq_staff)
    for bad in ("1,x", "9" * 30, ""):
        answer = client.post(
            reverse("problems:linked"), {"people": bad, "decision": "watch", "note": "看"}
        )
        assert answer.status_code == 302
    assert not ClusterReview.objects.exists()


def test_the_page_reads_a_constant_number_of_queries(group, branch, hq_staff):
    client = client_for(hq_staff)
    url = reverse("problems:linked")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for name in ("代理人丙", "代理人丁"):
        represented(CustomerFactory.create(real_name=name), branch, 4)
    with CaptureQueriesContext(connection) as three:
        page = client.get(url).content.decode()
    assert "代理人丙" in page and "代理人丁" in page
    assert len(three) == len(one)
