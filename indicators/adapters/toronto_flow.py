"""Toronto's Shelter System Flow (City of Toronto, Open Data): one row per month and
population group, flows into and out of homelessness and the number actively homeless. Read
as published: CRLF line ends, a quoted header holding a comma, percentages as "31.8%"
strings, groups that start at different months."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from indicators.adapters.base import (
    GeoRef,
    IndicatorMeta,
    RowProblem,
    SourceMeta,
    ValueRow,
    parse_period,
    parse_value,
)

TORONTO = GeoRef(name="Toronto", scheme="sgc", code="3520005", kind="municipality")
SOURCE = SourceMeta(
    organisation="City of Toronto, Shelter, Support & Housing Administration",
    title="Shelter System Flow",
    url="https://open.toronto.ca/dataset/toronto-shelter-system-flow/",
    licence="Open Government Licence - Toronto",
    periodicity="Monthly",
)
DEFAULT = {"Population group": "All Population"}
# column → (code, English name, French name, unit type, desired direction)
MEASURES = {
    "actively_homeless": ("TO.SHELTER.ACTIVE", "People actively experiencing homelessness",
                          "Personnes en situation d'itinérance active", "count", "negative"),
    "newly_identified": ("TO.SHELTER.NEW", "People newly identified as homeless",
                         "Personnes nouvellement identifiées en situation d'itinérance",
                         "count", "negative"),
    "moved_to_housing": ("TO.SHELTER.HOUSED", "People who moved to housing",
                         "Personnes ayant emménagé dans un logement", "count", "positive"),
    "population_group_percentage": ("TO.SHELTER.SHARE",
                                    "Share of people actively homeless in the group",
                                    "Part du groupe parmi les personnes en situation "
                                    "d'itinérance", "percent", "negative"),
}  # fmt: skip


class TorontoFlowAdapter:
    name = "toronto_flow"
    code = ""

    def __init__(self, data: Path) -> None:
        self.data = data

    def indicators(self) -> list[IndicatorMeta]:
        return [
            IndicatorMeta(
                code=code,
                name_en=en,
                name_fr=fr,
                unit_label="%" if unit == "percent" else "People",
                unit_type=unit,
                multiplier=100 if unit == "percent" else 1,
                decimals=1 if unit == "percent" else 0,
                direction=direction,
                periodicity="Monthly",
                domain="well-being",
                default_selection=dict(DEFAULT),
                sources=[SOURCE],
            )
            for code, en, fr, unit, direction in MEASURES.values()
        ]

    def rows(self) -> Iterator[ValueRow | RowProblem]:
        with self.data.open(newline="", encoding="utf-8-sig") as f:
            reader = csv.reader(f)
            header = [h.strip() for h in next(reader, [])]
            needed = ["date(mmm-yy)", "population_group", *MEASURES]
            missing = [c for c in needed if c not in header]
            if missing:
                yield RowProblem(1, f"the header lacks {', '.join(missing)}")
                return
            at = {c: header.index(c) for c in needed}
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
                    period = parse_period(record[at["date(mmm-yy)"]])
                except ValueError as e:
                    yield RowProblem(start, str(e))
                    continue
                group = record[at["population_group"]].strip()
                if not group:
                    yield RowProblem(start, "no population group")
                    continue
                for column, (code, *_rest) in MEASURES.items():
                    try:
                        value = parse_value(record[at[column]])
                    except ValueError as e:
                        yield RowProblem(start, f"{column}: {e}")
                        continue
                    yield ValueRow(
                        line=start,
                        indicator=code,
                        geography=TORONTO,
                        period=period,
                        dimensions={"Population group": group},
                        value=value,
                        status="" if value is not None else "not_published",
                    )
