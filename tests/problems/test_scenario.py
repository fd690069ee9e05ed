"""Issue 22, "what it must show": the bank document's worked case end to end. 568 complaints
about one wealth product through three channels, 40 people twice; the next run of the
hot-spot job raises it; 80% were sold above their risk rating; the class holds 528 people
(568 complaints, 40 repeats merged) and offers each 70% of their loss; accepted offers settle
the cases (and the same person's repeat with them); complaints after rectification are
measured."""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.utils import timezone

from mediation.insight.hotspots import disputes_behind, hotspots_raise, suitability_share
from mediation.insight.models import HotSpot
from mediation.lifecycle import ClosureReason, DisputeStatus
from mediation.models import Channel, Dispute
from mediation.problems import figures, offers, scenario, services
from mediation.problems.access import offer_get_for
from mediation.problems.models import ClassMember, OfferStatus
from portal.binding import Reauthenticated
from portal.models import BindingAct, Notification
from tests.factories import BranchFactory, class_rule

pytestmark = pytest.mark.django_db


def accept(member: ClassMember) -> ClassMember:
    customer = member.dispute.customer
    member = offer_get_for(customer, member.pk)  # as the offer's page reads it
    return offers.offer_accept(
        actor=customer,
        member_id=member.pk,
        proof=Reauthenticated(user_id=customer.pk, at=timezone.now(), method="sms_code"),
        shown_sha256=offers.offer_act_text(member).sha256,
    )


def test_the_worked_case(
    settings, staff, hq_staff, legal_library, django_capture_on_commit_callbacks
):
    settings.CUSTOMER_MAX_OPEN_DISPUTES = 1000
    branches = [staff.branch, BranchFactory(code="GZ01", name="广州天河支行")]
    case = scenario.build(branches=branches, staff=staff)
    assert case.complaints == 568 and len(case.people) == 528
    channels = {d.channel for d in case.disputes}
    assert channels == {Channel.REGULATOR, Channel.WEB, Channel.PHONE}

    # Repeats are linked as they are filed: the same person, the same contract, another channel.
    repeats = [d for d in case.disputes if d.repeat_of_id]
    assert len(repeats) == 40
    assert all(d.repeat_of and d.repeat_of.customer_id == d.customer_id for d in repeats)
    assert all(d.repeat_of and d.channel != d.repeat_of.channel for d in repeats)

    # The next run of the job raises the product's hot spot, with the cases behind it.
    hotspots_raise()
    spot = HotSpot.objects.get(cut="product", key=scenario.CODE)
    assert spot.observed == 568
    behind = disputes_behind(spot)
    assert behind.count() == 568
    mismatched, known = suitability_share(behind)
    assert (mismatched, known) == (scenario.MISMATCHED, 528)
    assert round(mismatched / known * 100) == 80

    # Head office opens the class from the hot spot: 528 people, 40 repeats merged.
    problem = services.class_open(actor=hq_staff, title="固收+产品净值下跌", hotspot_id=spot.pk)
    assert problem.members.count() == 528
    before = figures.class_figures(problem)
    assert (before.people, before.complaints, before.repeats) == (528, 568, 40)
    assert before.mismatch_share is not None and round(before.mismatch_share * 100) == 80

    class_rule(hq_staff, problem)  # 九民纪要 paragraph 72: the bank bears 70%
    with django_capture_on_commit_callbacks(execute=True):
        offered, not_offered = services.class_send_offers(actor=hq_staff, class_id=problem.pk)
    assert (offered, not_offered) == (528, 0)
    for m in problem.members.all():
        assert m.offer == (m.loss * Decimal("0.7")).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert Notification.objects.filter(event="class_offer").count() == 528

    # An advance reaches a customer before they answer; accepting settles both of a twice-
    # complaining person's cases; a decline leaves the case open.
    twice = ClassMember.objects.filter(problem_class=problem, dispute__repeats__isnull=False)[0]
    services.advance_record(
        actor=hq_staff,
        class_id=problem.pk,
        member_id=twice.pk,
        amount=Decimal("1000.00"),
        paid_on=timezone.localdate(),
    )
    twice = offer_get_for(twice.dispute.customer, twice.pk)
    assert "1,000.00" in offers.offer_act_text(twice).text  # paid in advance, and the balance
    accept(twice)
    twice.refresh_from_db()
    assert twice.offer_status == OfferStatus.ACCEPTED and twice.act is not None
    settled = Dispute.objects.filter(pk__in=[twice.dispute_id, twice.dispute.repeats.get().pk])
    assert {d.status for d in settled} == {DisputeStatus.CLOSED}
    assert {d.closure_reason for d in settled} == {ClosureReason.SETTLEMENT}
    assert BindingAct.objects.filter(kind="offer.accept", target_id=str(twice.pk)).count() == 1

    others = list(problem.members.filter(offer_status=OfferStatus.SENT)[:20])
    for m in others[:19]:
        accept(m)
    offers.offer_decline(actor=others[19].dispute.customer, member_id=others[19].pk)
    assert Dispute.objects.get(pk=others[19].dispute_id).is_open
    after = figures.class_figures(problem)
    assert after.offers[OfferStatus.ACCEPTED] == 20 and after.offers[OfferStatus.DECLINED] == 1

    # Rectification done, then four quiet weeks: the fall is measured and marked.
    action = services.rectification_add(
        actor=hq_staff,
        class_id=problem.pk,
        kind="accountability",
        description="追究销售人员责任",
        staff_named="销售经理甲等12人",
        measure="通报批评、扣减绩效",
    )
    services.rectification_done(
        actor=hq_staff, class_id=problem.pk, action_id=action.pk, note="已执行"
    )
    later = timezone.localdate() + timedelta(weeks=6)
    measured = figures.class_figures(problem, today=later)
    assert measured.before_rate == pytest.approx(568 / 4 * (528 / 568), rel=0.3)
    assert measured.after_rate == 0 and measured.governance
