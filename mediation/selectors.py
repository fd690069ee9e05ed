"""The dispute list API's page, read with one statement assembled here.

Partners and the bank's apps poll GET /api/v1/disputes/ all day; it is the portal's hottest read.
Through the ORM, a page of 50 spent about a millisecond building and compiling its query and
running Django's per-value converters: more than the rest of the request, and most of why the
list served a fifth of a bare Django view's rate (bench/api.py). Here:

- the access rule is still `permissions.disputes_visible_to(user)`: its WHERE clause, compiled by
  Django, is the first condition of the statement, so the list and every other read agree;
- the columns, joins, filters, keyset and order are SQL built from the models' metadata;
- the rows are formatted straight from the cursor into DisputeOut's representation
  (tests/mediation/test_selectors.py holds the two equal on SQLite and PostgreSQL).

Paging is by keyset on (updated_at, pk), newest change first: a page is the rows strictly after
(or, going back, before) a position, so rows that share a timestamp are neither skipped nor
repeated.
"""

from __future__ import annotations

import decimal
import functools
from datetime import date, datetime
from typing import Any

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connections
from django.db.models import Model
from django.utils import timezone, translation

from mediation.lifecycle import DisputeStatus
from mediation.models import Dispute
from portal import permissions, sql
from portal.models import Branch, User

# Where a page starts: the (updated_at, pk) of the row just outside it.
type Position = tuple[datetime, int]

# (model, field, table alias: None for the dispute table itself) in output order, then the pk.
_COLUMNS: tuple[tuple[type[Model], str, str | None], ...] = (
    (Dispute, "reference", None),
    (Dispute, "status", None),
    (Dispute, "category", None),
    (Dispute, "amount", None),
    (Dispute, "fast_lane_eligible", None),
    (Branch, "code", "b"),
    (User, "real_name", "c"),
    (User, "username", "c"),
    (Dispute, "channel", None),
    (Dispute, "received_at", None),
    (Dispute, "decision_due", None),
    (Dispute, "mediation_due", None),
    (Dispute, "next_deadline", None),
    (Dispute, "updated_at", None),
    (Dispute, "id", None),
)
# Amounts as Django's SQLite backend reads them (SQLite hands back int or float).
_DECIMALS = decimal.Context(prec=15)


def _visibility(user: User) -> tuple[str, str, list[Any]] | None:
    """The database and WHERE clause of disputes_visible_to(user) over the dispute table (""
    when the user sees every dispute), or None when the user sees none."""
    visible = permissions.disputes_visible_to(user)
    query = visible.query
    compiler = query.get_compiler(using=visible.db)
    try:
        sql, params = compiler.compile(query.where)
    except EmptyResultSet:
        return None
    except FullResultSet:
        return visible.db, "", []
    return visible.db, sql, list(params)


@functools.cache
def _statement(alias: str) -> tuple[str, dict[str, str]]:
    """SELECT ... FROM ... JOIN ... for the page, and the dispute table's quoted columns."""
    connection = connections[alias]
    columns = {f.attname: sql.column(connection, Dispute, f.name) for f in Dispute._meta.fields}
    # Identifiers come quoted from the models' metadata; every value is a parameter.
    select = (
        f"SELECT {', '.join(sql.column(connection, *c) for c in _COLUMNS)} "  # noqa: S608
        f"FROM {sql.table(connection, Dispute)} "
        f"INNER JOIN {sql.table(connection, Branch)} b "
        f"ON {sql.column(connection, Branch, 'pk', 'b')} = {columns['branch_id']} "
        f"INNER JOIN {sql.table(connection, User)} c "
        f"ON {sql.column(connection, User, 'pk', 'c')} = {columns['customer_id']}"
    )
    return select, columns


@functools.lru_cache(maxsize=8)
def _status_labels(language: str | None) -> dict[str, str]:
    """The states' display names in `language` (the active one, which str() translates into)."""
    return {key: str(label) for key, label in DisputeStatus.choices}


def dispute_page(
    user: User,
    *,
    limit: int,
    position: Position | None = None,
    backwards: bool = False,
    status: str | None = None,
    updated_since: datetime | None = None,
    due_before: date | None = None,
) -> list[tuple[Position, dict[str, Any]]]:
    """Up to `limit` disputes the user may see, newest change first, after `position` (or,
    `backwards`, the ones just before it, still in newest-first order), each with its position
    and its row as the dispute list API returns it."""
    visible = _visibility(user)
    if visible is None:
        return []
    alias, where, where_params = visible
    connection = connections[alias]
    select, column = _statement(alias)
    conditions, params = [], []
    if where:
        conditions.append(f"({where})")
        params += where_params
    if status is not None:
        conditions.append(f"{column['status']} = %s")
        params.append(status)
    if updated_since is not None:
        conditions.append(f"{column['updated_at']} >= %s")
        params.append(connection.ops.adapt_datetimefield_value(updated_since))
    if due_before is not None:
        conditions.append(f"{column['next_deadline']} < %s")
        params.append(connection.ops.adapt_datefield_value(due_before))
    if position is not None:
        at = connection.ops.adapt_datetimefield_value(position[0])
        before, op = (">=", ">") if backwards else ("<=", "<")
        conditions.append(
            f"{column['updated_at']} {before} %s AND "
            f"({column['updated_at']} {op} %s OR {column['id']} {op} %s)"
        )
        params += [at, at, position[1]]
    direction = "ASC" if backwards else "DESC"
    sql = (
        f"{select} {'WHERE ' + ' AND '.join(conditions) if conditions else ''} "
        f"ORDER BY {column['updated_at']} {direction}, {column['id']} {direction} LIMIT %s"
    )
    params.append(limit)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if backwards:
        rows.reverse()
    return _format(rows, connection.timezone)


def _format(rows: list[tuple[Any, ...]], db_zone: Any) -> list[tuple[Position, dict[str, Any]]]:
    """Rows as DisputeOut represents them: amounts with two decimals, dates in ISO 8601, times
    in the current time zone as DRF's DateTimeField writes them."""
    labels = _status_labels(translation.get_language())
    zone = timezone.get_current_timezone()
    page = []
    for (
        reference,
        status,
        category,
        amount,
        fast_lane,
        branch,
        real_name,
        username,
        channel,
        received_at,
        decision_due,
        mediation_due,
        next_deadline,
        updated_at,
        pk,
    ) in rows:
        # SQLite hands back naive times in the connection's zone and int or float amounts;
        # PostgreSQL aware times and Decimals.
        if updated_at.tzinfo is None:
            updated_at = updated_at.replace(tzinfo=db_zone)
            received_at = received_at.replace(tzinfo=db_zone)
        if not isinstance(amount, decimal.Decimal):
            amount = _DECIMALS.create_decimal_from_float(amount)
        received = received_at.astimezone(zone).isoformat()
        updated = updated_at.astimezone(zone).isoformat()
        page.append(
            (
                (updated_at, pk),
                {
                    "reference": reference,
                    "status": status,
                    "status_display": labels[status],
                    "category": category,
                    "amount": f"{amount:.2f}",
                    "fast_lane_eligible": bool(fast_lane),
                    "branch": branch,
                    "customer_name": real_name or username,
                    "channel": channel,
                    # DRF's DateTimeField writes UTC as Z.
                    "received_at": received[:-6] + "Z" if received.endswith("+00:00") else received,
                    "decision_due": decision_due and decision_due.isoformat(),
                    "mediation_due": mediation_due and mediation_due.isoformat(),
                    "next_deadline": next_deadline and next_deadline.isoformat(),
                    "updated_at": updated[:-6] + "Z" if updated.endswith("+00:00") else updated,
                },
            )
        )
    return page
