"""The portal's own tidy template: one value per row.

    indicator, geography, period, <breakdown columns…>, value, status, note

`indicator` is an indicator's code (a new code needs `indicator_name`; `unit_type` and
`direction` may follow); `geography` a place's name, or `scheme:code` (`sgc:35`,
`hr_uid:3536`); `period` 2024, 2024-25, 2024-Q3 or Jan-24; `status` empty (published),
not_published, suppressed, not_available, preliminary, partial or revised; `note` a footnote.
Every other column is a breakdown (e.g. `Sex`, `Age group`); empty means "all"."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from indicators.adapters.base import (
    GeoRef,
    IndicatorMeta,
    RowProblem,
    ValueRow,
    parse_period,
    parse_value,
)

REQUIRED = ("indicator", "geography", "period", "value")
OPTIONAL = ("status", "note", "indicator_name", "unit_type", "direction", "domain")
STATUSES = ("", "not_published", "suppressed", "not_available", "preliminary", "partial", "revised")
EMPTY_STATUSES = ("not_published", "suppressed", "not_available")
UNIT_TYPES = ("percent", "rate", "count", "index", "currency", "days")
SCHEMES = {"sgc": "province", "cma": "cma", "hr_uid": "health_unit", "local": "municipality"}
MAX_COLUMNS = 40

# The downloadable example (static/indicators/indicator-template.csv) imports as it is.


class TidyAdapter:
    name = "tidy"
    code = ""

    def __init__(self, data: Path) -> None:
        self.data = data
        self._metas: dict[str, IndicatorMeta] | None = None

    def indicators(self) -> list[IndicatorMeta]:
        """New indicators named in the file (a code with an indicator_name), read in a first
        streaming pass."""
        if self._metas is None:
            self._metas = {}
            with self.data.open(newline="", encoding="utf-8-sig") as f:
                reader = csv.reader(f)
                header = [h.strip() for h in next(reader, [])]
                if "indicator" not in header or "indicator_name" not in header:
                    return []
                at = {c: header.index(c) for c in (*REQUIRED, *OPTIONAL) if c in header}
                code_i, name_i, width = at["indicator"], at["indicator_name"], len(header)
                for record in reader:
                    if len(record) != width or not record[name_i].strip():
                        continue
                    code = record[code_i].strip()
                    if code and code not in self._metas:
                        self._metas[code] = self._meta(code, record, at)
        return list(self._metas.values())

    @staticmethod
    def _meta(code: str, record: list[str], at: dict[str, int]) -> IndicatorMeta:
        def get(column: str) -> str:
            return record[at[column]].strip() if column in at else ""

        unit = get("unit_type") or "count"
        return IndicatorMeta(
            code=code[:40], name_en=get("indicator_name")[:400],
            unit_type=unit if unit in UNIT_TYPES else "count",
            unit_label=unit,
            direction="positive" if get("direction") == "positive" else "negative",
            domain=get("domain") or "well-being",
            multiplier=100 if unit == "percent" else 1,
        )  # fmt: skip

    def rows(self) -> Iterator[ValueRow | RowProblem]:
        with self.data.open(newline="", encoding="utf-8-sig") as f:
            reader = csv.reader(f)
            header = [h.strip() for h in next(reader, [])]
            missing = [c for c in REQUIRED if c not in header]
            if missing or len(header) > MAX_COLUMNS:
                yield RowProblem(
                    1, f"the header lacks {', '.join(missing)}" if missing
                    else f"more than {MAX_COLUMNS} columns",
                )  # fmt: skip
                return
            at = {c: header.index(c) for c in (*REQUIRED, *OPTIONAL) if c in header}
            row = _reader(at, [(i, h) for i, h in enumerate(header) if h not in at and h])
            width = len(header)
            line = 1
            for record in reader:
                start, line = line + 1, reader.line_num
                if len(record) != width:
                    if not "".join(record).strip():
                        continue
                    yield RowProblem(start, f"{len(record)} fields where the header has {width}")
                    continue
                try:
                    yield row(start, record)
                except ValueError as e:
                    if not "".join(record).strip():
                        continue  # a blank row
                    yield RowProblem(start, str(e))


def _reader(at: dict[str, int], dims: list[tuple[int, str]]):
    """A row of the file (its cells) → a ValueRow, or ValueError with the reason. The
    columns' places are bound once: a million rows go through it."""
    code_i, place_i, period_i, value_i = (at[c] for c in REQUIRED)
    status_i, note_i = at.get("status"), at.get("note")
    geos: dict[str, GeoRef] = {}  # a place as written → its reference

    def row(line: int, record: list[str]) -> ValueRow:
        if "\x00" in "".join(record):
            raise ValueError("the row holds a NUL byte")
        code = record[code_i].strip()
        if not code:
            raise ValueError("no indicator code")
        place = record[place_i].strip()
        geo = geos.get(place)
        if geo is None:
            if not place:
                raise ValueError("no geography")
            geo = _geo(place)
            if len(geos) < 10_000:
                geos[place] = geo
        status = record[status_i].strip().lower() if status_i is not None else ""
        if status not in STATUSES:
            raise ValueError(
                f"“{status[:30]}” is not a status ({', '.join(s for s in STATUSES if s)})"
            )
        value = parse_value(record[value_i])
        if value is None and status not in EMPTY_STATUSES:
            if status:
                raise ValueError(f"a {status} value needs a number")
            status = "not_published"
        if value is not None and status in EMPTY_STATUSES:
            raise ValueError(f"a value marked {status} must be empty")
        return ValueRow(
            line, code[:40], geo, parse_period(record[period_i]),
            {h: v for i, h in dims if (v := record[i].strip())}, value, status,
            record[note_i].strip() if note_i is not None else "",
        )  # fmt: skip

    return row


def _geo(place: str) -> GeoRef:
    scheme, _, geo_code = place.partition(":")
    if geo_code and scheme in SCHEMES:
        return GeoRef(name=geo_code, scheme=scheme, code=geo_code.strip(), kind=SCHEMES[scheme])
    return GeoRef(name=place[:200], kind="country" if place == "Canada" else "other")
