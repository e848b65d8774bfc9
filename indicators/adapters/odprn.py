"""Ontario's opioid toxicity deaths by public health unit, as the Ontario Drug Policy Research
Network publishes them (Office of the Chief Coroner data): a JSON document with, per unit, its
years (`x`), counts (`y`) and how far the latest year runs ("up to date until"). Units are
matched to their health-region codes (HR_UID, 2023 boundaries) from a companion CSV."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

from indicators.adapters.base import (
    GeoRef,
    IndicatorMeta,
    RowProblem,
    SourceMeta,
    ValueRow,
    month_date,
    parse_period,
    parse_value,
)

CODE = "ON.OPIOID.DEATHS"
ONTARIO = GeoRef(name="Ontario", scheme="sgc", code="35", kind="province")
# A JSON document is parsed whole: this format is a small published file, refused above this.
MAX_BYTES = 5 * 1024 * 1024

META = IndicatorMeta(
    code=CODE,
    name_en="Opioid toxicity deaths (confirmed and probable)",
    name_fr="Décès liés à la toxicité des opioïdes (confirmés et probables)",
    definition_en="Confirmed and probable opioid toxicity deaths by public health unit, from "
    "the Office of the Chief Coroner for Ontario.",
    unit_label="Deaths",
    unit_label_fr="Décès",
    unit_type="count",
    decimals=0,
    direction="negative",
    periodicity="Annual",
    domain="health",
    limitations="The latest year is partial (see each value's note); counts are revised as "
    "investigations close.",
    sources=[
        SourceMeta(
            organisation="Ontario Drug Policy Research Network (Office of the Chief Coroner "
            "for Ontario data)",
            title="Opioid toxicity deaths by public health unit",
            url="https://odprn.ca/occ-opioid-and-suspect-drug-related-death-data/",
            periodicity="Annual",
        )
    ],
)


class OdprnAdapter:
    name = "odprn_json"
    code = CODE

    def __init__(self, data: Path, *, codes: Path | None = None) -> None:
        self.data, self.codes = data, codes

    def indicators(self) -> list[IndicatorMeta]:
        return [META]

    def _codes(self) -> dict[str, str]:
        if self.codes is None:
            return {}
        with self.codes.open(newline="", encoding="utf-8-sig") as f:
            return {r["phu_name_as_used_by_odprn"]: r["hr_uid"] for r in csv.DictReader(f)}

    def rows(self) -> Iterator[ValueRow | RowProblem]:
        if self.data.stat().st_size > MAX_BYTES:
            yield RowProblem(1, "the file is larger than this format's 5 MB")
            return
        try:
            document = json.loads(self.data.read_text(encoding="utf-8"))
            units = document["toxicity_phu_data"]
        except (ValueError, KeyError, TypeError):
            yield RowProblem(1, "not the ODPRN document (no toxicity_phu_data)")
            return
        codes = self._codes()
        entry = 0
        for name, series in units.items():
            if not isinstance(series, dict):
                continue  # "data last updated"
            entry += 1
            if name == "All":
                geo = ONTARIO
            elif name in codes:
                geo = GeoRef(name=name, scheme="hr_uid", code=codes[name], kind="health_unit")
            else:
                geo = GeoRef(name=name, kind="health_unit")
            through = month_date(str(series.get("up to date until", "")))
            years, counts = series.get("x") or [], series.get("y") or []
            if len(years) != len(counts):
                yield RowProblem(entry, f"{name[:60]}: {len(years)} years but {len(counts)} values")
                continue
            for year, count in zip(years, counts, strict=True):
                try:
                    period = parse_period(str(year))
                    value = parse_value(str(count))
                except ValueError as e:
                    yield RowProblem(entry, f"{name[:60]}: {e}")
                    continue
                partial = through is not None and period.start <= through < period.end
                yield ValueRow(
                    line=entry,
                    indicator=CODE,
                    geography=geo,
                    period=period,
                    dimensions={},
                    value=value,
                    status="partial" if partial else ("" if value is not None else "not_published"),
                    complete_through=through if partial else None,
                    footnote=f"Complete through {through:%B %Y}" if partial else "",
                )
