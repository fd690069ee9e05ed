"""Factories for every model the tests build."""

from __future__ import annotations

from decimal import Decimal

import factory
from django.utils import timezone

from portal.models import Branch, OrganisationKind, PartnerOrganisation, Role, User
from portal.validators import resident_id_check_digit


def valid_id(n: int) -> str:
    first17 = f"110101199001{n % 10000:04d}1"[:17].ljust(17, "0")
    return first17 + resident_id_check_digit(first17)


class BranchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Branch
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"B{n:03d}")
    name = factory.Sequence(lambda n: f"支行{n}")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerOrganisation
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"调解中心{n}")
    kind = OrganisationKind.MEDIATION_CENTRE
    region = "上海"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    real_name = factory.Sequence(lambda n: f"用户{n}")
    role = Role.CUSTOMER
    password = factory.PostGenerationMethodCall("set_password", "Correct-Horse-42")

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.save()


class CustomerFactory(UserFactory):
    role = Role.CUSTOMER
    mobile = factory.Sequence(lambda n: f"139{n:08d}")
    # Customers register with a mobile number proved by a code (portal/views.py).
    mobile_verified_at = factory.LazyFunction(timezone.now)
    id_number = factory.Sequence(valid_id)


class StaffFactory(UserFactory):
    role = Role.STAFF
    branch = factory.SubFactory(BranchFactory)


class PartnerFactory(UserFactory):
    role = Role.PARTNER
    organisation = factory.SubFactory(OrganisationFactory)
    partner_role = "mediator"


def make_dispute(customer, branch, amount="30000.00", **kwargs):
    from mediation.services import dispute_submit

    return dispute_submit(
        customer=customer,
        branch=branch,
        category=kwargs.pop("category", "wealth"),
        amount=Decimal(amount),
        facts=kwargs.pop("facts", "理财产品亏损。"),
        request=kwargs.pop("request", "赔偿损失。"),
        received_at=kwargs.pop("received_at", timezone.now()),
        **kwargs,
    )


def make_referral(dispute, organisation, created_by, status="sent", **kwargs):
    """A referral row in a given state, for tests that start mid-lifecycle."""
    from referrals.models import Referral

    if status != "draft":  # it left the bank: it was sent
        kwargs.setdefault("sent_at", timezone.now())
    return Referral.objects.create(
        dispute=dispute, organisation=organisation, created_by=created_by, status=status, **kwargs
    )


def customer_discloses(customer, reference: str, organisation_id: int):
    """The customer consents by name to a centre receiving their information, as its page does
    past the one-time code (the page is tested in tests/mediation/test_disclosure.py)."""
    from django.utils import timezone

    from mediation.models import Dispute
    from mediation.services.consents import consent_give_disclosure, disclosure_act_text
    from portal.binding import Reauthenticated
    from portal.models import PartnerOrganisation

    dispute = Dispute.objects.get(reference=reference)
    centre = PartnerOrganisation.objects.get(pk=organisation_id)
    return consent_give_disclosure(
        actor=customer,
        reference=reference,
        organisation_id=organisation_id,
        proof=Reauthenticated(user_id=customer.pk, at=timezone.now(), method="sms_code"),
        shown_sha256=disclosure_act_text(dispute, centre).sha256,
    )


def opt_in_naming(customer, reference: str, organisation_id: int):
    """Opt in to the fast lane, then consent by name to the centre (two acts, as on the page)."""
    from mediation.services import consent_opt_in

    dispute = consent_opt_in(
        actor=customer, reference=reference, agree_mediation=True, agree_disclosure=True
    )
    customer_discloses(customer, reference, organisation_id)
    return dispute


def refer(dispute, customer, staff, centre, *, opt_in=True):
    """Opt in (consenting to disclosure to `centre`), create and send a referral."""
    from referrals.centres.services import referral_create, referral_send

    if opt_in:
        opt_in_naming(customer, dispute.reference, centre.pk)
    referral = referral_create(actor=staff, reference=dispute.reference, organisation_id=centre.pk)
    return referral_send(actor=staff, referral_id=referral.pk)


def upload_pdf(actor, dispute, title, category="contract", *, name="a.pdf"):
    """A one-page PDF filed as evidence by `actor`, its size not declared, as a form leaves it."""
    import io

    from mediation.services.evidence import evidence_upload
    from tests.factories.files import pdf_bytes

    return evidence_upload(
        actor=actor,
        reference=dispute.reference,
        upload=io.BytesIO(pdf_bytes()),
        original_name=name,
        declared_size=None,
        title=title,
        category=category,
    )


def enrol_totp(user) -> str:
    """Turn on `user`'s second factor with a known secret (as the enrolment page would);
    returns the secret, for `totp_code`."""
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)
    return secret


def totp_code(secret: str) -> str:
    """The code an authenticator app shows now for `secret`."""
    import time

    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def customer_accepts(customer, proposal_id: int):
    """The customer accepts a proposal as the confirmation page does, past its one-time code
    (the page itself is tested in tests/referrals/test_binding_acts.py)."""
    from django.utils import timezone

    from portal.binding import Reauthenticated
    from referrals.centres import agreements
    from referrals.models import MediatorProposal

    proposal = MediatorProposal.objects.select_related("referral__dispute").get(pk=proposal_id)
    return agreements.proposal_accept_confirmed(
        actor=customer,
        proposal_id=proposal_id,
        proof=Reauthenticated(user_id=customer.pk, at=timezone.now(), method="sms_code"),
        shown_sha256=agreements.proposal_act_text(proposal).sha256,
    )


def customer_joins(customer, confirmation_id: int):
    """The customer joins a judicial-confirmation application as its page does, past its
    one-time code (the page is tested in tests/referrals/test_confirmation_acts.py)."""
    from django.utils import timezone

    from portal.binding import Reauthenticated
    from referrals.confirmation import services
    from referrals.models import JudicialConfirmation

    c = JudicialConfirmation.objects.select_related(
        "dispute", "agreement__referral__organisation", "court"
    ).get(pk=confirmation_id)
    return services.confirmation_join_confirmed(
        actor=customer,
        confirmation_id=confirmation_id,
        proof=Reauthenticated(user_id=customer.pk, at=timezone.now(), method="sms_code"),
        shown_sha256=services.confirmation_act_text(
            dispute=c.dispute, agreement=c.agreement, court=c.court
        ).sha256,
    )


def backdate_referral(referral, days: int) -> None:
    """The referral reached its centre `days` ago (an agreement may take effect from then)."""
    from datetime import timedelta

    from referrals.models import Referral

    Referral.objects.filter(pk=referral.pk).update(sent_at=timezone.now() - timedelta(days=days))


def sms_code(mobile: str) -> str:
    """The one-time code in the last text message to `mobile` (the database SMS backend): six
    digits standing alone, not the tail of a case number such as MD-2026-000001."""
    import re

    from portal.models import SmsMessage

    text = SmsMessage.objects.filter(to=mobile).latest("created_at").text
    found = re.search(r"(?<![\d-])\d{6}(?!\d)", text)
    assert found is not None, text
    return found.group()


def class_rule(actor, problem, *, share="70", cap=None, eligibility="all", tokens=("九民纪要:72",)):
    """Head office records a class of problems' cause, characterisation and rule (the seed's
    worked case: the suitability duty, the bank bearing 70%), as the class page does."""
    from mediation.problems.services import class_set_rule

    return class_set_rule(
        actor=actor,
        class_id=problem.pk,
        root_cause="产品含约35%权益资产，却向R2及以下客户以稳健名义销售。",
        characterisation="违反适当性义务，银行承担相应比例的损失。",
        citation_tokens=list(tokens),
        share=Decimal(share),
        cap=Decimal(cap) if cap is not None else None,
        eligibility=eligibility,
    )
