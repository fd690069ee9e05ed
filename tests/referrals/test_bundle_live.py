"""Issue 19, 1: a bundle being built updates on the case page by itself (htmx asks for the
bundle table every few seconds while one is queued or building, and stops once none is);
without scripts the refresh link does the same. The table answers only the case's viewers."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from mediation.services.evidence import evidence_upload
from portal.models import OrganisationKind
from referrals.bundles.services import bundle_generate, bundle_request
from tests.conftest import client_for
from tests.factories import make_dispute
from tests.factories.files import pdf_bytes

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def queued(customer, staff, branch):
    dispute = make_dispute(customer, branch)
    item = evidence_upload(
        actor=customer,
        reference=dispute.reference,
        upload=io.BytesIO(pdf_bytes()),
        original_name="合同.pdf",
        declared_size=len(pdf_bytes()),
        title="理财合同",
        category="contract",
    )
    bundle = bundle_request(
        actor=staff,
        reference=dispute.reference,
        recipient_kind=OrganisationKind.COURT,
        evidence_ids=[item.pk],
    )
    return dispute, bundle


def test_the_table_asks_again_while_a_bundle_is_built_and_stops_once_it_is(staff, queued):
    dispute, bundle = queued
    client = client_for(staff)
    url = reverse("bundles:table", args=[dispute.reference])
    page = client.get(dispute.get_absolute_url()).content.decode()
    assert f'hx-get="{url}"' in page and 'hx-trigger="every 3s"' in page
    part = client.get(url, headers=HTMX).content.decode()
    assert "<html" not in part  # the table alone, not the page
    assert 'id="bundle-table"' in part and "排队中" in part and f'hx-get="{url}"' in part
    bundle_generate(bundle_id=bundle.pk)
    part = client.get(url, headers=HTMX).content.decode()
    assert "hx-get" not in part  # done: htmx stops asking
    assert reverse("bundles:download", args=[dispute.reference, bundle.pk, "pdf"]) in part
    assert f'hx-get="{url}"' not in client.get(dispute.get_absolute_url()).content.decode()


def test_the_table_is_the_cases_viewers_alone(queued, other_staff, other_customer, customer):
    dispute, _bundle = queued
    url = reverse("bundles:table", args=[dispute.reference])
    assert client_for(other_staff).get(url, headers=HTMX).status_code == 404
    assert client_for(other_customer).get(url, headers=HTMX).status_code == 404
    assert client_for(customer).get(url, headers=HTMX).status_code == 200
    # Asked for outside htmx (a bookmark, a crawler): the case page, at its bundles.
    plain = client_for(customer).get(url)
    assert plain.status_code == 302
    assert plain["Location"] == dispute.get_absolute_url() + "#bundles"
