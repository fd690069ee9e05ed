"""Binding acts (DESIGN.md 3, 电子签名法 arts. 13-14): accepting a mediator's proposal, and in
time signing an agreement, a joint judicial-confirmation application, a disclosure consent.

A binding act is made on its own page, which shows the whole text (amounts in figures and in
Chinese capitals, what the person gives up); the person ticks that they read it and enters a
one-time code sent to their verified mobile (`reauthenticate`, outside any transaction so that a
wrong code counts). The domain service takes the `Reauthenticated` proof, checks the text it
would record is the one the page showed (`text_sha256`), makes the act and `record`s it in its
own transaction: the text and its hash enter the audit chain. Once that commits, the worker
renders the act as a PDF and seals it with the platform's certificate (portal/seal.py); the
PDF's hash enters the chain too. Anyone can check the seal at /verify/.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from django.core.files.base import ContentFile
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.audit import audit_record, on_behalf_of
from portal.exceptions import ApplicationError
from portal.models import BindingAct, OneTimeCodePurpose, User
from portal.otp import otp_send, otp_verify

PROOF_VALID = timedelta(minutes=5)
# A seal that failed (the certificate unreadable, the worker killed mid-render) is tried again
# by the recurring job for this long after the act; after that it waits for an administrator.
SEAL_RETRY_FOR = timedelta(days=2)

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ["", "拾", "佰", "仟"]
_BIG_UNITS = ["", "万", "亿", "万亿"]


def rmb_upper(amount: Decimal) -> str:
    """An amount in Chinese capitals as on a cheque: 8,000.50 -> 人民币捌仟元伍角整."""
    amount = amount.quantize(Decimal("0.01"))
    if amount < 0:
        raise ValueError("negative amount")
    yuan, fen_total = divmod(int(amount * 100), 100)
    jiao, fen = divmod(fen_total, 10)
    if yuan == 0:
        text = ""
    else:
        groups: list[int] = []
        while yuan:
            yuan, group = divmod(yuan, 10000)
            groups.append(group)
        parts: list[str] = []
        zero_pending = False
        for index in range(len(groups) - 1, -1, -1):
            group = groups[index]
            if group == 0:
                zero_pending = bool(parts)
                continue
            chunk = ""
            digits = f"{group:04d}"
            for position, digit in enumerate(digits):
                value = int(digit)
                if value == 0:
                    if chunk:
                        zero_pending = True
                    continue
                if zero_pending or (not chunk and parts and position > 0):
                    chunk += "零"
                zero_pending = False
                chunk += _DIGITS[value] + _SMALL_UNITS[3 - position]
            parts.append(chunk + _BIG_UNITS[index])
            zero_pending = group % 10 == 0
        text = "".join(parts) + "元"
    if jiao == 0 and fen == 0:
        return f"人民币{text or '零元'}整"
    cents = ""
    if jiao:
        cents += _DIGITS[jiao] + "角"
    elif text:
        cents += "零"
    if fen:
        cents += _DIGITS[fen] + "分"
    else:
        cents += "整"
    return f"人民币{text}{cents}"


@dataclass(frozen=True)
class ActText:
    """What the person is shown and confirms: a title, labelled lines, what they give up."""

    kind: str
    title: str
    case_ref: str
    lines: list[tuple[str, str]]
    gives_up: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        body = [self.title, f"{_('Case')}: {self.case_ref}"]
        body += [f"{label}: {value}" for label, value in self.lines]
        if self.gives_up:
            body.append(_("By confirming you accept that:"))
            body += [f"- {item}" for item in self.gives_up]
        return "\n".join(body)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()


@dataclass(frozen=True)
class Reauthenticated:
    """Proof that `user_id` entered a right one-time code at `at` (see `reauthenticate`)."""

    user_id: int
    at: Any
    method: str


def send_code(*, user: User, address: str, title: str) -> None:
    if not user.mobile or user.mobile_verified_at is None:
        raise ApplicationError(
            _(
                "A binding act is confirmed with a code sent to your verified mobile number: "
                "verify your number on your account page first."
            ),
            code="no_verified_mobile",
        )
    otp_send(
        mobile=user.mobile,
        purpose=OneTimeCodePurpose.CONFIRM,
        address=address,
        text=_(
            "You are confirming: %(title)s. Your code is {code}, valid for 5 minutes. "
            "Do not give it to anyone."
        )
        % {"title": title},
    )


def reauthenticate(*, user: User, code: str) -> Reauthenticated:
    """Spend one try of the person's confirmation code (outside any transaction, so a wrong
    code counts); the proof the domain service asks for."""
    if not user.mobile or user.mobile_verified_at is None:
        raise ApplicationError(_("Verify your mobile number first."), code="no_verified_mobile")
    otp_verify(mobile=user.mobile, purpose=OneTimeCodePurpose.CONFIRM, code=code)
    return Reauthenticated(user_id=user.pk, at=timezone.now(), method="sms_code")


def check_proof(proof: Reauthenticated | None, actor: User) -> Reauthenticated:
    if proof is None or proof.user_id != actor.pk or timezone.now() - proof.at > PROOF_VALID:
        raise ApplicationError(
            _("Confirm this on its own page, with the code sent to your mobile."),
            code="reauthentication_required",
        )
    return proof


def record(
    *,
    actor: User,
    act: ActText,
    target: models.Model,
    proof: Reauthenticated,
    shown_sha256: str,
) -> BindingAct:
    """In the domain service's transaction: keep the act and its text; seal it after commit."""
    check_proof(proof, actor)
    if act.sha256 != shown_sha256:
        raise ApplicationError(
            _("What you are confirming changed after you opened the page. Read it again."),
            code="text_changed",
        )
    binding = BindingAct.objects.create(
        kind=act.kind,
        actor=actor,
        case_ref=act.case_ref,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        title=act.title,
        on_behalf_of=on_behalf_of(actor, act.case_ref),
        text=act.text,
        text_sha256=act.sha256,
        confirmed_at=timezone.now(),
        reauthenticated_by=proof.method,
    )
    audit_record(
        actor=actor,
        action="binding_act.confirmed",
        target=binding,
        case_ref=act.case_ref,
        data={"kind": act.kind, "text_sha256": act.sha256, "reauthenticated_by": proof.method},
    )
    transaction.on_commit(partial(_enqueue_seal, binding.pk))
    return binding


def _enqueue_seal(act_id: int) -> None:
    from portal.tasks import seal_binding_act

    seal_binding_act.enqueue(act_id)


def seal(*, act_id: int) -> None:
    """In the worker: render the act, seal it, store it, and chain the PDF's hash."""
    from weasyprint import HTML

    from portal.seal import seal_pdf

    act = BindingAct.objects.select_related("actor").filter(pk=act_id).first()
    if act is None or act.status != BindingAct.Status.QUEUED:
        return
    try:
        with translation.override("zh-hans"):
            html = render_to_string("pdf/binding_act.html", {"act": act})
            sealed = seal_pdf(HTML(string=html).write_pdf() or b"", reason=act.title)
    except Exception as error:
        BindingAct.objects.filter(pk=act.pk).update(
            status=BindingAct.Status.FAILED, failure=str(error)[:500]
        )
        raise
    digest = hashlib.sha256(sealed).hexdigest()
    act.pdf.save(f"{act.case_ref}-{act.kind}-{act.pk}.pdf", ContentFile(sealed), save=False)
    act.pdf_sha256, act.status = digest, BindingAct.Status.READY
    with transaction.atomic():
        act.save(update_fields=["pdf", "pdf_sha256", "status"])
        audit_record(
            actor=None,
            action="binding_act.sealed",
            target=act,
            case_ref=act.case_ref,
            data={"pdf_sha256": digest},
        )


def seal_retry(now: Any = None) -> int:
    """The recurring job: the acts whose seal failed recently are queued to be sealed again
    (the act and its text are kept; only the PDF is missing). How many were queued."""
    now = now or timezone.now()
    failed = list(
        BindingAct.objects.filter(
            status=BindingAct.Status.FAILED, confirmed_at__gte=now - SEAL_RETRY_FOR
        ).values_list("pk", flat=True)
    )
    for act_id in failed:
        with transaction.atomic():
            again = BindingAct.objects.filter(pk=act_id, status=BindingAct.Status.FAILED).update(
                status=BindingAct.Status.QUEUED, failure=""
            )
            if again:
                transaction.on_commit(partial(_enqueue_seal, act_id))
    return len(failed)
