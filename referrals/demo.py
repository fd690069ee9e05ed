"""Demo cases with outside bodies: a referral in every state at the Shanghai mediation centre
(one in mediation with a session, a proposal awaiting the customer and a bundle), an
arbitration, a court case, a judicial confirmation in every state at the demo court, and
look-back reviews in every state. All through the same services as the pages."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from mediation import services as ms
from mediation.demo import DemoCases, add_evidence, upload_demo_pdf
from mediation.lifecycle import ClosureReason
from mediation.models import Dispute, ProductCategory
from mediation.services.consents import disclosure_act_text
from portal import binding
from portal.demo import demo_pdf
from portal.models import OrganisationKind
from referrals.arbitration import services as arbitration_services
from referrals.bundles.services import bundle_request
from referrals.centres import agreements as agreement_services
from referrals.centres import services as referral_services
from referrals.centres import sessions as session_services
from referrals.confirmation import application_form as form_services
from referrals.confirmation import court as court_services
from referrals.confirmation import services as confirmation_services
from referrals.confirmation.lifecycle import ConfirmationStatus
from referrals.models import LookbackReview, Referral
from referrals.reviews import services as review_services
from referrals.reviews.lifecycle import ReviewStatus


@dataclass
class Referrals:
    """Referrals of demo wealth-product disputes to the Shanghai centre."""

    cases: DemoCases

    def referred(self, label: str, amount: str, *, send: bool = True) -> Referral:
        users, centre = self.cases.accounts.users, self.cases.accounts.organisations[0]
        d = self.cases.new(
            users["customer"],
            amount,
            ProductCategory.WEALTH_MANAGEMENT,
            f"“稳健增利”理财产品适当性争议（演示：{label}）。",
            f"赔偿损失{amount}元。",
            12,
        )
        ms.consent_opt_in(
            actor=users["customer"],
            reference=d.reference,
            agree_mediation=True,
            agree_disclosure=True,
        )
        # The customer then consented to this centre by name on its page (a binding act,
        # sealed by the worker); the demo stands in for the code they entered.
        ms.consent_give_disclosure(
            actor=users["customer"],
            reference=d.reference,
            organisation_id=centre.pk,
            proof=binding.Reauthenticated(
                user_id=users["customer"].pk, at=timezone.now(), method="sms_code"
            ),
            shown_sha256=disclosure_act_text(d, centre).sha256,
        )
        referral = referral_services.referral_create(
            actor=users["staff"], reference=d.reference, organisation_id=centre.pk
        )
        if send:
            referral = referral_services.referral_send(
                actor=users["staff"], referral_id=referral.pk
            )
            # The demo's referrals reached their centre ten days ago, before the acceptances
            # and agreements dated after it below.
            Referral.objects.filter(pk=referral.pk).update(
                sent_at=timezone.now() - timedelta(days=10)
            )
            referral.refresh_from_db()
        return referral

    def accepted(self, label: str, amount: str) -> Referral:
        mediator = self.cases.accounts.users["mediator"]
        referral = self.referred(label, amount)
        referral_services.referral_acknowledge(actor=mediator, referral_id=referral.pk)
        referral_services.referral_accept(
            actor=mediator,
            referral_id=referral.pk,
            mediator_id=mediator.pk,
            accepted_on=timezone.localdate() - timedelta(days=8),
        )
        referral_services.referral_declare_conflicts(
            actor=mediator, referral_id=referral.pk, text="本人与双方当事人均无利害关系。"
        )
        return referral

    def agreed(self, label: str, amount: str, agreed_amount: str, days_to_pay: int) -> Referral:
        referral = self.accepted(label, amount)
        today = timezone.localdate()
        pdf = demo_pdf(
            "人民调解协议书（演示）",
            f"<p>银行于{days_to_pay}日内向申请人支付人民币{agreed_amount}元。</p>"
            "<p>双方签字、调解员签字并加盖调解中心印章。</p>",
        )
        agreement_services.agreement_record(
            actor=self.cases.accounts.users["mediator"],
            referral_id=referral.pk,
            upload=io.BytesIO(pdf),
            file_name="调解协议书.pdf",
            size=len(pdf),
            amount=Decimal(agreed_amount),
            terms=f"银行支付{agreed_amount}元，双方再无争议。",
            performance_due=today + timedelta(days=days_to_pay),
            effective_on=today - timedelta(days=2),
        )
        return referral


def seed(cases: DemoCases) -> None:
    referrals = Referrals(cases)
    seed_referral_states(referrals)
    seed_case_in_mediation(referrals)
    seed_confirmations(referrals)
    seed_outcomes(referrals)
    seed_litigation(cases)
    seed_reviews(cases)


def seed_referral_states(referrals: Referrals) -> None:
    users = referrals.cases.accounts.users
    mediator, staff = users["mediator"], users["staff"]
    referrals.referred("draft", "6000.00", send=False)
    referrals.referred("sent", "8000.00")
    acknowledged = referrals.referred("acknowledged", "9500.00")
    referral_services.referral_acknowledge(actor=mediator, referral_id=acknowledged.pk)
    declined = referrals.referred("declined", "7200.00")
    referral_services.referral_decline(
        actor=mediator, referral_id=declined.pk, reason="本中心近期案件已满。"
    )
    withdrawn = referrals.referred("withdrawn", "3100.00")
    referral_services.referral_withdraw(
        actor=staff, referral_id=withdrawn.pk, reason="客户要求暂缓调解。"
    )


def seed_case_in_mediation(referrals: Referrals) -> None:
    """The mediator's working case: evidence, a session, a proposal awaiting the customer's
    answer, and a bundle for the centre."""
    users, centre = referrals.cases.accounts.users, referrals.cases.accounts.organisations[0]
    mediator, staff = users["mediator"], users["staff"]
    working = referrals.accepted("in_mediation", "15000.00")
    add_evidence(working.dispute.reference, users["customer"], staff)
    session_services.session_schedule(
        actor=mediator,
        referral_id=working.pk,
        starts_at=timezone.now() + timedelta(days=2, hours=1),
        mode="online",
        place="https://mediation.example/room/2026-015",
    )
    agreement_services.proposal_make(
        actor=mediator,
        referral_id=working.pk,
        amount=Decimal("8000.00"),
        terms="银行补偿客户8,000元，客户放弃其他请求。",
        performance_due=timezone.localdate() + timedelta(days=15),
    )
    bundle_request(
        actor=staff,
        reference=working.dispute.reference,
        recipient_kind=OrganisationKind.MEDIATION_CENTRE,
        organisation_id=centre.pk,
    )


def seed_outcomes(referrals: Referrals) -> None:
    """An agreement, a proposal the customer accepted, a failed mediation, and one that went
    on to arbitration."""
    users = referrals.cases.accounts.users
    mediator = users["mediator"]
    referrals.agreed("agreement", "26000.00", "18000.00", days_to_pay=10)
    proposal = referrals.accepted("proposal_accepted", "5200.00")
    offer = agreement_services.proposal_make(
        actor=mediator,
        referral_id=proposal.pk,
        amount=Decimal("4000.00"),
        terms="银行退还手续费4,000元。",
        performance_due=timezone.localdate() + timedelta(days=7),
    )
    # The demo customer accepted it on the confirmation page (a binding act, sealed by the
    # worker); the demo stands in for the code they entered.
    agreement_services.proposal_accept_confirmed(
        actor=users["customer"],
        proposal_id=offer.pk,
        proof=binding.Reauthenticated(
            user_id=users["customer"].pk, at=timezone.now(), method="sms_code"
        ),
        shown_sha256=agreement_services.proposal_act_text(offer).sha256,
    )
    failed = referrals.accepted("failed", "42000.00")
    referral_services.referral_fail(
        actor=mediator, referral_id=failed.pk, reason="双方对赔偿比例分歧较大。"
    )
    arbitrated = referrals.accepted("arbitration", "49999.00")
    referral_services.referral_fail(
        actor=mediator, referral_id=arbitrated.pk, reason="客户选择仲裁。"
    )
    seed_arbitration(referrals.cases, arbitrated.dispute)


def seed_arbitration(cases: DemoCases, dispute: Dispute) -> None:
    staff, today = cases.staff, timezone.localdate()
    pdf = demo_pdf("仲裁协议（演示）", "<p>双方同意将本争议提交上海仲裁委员会仲裁。</p>")
    case = arbitration_services.arbitration_start(
        actor=staff,
        reference=dispute.reference,
        commission_id=cases.accounts.organisations[2].pk,
        agreement_signed_on=today - timedelta(days=6),
        upload=io.BytesIO(pdf),
        file_name="仲裁协议.pdf",
        size=len(pdf),
    )
    arbitration_services.arbitration_file(
        actor=staff, case_id=case.pk, filed_on=today - timedelta(days=5)
    )
    arbitration_services.arbitration_accept(
        actor=cases.accounts.users["arbitrator"],
        case_id=case.pk,
        accepted_on=today - timedelta(days=3),
        case_number="（2026）沪仲案字第0456号",
    )


def seed_litigation(cases: DemoCases) -> None:
    d = cases.new(
        cases.accounts.users["customer2"],
        "36000.00",
        ProductCategory.DEPOSITS,
        "定期存款被冒领，银行拒绝赔付。",
        "赔偿存款36,000元。",
        40,
    )
    cases.on_standard_track(d, "储蓄存款合同纠纷", "critical")
    arbitration_services.litigation_record(
        actor=cases.staff,
        reference=d.reference,
        court_name="上海市浦东新区人民法院",
        case_number="（2026）沪0115民初12345号",
        filed_on=timezone.localdate() - timedelta(days=20),
        note="客户起诉。",
    )


def seed_confirmations(referrals: Referrals) -> None:
    """A judicial confirmation in each state, at the demo court."""
    for state in (
        ConfirmationStatus.PREPARING,
        ConfirmationStatus.FILED,
        ConfirmationStatus.ACCEPTED,
        ConfirmationStatus.NOT_ACCEPTED,
        ConfirmationStatus.CONFIRMED,
        ConfirmationStatus.REJECTED,
        ConfirmationStatus.WITHDRAWN,
    ):
        _confirmation_in(referrals, state)


def _confirmation_in(referrals: Referrals, state: str) -> None:
    users = referrals.cases.accounts.users
    customer, staff = users["customer"], users["staff"]
    referral = referrals.agreed(f"司法确认：{state}", "18800.00", "12000.00", days_to_pay=5)
    ref = referral.dispute.reference
    c = confirmation_services.confirmation_start(
        actor=staff, reference=ref, court_id=referrals.cases.accounts.organisations[3].pk
    )
    for actor, title, category in (
        (users["mediator"], "调解组织证明", "mediation_proof"),
        (customer, "申请人身份证", "identity"),
        (staff, "银行营业执照", "bank_identity"),
    ):
        upload_demo_pdf(actor, ref, title, category, "<p>演示材料。</p>")
    form_services.confirmation_request_form(actor=staff, confirmation_id=c.pk)
    form_services.confirmation_form_generate(confirmation_id=c.pk)
    if state == ConfirmationStatus.PREPARING:
        # The bank agreed; the application waits for the customer to join it (their home).
        confirmation_services.confirmation_consent(actor=staff, confirmation_id=c.pk)
        return
    # The customer joined on the application's page (a binding act, sealed by the worker).
    c.refresh_from_db()
    confirmation_services.confirmation_join_confirmed(
        actor=customer,
        confirmation_id=c.pk,
        proof=binding.Reauthenticated(user_id=customer.pk, at=timezone.now(), method="sms_code"),
        shown_sha256=confirmation_services.confirmation_act_text(
            dispute=c.dispute, agreement=c.agreement, court=c.court
        ).sha256,
    )
    if state == ConfirmationStatus.WITHDRAWN:
        confirmation_services.confirmation_withdraw(
            actor=customer, confirmation_id=c.pk, reason="双方决定自行履行。"
        )
        return
    confirmation_services.confirmation_consent(actor=staff, confirmation_id=c.pk)
    confirmation_services.confirmation_file(actor=staff, confirmation_id=c.pk)
    if state != ConfirmationStatus.FILED:
        _court_decides(referrals.cases, c.pk, state)


def _court_decides(cases: DemoCases, confirmation_id: int, state: str) -> None:
    clerk, today = cases.accounts.users["clerk"], timezone.localdate()
    if state == ConfirmationStatus.NOT_ACCEPTED:
        court_services.confirmation_not_accept(
            actor=clerk,
            confirmation_id=confirmation_id,
            reason="no_jurisdiction",
            note="应向调解组织所在地法院申请。",
        )
        return
    number = f"（{today.year}）沪0115民特{confirmation_id}号"
    court_services.confirmation_accept(
        actor=clerk, confirmation_id=confirmation_id, accepted_on=today, case_number=number
    )
    ruling: dict[str, Any] = {"ruling_number": number, "ruling_on": today, "received_on": today}
    if state == ConfirmationStatus.CONFIRMED:
        court_services.confirmation_confirm(actor=clerk, confirmation_id=confirmation_id, **ruling)
    elif state == ConfirmationStatus.REJECTED:
        court_services.confirmation_reject(
            actor=clerk,
            confirmation_id=confirmation_id,
            ground="unclear",
            note="履行方式约定不明确。",
            **ruling,
        )


_ANSWERS = {
    "root_cause": "yes",
    "accountability": "yes",
    "performance": "na",
    "satisfaction": "na",
    "repeat": "none",
}
REVIEW_CHECKLIST = {
    **_ANSWERS,
    **{f"{k}_finding": "已核实。" for k in _ANSWERS},
    "accountability_persons": "理财经理 王某",
}


def seed_reviews(cases: DemoCases) -> None:
    """Look-back reviews in each state (the closed dispute of mediation's demo has a scheduled
    one); these pretend to have closed seven months ago so that their reviews are due."""
    for state in (
        ReviewStatus.QUEUED,
        ReviewStatus.IN_REVIEW,
        ReviewStatus.PASSED,
        ReviewStatus.FAILED,
        ReviewStatus.RE_REVIEW_SCHEDULED,
    ):
        _review_in(cases, state)


def _review_in(cases: DemoCases, state: str) -> None:
    users, auditor = cases.accounts.users, cases.accounts.users["auditor"]
    d = cases.new(
        users["customer"] if state == ReviewStatus.IN_REVIEW else users["customer2"],
        "2600.00",
        ProductCategory.CREDIT_CARD,
        f"信用卡年费争议（回头看演示：{state}）。",
        "退还年费。",
        230,
    )
    cases.on_standard_track(d, "信用卡纠纷", "normal")
    ms.dispute_close(
        actor=cases.staff, reference=d.reference, reason=ClosureReason.BANK_DECISION_ACCEPTED
    )
    past = timezone.now() - timedelta(days=210)
    Dispute.objects.filter(pk=d.pk).update(closed_at=past)
    LookbackReview.objects.filter(dispute=d).update(
        closed_on=past.date(), due_on=review_services.review_due_date(past.date())
    )
    review_services.review_enqueue_due()
    review = LookbackReview.objects.get(dispute=d)
    if state == ReviewStatus.QUEUED:
        return
    review_services.review_take(actor=auditor, review_id=review.pk)
    if state == ReviewStatus.IN_REVIEW:
        return
    values = dict(REVIEW_CHECKLIST)
    justifications = {}
    if state != ReviewStatus.PASSED:
        values["repeat"], values["repeat_finding"] = "found", "客户通过电话再次投诉年费。"
    else:  # the customer's later cases are other matters: the auditor says why
        justifications["repeat"] = "结案后的投诉涉及其他产品，非就年费事项再次投诉，已电话核实。"
    review_services.review_save_checklist(
        actor=auditor, review_id=review.pk, values=values, justifications=justifications
    )
    passed = state == ReviewStatus.PASSED
    review_services.review_decide(
        actor=auditor,
        review_id=review.pk,
        passed=passed,
        findings="整改到位。" if passed else "年费减免规则未修订。",
    )
    if not passed:
        _rectify(cases, review.pk, done=state == ReviewStatus.RE_REVIEW_SCHEDULED)


def _rectify(cases: DemoCases, review_id: int, *, done: bool) -> None:
    auditor = cases.accounts.users["auditor"]
    action = review_services.rectification_add(
        actor=auditor,
        review_id=review_id,
        what="修订信用卡年费减免规则并培训网点员工。",
        owner="信用卡中心",
        due_on=timezone.localdate() + timedelta(days=30),
    )
    if done:
        review_services.rectification_done(
            actor=auditor, action_id=action.pk, evidence="制度修订文件 信卡〔2026〕12号"
        )
        review_services.review_schedule_re_review(actor=auditor, review_id=review_id)
