"""Evidence and bundles in S3-compatible object storage (the scale-out profile's switch,
OBJECT_STORAGE_BUCKET), against moto's S3 server on 127.0.0.1: stored under generated names
in the private prefix, streamed back only through the permission-checked views, and removed
when a refused upload leaves nothing behind."""

from __future__ import annotations

import boto3
import pytest
from moto.server import ThreadedMotoServer

from mediation.models import EvidenceItem
from portal.models import OrganisationKind
from referrals.bundles.services import bundle_request
from referrals.models import Bundle, BundleStatus
from tests.conftest import client_for
from tests.factories import make_dispute, upload_pdf

pytestmark = pytest.mark.django_db

BUCKET = "portal-private"


@pytest.fixture(scope="module")
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3(settings, s3_endpoint):
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_endpoint,
                "region_name": "us-east-1",
                "access_key": "test",
                "secret_key": "test",
                "location": "private",
                "default_acl": "private",
                "file_overwrite": False,
            },
        },
    }
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def keys(client) -> list[str]:
    return sorted(o["Key"] for o in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def test_evidence_and_bundles_live_in_the_bucket(
    s3, customer, staff, other_customer, branch, django_capture_on_commit_callbacks
):
    dispute = make_dispute(customer, branch)
    item = upload_pdf(customer, dispute, "合同")
    assert keys(s3) == [f"private/{item.file.name}"]
    assert item.file.name.startswith("evidence/") and item.file.name.endswith(".pdf")

    url = f"/disputes/{dispute.reference}/evidence/{item.pk}/"
    response = client_for(customer).get(url)
    assert response.status_code == 200
    stored = s3.get_object(Bucket=BUCKET, Key=f"private/{item.file.name}")["Body"].read()
    assert response.getvalue() == stored
    assert client_for(other_customer).get(url).status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        bundle = bundle_request(
            actor=staff, reference=dispute.reference, recipient_kind=OrganisationKind.COURT
        )
    bundle = Bundle.objects.get(pk=bundle.pk)
    assert bundle.status == BundleStatus.READY, bundle.failure_reason
    assert f"private/{bundle.pdf.name}" in keys(s3) and f"private/{bundle.zip.name}" in keys(s3)
    pdf = client_for(staff).get(f"/disputes/{dispute.reference}/bundles/{bundle.pk}/pdf/")
    assert pdf.status_code == 200 and pdf.getvalue().startswith(b"%PDF")


def test_a_refused_upload_leaves_nothing_in_the_bucket(s3, customer, branch, settings):
    from portal.exceptions import UploadTooLarge

    dispute = make_dispute(customer, branch)
    settings.UPLOAD_MAX_DISPUTE_BYTES = 10
    with pytest.raises(UploadTooLarge):
        upload_pdf(customer, dispute, "合同")
    assert keys(s3) == [] and not EvidenceItem.objects.exists()
