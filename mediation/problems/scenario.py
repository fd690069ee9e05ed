"""The bank document's worked case (seed chapter 5), as data: a "固收+" wealth product falls
5%; in one week 568 complaints arrive through the regulator, online and by phone, from 528
people (40 complain twice through another channel); 80% of them were rated below the product's
level when it was sold to them. Filed through the same service as the pages, so that repeat
linking, clocks and notices run as they would. Used by the demo (`seed_demo`), the scenario
test and `bench/batch.py`."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from mediation.models import Channel, Dispute, Product, RiskLevel, RiskRating
from mediation.services import dispute_submit
from portal.models import Branch, Role, User
from portal.validators import resident_id_check_digit

CODE = "GSJ2026A"
NAME = "固收+稳健增利1号"
PEOPLE = 528
TWICE = 40
MISMATCHED = 422  # of 528: 79.9%, the document's 80%
BASELINE = 8  # about one complaint a week in the eight weeks before

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾"
_GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛"]


@dataclass(frozen=True)
class Scenario:
    product: Product
    people: list[User]
    disputes: list[Dispute]

    @property
    def complaints(self) -> int:
        return len(self.disputes)


def _id_number(n: int) -> str:
    first17 = f"31010119{70 + n % 30:02d}0101{n % 1000:03d}"[:17].ljust(17, "0")
    return first17 + resident_id_check_digit(first17)


def _people(count: int, start: int) -> list[User]:
    """Customers known to the bank by ID number and a mobile given at the counter; they sign
    in once they claim their account (portal/services.py)."""
    password = make_password(None)
    users = [
        User(
            username=f"gsj{start + n:05d}",
            real_name=_SURNAMES[n % len(_SURNAMES)]
            + _GIVEN[n % len(_GIVEN)]
            + _GIVEN[(n // 7) % len(_GIVEN)],
            role=Role.CUSTOMER,
            recorded_mobile=f"137{start + n:08d}",
            id_number=_id_number(start + n),
            password=password,
        )
        for n in range(count)
    ]
    User.objects.bulk_create(users)
    return list(User.objects.filter(username__in=[u.username for u in users]).order_by("username"))


def build(
    *,
    branches: list[Branch],
    staff: User,
    now: datetime | None = None,
    known: list[User] = (),  # type: ignore[assignment]
    seed: int = 5,
) -> Scenario:
    """The 568 complaints of the week ending yesterday, and the product's quiet baseline."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    now = now or timezone.now()
    product, _ = Product.objects.update_or_create(
        code=CODE,
        defaults={"name": NAME, "risk_level": RiskLevel.R3, "equity_share": Decimal("35.00")},
    )
    first_free = User.objects.filter(username__startswith="gsj").count()
    people = list(known)[:PEOPLE]
    people += _people(PEOPLE - len(people), first_free)
    baseline_people = _people(BASELINE, first_free + PEOPLE)
    disputes: list[Dispute] = []

    def file(who: User, n: int, channel: str, when: datetime) -> Dispute:
        branch = branches[n % len(branches)]
        extra: dict[str, object] = {}
        if channel != Channel.WEB:
            extra["recorded_by"] = staff
        if channel == Channel.REGULATOR:
            extra["regulator_reference"] = f"监转〔{when.year}〕{7000 + len(disputes)}号"
            extra["regulator_reply_due"] = timezone.localdate(when) + timedelta(days=20)
        loss = Decimal(5000 + rng.randrange(0, 4500) * 10) + Decimal(rng.randrange(100)) / 100
        return dispute_submit(
            customer=who,
            branch=branch,
            category="wealth",
            amount=loss,
            facts=(
                f"购买“{NAME}”（{CODE}）后净值下跌约5%。销售时只说稳健，"
                "未告知权益类资产占比约35%，也未按我的风险等级提示。"
            ),
            request="赔偿本金损失。",
            channel=channel,
            received_at=when,
            product_code=CODE,
            product_name=NAME,
            contract_number=f"LC{CODE}{n:05d}",
            risk_rating_at_sale=RiskRating.C2 if n < MISMATCHED else RiskRating.C3 + n % 2,
            **extra,  # type: ignore[arg-type]
        )

    for n, who in enumerate(baseline_people):
        when = now - timedelta(days=9 + 7 * n, hours=rng.randrange(8))
        file(who, PEOPLE + n, Channel.WEB, when)
    channels = [Channel.REGULATOR] * 6 + [Channel.WEB] * 3 + [Channel.PHONE]
    for n, who in enumerate(people):
        when = now - timedelta(days=7) + timedelta(hours=rng.randrange(0, 4 * 24))
        channel = channels[n % len(channels)]
        disputes.append(file(who, n, channel, when))
        if n < TWICE:  # the same person again, through another channel, a day or two later
            again = Channel.PHONE if channel != Channel.PHONE else Channel.REGULATOR
            disputes.append(file(who, n, again, when + timedelta(hours=20 + rng.randrange(20))))
    return Scenario(product=product, people=people, disputes=disputes)


def one_agent_for(case: Scenario, *, count: int) -> User:
    """`count` of the scenario's people authorise the same agent on their first complaint,
    through the page's service: the linked-complainants list shows them as one group."""
    import io

    from django.utils import timezone

    from mediation.services.representatives import representative_authorise
    from portal.demo import demo_pdf

    agent, _created = User.objects.get_or_create(
        username="gsj-agent",
        defaults={
            "real_name": "代理人周某",
            "role": Role.CUSTOMER,
            "mobile": "13700009999",
            "mobile_verified_at": timezone.now(),
            "password": make_password(None),
        },
    )
    firsts = [d for d in case.disputes if d.repeat_of_id is None]
    for dispute in firsts[100 : 100 + count]:
        representative_authorise(
            actor=dispute.customer,
            reference=dispute.reference,
            agent_mobile=agent.mobile or "",
            relation="other",
            upload=io.BytesIO(demo_pdf("授权委托书", f"委托人：{dispute.customer.display_name}")),
            file_name="授权委托书.pdf",
            size=None,
        )
    return agent
