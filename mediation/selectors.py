"""The dispute list API's page (and the detail's one row), read with one statement assembled
here.

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

import functools
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connections
from django.db.models import Model
from django.utils import timezone, translation

from mediation.lifecycle import DisputeStatus
from mediation.models import Dispute
from portal import permissions, sql
from portal.models import Branch, User

# Where a page starts: the (updated_at, pk) of the row just outside it. Each row comes with
# its own as an Edge: the time as the row shows it (ISO 8601, exact to the microsecond) and pk.
type Position = tuple[datetime, int]
type Edge = tuple[str, int]

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


def _visibility(user: User) -> tuple[str, str, list[Any]] | None:
    """The database and WHERE clause of disputes_visible_to(user) over the dispute table (""
    when the user sees every dispute), or None when the user sees none."""
    visible = permissions.disputes_visible_to(user)
    query = visible.query
    if not query.where:  # head office: every dispute
        return visible.db, "", []
    compiler = query.get_compiler(using=visible.db)
    try:
        where, params = compiler.compile(query.where)
    except EmptyResultSet:
        return None
    except FullResultSet:
        return visible.db, "", []
    return visible.db, where, list(params)


@functools.cache
def _statement(alias: str) -> tuple[str, dict[str, str]]:
    """SELECT ... FROM ... JOIN ... for the page, and the dispute table's quoted columns."""
    connection = connections[alias]
    columns = {f.attname: sql.column(connection, Dispute, f.name) for f in Dispute._meta.fields}

    def selected(model: type[Model], name: str, table_alias: str | None) -> str:
        expression = sql.column(connection, model, name, table_alias)
        # SQLite keeps dates and times as ISO text: read the text rather than have the driver
        # parse it into objects to be formatted back (half of a page's formatting time).
        kind = model._meta.get_field(name).get_internal_type()
        if connection.vendor == "sqlite" and kind in ("DateField", "DateTimeField"):
            return f"CAST({expression} AS TEXT)"
        return expression

    # Identifiers come quoted from the models' metadata; every value is a parameter.
    select = (
        f"SELECT {', '.join(selected(*c) for c in _COLUMNS)} "  # noqa: S608
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
    reference: str | None = None,
) -> list[tuple[Edge, dict[str, Any]]]:
    """Up to `limit` disputes the user may see, newest change first, after `position` (or,
    `backwards`, the ones just before it, still in newest-first order), each with its edge
    and its row as the dispute list API returns it. With `reference`, that one dispute (the
    detail endpoint), if the user may see it."""
    visible = _visibility(user)
    if visible is None:
        return []
    alias, where, where_params = visible
    connection = connections[alias]
    select, column = _statement(alias)
    conditions: list[str] = []
    params: dict[str, Any] = {"limit": limit}  # named: see portal/sql.py
    if where:
        conditions.append(f"({sql.named(where, 'visible')})")
        params |= sql.named_params(where_params, "visible")
    if reference is not None:
        conditions.append(f"{column['reference']} = %(reference)s")
        params["reference"] = reference
    if status is not None:
        conditions.append(f"{column['status']} = %(status)s")
        params["status"] = status
    if updated_since is not None:
        conditions.append(f"{column['updated_at']} >= %(updated_since)s")
        params["updated_since"] = connection.ops.adapt_datetimefield_value(updated_since)
    if due_before is not None:
        conditions.append(f"{column['next_deadline']} < %(due_before)s")
        params["due_before"] = connection.ops.adapt_datefield_value(due_before)
    if position is not None:
        before, op = (">=", ">") if backwards else ("<=", "<")
        conditions.append(
            f"{column['updated_at']} {before} %(at)s AND "
            f"({column['updated_at']} {op} %(at)s OR {column['id']} {op} %(pk)s)"
        )
        params["at"] = connection.ops.adapt_datetimefield_value(position[0])
        params["pk"] = position[1]
    direction = "ASC" if backwards else "DESC"
    statement = (
        f"{select} {'WHERE ' + ' AND '.join(conditions) if conditions else ''} "
        f"ORDER BY {column['updated_at']} {direction}, {column['id']} {direction} "
        "LIMIT %(limit)s"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        rows = cursor.fetchall()
    if backwards:
        rows.reverse()
    return _format(rows, connection.timezone, as_text=connection.vendor == "sqlite")


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _local_time(value: datetime, zone: tzinfo) -> str:
    """DRF's DateTimeField representation of an aware time: ISO 8601 in `zone`, UTC as Z."""
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


@functools.lru_cache(maxsize=8192)
def _local_hour(utc_hour: str, zone: tzinfo) -> tuple[str, str] | None:
    """How the UTC hour "YYYY-MM-DD HH" reads in `zone`: its local "YYYY-MM-DDTHH" and offset
    ("+08:00", or "Z"), when the offset is a whole number of hours all hour long, so that only
    the date and hour of a time in it change; None otherwise (a transition, a half-hour zone)."""
    start = datetime.fromisoformat(f"{utc_hour}:00:00+00:00")
    offset = start.astimezone(zone).utcoffset()
    end = (start + timedelta(hours=1, microseconds=-1)).astimezone(zone)
    if offset is None or offset != end.utcoffset() or offset % timedelta(hours=1):
        return None
    text = _local_time(start, zone)
    return text[:13], text[19:]


def _local_time_of_utc_text(text: str, zone: tzinfo) -> str:
    """_local_time() for a UTC time as SQLite keeps it ("YYYY-MM-DD HH:MM:SS[.ffffff]"): the
    hour's conversion is worked out once, the minutes and seconds are copied."""
    hour = _local_hour(text[:13], zone)
    if hour is None:
        return _local_time(datetime.fromisoformat(text + "+00:00"), zone)
    return hour[0] + text[13:] + hour[1]


class _Hours(dict[str, tuple[str, str] | None]):
    """_local_hour() in one zone for the UTC hours of a page, by "YYYY-MM-DD HH": a plain dict
    lookup once an hour is known (a page's rows share few hours)."""

    def __init__(self, zone: tzinfo) -> None:
        super().__init__()
        self.zone = zone

    def __missing__(self, utc_hour: str) -> tuple[str, str] | None:
        local = self[utc_hour] = _local_hour(utc_hour, self.zone)
        return local


def _format(
    rows: list[tuple[Any, ...]], db_zone: Any, as_text: bool
) -> list[tuple[Edge, dict[str, Any]]]:
    """Rows as DisputeOut represents them: amounts with two decimals, dates in ISO 8601, times
    in the current time zone as DRF's DateTimeField writes them."""
    labels = _status_labels(translation.get_language())
    zone = timezone.get_current_timezone()
    # SQLite (`as_text`) hands back ISO text for times (naive, in the connection's zone) and
    # dates, and an int or a float for an amount (exact to the cent: at most 14 digits);
    # PostgreSQL aware datetimes, dates and Decimals.
    utc_text = as_text and db_zone is UTC
    # _local_time_of_utc_text(), inline: it would run twice a row.
    hours = _Hours(zone)
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
        if utc_text:
            local = hours[received_at[:13]]
            received = (
                local[0] + received_at[13:] + local[1]
                if local
                else _local_time_of_utc_text(received_at, zone)
            )
            local = hours[updated_at[:13]]
            updated = (
                local[0] + updated_at[13:] + local[1]
                if local
                else _local_time_of_utc_text(updated_at, zone)
            )
        else:
            if as_text:
                updated_at = datetime.fromisoformat(updated_at).replace(tzinfo=db_zone)
                received_at = datetime.fromisoformat(received_at).replace(tzinfo=db_zone)
            else:
                decision_due, mediation_due, next_deadline = (
                    _day(decision_due),
                    _day(mediation_due),
                    _day(next_deadline),
                )
            received, updated = _local_time(received_at, zone), _local_time(updated_at, zone)
        page.append(
            (
                (updated, pk),
                {
                    "reference": reference,
                    "status": status,
                    "status_display": labels[status],
                    "category": category,
                    "amount": f"{amount:.2f}",
                    "fast_lane_eligible": fast_lane,
                    "branch": branch,
                    "customer_name": real_name or username,
                    "channel": channel,
                    "received_at": received,
                    "decision_due": decision_due,
                    "mediation_due": mediation_due,
                    "next_deadline": next_deadline,
                    "updated_at": updated,
                },
            )
        )
    return page
