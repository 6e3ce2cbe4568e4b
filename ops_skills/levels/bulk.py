"""Inserting hundreds of thousands of rows quickly: the stored levels a large import changes and
the assessments it writes; and ``values_in``, a list of any length as one query parameter.

SQLite: a plain INSERT run with ``executemany``. PostgreSQL: one ``INSERT … SELECT FROM unnest``
of arrays per batch, since ``executemany`` there sends a statement per row (a 500 × 1,000 import
spent 35 s inserting its stored levels that way). Table, column names and types come from the
models, never from input."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Sequence

from django.db import connection
from django.db.models.expressions import RawSQL

BATCH = 20_000


SHORT = 500  # values passed as they are: the database plans a short list best


def values_in(values: Iterable) -> list | RawSQL:
    """``values`` for ``field__in=``, on SQLite a long list as a subquery of one query parameter:
    a list of ids or emails as long as a file is one parameter each, and SQLite refuses more than
    32,766 (older builds 999). PostgreSQL takes the list as it is: Django binds the parameters
    on the client, and the server plans ``IN (…)`` as ``= ANY(array)``, where a subquery over
    ``unnest`` was misestimated (a nested loop over 33,000 people took minutes)."""
    values = list(values)
    if connection.vendor != "sqlite" or len(values) <= SHORT:
        return values
    return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(values)])  # noqa: S611


def insert(
    table: str,
    columns: Sequence[str],
    types: Sequence[str],
    rows: Iterable[tuple],
    *,
    conflict: Sequence[str] = (),
) -> None:
    """Insert ``rows`` (tuples in the order of ``columns``) into ``table``; with ``conflict`` (the
    columns of a unique constraint), a row that exists is updated instead (an upsert).
    ``types``: the PostgreSQL type of each column, for its array."""
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    upsert = ""
    if conflict:
        updates = ", ".join(f"{quote(c)} = excluded.{quote(c)}" for c in columns if c not in conflict)
        upsert = f" ON CONFLICT ({', '.join(quote(c) for c in conflict)}) DO UPDATE SET {updates}"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            arrays = ", ".join(f"%s::{t}[]" for t in types)
            sql = f"INSERT INTO {quote(table)} ({names}) SELECT * FROM unnest({arrays}){upsert}"  # noqa: S608
            for batch in itertools.batched(rows, BATCH):
                cursor.execute(sql, [list(column) for column in zip(*batch, strict=True)])
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            sql = f"INSERT INTO {quote(table)} ({names}) VALUES ({placeholders}){upsert}"  # noqa: S608
            for batch in itertools.batched(rows, BATCH):
                cursor.executemany(sql, batch)
