"""Classes of problems (mediation/problems/): who sees and runs a class, its rule and offers at
their edges, the customer's answer, payments and rectification, closing, and each audience's
page. The seed's worked case end to end is tests/problems/test_scenario.py."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import mediation.problems.lifecycle as class_lifecycle
from mediation.lifecycle import ClosureReason, DisputeStatus
from mediation.models import Dispute, Product
from mediation.problems import offers, services
from mediation.problems.models import ClassMember, OfferStatus, ProblemClass
from portal.binding import Reauthenticated
from portal.exceptions import ApplicationError
from portal.models import Notification
from portal.transitions import ActionForbidden
from tests.conftest import client_for
from tests.factories import CustomerFactory, class_rule, make_dispute, refer
from tests.lifecycle_tables import declared_transitions, docstring_table

pytestmark = pytest.mark.django_db

CODE = "GSJ-T"


@pytest.fixture(autouse=True)
def _product(db):
    Product.objects.create(code=CODE, name="固收+测试", risk_level=3, equity_share=Decimal("35"))


def complaint(customer, branch, amount="10000.00", rating=2, **kw) -> Dispute:
    kw.setdefault("product_code", CODE)
    return make_dispute(customer, branch, amount, risk_rating_at_sale=rating, **kw)


def opened(actor, disputes, title="固收+净值下跌") -> ProblemClass:
    return services.class_open(actor=actor, title=title, references=[d.reference for d in disputes])


def proof(user) -> Reauthenticated:
    return Reauthenticated(user_id=user.pk, at=timezone.now(), method="sms_code")


def accept(member: ClassMember) -> ClassMember:
    customer = member.dispute.customer
    member = ClassMember.objects.get(pk=member.pk)
    return offers.offer_accept(
        actor=customer,
        member_id=member.pk,
        proof=proof(customer),
        shown_sha256=offers.offer_act_text(member).sha256,
    )


@pytest.fixture
def offered(customer, other_customer, branch, hq_staff, legal_library):
    """A class of two people with its offers sent: the customer's 10,000 and another's 40,000."""
    mine = complaint(customer, branch, "10000.00")
    theirs = complaint(other_customer, branch, "40000.00")
    problem = opened(hq_staff, [mine, theirs])
    class_rule(hq_staff, problem)
    services.class_send_offers(actor=hq_staff, class_id=problem.pk)
    return problem


def member_of(problem, customer) -> ClassMember:
    return problem.members.get(dispute__customer=customer)


# The lifecycle


def test_table_matches_code():
    assert docstring_table(class_lifecycle) == declared_transitions(ProblemClass)


def test_offers_need_a_rule(customer, branch, hq_staff, legal_library):
    problem = opened(hq_staff, [complaint(customer, branch)])
    with pytest.raises(ApplicationError, match=r"规则|rule"):
        services.class_send_offers(actor=hq_staff, class_id=problem.pk)
    assert ProblemClass.objects.get(pk=problem.pk).status == "open"
    assert member_of(problem, customer).offer_status == OfferStatus.PENDING


def test_the_rule_is_fixed_once_offers_go(offered, hq_staff):
    with pytest.raises(ApplicationError):
        class_rule(hq_staff, offered, share="90")
    assert ProblemClass.objects.get(pk=offered.pk).share == Decimal("70")


def test_a_class_closes_only_with_no_offer_waiting(offered, customer, other_customer, hq_staff):
    with pytest.raises(ApplicationError, match="2"):
        services.class_close(actor=hq_staff, class_id=offered.pk, outcome="结束")
    # The page says what it waits for instead of a button that would be refused; and with
    # every member offered, there is nothing to send.
    page = client_for(hq_staff).get(offered.get_absolute_url()).content.decode()
    assert 'value="close"' not in page and "还有 2 份要约等待客户答复" in page
    assert 'id="send-offers"' not in page
    accept(member_of(offered, customer))
    offers.offer_decline(actor=other_customer, member_id=member_of(offered, other_customer).pk)
    page = client_for(hq_staff).get(offered.get_absolute_url()).content.decode()
    assert 'value="close"' in page
    with pytest.raises(ApplicationError):
        services.class_close(actor=hq_staff, class_id=offered.pk, outcome=" ")
    services.class_close(actor=hq_staff, class_id=offered.pk, outcome="已全部答复。")
    closed = ProblemClass.objects.get(pk=offered.pk)
    assert closed.status == "closed" and closed.closed_at is not None
    for refused in (
        lambda: services.class_send_offers(actor=hq_staff, class_id=offered.pk),
        lambda: services.class_add_cases(actor=hq_staff, class_id=offered.pk, references=[]),
        lambda: services.class_close(actor=hq_staff, class_id=offered.pk, outcome="再次"),
    ):
        with pytest.raises((ApplicationError, ActionForbidden)):
            refused()


# Who runs a class


def test_only_head_office_staff_open_and_run_a_class(
    customer, branch, staff, auditor, hq_staff, legal_library
):
    dispute = complaint(customer, branch)
    for outsider in (staff, auditor, customer):
        with pytest.raises((ActionForbidden, ApplicationError)):
            opened(outsider, [dispute])
    problem = opened(hq_staff, [dispute])
    with pytest.raises(ActionForbidden):
        class_rule(staff, problem)
    # The branch's staff read it (it holds their case); pressing a form is refused.
    page = client_for(staff).get(problem.get_absolute_url())
    assert page.status_code == 200 and "send-offers" not in page.content.decode()
    post = client_for(staff).post(problem.get_absolute_url(), {"form": "send"})
    assert post.status_code == 404
    assert member_of(problem, customer).offer_status == OfferStatus.PENDING


def test_outsiders_get_the_404_of_a_missing_class(
    customer, other_customer, branch, other_staff, mediator, hq_staff, legal_library
):
    problem = opened(hq_staff, [complaint(customer, branch)])
    for outsider in (other_staff, customer, other_customer, mediator):
        assert client_for(outsider).get(problem.get_absolute_url()).status_code == 404
    for outsider in (customer, mediator):
        assert client_for(outsider).get(reverse("problems:list")).status_code == 404
    # Another branch's staff see an empty list, not this class.
    listing = client_for(other_staff).get(reverse("problems:list")).content.decode()
    assert problem.title not in listing


def test_a_class_is_opened_from_cases_the_actor_can_see(customer, branch, hq_staff):
    dispute = complaint(customer, branch)
    with pytest.raises(ApplicationError) as missing:
        services.class_open(
            actor=hq_staff, title="x", references=[dispute.reference, "MD-2026-999999"]
        )
    assert "MD-2026-999999" in str(missing.value)
    with pytest.raises(ApplicationError):
        services.class_open(actor=hq_staff, title="  ", references=[dispute.reference])
    assert not ProblemClass.objects.exists()


def test_a_person_joins_once_by_their_first_case_and_never_two_classes(customer, branch, hq_staff):
    first = complaint(customer, branch, channel="web")
    again = complaint(customer, branch, channel="phone")
    assert again.repeat_of == first
    problem = opened(hq_staff, [again])  # the repeat brings its primary
    assert list(problem.members.values_list("dispute_id", flat=True)) == [first.pk]
    other = services.class_open(actor=hq_staff, title="另一类", references=[first.reference])
    assert other.members.count() == 0  # already in a class: left where it is
    added, left = services.class_add_cases(
        actor=hq_staff, class_id=problem.pk, references=[first.reference, again.reference]
    )
    assert (added, left) == (0, 1)


# The rule and the offers


@pytest.mark.parametrize(
    ("tokens", "message"),
    [
        (("民法典:99999",), "民法典:99999"),
        (("无此法:1",), "无此法:1"),
        ((), ""),
    ],
)
def test_citations_are_articles_in_the_library(
    customer, branch, hq_staff, legal_library, tokens, message
):
    problem = opened(hq_staff, [complaint(customer, branch)])
    with pytest.raises(ApplicationError) as refused:
        class_rule(hq_staff, problem, tokens=tokens)
    assert message in str(refused.value)
    assert ProblemClass.objects.get(pk=problem.pk).share is None


@pytest.mark.parametrize(("share", "cap"), [("0", None), ("100.01", None), ("70", "0")])
def test_the_share_and_cap_are_checked(customer, branch, hq_staff, legal_library, share, cap):
    problem = opened(hq_staff, [complaint(customer, branch)])
    with pytest.raises(ApplicationError):
        class_rule(hq_staff, problem, share=share, cap=cap)


def test_the_citation_accepts_a_chinese_colon(customer, branch, hq_staff, legal_library):
    problem = opened(hq_staff, [complaint(customer, branch)])
    class_rule(hq_staff, problem, tokens=("九民纪要：72",))
    assert [a.token for a in problem.citations.all()] == ["九民纪要:72"]


def test_offers_are_the_share_rounded_to_the_fen_and_capped(
    customer, other_customer, branch, hq_staff, legal_library
):
    small = complaint(customer, branch, "333.33")
    large = complaint(other_customer, branch, "48000.00")
    problem = opened(hq_staff, [small, large])
    class_rule(hq_staff, problem, share="70", cap="30000")
    assert services.class_send_offers(actor=hq_staff, class_id=problem.pk) == (2, 0)
    assert member_of(problem, customer).offer == Decimal("233.33")  # 233.331
    assert member_of(problem, other_customer).offer == Decimal("30000.00")  # 33,600 capped


def test_the_mismatch_rule_and_cases_held_elsewhere_are_not_offered(
    customer, other_customer, branch, staff, centre, hq_staff, legal_library
):
    suitable = complaint(customer, branch, rating=4)  # C4 bought R3: no mismatch
    third = CustomerFactory()
    held = complaint(third, branch, rating=1)
    refer(held, third, staff, centre)  # a centre now holds it
    mismatched = complaint(other_customer, branch, rating=2)
    problem = opened(hq_staff, [suitable, held, mismatched])
    class_rule(hq_staff, problem, eligibility="mismatch")
    assert services.class_send_offers(actor=hq_staff, class_id=problem.pk) == (1, 2)
    assert member_of(problem, other_customer).offer_status == OfferStatus.SENT
    left = member_of(problem, customer)
    assert left.offer_status == OfferStatus.NOT_ELIGIBLE and left.offer is None
    assert "风险" in left.offer_note or "risk" in left.offer_note
    assert member_of(problem, third).offer_status == OfferStatus.NOT_ELIGIBLE
    # Sending again offers nobody twice.
    assert services.class_send_offers(actor=hq_staff, class_id=problem.pk) == (0, 0)


def test_a_case_added_while_offering_is_offered_by_the_next_send(
    offered, branch, hq_staff, django_capture_on_commit_callbacks
):
    late = CustomerFactory()
    dispute = complaint(late, branch, "2000.00")
    services.class_add_cases(actor=hq_staff, class_id=offered.pk, references=[dispute.reference])
    with django_capture_on_commit_callbacks(execute=True):
        assert services.class_send_offers(actor=hq_staff, class_id=offered.pk) == (1, 0)
    assert member_of(offered, late).offer == Decimal("1400.00")
    assert (
        Notification.objects.filter(recipient_id=dispute.customer_id, event="class_offer").count()
        == 1
    )


# The customer's answer


def test_accepting_needs_the_code_and_the_text_shown(offered, customer):
    member = member_of(offered, customer)
    with pytest.raises(ApplicationError):
        offers.offer_accept(actor=customer, member_id=member.pk, proof=None, shown_sha256="")
    with pytest.raises(ApplicationError):
        offers.offer_accept(
            actor=customer, member_id=member.pk, proof=proof(customer), shown_sha256="0" * 64
        )
    assert member_of(offered, customer).offer_status == OfferStatus.SENT


def test_an_offer_is_answered_once(offered, customer):
    member = accept(member_of(offered, customer))
    assert Dispute.objects.get(pk=member.dispute_id).closure_reason == ClosureReason.SETTLEMENT
    with pytest.raises(ApplicationError):
        accept(member)
    with pytest.raises(ApplicationError):
        offers.offer_decline(actor=customer, member_id=member.pk)


def test_another_customer_or_staff_cannot_answer(offered, customer, other_customer, hq_staff):
    member = member_of(offered, customer)
    for outsider in (other_customer, hq_staff):
        client = client_for(outsider)
        assert client.get(reverse("problems:offer", args=[member.pk])).status_code == 404
        assert client.post(reverse("problems:decline", args=[member.pk])).status_code == 404
    assert member_of(offered, customer).offer_status == OfferStatus.SENT


def test_the_offer_page_shows_the_rule_the_amount_and_a_decline(offered, customer):
    member = member_of(offered, customer)
    page = client_for(customer).get(reverse("problems:offer", args=[member.pk]))
    text = page.content.decode()
    cited = offered.citations.get().citation
    for shown in ("7,000.00", "10,000.00", "人民币柒仟元整", "违反适当性义务", cited):
        assert shown in text, shown
    assert reverse("problems:decline", args=[member.pk]) in text
    assert re.search(r'name="text_sha256" value="[0-9a-f]{64}"', text)


def test_declining_from_the_page_keeps_the_complaint_open(offered, customer):
    member = member_of(offered, customer)
    client = client_for(customer)
    answer = client.post(reverse("problems:decline", args=[member.pk]), {"reason": "金额太低"})
    assert answer.status_code == 302
    member.refresh_from_db()
    assert member.offer_status == OfferStatus.DECLINED
    assert Dispute.objects.get(pk=member.dispute_id).is_open
    # The page now says the offer was answered and sends the customer back to the case.
    again = client.get(reverse("problems:offer", args=[member.pk]))
    assert again.status_code == 302 and again["Location"] == member.dispute.get_absolute_url()


def test_a_case_moved_on_since_the_offer_cannot_be_settled_by_it(offered, customer, staff, centre):
    member = member_of(offered, customer)
    refer(Dispute.objects.get(pk=member.dispute_id), customer, staff, centre)
    with pytest.raises(ApplicationError):
        accept(member)
    assert Dispute.objects.get(pk=member.dispute_id).status != DisputeStatus.CLOSED


# Payments and rectification


def test_advances_never_exceed_the_offer_nor_come_from_the_future(offered, customer, hq_staff):
    member = member_of(offered, customer)  # offer 7,000.00

    def pay(amount, days=0):
        return services.advance_record(
            actor=hq_staff,
            class_id=offered.pk,
            member_id=member.pk,
            amount=Decimal(amount),
            paid_on=timezone.localdate() + timedelta(days=days),
        )

    pay("5000.00")
    for amount, days in (("2000.01", 0), ("0", 0), ("-1", 0), ("100", 1)):
        with pytest.raises(ApplicationError):
            pay(amount, days)
    pay("2000.00")
    assert member.advanced() == Decimal("7000.00")
    assert "0.00" in offers.offer_act_text(ClassMember.objects.get(pk=member.pk)).text


def test_an_advance_is_for_a_member_of_this_class(offered, customer, hq_staff, branch):
    other = opened(hq_staff, [complaint(CustomerFactory(), branch)], title="另一类")
    stranger = other.members.get()
    with pytest.raises(Http404):
        services.advance_record(
            actor=hq_staff,
            class_id=offered.pk,
            member_id=stranger.pk,
            amount=Decimal("1"),
            paid_on=timezone.localdate(),
        )
    assert not stranger.advances.exists()


def test_accountability_names_staff_and_the_measure(offered, hq_staff):
    with pytest.raises(ApplicationError):
        services.rectification_add(
            actor=hq_staff,
            class_id=offered.pk,
            kind="accountability",
            description="追责",
            staff_named="",
            measure="通报批评",
        )
    action = services.rectification_add(
        actor=hq_staff,
        class_id=offered.pk,
        kind="clause",
        description="改写风险揭示条款",
    )
    with pytest.raises(ApplicationError):
        services.rectification_done(
            actor=hq_staff, class_id=offered.pk, action_id=action.pk, note=""
        )
    services.rectification_done(
        actor=hq_staff, class_id=offered.pk, action_id=action.pk, note="新条款已上线"
    )
    with pytest.raises(ApplicationError):
        services.rectification_done(
            actor=hq_staff, class_id=offered.pk, action_id=action.pk, note="again"
        )


# The pages


def test_head_office_opens_a_class_from_the_list_page(customer, other_customer, branch, hq_staff):
    a, b = complaint(customer, branch), complaint(other_customer, branch)
    client = client_for(hq_staff)
    bad = client.post(reverse("problems:list"), {"title": "x", "references": "MD-2026-999999"})
    assert bad.status_code == 302 and not ProblemClass.objects.exists()
    assert "MD-2026-999999" in client.get(bad["Location"]).content.decode()
    done = client.post(
        reverse("problems:list"),
        {"title": "卡费争议", "references": f"{a.reference}\n{b.reference}"},
    )
    problem = ProblemClass.objects.get()
    assert done["Location"] == problem.get_absolute_url() and problem.members.count() == 2


def test_a_bad_form_on_the_class_page_keeps_what_was_typed(offered, customer, hq_staff):
    client = client_for(hq_staff)
    page = client.post(
        offered.get_absolute_url(),
        {"form": "advance", "reference": "MD-2099-000001", "amount": "abc", "paid_on": ""},
    )
    assert page.status_code == 200
    assert 'value="MD-2099-000001"' in page.content.decode()
    # Refused by a rule of the domain (more than the offer): the form is kept, with the reason.
    reference = member_of(offered, customer).dispute.reference
    today = timezone.localdate().isoformat()
    page = client.post(
        offered.get_absolute_url(),
        {"form": "advance", "reference": reference, "amount": "7000.01", "paid_on": today},
    )
    text = page.content.decode()
    assert page.status_code == 200 and 'value="7000.01"' in text
    assert "7,000.00" in text and '<details class="action" id="advance" open>' in text
    assert not member_of(offered, customer).advances.exists()
    unknown = client.post(offered.get_absolute_url(), {"form": "nonsense"})
    assert unknown.status_code == 404


def _members(problem, branch, n: int) -> None:
    disputes = [complaint(CustomerFactory(), branch, f"{1000 + i}.00") for i in range(n)]
    services.class_add_cases(
        actor=ProblemClass.objects.get(pk=problem.pk).opened_by,
        class_id=problem.pk,
        references=[d.reference for d in disputes],
    )


def test_the_class_page_reads_a_constant_number_of_queries(offered, branch, hq_staff):
    client = client_for(hq_staff)
    client.get(offered.get_absolute_url())
    with CaptureQueriesContext(connection) as few:
        assert client.get(offered.get_absolute_url()).status_code == 200
    _members(offered, branch, 12)
    services.class_send_offers(actor=hq_staff, class_id=offered.pk)
    with CaptureQueriesContext(connection) as many:
        page = client.get(offered.get_absolute_url())
    assert page.content.decode().count('href="/disputes/MD-') >= 14
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_the_list_reads_a_constant_number_of_queries(offered, customer, branch, hq_staff):
    client = client_for(hq_staff)
    client.get(reverse("problems:list"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("problems:list"))
    for i in range(5):
        opened(hq_staff, [complaint(CustomerFactory(), branch)], title=f"类{i}")
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("problems:list")).content.decode()
    assert all(f"类{i}" in page for i in range(5))
    assert len(many) == len(few)


def test_the_case_page_shows_each_audience_its_side(offered, customer, staff, other_customer):
    member = member_of(offered, customer)
    url = member.dispute.get_absolute_url()
    theirs = client_for(customer).get(url).content.decode()
    assert reverse("problems:offer", args=[member.pk]) in theirs
    assert offered.get_absolute_url() not in theirs  # the class page is the bank's
    assert offered.title not in theirs
    assert "银行提出和解要约" in theirs  # on the case's timeline
    bank = client_for(staff).get(url).content.decode()
    assert offered.get_absolute_url() in bank
    assert reverse("problems:offer", args=[member.pk]) not in bank
    # The other member sees their own offer, never this one's.
    other = member_of(offered, other_customer)
    page = client_for(other_customer).get(other.dispute.get_absolute_url()).content.decode()
    assert reverse("problems:offer", args=[other.pk]) in page
    assert reverse("problems:offer", args=[member.pk]) not in page


def test_a_pending_member_sees_nothing_yet(customer, branch, hq_staff, legal_library):
    problem = opened(hq_staff, [complaint(customer, branch)])
    page = client_for(customer).get(member_of(problem, customer).dispute.get_absolute_url())
    assert "class-panel" not in page.content.decode()


def test_the_hot_spot_page_offers_a_class_to_head_office_only(hq_staff, staff, branch, customer):
    from mediation.insight.hotspots import hotspots_raise
    from mediation.insight.models import HotSpot

    yesterday = timezone.now() - timedelta(days=1)  # the job reads the week ending yesterday
    for week in range(2, 10):  # a quiet baseline, then a burst
        complaint(CustomerFactory(), branch, received_at=yesterday - timedelta(weeks=week))
    for _i in range(25):
        complaint(CustomerFactory(), branch, received_at=yesterday)
    hotspots_raise()
    spot = HotSpot.objects.get(cut="product", key=CODE)
    url = reverse("insight:hotspot", args=[spot.pk])
    form = reverse("problems:from_hotspot", args=[spot.pk])
    assert form in client_for(hq_staff).get(url).content.decode()
    assert form not in client_for(staff).get(url).content.decode()
    assert client_for(staff).post(form).status_code == 404
    assert not ProblemClass.objects.exists()
    too_long = client_for(hq_staff).post(form, {"title": "长" * 121}, follow=True)
    assert "120" in too_long.content.decode() and not ProblemClass.objects.exists()
    opened_page = client_for(hq_staff).post(form, {"title": "固收+"})
    problem = ProblemClass.objects.get()
    assert opened_page["Location"] == problem.get_absolute_url()
    assert problem.hotspot == spot and problem.members.count() == 25
