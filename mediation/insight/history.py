"""A year of past complaints for the demo, so that every figure on the dashboards means
something: seven branches in five provinces, every channel, finished cases (decided by the
bank, mediated with or without agreement, withdrawn) and a cluster (wealth products at one
branch, four weeks ago) that the heat map shows.

It is an import of history, as a bank loading its earlier complaint records would run one: rows
are written in bulk with references of their own (HS-...), not through the intake services (whose
clocks start now), and the import is one audit event. Deterministic (a seeded generator).
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from mediation.lifecycle import ClosureReason, DisputeStatus
from mediation.models import Channel, Consent, DecisionTrack, Dispute, ProductCategory
from portal.audit import audit_record
from portal.models import Branch, Role, User

BRANCHES = [
    # code, name, province, city, monthly complaints
    ("SH01", "上海浦东支行", "上海", "上海", 26),
    ("BJ01", "北京朝阳支行", "北京", "北京", 22),
    ("GZ01", "广州天河支行", "广东", "广州", 18),
    ("SZ01", "深圳福田支行", "广东", "深圳", 16),
    ("HZ01", "杭州西湖支行", "浙江", "杭州", 12),
    ("CD01", "成都锦江支行", "四川", "成都", 10),
    ("HO", "总行消费者权益保护部", "北京", "北京", 0),
]
CATEGORIES: list[tuple[str, int]] = [
    (ProductCategory.CREDIT_CARD, 34),
    (ProductCategory.WEALTH_MANAGEMENT, 18),
    (ProductCategory.LOANS, 22),
    (ProductCategory.PAYMENTS, 14),
    (ProductCategory.DEPOSITS, 7),
    (ProductCategory.OTHER, 5),
]
CHANNELS: list[tuple[str, int]] = [
    (Channel.WEB, 52),
    (Channel.PHONE, 16),
    (Channel.REGULATOR, 15),
    (Channel.LETTER, 6),
    (Channel.VISIT, 8),
    (Channel.PETITION, 3),
]
PRODUCTS: dict[str, list[tuple[str, str]]] = {
    ProductCategory.WEALTH_MANAGEMENT: [
        ("WM-GS-2025-08", "固收+稳健12个月"),
        ("WM-PF-07", "养老理财7号"),
    ],
    ProductCategory.CREDIT_CARD: [("CC-PLAT-01", "白金信用卡"), ("CC-STD-02", "标准信用卡")],
    ProductCategory.LOANS: [("LN-MORT", "个人住房贷款"), ("LN-CONS", "个人消费贷款")],
    ProductCategory.PAYMENTS: [("PY-SMS", "代发工资短信服务"), ("PY-MOBILE", "手机银行转账")],
    ProductCategory.DEPOSITS: [("DP-TERM", "整存整取定期存款")],
    ProductCategory.OTHER: [("OT-SVC", "网点服务")],
}
REQUESTS: dict[str, str] = {
    ProductCategory.WEALTH_MANAGEMENT: "赔偿理财产品亏损。",
    ProductCategory.CREDIT_CARD: "退还多收的年费和利息。",
    ProductCategory.LOANS: "退还提前还款违约金。",
    ProductCategory.PAYMENTS: "退还未告知即收取的服务费。",
    ProductCategory.DEPOSITS: "按约定利率支付利息。",
    ProductCategory.OTHER: "改进服务并道歉。",
}


def _pick(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    return rng.choices([v for v, _w in weighted], weights=[w for _v, w in weighted])[0]


@transaction.atomic
def seed_history(*, actor: User, days: int = 365, seed: int = 20261130) -> int:
    """Import `days` of finished past complaints (once: a second run adds nothing)."""
    if Dispute.objects.filter(reference__startswith="HS-").exists():
        return 0
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    branches = {}
    for code, name, province, city, _n in BRANCHES:
        branch, _created = Branch.objects.get_or_create(
            code=code, defaults={"name": name, "is_head_office": code == "HO"}
        )
        Branch.objects.filter(pk=branch.pk).update(province=province, city=city)
        branches[code] = branch
    password = make_password(None)  # no sign-in: customers of the past
    have = set(
        User.objects.filter(username__startswith="history-").values_list("username", flat=True)
    )
    User.objects.bulk_create(
        [
            User(username=name, real_name=f"客户{n:04d}", role=Role.CUSTOMER, password=password)
            for n in range(400)
            if (name := f"history-{n:04d}") not in have
        ]
    )
    customers = list(User.objects.filter(username__startswith="history-").order_by("username"))
    now = timezone.now()
    today = timezone.localdate(now)
    cluster_start = today - timedelta(days=30)
    disputes: list[Dispute] = []
    number = 0
    for code, _name, _p, _c, monthly in BRANCHES:
        for day_offset in range(days, 7, -1):
            day = today - timedelta(days=day_offset)
            expected = monthly / 30
            if code == "GZ01" and cluster_start <= day < cluster_start + timedelta(days=10):
                expected += 3  # a cluster: 代发工资短信 and 固收+ complaints at one branch
            for _k in range(_poisson(rng, expected)):
                number += 1
                category = _pick(rng, CATEGORIES)
                if code == "GZ01" and cluster_start <= day < cluster_start + timedelta(days=10):
                    category = rng.choice(
                        [ProductCategory.WEALTH_MANAGEMENT, ProductCategory.PAYMENTS]
                    )
                disputes.append(
                    _one(rng, number, day, branches[code], category, rng.choice(customers))
                )
    Dispute.objects.bulk_create(disputes, batch_size=1000)
    saved = {d.reference: d.pk for d in Dispute.objects.filter(reference__startswith="HS-")}
    consents = []
    for d in disputes:
        if d.mediation_started_on:
            consents.append(
                Consent(
                    dispute_id=saved[d.reference],
                    kind=Consent.Kind.MEDIATION,
                    purpose="历史数据导入",
                    text="（历史记录）",
                    text_version="history",
                    granted_at=d.received_at + timedelta(days=1),
                )
            )
    Consent.objects.bulk_create(consents, batch_size=1000)
    audit_record(
        actor=actor,
        action="history.imported",
        target=actor,
        case_ref="",
        data={"disputes": len(disputes), "days": days, "seed": seed},
    )
    return len(disputes)


def _poisson(rng: random.Random, mean: float) -> int:
    """Knuth's method: fine for the small daily means here."""
    limit, k, p = pow(2.718281828459045, -mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _one(
    rng: random.Random, number: int, day: date, branch: Branch, category: str, customer: User
) -> Dispute:
    received = timezone.make_aware(datetime.combine(day, time(9 + rng.randrange(8))))
    received_on = timezone.localdate(received)
    amount = Decimal(rng.choice([300, 680, 1200, 2500, 4800, 9000, 18000, 32000, 48000, 65000]))
    code, name = rng.choice(PRODUCTS[category])
    channel = _pick(rng, CHANNELS)
    kw: dict[str, object] = {
        "reference": f"HS-{received_on.year}-{number:06d}",
        "customer": customer,
        "branch": branch,
        "category": category,
        "amount": amount,
        "facts": "历史投诉记录（演示数据）。",
        "request": REQUESTS[category],
        "channel": channel,
        "received_at": received,
        "product_code": code,
        "product_name": name,
        "contract_number": f"HT{received_on:%Y%m}{number:05d}",
        "fast_lane_eligible": amount <= Decimal("50000"),
        "decision_track": DecisionTrack.STANDARD,
        "decision_due": received_on + timedelta(days=15),
        "labels_done_at": received + timedelta(hours=20),
    }
    if channel == Channel.REGULATOR:
        kw["regulator_reference"] = f"监转〔{received_on.year}〕{number}号"
        kw["regulator_reply_due"] = received_on + timedelta(days=20)
        kw["regulator_replied_at"] = received + timedelta(days=rng.randint(8, 19))
    route = rng.random()
    if route < 0.08:
        kw["status"], kw["withdrawn_reason"] = DisputeStatus.WITHDRAWN, "问题已解决。"
    elif kw["fast_lane_eligible"] and route < 0.38:
        started = received_on + timedelta(days=rng.randint(3, 9))
        kw["mediation_started_on"], kw["mediation_due"] = started, started + timedelta(days=30)
        if rng.random() < 0.72:
            kw["status"], kw["closure_reason"] = (
                DisputeStatus.CLOSED,
                ClosureReason.AGREEMENT_PERFORMED,
            )
        elif rng.random() < 0.5:
            kw["status"] = DisputeStatus.MEDIATION_FAILED
        else:
            kw["status"], kw["closure_reason"] = (
                DisputeStatus.CLOSED,
                ClosureReason.ARBITRATION_AWARD,
            )
    else:
        took = max(1, int(rng.gammavariate(3.0, 3.2)))  # a median near nine days, a long tail
        kw["decision_at"] = received + timedelta(days=took)
        kw["decision_text"] = "经核实，已按规定处理。"
        kw["review_request_due"] = received_on + timedelta(days=took + 30)
        kw["status"], kw["closure_reason"] = (
            DisputeStatus.CLOSED,
            ClosureReason.BANK_DECISION_ACCEPTED,
        )
    if kw["status"] in (DisputeStatus.CLOSED, DisputeStatus.WITHDRAWN):
        kw["closed_at"] = received + timedelta(days=rng.randint(10, 40))
    return Dispute(**kw)
