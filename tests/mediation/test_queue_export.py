"""Issue 19: the staff queue as CSV and XLSX, filtered as on the page, with a subject column;
cells a spreadsheet would run as formulas stay text; other branches' cases never leave in an
export; customers and partners have none; each export is audited."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from portal.exports import neutralise
from portal.models import AuditEvent
from tests.conftest import client_for
from tests.factories import make_dispute

pytestmark = pytest.mark.django_db

EVIL = '=HYPERLINK("a","点我")'


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")  # Excel reads the Chinese as UTF-8
    return list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))


def test_csv_lists_the_filtered_queue_with_formulas_neutralised(
    staff, customer, branch, other_branch
):
    make_dispute(customer, branch, "1200.00", category="loans", request=EVIL)
    make_dispute(customer, branch, "800.00", category="wealth", request="赔偿理财损失。")
    make_dispute(customer, other_branch, "500.00", category="loans", request="其他机构的案件")
    url = reverse("mediation:queue_export", args=["csv"])
    response = client_for(staff).get(url, {"category": "loans"})
    assert response.status_code == 200 and "text/csv" in response["Content-Type"]
    assert "attachment" in response["Content-Disposition"]
    rows = _csv(response)
    assert len(rows) == 2  # the header and the one loans case of this branch
    header, row = rows
    assert header[0] == "编号" and "主题" in header
    assert row[6] == "1200.00"
    assert row[5].startswith("'=HYPERLINK")  # text, not a formula
    assert "其他机构的案件" not in "".join(",".join(r) for r in rows)
    event = AuditEvent.objects.get(action="queue.exported")
    assert event.data["rows"] == 1 and event.data["filter"] == {"category": "loans"}


def test_xlsx_stores_every_text_as_text(staff, customer, branch):
    make_dispute(customer, branch, "1200.00", request=EVIL)
    response = client_for(staff).get(reverse("mediation:queue_export", args=["xlsx"]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=2))
    subject = rows[0][5]
    assert subject.value == EVIL and subject.data_type == "s"  # the text itself, never run
    assert rows[0][6].value == 1200  # an amount stays a number to sum


def test_who_may_export(customer, mediator, auditor, staff, branch):
    make_dispute(customer, branch)
    url = reverse("mediation:queue_export", args=["csv"])
    for outsider in (customer, mediator, auditor):
        assert client_for(outsider).get(url).status_code == 403
    assert client_for(staff).get(reverse("mediation:queue_export", args=["pdf"])).status_code == 404
    bad = client_for(staff).get(url, {"status": "bogus"})
    assert bad.status_code == 302 and bad["Location"].startswith(reverse("mediation:queue"))
    assert not AuditEvent.objects.filter(action="queue.exported").exists()


def test_export_query_count_is_constant(staff, customer, branch):
    make_dispute(customer, branch)
    client = client_for(staff)
    url = reverse("mediation:queue_export", args=["xlsx"])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(5):
        make_dispute(customer, branch)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_each_formula_start_is_neutralised(text):
    assert neutralise(text) == "'" + text
    assert neutralise("正常文本") == "正常文本" and neutralise(12) == 12


def test_a_customer_without_a_real_name_is_named_by_their_login(staff, branch):
    from tests.factories import CustomerFactory

    nameless = CustomerFactory.create(username="wx_8812", real_name="")
    make_dispute(nameless, branch)
    rows = _csv(client_for(staff).get(reverse("mediation:queue_export", args=["csv"])))
    assert rows[1][2] == "wx_8812"
