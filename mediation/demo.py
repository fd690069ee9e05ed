"""Demo disputes in the states mediation reaches on its own (submitted, triaged, on the
standard track, in the fast lane, closed on the bank's decision, withdrawn), all filed through
the same services as the pages. The referrals layer adds the cases that go to outside bodies
(`referrals/demo.py`), with `DemoCases.new` for their disputes."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from mediation import services as ms
from mediation.lifecycle import ClosureReason
from mediation.models import Dispute, ProductCategory
from mediation.services.evidence import evidence_upload
from portal.demo import DemoAccounts, demo_pdf
from portal.models import User


@dataclass
class DemoCases:
    """Files demo disputes at the Shanghai branch, received `days_ago` days before now."""

    accounts: DemoAccounts
    now: datetime = field(default_factory=timezone.now)

    @property
    def staff(self) -> User:
        return self.accounts.users["staff"]

    def new(
        self, who: User, amount: str, category: str, facts: str, request: str, days_ago: int
    ) -> Dispute:
        return ms.dispute_submit(
            customer=who,
            branch=self.accounts.branches["SH01"],
            category=category,
            amount=Decimal(amount),
            facts=facts,
            request=request,
            received_at=self.now - timedelta(days=days_ago),
            # Each customer's own account: the same number would make them one person
            # (mediation/repeats.py).
            account_number=f"62220202{who.pk:011d}",
        )

    def on_standard_track(self, dispute: Dispute, cause_label: str, urgency: str) -> None:
        ms.dispute_triage(
            actor=self.staff, reference=dispute.reference, cause_label=cause_label, urgency=urgency
        )
        ms.dispute_start_bank_handling(actor=self.staff, reference=dispute.reference)


def seed_disputes(cases: DemoCases) -> None:
    users = cases.accounts.users
    customer, customer2, staff = users["customer"], users["customer2"], users["staff"]
    cases.new(
        customer,
        "30000.00",
        ProductCategory.WEALTH_MANAGEMENT,
        "2026年5月在浦东支行购买“稳健增利3号”理财产品，销售时告知为低风险，实际亏损约3万元。",
        "赔偿本金损失30,000元。",
        0,
    )
    triaged = cases.new(
        customer2,
        "4680.50",
        ProductCategory.CREDIT_CARD,
        "信用卡分期手续费未在签约时明确告知，按年化折算远高于宣传。",
        "退还多收的分期手续费4,680.50元。",
        2,
    )
    ms.dispute_triage(
        actor=staff, reference=triaged.reference, cause_label="金融服务合同纠纷", urgency="normal"
    )
    _seed_standard_track(cases)
    fast = cases.new(
        customer2,
        "12000.00",
        ProductCategory.PAYMENTS,
        "代发工资账户被批量扣收短信服务费，未事先告知。",
        "退还服务费并道歉。",
        4,
    )
    ms.consent_opt_in(
        actor=customer2, reference=fast.reference, agree_mediation=True, agree_disclosure=True
    )
    closed = cases.new(
        customer,
        "1500.00",
        ProductCategory.CREDIT_CARD,
        "年费未按约定减免。",
        "退还年费1,500元。",
        60,
    )
    cases.on_standard_track(closed, "信用卡纠纷", "normal")
    ms.dispute_record_decision(
        actor=staff, reference=closed.reference, text="经核实，同意退还年费1,500元。"
    )
    ms.dispute_close(
        actor=staff, reference=closed.reference, reason=ClosureReason.BANK_DECISION_ACCEPTED
    )
    withdrawn = cases.new(
        customer2, "300.00", ProductCategory.OTHER, "网点排队时间过长。", "改进服务。", 3
    )
    ms.dispute_withdraw(actor=customer2, reference=withdrawn.reference, reason="问题已解决。")


def _seed_standard_track(cases: DemoCases) -> None:
    """A claim above the fast-lane threshold, handled by the bank as a complex case."""
    staff = cases.staff
    d = cases.new(
        cases.accounts.users["customer"],
        "120000.00",
        ProductCategory.LOANS,
        "提前还款时被收取合同未约定的违约金。",
        "退还违约金120,000元。",
        9,
    )
    ms.dispute_triage(
        actor=staff,
        reference=d.reference,
        cause_label="借款合同纠纷",
        urgency="urgent",
        is_complex=True,
    )
    ms.dispute_start_bank_handling(actor=staff, reference=d.reference)
    ms.dispute_record_milestone(
        actor=staff,
        reference=d.reference,
        milestone="plan",
        text="法律：核对合同第8条；业务：核查提前还款收费标准。",
    )


def add_evidence(reference: str, customer: User, staff: User) -> None:
    """The customer's contract and the bank's risk questionnaire, as demo PDFs."""
    for actor, title, category, body in (
        (
            customer,
            "理财产品销售合同",
            "contract",
            "<p>产品名称：稳健增利3号</p><p>风险等级：R2（中低风险）</p>"
            "<p>认购金额：人民币 300,000.00 元</p>",
        ),
        (
            staff,
            "客户风险评估问卷",
            "correspondence",
            "<p>评估结果：稳健型（C2）</p><p>评估日期：2026年5月10日</p>",
        ),
    ):
        upload_demo_pdf(actor, reference, title, category, body)


def upload_demo_pdf(actor: User, reference: str, title: str, category: str, body: str) -> None:
    pdf = demo_pdf(f"{title}（演示）", body)
    evidence_upload(
        actor=actor,
        reference=reference,
        upload=io.BytesIO(pdf),
        original_name=f"{title}.pdf",
        declared_size=len(pdf),
        title=title,
        category=category,
    )
