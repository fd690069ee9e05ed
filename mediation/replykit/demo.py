"""Demo replies written with the toolkit: a fee refunded within the author's authority (its
letter built by the worker), a refusal waiting for the second approver, and a refusal approved
and issued whose review the customer asked for (for 何军, who had no hand in it), all for 李娜."""

from __future__ import annotations

import re
from decimal import Decimal

from mediation.demo import DemoCases, upload_demo_pdf
from mediation.models import Dispute, ProductCategory
from mediation.services.complaint_review import review_request_make
from portal.models import User

from . import services as rs
from .library import load_library
from .models import Reply

# What staff would write in the blanks, by the blank's label.
FACTS = {
    "扣费日期": "2026年10月8日",
    "费用名称": "信用卡年费680元",
    "合约条款或收费公示": "《信用卡领用合约》第十二条",
    "交易时间": "2026年11月2日23时41分",
    "交易金额": "3,200.00",
    "验证方式": "短信验证码",
    "验证方式及结果": "发送至您预留手机号码的短信验证码",
    "账户或记录": "个人住房贷款账户",
    "争议信息": "2025年6月逾期记录",
    "逾期期间": "2025年6月1日至6月18日",
}


def _fill(text: str) -> str:
    return re.sub(r"【待填[:：]([^】]*)】", lambda m: FACTS.get(m.group(1), m.group(0)), text)


def _write(staff: User, dispute: Dispute, types: list[str], outcome: str, amount: str) -> Reply:
    reply = rs.reply_start(
        actor=staff,
        reference=dispute.reference,
        kind="decision",
        claim_types=types,
        outcome=outcome,
        granted_amount=Decimal(amount),
    )
    return rs.reply_save(
        actor=staff,
        reply_id=reply.pk,
        text=_fill(reply.text),
        outcome=outcome,
        granted_amount=Decimal(amount),
    )


def seed(cases: DemoCases) -> None:
    load_library()
    users = cases.accounts.users
    customer2 = users["customer2"]  # 张伟 has as many open cases as one person may
    staff, head_office = users["staff"], users["headoffice"]

    fee = cases.new(
        customer2,
        "680.00",
        ProductCategory.CREDIT_CARD,
        "信用卡年费680元在未提示的情况下被扣收。",
        "退还年费680元。",
        12,
    )
    cases.on_standard_track(fee, "信用卡纠纷", "normal")
    upload_demo_pdf(customer2, fee.reference, "信用卡账单", "statement", "<p>年费 680.00</p>")
    rs.reply_send(actor=staff, reply_id=_write(staff, fee, ["card_fee"], "granted", "680.00").pk)

    fraud = cases.new(
        customer2,
        "3200.00",
        ProductCategory.PAYMENTS,
        "借记卡在外地被盗刷3,200元，卡一直在本人身边。",
        "返还被盗刷的3,200元。",
        8,
    )
    cases.on_standard_track(fraud, "银行卡纠纷", "urgent")
    rs.reply_send(actor=staff, reply_id=_write(staff, fraud, ["card_fraud"], "refused", "0").pk)

    credit = cases.new(
        customer2,
        "5000.00",
        ProductCategory.LOANS,
        "征信报告显示2025年6月逾期，但当月已按时还款。",
        "更正征信记录并赔偿损失5,000元。",
        20,
    )
    cases.on_standard_track(credit, "个人信息保护纠纷", "normal")
    reply = _write(staff, credit, ["credit_report_error"], "refused", "0")
    rs.reply_send(actor=staff, reply_id=reply.pk)
    rs.reply_approve(actor=head_office, reply_id=reply.pk)
    review_request_make(
        actor=customer2,
        reference=credit.reference,
        reasons="2025年6月的还款已于6月15日自动扣款成功，附还款凭证；逾期记录有误。",
    )
    upload_demo_pdf(
        customer2, credit.reference, "还款凭证", "payment_proof", "<p>2025-06-15 扣款成功</p>"
    )
