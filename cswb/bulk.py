"""Inserting many rows of one model at once, for imports of tens of thousands of rows.

`bulk_create` builds a model instance and prepares every field of every row in Python; for an
import's 50,000 organizations that costs several times the database's own work. Here the
columns that are the same for every row (the tenant, a default, the time) are prepared once,
through their fields, and the rows carry only plain values that need no preparing (text,
numbers, booleans, ids). On PostgreSQL each column goes as one array (UNNEST), as Django's
own `bulk_create` does."""

from __future__ import annotations

from django.db import connection, models

# Rows per statement: on PostgreSQL as arrays; elsewhere as a VALUES list of at most
# MAX_PARAMS parameters (SQLite takes 32,766).
CHUNK = 5000
MAX_PARAMS = 20_000


def rows_insert(
    model: type[models.Model],
    rows: list[tuple],
    *,
    columns: list[str],
    constants: dict[str, object] | None = None,
) -> list[int]:
    """Insert `rows` (one tuple per row, one plain value per field named in `columns`), with
    every other concrete field set to `constants`, else to its default; returns the new
    primary keys in the order of `rows`. Database constraints hold as for any insert; no
    signals are sent and no `pre_save` runs (so no field may rely on `auto_now`)."""
    meta, ops = model._meta, connection.ops
    constants = constants or {}
    given = [meta.get_field(c) for c in columns]
    fixed: list[tuple[models.Field, object]] = []
    for f in meta.concrete_fields:
        if f.primary_key or f in given:
            continue
        value = constants[f.name] if f.name in constants else f.get_default()
        if isinstance(value, models.Model):
            value = value.pk
        fixed.append((f, f.get_db_prep_save(value, connection)))
    fields = given + [f for f, _v in fixed]
    tail = [v for _f, v in fixed]
    # Only the model's own table and column names go into the text, quoted; values are
    # parameters.
    head = (
        f"INSERT INTO {ops.quote_name(meta.db_table)} "
        f"({', '.join(ops.quote_name(f.column) for f in fields)}) "
    )
    returning = f" RETURNING {ops.quote_name(meta.pk.column)}"
    ids: list[int] = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            select = ", ".join(
                [f"u.c{i}" for i in range(len(given))]
                + [f"%s::{f.db_type(connection)}" for f, _v in fixed]
            )
            arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in given)
            aliases = ", ".join(f"c{i}" for i in range(len(given)))
            sql = f"{head}SELECT {select} FROM unnest({arrays}) AS u({aliases}){returning}"  # noqa: S608
            for start in range(0, len(rows), CHUNK):
                chunk = rows[start : start + CHUNK]
                cursor.execute(sql, [*tail, *(list(values) for values in zip(*chunk, strict=True))])
                ids += [r[0] for r in cursor.fetchall()]
            return ids
        row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
        per_statement = max(1, MAX_PARAMS // len(fields))
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            params = [v for row in chunk for v in (*row, *tail)]
            sql = f"{head}VALUES {', '.join([row_sql] * len(chunk))}{returning}"
            cursor.execute(sql, params)
            ids += [r[0] for r in cursor.fetchall()]
    return ids
