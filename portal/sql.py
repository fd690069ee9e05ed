"""Quoted identifiers for the two statements the portal assembles itself (the API token lookup
and the dispute list page): names come from the models' metadata, never typed twice."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import Field, Model


def table(connection: Any, model: type[Model]) -> str:
    return str(connection.ops.quote_name(model._meta.db_table))


def column(connection: Any, model: type[Model], name: str, alias: str | None = None) -> str:
    """`alias.column` (or `table.column`) for the model's field `name` ("pk" for the primary
    key); for a foreign key, its id column."""
    field = cast(Field, model._meta.pk if name == "pk" else model._meta.get_field(name))
    return f"{alias or table(connection, model)}.{connection.ops.quote_name(field.column)}"
