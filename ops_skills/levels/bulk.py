"""Inserting hundreds of thousands of rows quickly: the stored levels a large import changes and
the assessments it writes; and ``values_in``, a list of any length as one query parameter.

SQLite: one ``INSERT … SELECT`` from ``json_each`` of the rows as one JSON parameter per batch:
SQLite reads the rows in C, where ``executemany`` bound seven parameters a row from Python (the
assessments of a 500 × 1,000 import went from 3.5 s to about 2 s). PostgreSQL: ``COPY … FROM
STDIN`` (psycopg's ``cursor.copy``), rows streamed in one statement; an upsert (``conflict``),
which COPY cannot do, is one ``INSERT … SELECT FROM unnest`` of arrays per batch (``executemany``
there sent a statement per row: a 500 × 1,000 import spent 35 s inserting its stored levels
that way). Table, column names and types come from the models, never from input."""

from __future__ import annotations

import itertools
import json
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection
from django.db.models.expressions import RawSQL

BATCH = 20_000  # rows per statement of an upsert on PostgreSQL (its arrays are quoted in Python)
JSON_BATCH = 100_000  # rows per statement on SQLite: a few MB of JSON


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
    same: Sequence[tuple[str, str, Any]] = (),
) -> None:
    """Insert ``rows`` (tuples in the order of ``columns``) into ``table``; with ``conflict`` (the
    columns of a unique constraint), a row that exists is updated instead (an upsert).
    ``types``: the PostgreSQL type of each column, for its array. ``same``: (column, type,
    value) of columns that have one value in every row, passed once rather than per row.
    Values are as the database takes them (datetimes adapted by the backend's ``adapt_*``)."""
    quote = connection.ops.quote_name
    all_columns = [*columns, *(c for c, _, _ in same)]
    names = ", ".join(quote(c) for c in all_columns)
    upsert = ""
    if conflict:
        updates = ", ".join(f"{quote(c)} = excluded.{quote(c)}" for c in all_columns if c not in conflict)
        upsert = f" ON CONFLICT ({', '.join(quote(c) for c in conflict)}) DO UPDATE SET {updates}"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and not conflict:
            values = tuple(v for _, _, v in same)
            with cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row + values)
        elif connection.vendor == "postgresql":
            arrays = ", ".join(f"%s::{t}[]" for t in types)
            fixed = "".join(f", %s::{t}" for _, t, _ in same)
            sql = f"INSERT INTO {quote(table)} ({names}) SELECT *{fixed} FROM unnest({arrays}){upsert}"  # noqa: S608
            for batch in itertools.batched(rows, BATCH):
                cursor.execute(sql, [*(list(column) for column in zip(*batch, strict=True)), *(v for _, _, v in same)])
        else:
            # WHERE true: SQLite's parser needs it between a SELECT and ON CONFLICT.
            cells = (
                ", ".join(f"value ->> {i}" for i in range(len(columns)))
                if _ARROWS
                else ", ".join(f"json_extract(value, '$[{i}]')" for i in range(len(columns)))
            )
            fixed = "".join(", %s" for _ in same)
            sql = f"INSERT INTO {quote(table)} ({names}) SELECT {cells}{fixed} FROM json_each(%s) WHERE true{upsert}"  # noqa: S608
            for batch in itertools.batched(rows, JSON_BATCH):
                cursor.execute(sql, [*(v for _, _, v in same), json.dumps(batch, ensure_ascii=False)])


_ARROWS = sqlite3.sqlite_version_info >= (3, 38)  # the ->> operator
