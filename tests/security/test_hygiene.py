"""Issue 16, the smaller findings: personal answers are never cached, private files are the
portal's alone, the API schema needs a sign-in in production, a file mail path stays absolute."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from rest_framework.test import APIClient

from portal.api_auth import token_issue
from portal.settings import _mailer_from_url
from tests.conftest import client_for
from tests.factories import make_dispute, upload_pdf

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_case_pages_and_downloads_are_no_store(customer, branch, staff):
    dispute = make_dispute(customer, branch)
    item = upload_pdf(customer, dispute, "合同")
    web = client_for(customer)
    for url in (
        reverse("mediation:detail", args=[dispute.reference]),
        reverse("mediation:evidence_download", args=[dispute.reference, item.pk]),
    ):
        response = web.get(url)
        assert response.status_code == 200 and "no-store" in response["Cache-Control"], url
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(name='t', user=staff)[1]}")
    download = api.get(f"/api/v1/evidence/{item.pk}/download/")
    assert download.status_code == 200 and "no-store" in download["Cache-Control"]


def test_private_files_are_0600_and_their_directories_0700(customer, branch):
    dispute = make_dispute(customer, branch)
    item = upload_pdf(customer, dispute, "合同")
    path = Path(default_storage.path(item.file.name))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_the_api_schema_and_docs_need_a_sign_in_in_production(tmp_path):
    """In a production process (DEBUG off) an anonymous visitor gets neither."""
    script = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "c = Client()\n"
        "print(*[c.get(p).status_code for p in "
        "('/api/v1/schema/', '/api/v1/docs/', '/api/v1/redoc/')])\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DEBUG": "false",
        "SECRET_KEY": "hygiene-test-" + "x" * 40,
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert {int(code) for code in out.stdout.split()} <= {401, 403}, out.stdout


def test_a_file_mail_path_stays_absolute():
    assert _mailer_from_url("filemail:///var/spool/portal-mail")["OPTIONS"] == {
        "file_path": "/var/spool/portal-mail"
    }
