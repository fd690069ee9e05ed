"""Named parameters for the statements the portal assembles (portal/sql.py)."""

from __future__ import annotations

import pytest
from django.db import connection

from portal import sql
from portal.models import Branch


def test_positional_placeholders_become_numbered_names():
    compiled = "a = %s AND (b LIKE '50%%s' OR c IN (%s, %s))"
    assert sql.named(compiled, "w") == "a = %(w0)s AND (b LIKE '50%%s' OR c IN (%(w1)s, %(w2)s))"
    assert sql.named_params(["x", 2, None], "w") == {"w0": "x", "w1": 2, "w2": None}


@pytest.mark.django_db
def test_a_compiled_where_runs_with_named_parameters():
    """What the dispute page does with the access rule's WHERE clause, on this database."""
    Branch.objects.create(code="B1", name="一分行")
    Branch.objects.create(code="B2", name="二分行")
    Branch.objects.create(code="5%s", name="百分号")
    chosen = Branch.objects.filter(code__in=["B2", "5%s"], name__contains="分")
    query = chosen.query
    where, params = query.get_compiler(connection=connection).compile(query.where)
    statement = (
        f"SELECT {sql.column(connection, Branch, 'code')} FROM {sql.table(connection, Branch)} "  # noqa: S608
        f"WHERE {sql.named(where, 'v')} ORDER BY 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, sql.named_params(list(params), "v"))
        found = [row[0] for row in cursor.fetchall()]
    assert found == sorted(chosen.values_list("code", flat=True)) == ["5%s", "B2"]
