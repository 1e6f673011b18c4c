"""Names for hand-written SQL, always from the models' `_meta`, quoted for the current database.

Each app keeps its hand-written statements in its own `sql.py`, next to a test that compares them with the ORM
query they stand for; they build table and column names with these two functions, never by hand.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Model


def table(model: type[Model]) -> str:
    """The model's table name, quoted."""
    return connection.ops.quote_name(model._meta.db_table)


def column(model: type[Model], field_name: str) -> str:
    """The column of one of the model's concrete fields, quoted."""
    columns = {field.name: field.column for field in model._meta.concrete_fields}
    return connection.ops.quote_name(columns[field_name])
