"""Rows read as JSON in one statement, made into the model instances the ORM would make.

A page that shows many small sets (a table's people, its first open actions, its measures…)
spends more time building, compiling and running one ORM query per set than the database
spends answering them. `json_row` writes a model's columns as a JSON array for a scalar
subquery (`json_agg(...)`), so one statement brings back every set; `RowMaker` turns each
array back into the instance `Model.from_db` makes from the ORM's own row, with related rows
cached as `select_related` caches them. PostgreSQL only: each caller keeps its ORM reading
for other databases and a test that holds the two equal.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal

from django.db import DEFAULT_DB_ALIAS, models


def json_row(*parts: tuple[type[models.Model], str]) -> str:
    """`json_build_array(...)` of every column of each (model, table alias), in the models'
    field order: decimals as text (a JSON number would lose their digits). The text is the
    models' column names, never input."""
    columns = [
        f'{alias}."{f.column}"' + ("::text" if isinstance(f, models.DecimalField) else "")
        for model, alias in parts
        for f in model._meta.concrete_fields
    ]
    return "json_build_array(" + ", ".join(columns) + ")"


def json_cell(cell: str | None) -> object:
    """A statement's JSON cell (read as text) as Python: None for SQL NULL."""
    return None if cell is None else json.loads(cell)


def _converter(f: models.Field) -> Callable[[object], object] | None:
    """How a JSON value becomes the value the ORM gives for this field (None: as it is)."""
    if isinstance(f, models.DateTimeField):  # before DateField, its parent
        return datetime.fromisoformat
    if isinstance(f, models.DateField):
        return date.fromisoformat
    if isinstance(f, models.TimeField):
        return time.fromisoformat
    if isinstance(f, models.DecimalField):
        return Decimal
    if isinstance(f, models.UUIDField):
        return uuid.UUID
    if isinstance(f, (models.DurationField, models.BinaryField)):
        raise TypeError(f"{f} has no JSON reading here; read it with the ORM")
    return None


class RowMaker:
    """Makes one model's instances from its slice of a JSON row (see `json_row`)."""

    def __init__(self, model: type[models.Model], *relations: tuple[str, RowMaker]) -> None:
        """`relations`: (field name, maker) of the rows joined after the model's own columns,
        in the order `json_row` wrote them; each is cached on that relation."""
        self.model = model
        fields = model._meta.concrete_fields
        self.names = [f.attname for f in fields]
        self.width = len(fields)
        self.converters = [_converter(f) for f in fields]
        self.relations = [(model._meta.get_field(name), maker) for name, maker in relations]

    def __call__(self, values: list[object], start: int = 0) -> models.Model | None:
        own = values[start : start + self.width]
        if own[0] is None:  # the primary key: a LEFT JOIN that found nothing
            return None
        instance = self.model.from_db(
            DEFAULT_DB_ALIAS,
            self.names,
            [
                value if convert is None or value is None else convert(value)
                for convert, value in zip(self.converters, own, strict=True)
            ],
        )
        start += self.width
        for relation, maker in self.relations:
            relation.set_cached_value(instance, maker(values, start))
            start += maker.width
        return instance

    def many(self, cell: list[list[object]] | None) -> list[models.Model]:
        return [self(values) for values in cell or ()]
