"""Races on PostgreSQL (select_for_update does nothing on SQLite; TRAPS.md): a customer pressing
accept twice at once settles once, with one binding act; head office sending the offers from two
tabs at once offers each member once; two advances at once never pass the offer together."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from mediation.problems import offers, services
from mediation.problems.models import AdvancePayment, ClassMember, OfferStatus
from portal.audit import audit_verify
from portal.binding import Reauthenticated
from portal.models import AuditEvent, BindingAct
from tests.factories import CustomerFactory, class_rule, make_dispute
from tests.mediation.test_concurrency import _race

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


@pytest.fixture
def ruled(branch, hq_staff, legal_library):
    people = [CustomerFactory.create() for _ in range(3)]
    disputes = [make_dispute(p, branch, "10000.00", product_code="GSJ") for p in people]
    problem = services.class_open(
        actor=hq_staff, title="固收+", references=[d.reference for d in disputes]
    )
    class_rule(hq_staff, problem)
    return problem


def test_sending_from_two_tabs_offers_each_member_once(ruled, hq_staff):
    results = _race(2, lambda: services.class_send_offers(actor=hq_staff, class_id=ruled.pk))
    assert results.count("ok") == 2, results
    assert ClassMember.objects.filter(offer_status=OfferStatus.SENT).count() == 3
    assert AuditEvent.objects.filter(action="problem_class.offer_sent").count() == 3


def test_accepting_twice_at_once_settles_once(ruled, hq_staff):
    services.class_send_offers(actor=hq_staff, class_id=ruled.pk)
    member = ClassMember.objects.select_related("dispute__customer", "problem_class").first()
    assert member is not None
    customer = member.dispute.customer
    shown = offers.offer_act_text(member).sha256

    def accept():
        return offers.offer_accept(
            actor=customer,
            member_id=member.pk,
            proof=Reauthenticated(user_id=customer.pk, at=timezone.now(), method="sms_code"),
            shown_sha256=shown,
        )

    results = _race(2, accept)
    assert results.count("ok") == 1, results
    assert BindingAct.objects.filter(kind="offer.accept").count() == 1
    assert AuditEvent.objects.filter(action="dispute.settle").count() == 1
    assert audit_verify() is None


def test_two_advances_at_once_stay_within_the_offer(ruled, hq_staff):
    services.class_send_offers(actor=hq_staff, class_id=ruled.pk)
    member = ClassMember.objects.first()
    assert member is not None  # offer 7,000.00

    def pay():
        return services.advance_record(
            actor=hq_staff,
            class_id=ruled.pk,
            member_id=member.pk,
            amount=Decimal("4000.00"),
            paid_on=timezone.localdate(),
        )

    results = _race(2, pay)
    assert results.count("ok") == 1, results
    assert AdvancePayment.objects.filter(member=member).count() == 1
