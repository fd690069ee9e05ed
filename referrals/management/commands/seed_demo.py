"""Demo data: one user per role, partner organisations, and disputes in every state.

Idempotent: users and organisations are created once (their demo passwords are reset each run so
the printed logins always work); disputes are created only when the demo customer has none.
Everything goes through the same services as the pages.
"""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone
from weasyprint import HTML

from mediation import services as ms
from mediation.lifecycle import ClosureReason
from mediation.models import Dispute, ProductCategory
from mediation.services.evidence import evidence_upload
from portal.models import Branch, OrganisationKind, PartnerOrganisation, PartnerRole, Role, User
from referrals.arbitration import services as arbitration_services
from referrals.arbitration.services import litigation_record
from referrals.bundles.services import bundle_request
from referrals.centres import services as referral_services
from referrals.confirmation import services as confirmation_services
from referrals.models import LookbackReview, Referral

DEMO_PASSWORD = "Demo-2026-portal"  # noqa: S105 - printed demo logins, DEBUG only

BRANCHES = [
    ("HO", "总行消费者权益保护部", True),
    ("SH01", "上海浦东支行", False),
    ("BJ01", "北京朝阳支行", False),
]

ORGANISATIONS = [
    ("上海市金融消费纠纷调解中心", OrganisationKind.MEDIATION_CENTRE, "上海", "沪金调-2025-017"),
    ("北京金融街调解中心", OrganisationKind.MEDIATION_CENTRE, "北京", "京金调-2025-004"),
    ("上海仲裁委员会", OrganisationKind.ARBITRATION_COMMISSION, "上海", "沪仲-2025-031"),
    ("上海市浦东新区人民法院", OrganisationKind.COURT, "上海", "浦法诉调-2025-009"),
]

# username, real name, role, branch code, organisation index, partner role, mobile, id number
USERS: list[tuple[str, str, str, str | None, int | None, str, str | None, str]] = [
    ("customer", "张伟", Role.CUSTOMER, None, None, "", "13800000001", "110101199003076632"),
    ("customer2", "李娜", Role.CUSTOMER, None, None, "", "13800000002", "310101198506150024"),
    ("staff", "王芳", Role.STAFF, "SH01", None, "", None, ""),
    ("staff_bj", "赵磊", Role.STAFF, "BJ01", None, "", None, ""),
    ("headoffice", "陈静", Role.STAFF, "HO", None, "", None, ""),
    ("mediator", "刘洋", Role.PARTNER, None, 0, PartnerRole.MEDIATOR, None, ""),
    ("mediator_bj", "孙丽", Role.PARTNER, None, 1, PartnerRole.MEDIATOR, None, ""),
    ("arbitrator", "周强", Role.PARTNER, None, 2, PartnerRole.ARBITRATOR, None, ""),
    ("clerk", "吴敏", Role.PARTNER, None, 3, PartnerRole.COURT_CLERK, None, ""),
    ("auditor", "郑刚", Role.AUDITOR, None, None, "", None, ""),
    ("admin", "系统管理员", Role.ADMIN, None, None, "", None, ""),
]


def _demo_pdf(title: str, body: str) -> bytes:
    html = (
        "<html><head><style>@page{size:A4;margin:25mm}"
        'html{font-family:"Noto Sans CJK SC",sans-serif}</style></head>'
        f"<body><h1>{title}</h1>{body}</body></html>"
    )
    return HTML(string=html).write_pdf() or b""


class Command(BaseCommand):
    help = "Create demo users, partners and disputes in every state (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quiet", action="store_true", help="do not print the logins")

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            branches = self._branches()
            orgs = self._organisations()
            users = self._users(branches, orgs)
        if not Dispute.objects.filter(customer=users["customer"]).exists():
            self._disputes(users, branches, orgs)
            self.stdout.write(f"demo: {Dispute.objects.count()} disputes created")
        else:
            self.stdout.write("demo: disputes already present, left as they are")
        if not options["quiet"]:
            self._print_logins()

    def _branches(self) -> dict[str, Branch]:
        out = {}
        for code, name, head in BRANCHES:
            out[code], _ = Branch.objects.get_or_create(
                code=code, defaults={"name": name, "is_head_office": head}
            )
        return out

    def _organisations(self) -> list[PartnerOrganisation]:
        out = []
        for name, kind, region, agreement in ORGANISATIONS:
            org, _ = PartnerOrganisation.objects.get_or_create(
                name=name,
                defaults={
                    "kind": kind,
                    "region": region,
                    "cooperation_agreement_ref": agreement,
                    "contact_phone": "021-00000000",
                },
            )
            out.append(org)
        return out

    def _users(
        self, branches: dict[str, Branch], orgs: list[PartnerOrganisation]
    ) -> dict[str, User]:
        out = {}
        for username, name, role, branch, org, prole, mobile, id_number in USERS:
            user = User.objects.filter(username=username).first() or User(username=username)
            user.real_name = name
            user.role = role
            user.branch = branches[branch] if branch else None
            user.organisation = orgs[org] if org is not None else None
            user.partner_role = prole
            user.mobile = mobile
            user.id_number = id_number
            user.is_staff = role == Role.ADMIN
            user.is_superuser = role == Role.ADMIN
            user.set_password(DEMO_PASSWORD)
            user.save()
            out[username] = user
        return out

    def _disputes(
        self, users: dict[str, User], branches: dict[str, Branch], orgs: list[PartnerOrganisation]
    ) -> None:
        now = timezone.now()
        customer, customer2 = users["customer"], users["customer2"]
        staff = users["staff"]
        sh = branches["SH01"]

        def new(
            who: User, amount: str, category: str, facts: str, request: str, days_ago: int
        ) -> Dispute:
            return ms.dispute_submit(
                customer=who,
                branch=sh,
                category=category,
                amount=Decimal(amount),
                facts=facts,
                request=request,
                received_at=now - timedelta(days=days_ago),
                account_number="6222020200112233445",
            )

        # submitted
        new(
            customer,
            "30000.00",
            ProductCategory.WEALTH_MANAGEMENT,
            "2026年5月在浦东支行购买“稳健增利3号”理财产品，销售时告知为低风险，实际亏损约3万元。",
            "赔偿本金损失30,000元。",
            0,
        )
        # triaged
        d = new(
            customer2,
            "4680.50",
            ProductCategory.CREDIT_CARD,
            "信用卡分期手续费未在签约时明确告知，按年化折算远高于宣传。",
            "退还多收的分期手续费4,680.50元。",
            2,
        )
        ms.dispute_triage(
            actor=staff, reference=d.reference, cause_label="金融服务合同纠纷", urgency="normal"
        )
        # bank_handling, above the threshold (no fast lane)
        d = new(
            customer,
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
        # fast_lane
        d = new(
            customer2,
            "12000.00",
            ProductCategory.PAYMENTS,
            "代发工资账户被批量扣收短信服务费，未事先告知。",
            "退还服务费并道歉。",
            4,
        )
        ms.consent_opt_in(
            actor=customer2, reference=d.reference, agree_mediation=True, agree_disclosure=True
        )
        self._referrals(users, orgs, new)
        # in_litigation
        d = new(
            customer2,
            "36000.00",
            ProductCategory.DEPOSITS,
            "定期存款被冒领，银行拒绝赔付。",
            "赔偿存款36,000元。",
            40,
        )
        ms.dispute_triage(
            actor=staff, reference=d.reference, cause_label="储蓄存款合同纠纷", urgency="critical"
        )
        ms.dispute_start_bank_handling(actor=staff, reference=d.reference)
        litigation_record(
            actor=staff,
            reference=d.reference,
            court_name="上海市浦东新区人民法院",
            case_number="（2026）沪0115民初12345号",
            filed_on=timezone.localdate() - timedelta(days=20),
            note="客户起诉。",
        )
        # closed
        d = new(
            customer,
            "1500.00",
            ProductCategory.CREDIT_CARD,
            "年费未按约定减免。",
            "退还年费1,500元。",
            60,
        )
        ms.dispute_triage(
            actor=staff, reference=d.reference, cause_label="信用卡纠纷", urgency="normal"
        )
        ms.dispute_start_bank_handling(actor=staff, reference=d.reference)
        ms.dispute_record_decision(
            actor=staff, reference=d.reference, text="经核实，同意退还年费1,500元。"
        )
        ms.dispute_close(
            actor=staff, reference=d.reference, reason=ClosureReason.BANK_DECISION_ACCEPTED
        )
        self._reviews(users, new)
        # withdrawn
        d = new(customer2, "300.00", ProductCategory.OTHER, "网点排队时间过长。", "改进服务。", 3)
        ms.dispute_withdraw(actor=customer2, reference=d.reference, reason="问题已解决。")

    def _referrals(self, users: dict[str, User], orgs: list[PartnerOrganisation], new: Any) -> None:
        """A referral in every state, for the demo mediator of the Shanghai centre."""
        customer, staff, mediator = users["customer"], users["staff"], users["mediator"]
        centre, commission = orgs[0], orgs[2]
        today = timezone.localdate()

        def referred(label: str, amount: str, send: bool = True) -> Referral:
            d = new(
                customer,
                amount,
                ProductCategory.WEALTH_MANAGEMENT,
                f"“稳健增利”理财产品适当性争议（演示：{label}）。",
                f"赔偿损失{amount}元。",
                12,
            )
            ms.consent_opt_in(
                actor=customer,
                reference=d.reference,
                agree_mediation=True,
                agree_disclosure=True,
                organisation_id=centre.pk,
            )
            referral = referral_services.referral_create(
                actor=staff, reference=d.reference, organisation_id=centre.pk
            )
            if send:
                referral = referral_services.referral_send(actor=staff, referral_id=referral.pk)
            return referral

        def accepted(label: str, amount: str) -> Referral:
            referral = referred(label, amount)
            referral_services.referral_acknowledge(actor=mediator, referral_id=referral.pk)
            referral_services.referral_accept(
                actor=mediator,
                referral_id=referral.pk,
                mediator_id=mediator.pk,
                accepted_on=today - timedelta(days=8),
            )
            referral_services.referral_declare_conflicts(
                actor=mediator, referral_id=referral.pk, text="本人与双方当事人均无利害关系。"
            )
            return referral

        referred("draft", "6000.00", send=False)
        referred("sent", "8000.00")
        referral_services.referral_acknowledge(
            actor=mediator, referral_id=referred("acknowledged", "9500.00").pk
        )
        declined = referred("declined", "7200.00")
        referral_services.referral_decline(
            actor=mediator, referral_id=declined.pk, reason="本中心近期案件已满。"
        )
        withdrawn = referred("withdrawn", "3100.00")
        referral_services.referral_withdraw(
            actor=staff, referral_id=withdrawn.pk, reason="客户要求暂缓调解。"
        )

        working = accepted("in_mediation", "15000.00")
        self._evidence(working.dispute.reference, customer, staff)
        referral_services.session_schedule(
            actor=mediator,
            referral_id=working.pk,
            starts_at=timezone.now() + timedelta(days=2, hours=1),
            mode="online",
            place="https://mediation.example/room/2026-015",
        )
        referral_services.proposal_make(
            actor=mediator,
            referral_id=working.pk,
            amount=Decimal("8000.00"),
            terms="银行补偿客户8,000元，客户放弃其他请求。",
            performance_due=today + timedelta(days=15),
        )
        bundle_request(
            actor=staff,
            reference=working.dispute.reference,
            recipient_kind=OrganisationKind.MEDIATION_CENTRE,
            organisation_id=centre.pk,
        )

        self._confirmations(users, orgs, accepted)

        agreed = accepted("agreement", "26000.00")
        pdf = _demo_pdf(
            "人民调解协议书（演示）",
            "<p>银行于十五日内向申请人支付人民币18,000元。</p>"
            "<p>双方签字、调解员签字并加盖调解中心印章。</p>",
        )
        referral_services.agreement_record(
            actor=mediator,
            referral_id=agreed.pk,
            upload=io.BytesIO(pdf),
            file_name="调解协议书.pdf",
            size=len(pdf),
            amount=Decimal("18000.00"),
            terms="银行支付18,000元，双方再无争议。",
            performance_due=today + timedelta(days=10),
            effective_on=today - timedelta(days=2),
        )

        proposal = accepted("proposal_accepted", "5200.00")
        offer = referral_services.proposal_make(
            actor=mediator,
            referral_id=proposal.pk,
            amount=Decimal("4000.00"),
            terms="银行退还手续费4,000元。",
            performance_due=today + timedelta(days=7),
        )
        referral_services.proposal_answer(actor=customer, proposal_id=offer.pk, accept=True)

        failed = accepted("failed", "42000.00")
        referral_services.referral_fail(
            actor=mediator, referral_id=failed.pk, reason="双方对赔偿比例分歧较大。"
        )

        arbitrated = accepted("arbitration", "49999.00")
        referral_services.referral_fail(
            actor=mediator, referral_id=arbitrated.pk, reason="客户选择仲裁。"
        )
        ref = arbitrated.dispute.reference
        pdf = _demo_pdf("仲裁协议（演示）", "<p>双方同意将本争议提交上海仲裁委员会仲裁。</p>")
        case = arbitration_services.arbitration_start(
            actor=staff,
            reference=ref,
            commission_id=commission.pk,
            agreement_signed_on=today - timedelta(days=6),
            upload=io.BytesIO(pdf),
            file_name="仲裁协议.pdf",
            size=len(pdf),
        )
        arbitration_services.arbitration_file(
            actor=staff, case_id=case.pk, filed_on=today - timedelta(days=5)
        )
        arbitration_services.arbitration_accept(
            actor=users["arbitrator"],
            case_id=case.pk,
            accepted_on=today - timedelta(days=3),
            case_number="（2026）沪仲案字第0456号",
        )

    def _confirmations(
        self, users: dict[str, User], orgs: list[PartnerOrganisation], accepted: Any
    ) -> None:
        """A judicial confirmation in each state, at the demo court."""
        customer, staff, mediator, clerk = (
            users["customer"],
            users["staff"],
            users["mediator"],
            users["clerk"],
        )
        court = orgs[3]
        today = timezone.localdate()
        for state in (
            "preparing",
            "filed",
            "accepted",
            "not_accepted",
            "confirmed",
            "rejected",
            "withdrawn",
        ):
            referral = accepted(f"司法确认：{state}", "18800.00")
            ref = referral.dispute.reference
            pdf = _demo_pdf("人民调解协议书（演示）", "<p>银行支付人民币12,000元。</p>")
            referral_services.agreement_record(
                actor=mediator,
                referral_id=referral.pk,
                upload=io.BytesIO(pdf),
                file_name="调解协议书.pdf",
                size=len(pdf),
                amount=Decimal("12000.00"),
                terms="银行支付12,000元。",
                performance_due=today + timedelta(days=5),
                effective_on=today - timedelta(days=3),
            )
            c = confirmation_services.confirmation_start(
                actor=staff, reference=ref, court_id=court.pk
            )
            for actor, title, category in (
                (mediator, "调解组织证明", "mediation_proof"),
                (customer, "申请人身份证", "identity"),
                (staff, "银行营业执照", "bank_identity"),
            ):
                doc = _demo_pdf(f"{title}（演示）", "<p>演示材料。</p>")
                evidence_upload(
                    actor=actor,
                    reference=ref,
                    upload=io.BytesIO(doc),
                    original_name=f"{title}.pdf",
                    declared_size=len(doc),
                    title=title,
                    category=category,
                )
            confirmation_services.confirmation_request_form(actor=staff, confirmation_id=c.pk)
            confirmation_services.confirmation_form_generate(confirmation_id=c.pk)
            confirmation_services.confirmation_consent(actor=customer, confirmation_id=c.pk)
            if state == "preparing":
                continue
            if state == "withdrawn":
                confirmation_services.confirmation_withdraw(
                    actor=customer, confirmation_id=c.pk, reason="双方决定自行履行。"
                )
                continue
            confirmation_services.confirmation_consent(actor=staff, confirmation_id=c.pk)
            confirmation_services.confirmation_file(actor=staff, confirmation_id=c.pk)
            if state == "filed":
                continue
            if state == "not_accepted":
                confirmation_services.confirmation_not_accept(
                    actor=clerk,
                    confirmation_id=c.pk,
                    reason="no_jurisdiction",
                    note="应向调解组织所在地法院申请。",
                )
                continue
            confirmation_services.confirmation_accept(
                actor=clerk,
                confirmation_id=c.pk,
                accepted_on=today,
                case_number=f"（{today.year}）沪0115民特{c.pk}号",
            )
            ruling: dict[str, Any] = {
                "ruling_number": f"（{today.year}）沪0115民特{c.pk}号",
                "ruling_on": today,
                "received_on": today,
            }
            if state == "confirmed":
                confirmation_services.confirmation_confirm(
                    actor=clerk, confirmation_id=c.pk, **ruling
                )
            elif state == "rejected":
                confirmation_services.confirmation_reject(
                    actor=clerk,
                    confirmation_id=c.pk,
                    ground="unclear",
                    note="履行方式约定不明确。",
                    **ruling,
                )

    def _reviews(self, users: dict[str, User], new: Any) -> None:
        """Look-back reviews in each state. The closed dispute above has a scheduled one;
        these five pretend to have closed seven months ago so that their reviews are due."""
        from referrals.reviews import services as rv

        staff, auditor = users["staff"], users["auditor"]
        checklist = {
            "root_cause": "yes",
            "accountability": "yes",
            "performance": "na",
            "satisfaction": "yes",
            "repeat": "none",
        }
        checklist.update({f"{k}_finding": "已核实。" for k in list(checklist)})
        checklist["accountability_persons"] = "理财经理 王某"
        for state in ("queued", "in_review", "passed", "failed", "re_review_scheduled"):
            d = new(
                users["customer"] if state == "in_review" else users["customer2"],
                "2600.00",
                ProductCategory.CREDIT_CARD,
                f"信用卡年费争议（回头看演示：{state}）。",
                "退还年费。",
                230,
            )
            ms.dispute_triage(
                actor=staff, reference=d.reference, cause_label="信用卡纠纷", urgency="normal"
            )
            ms.dispute_start_bank_handling(actor=staff, reference=d.reference)
            ms.dispute_close(
                actor=staff, reference=d.reference, reason=ClosureReason.BANK_DECISION_ACCEPTED
            )
            past = timezone.now() - timedelta(days=210)
            Dispute.objects.filter(pk=d.pk).update(closed_at=past)
            LookbackReview.objects.filter(dispute=d).update(
                closed_on=past.date(), due_on=rv.review_due_date(past.date())
            )
            rv.review_enqueue_due()
            review = LookbackReview.objects.get(dispute=d)
            if state == "queued":
                continue
            rv.review_take(actor=auditor, review_id=review.pk)
            if state == "in_review":
                continue
            values = dict(checklist)
            if state != "passed":
                values["repeat"], values["repeat_finding"] = "found", "客户通过电话再次投诉年费。"
            rv.review_save_checklist(actor=auditor, review_id=review.pk, values=values)
            rv.review_decide(
                actor=auditor,
                review_id=review.pk,
                passed=state == "passed",
                findings="整改到位。" if state == "passed" else "年费减免规则未修订。",
            )
            if state == "passed":
                continue
            action = rv.rectification_add(
                actor=auditor,
                review_id=review.pk,
                what="修订信用卡年费减免规则并培训网点员工。",
                owner="信用卡中心",
                due_on=timezone.localdate() + timedelta(days=30),
            )
            if state == "re_review_scheduled":
                rv.rectification_done(
                    actor=auditor, action_id=action.pk, evidence="制度修订文件 信卡〔2026〕12号"
                )
                rv.review_schedule_re_review(actor=auditor, review_id=review.pk)

    def _evidence(self, reference: str, customer: User, staff: User) -> None:
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
            pdf = _demo_pdf(f"{title}（演示）", body)
            evidence_upload(
                actor=actor,
                reference=reference,
                upload=io.BytesIO(pdf),
                original_name=f"{title}.pdf",
                declared_size=len(pdf),
                title=title,
                category=category,
            )

    def _print_logins(self) -> None:
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD})")
        for username, name, role, *_rest in USERS:
            self.stdout.write(f"  {username:<12} {name:<6} {Role(role).label}")
