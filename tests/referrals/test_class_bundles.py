"""Issue 22, 5, the referrals side of a class of problems: "bundles are built in a batch" (head
office asks once on a class's page; each chosen member's case gets its own bundle through the
case page's service; cases that cannot have one are left out with the reason; nobody else may
ask) and "the look-back review of its cases sees the class"."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from mediation.problems import offers, services
from mediation.problems.models import ClassMember, OfferStatus
from referrals.bundles.batch import class_bundles_request
from referrals.models import Bundle, BundleStatus
from tests.conftest import client_for
from tests.factories import CustomerFactory, class_rule, make_dispute, upload_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def declined(branch, hq_staff, legal_library):
    """A class of three people who all declined their offer; two uploaded evidence."""
    people = [CustomerFactory() for _ in range(3)]
    disputes = [make_dispute(p, branch, "10000.00", product_code="GSJ") for p in people]
    for d in disputes[:2]:
        upload_pdf(d.customer, d, "购买合同", category="contract")
    problem = services.class_open(
        actor=hq_staff, title="固收+", references=[d.reference for d in disputes]
    )
    class_rule(hq_staff, problem)
    services.class_send_offers(actor=hq_staff, class_id=problem.pk)
    for m in problem.members.select_related("dispute__customer"):
        offers.offer_decline(actor=m.dispute.customer, member_id=m.pk)
    return problem


def test_each_declined_members_case_gets_its_bundle(
    declined, hq_staff, centre, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the worker builds after commit
        result = class_bundles_request(
            actor=hq_staff,
            class_id=declined.pk,
            who="declined",
            recipient_kind="mediation_centre",
            organisation_id=centre.pk,
        )
    assert result.requested == 2 and sum(result.left_out.values()) == 1
    assert any("证据" in reason or "evidence" in reason for reason in result.left_out)
    bundles = Bundle.objects.filter(dispute__class_memberships__problem_class=declined)
    assert bundles.count() == 2
    assert {b.status for b in bundles} == {BundleStatus.READY}
    assert {b.organisation_id for b in bundles} == {centre.pk}


def test_a_bundle_in_flight_is_not_asked_for_twice(declined, hq_staff):
    first = class_bundles_request(
        actor=hq_staff, class_id=declined.pk, who="declined", recipient_kind="mediation_centre"
    )
    assert first.requested == 2  # queued: the commit that would start the worker never comes
    again = class_bundles_request(
        actor=hq_staff, class_id=declined.pk, who="declined", recipient_kind="mediation_centre"
    )
    assert again.requested == 0 and sum(again.left_out.values()) == 3
    assert Bundle.objects.count() == 2


def test_only_accepted_members_are_left_out_of_not_settled(declined, hq_staff):
    member = declined.members.first()
    assert member is not None
    type(member).objects.filter(pk=member.pk).update(offer_status=OfferStatus.ACCEPTED)
    result = class_bundles_request(
        actor=hq_staff, class_id=declined.pk, who="not_settled", recipient_kind="court"
    )
    assert result.requested + sum(result.left_out.values()) == 2


def test_from_the_class_page(declined, hq_staff, staff, customer, centre):
    url = reverse("referrals:class_bundles", args=[declined.pk])
    page = client_for(hq_staff).get(declined.get_absolute_url()).content.decode()
    assert url in page
    branch_page = client_for(staff).get(declined.get_absolute_url()).content.decode()
    assert url not in branch_page
    for outsider in (staff, customer):
        assert client_for(outsider).post(url, {"batch-who": "declined"}).status_code == 404
    assert not Bundle.objects.exists()
    client = client_for(hq_staff)
    wrong = client.post(
        url,
        {"batch-who": "declined", "batch-recipient_kind": "court", "batch-organisation": centre.pk},
    )
    assert wrong.status_code == 302 and not Bundle.objects.exists()
    done = client.post(
        url,
        {
            "batch-who": "declined",
            "batch-recipient_kind": "mediation_centre",
            "batch-organisation": centre.pk,
        },
        follow=True,
    )
    text = done.content.decode()
    assert Bundle.objects.count() == 2
    assert "2" in text and 'id="class-bundles"' in text
    # Staff of the branch now see how far the batch has got, without the form.
    branch_page = client_for(staff).get(declined.get_absolute_url()).content.decode()
    assert 'id="class-bundles"' in branch_page and url not in branch_page


def test_the_look_back_review_of_a_settled_case_sees_its_class(
    branch, customer, hq_staff, auditor, legal_library
):
    from portal.binding import Reauthenticated
    from referrals.reviews.models import LookbackReview

    dispute = make_dispute(customer, branch, "10000.00", product_code="GSJ")
    problem = services.class_open(
        actor=hq_staff, title="固收+净值下跌", references=[dispute.reference]
    )
    class_rule(hq_staff, problem)
    services.class_send_offers(actor=hq_staff, class_id=problem.pk)
    member = ClassMember.objects.get(problem_class=problem)  # with the rule now recorded
    offers.offer_accept(
        actor=customer,
        member_id=member.pk,
        proof=Reauthenticated(user_id=customer.pk, at=timezone.now(), method="sms_code"),
        shown_sha256=offers.offer_act_text(member).sha256,
    )
    services.rectification_add(
        actor=hq_staff, class_id=problem.pk, kind="clause", description="改写风险揭示条款"
    )
    review = LookbackReview.objects.get(dispute=dispute)  # scheduled by the settlement
    page = client_for(auditor).get(reverse("reviews:detail", args=[review.pk])).content.decode()
    section = page[page.index('id="review-class"') :]
    for shown in (
        "固收+净值下跌",
        "违反适当性义务",
        "7,000.00",
        "已接受",
        "改写合同条款",
        "尚未完成",
    ):
        assert shown in section, shown
    # A case outside any class has no such section.
    other = make_dispute(customer, branch, "500.00", category="cards")
    assert (
        'id="review-class"'
        not in client_for(auditor)
        .get(reverse("mediation:detail", args=[other.reference]))
        .content.decode()
    )
