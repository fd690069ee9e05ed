"""Shared set-up for the reply toolkit's tests: a card-fee complaint on the bank's track."""

from __future__ import annotations

import re
from decimal import Decimal

from mediation import services as ms
from mediation.replykit import services as rs
from tests.factories import make_dispute


def handling(customer, staff, branch, amount="8000.00", category="credit_card"):
    d = make_dispute(
        customer,
        branch,
        amount,
        category=category,
        facts="信用卡年费在未提示的情况下被扣收。",
        request="退还年费。",
    )
    ms.dispute_triage(
        actor=staff, reference=d.reference, cause_label="信用卡纠纷", urgency="normal"
    )
    ms.dispute_start_bank_handling(actor=staff, reference=d.reference)
    d.refresh_from_db()
    return d


def filled(text: str) -> str:
    """Every blank filled, as staff would."""
    return re.sub(r"【待填[:：][^】]*】", "2026年3月1日", text)


def ready_reply(
    staff,
    dispute,
    *,
    outcome="granted",
    amount="680.00",
    types=("card_fee",),
    kind="decision",
    review_outcome="",
):
    reply = rs.reply_start(
        actor=staff,
        reference=dispute.reference,
        kind=kind,
        claim_types=list(types),
        outcome=outcome,
        granted_amount=Decimal(amount),
        review_outcome=review_outcome,
    )
    return rs.reply_save(
        actor=staff,
        reply_id=reply.pk,
        text=filled(reply.text),
        outcome=outcome,
        granted_amount=Decimal(amount),
        review_outcome=review_outcome,
    )
