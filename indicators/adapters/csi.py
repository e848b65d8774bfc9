"""Statistics Canada's Crime Severity Index, Canada against Ontario against Waterloo Region, as
compiled by Charting Waterloo Region (`csi_comparison.csv`): one row per year and region,
`year, region, csi, csi_violent`, indexes with 2006 = 100. Two indicators (the overall and the
violent index), three places; a region the file names otherwise is read by its name."""

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

HEADER = ("year", "region", "csi", "csi_violent")
# Canada has no code, as in the Canadian Indicator Framework's files (one place, not two).
REGIONS = {
    "Canada": GeoRef(name="Canada", kind="country"),
    "Ontario": GeoRef(name="Ontario", scheme="sgc", code="35", kind="province"),
    # The Waterloo Regional Police Service's area: the Regional Municipality of Waterloo.
    "Waterloo Region": GeoRef(
        name="Waterloo Region", scheme="sgc", code="3530", kind="municipality"
    ),
}
SOURCES = [
    SourceMeta(
        organisation="Statistics Canada",
        title="Crime severity index and weighted clearance rates, Canada, provinces, "
        "territories and Census Metropolitan Areas",
        table_id="35-10-0026-01",
        url="https://www150.statcan.gc.ca/t1/tbl1/en/tv.action?pid=3510002601",
        licence="Statistics Canada Open Licence",
        periodicity="Annual",
    ),
    SourceMeta(
        organisation="Statistics Canada",
        title="Crime severity index and weighted clearance rates, police services in Ontario",
        table_id="35-10-0188-01",
        url="https://www150.statcan.gc.ca/t1/tbl1/en/tv.action?pid=3510018801",
        licence="Statistics Canada Open Licence",
        periodicity="Annual",
    ),
    SourceMeta(
        organisation="Charting Waterloo Region",
        title="Crime Severity Index comparison (compiled from the tables above)",
        url="https://github.com/gpberber/chartingwaterlooregion",
    ),
]
LIMITATIONS = (
    "Police-reported crime only. The index weighs each offence by its average sentence and is "
    "set to 100 for Canada in 2006; Waterloo Region is the Waterloo Regional Police Service's "
    "area. Values are revised when Statistics Canada revises its tables."
)
# column → (code, English name, French name, definition)
MEASURES = {
    "csi": ("CSI", "Crime Severity Index", "Indice de gravité de la criminalité",
            "The volume and seriousness of police-reported crime, each offence weighted by "
            "its seriousness."),
    "csi_violent": ("CSI.VIOLENT", "Violent Crime Severity Index",
                    "Indice de gravité des crimes violents",
                    "The volume and seriousness of police-reported violent crime, each offence "
                    "weighted by its seriousness."),
}  # fmt: skip


class CsiComparisonAdapter:
    name = "csi_comparison"
    code = ""

    def __init__(self, data: Path) -> None:
        self.data = data

    def indicators(self) -> list[IndicatorMeta]:
        return [
            IndicatorMeta(
                code=code,
                name_en=en,
                name_fr=fr,
                definition_en=definition,
                unit_label="Index (2006 = 100)",
                unit_label_fr="Indice (2006 = 100)",
                unit_type="index",
                decimals=2,
                direction="negative",
                periodicity="Annual",
                limitations=LIMITATIONS,
                domain="safety",
                sources=list(SOURCES),
            )
            for code, en, fr, definition in MEASURES.values()
        ]

    def rows(self) -> Iterator[ValueRow | RowProblem]:
        with self.data.open(newline="", encoding="utf-8-sig") as f:
            reader = csv.reader(f)
            header = [h.strip().lower() for h in next(reader, [])]
            missing = [c for c in HEADER if c not in header]
            if missing:
                yield RowProblem(1, f"the header lacks {', '.join(missing)}")
                return
            at = {c: header.index(c) for c in HEADER}
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
                if "\x00" in "".join(record):
                    yield RowProblem(start, "the row holds a NUL byte")
                    continue
                year = record[at["year"]].strip()
                try:
                    period = parse_period(year)
                except ValueError as e:
                    yield RowProblem(start, str(e))
                    continue
                if period.granularity != "year":
                    yield RowProblem(start, f"“{year[:20]}” is not a year")
                    continue
                region = record[at["region"]].strip()
                if not region:
                    yield RowProblem(start, "no region")
                    continue
                geography = REGIONS.get(region) or GeoRef(name=region[:200])
                for column, (code, *_rest) in MEASURES.items():
                    try:
                        value = parse_value(record[at[column]])
                    except ValueError as e:
                        yield RowProblem(start, f"{column}: {e}")
                        continue
                    if value is not None and value < 0:
                        yield RowProblem(start, f"{column}: an index is never negative")
                        continue
                    yield ValueRow(
                        line=start,
                        indicator=code,
                        geography=geography,
                        period=period,
                        dimensions={},
                        value=value,
                        status="" if value is not None else "not_published",
                    )
