from __future__ import annotations

import html
import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from portal.models import OrganisationKind
from referrals.centres import agreements as agreement_services
from referrals.centres import services as referral_services
from tests.factories import (
    BranchFactory,
    CustomerFactory,
    OrganisationFactory,
    PartnerFactory,
    StaffFactory,
    UserFactory,
    backdate_referral,
    make_dispute,
    refer,
)
from tests.factories.files import pdf_bytes


@pytest.fixture(autouse=True)
def _private_storage_and_language(settings, tmp_path):
    """Each test gets an empty private storage, so 'nothing left behind' can be checked, and
    its own audit anchor (the chain starts afresh with each test's database)."""
    settings.LANGUAGE_CODE = "zh-hans"
    settings.AUDIT_ANCHOR_PATH = str(tmp_path / "audit-anchor.log")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private"), "base_url": None},
        },
    }


@pytest.fixture(autouse=True)
def _empty_cache():
    """Cached token lookups, rate-limit counters and page fragments never outlive a test."""
    from django.core.cache import caches

    for cache in caches.all(initialized_only=True):
        cache.clear()


@pytest.fixture
def stored_files(db, monkeypatch) -> list[tuple[str, int]]:
    """Each evidence file a service stores, as (its name, how many transactions were open
    around the test's own when it was stored): storing is network I/O with object storage and
    is never done under a lock, so the depth is 0."""
    from django.db import connection

    from mediation.services import evidence

    outer = len(connection.atomic_blocks)
    real_store = evidence.store_clean_file
    stored: list[tuple[str, int]] = []

    def store(folder, clean):
        name = real_store(folder, clean)
        stored.append((name, len(connection.atomic_blocks) - outer))
        return name

    monkeypatch.setattr(evidence, "store_clean_file", store)
    return stored


@pytest.fixture
def triage_table(db):
    """The triage rule table as its migration first fills it (mediation 0019). A transactional
    test's flush empties tables that migrations filled, so tests that read it ask for it."""
    import importlib

    from mediation.models import TriageRule

    if not TriageRule.objects.exists():
        rules = importlib.import_module("mediation.migrations.0019_triage_rules").RULES
        TriageRule.objects.bulk_create(
            TriageRule(position=p, keywords=k, cause=c, urgency=u) for p, k, c, u in rules
        )
    return TriageRule.objects.all()


@pytest.fixture
def legal_library(db):
    """The reply toolkit's statute library and claim types, as `load_legal_library` loads them."""
    from mediation.replykit.library import load_library

    return load_library()


@pytest.fixture
def branch(db):
    return BranchFactory(code="SH01", name="上海浦东支行")


@pytest.fixture
def other_branch(db):
    return BranchFactory(code="BJ01", name="北京朝阳支行")


@pytest.fixture
def head_office(db):
    return BranchFactory(code="HO", name="总行", is_head_office=True)


@pytest.fixture
def customer(db):
    return CustomerFactory()


@pytest.fixture
def other_customer(db):
    return CustomerFactory()


@pytest.fixture
def staff(branch):
    return StaffFactory(branch=branch)


@pytest.fixture
def other_staff(other_branch):
    return StaffFactory(branch=other_branch)


@pytest.fixture
def hq_staff(head_office):
    return StaffFactory(branch=head_office)


@pytest.fixture
def centre(db):
    return OrganisationFactory(name="上海市金融消费纠纷调解中心")


@pytest.fixture
def other_centre(db):
    return OrganisationFactory(name="北京金融街调解中心")


@pytest.fixture
def mediator(centre):
    return PartnerFactory(organisation=centre)


@pytest.fixture
def other_mediator(other_centre):
    return PartnerFactory(organisation=other_centre)


@pytest.fixture
def court(db):
    return OrganisationFactory.create(name="上海市浦东新区人民法院", kind=OrganisationKind.COURT)


@pytest.fixture
def other_court(db):
    return OrganisationFactory.create(name="北京市朝阳区人民法院", kind=OrganisationKind.COURT)


@pytest.fixture
def auditor(db):
    return UserFactory(role="auditor")


def client_for(user) -> Client:
    """A client signed in as `user`, past the second factor where the role asks for one (the
    second-factor step itself is tested in tests/security/test_second_factor.py)."""
    from portal.second_factor import mark_verified

    client = Client()
    client.force_login(user)
    session = client.session
    mark_verified(session, user)
    session.save()
    return client


def opened(client: Client, url: str) -> str:
    """A page as it reads with every action panel opened: the page, then each closed panel's
    form as the panel asks for it with htmx (portal.actions.action_view)."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    page = response.content.decode()
    parts = []
    for href in re.findall(r'hx-get="([^"]+)" hx-trigger="toggle once"', page):
        part = client.get(html.unescape(href), headers={"HX-Request": "true"})
        assert part.status_code == 200, (href, part.status_code)
        parts.append(part.content.decode())
    return page + "".join(parts)


@pytest.fixture
def admin_client(admin_user):
    """pytest-django's admin client, past the second factor (client_for)."""
    return client_for(admin_user)


@pytest.fixture
def agreed(customer, staff, mediator, branch, centre):
    """A dispute with a signed agreement (12,000 yuan) that took effect yesterday."""
    dispute = make_dispute(customer, branch, "20000.00")
    referral = refer(dispute, customer, staff, centre)
    referral_services.referral_accept(
        actor=mediator, referral_id=referral.pk, mediator_id=mediator.pk
    )
    backdate_referral(referral, 10)
    agreement_services.agreement_record(
        actor=mediator,
        referral_id=referral.pk,
        upload=io.BytesIO(pdf_bytes()),
        file_name="协议.pdf",
        size=None,
        amount=Decimal("12000.00"),
        terms="银行支付12,000元",
        effective_on=timezone.localdate() - timedelta(1),
        performance_due=timezone.localdate() + timedelta(days=10),
    )
    dispute.refresh_from_db()
    return dispute
