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
                for row in csv.DictReader(f):
                    code = (row.get("indicator") or "").strip()
                    name = (row.get("indicator_name") or "").strip()
                    if code and name and code not in self._metas:
                        unit = (row.get("unit_type") or "").strip() or "count"
                        self._metas[code] = IndicatorMeta(
                            code=code[:40], name_en=name[:400],
                            unit_type=unit if unit in UNIT_TYPES else "count",
                            unit_label=unit,
                            direction="positive"
                            if (row.get("direction") or "").strip() == "positive" else "negative",
                            domain=(row.get("domain") or "").strip() or "well-being",
                            multiplier=100 if unit == "percent" else 1,
                        )  # fmt: skip
        return list(self._metas.values())

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
            dims = [i for i, h in enumerate(header) if h not in REQUIRED + OPTIONAL and h]
            line = 1
            for record in reader:
                start, line = line + 1, reader.line_num
                if not any(v.strip() for v in record):
                    continue
                if len(record) != len(header):
                    yield RowProblem(
                        start, f"{len(record)} fields where the header has {len(header)}"
                    )
                    continue
                try:
                    yield self._row(start, record, at, dims, header)
                except ValueError as e:
                    yield RowProblem(start, str(e))

    def _row(self, line, record, at, dims, header) -> ValueRow:
        if "\x00" in "".join(record):
            raise ValueError("the row holds a NUL byte")
        code = record[at["indicator"]].strip()
        if not code:
            raise ValueError("no indicator code")
        place = record[at["geography"]].strip()
        if not place:
            raise ValueError("no geography")
        scheme, _, geo_code = place.partition(":")
        if geo_code and scheme in SCHEMES:
            geo = GeoRef(name=geo_code, scheme=scheme, code=geo_code.strip(), kind=SCHEMES[scheme])
        else:
            geo = GeoRef(name=place[:200], kind="country" if place == "Canada" else "other")
        status = record[at["status"]].strip().lower() if "status" in at else ""
        if status not in STATUSES:
            raise ValueError(
                f"“{status[:30]}” is not a status ({', '.join(s for s in STATUSES if s)})"
            )
        value = parse_value(record[at["value"]])
        if value is None and status not in EMPTY_STATUSES:
            if status:
                raise ValueError(f"a {status} value needs a number")
            status = "not_published"
        if value is not None and status in EMPTY_STATUSES:
            raise ValueError(f"a value marked {status} must be empty")
        return ValueRow(
            line=line, indicator=code[:40], geography=geo,
            period=parse_period(record[at["period"]]),
            dimensions={header[i]: record[i].strip() for i in dims if record[i].strip()},
            value=value, status=status,
            footnote=record[at["note"]].strip() if "note" in at else "",
        )  # fmt: skip
