"""Open SDG: a tidy CSV (`Year`, any dimension columns, `GeoCode`, `Value`) and its metadata,
a Markdown file whose YAML front matter describes the indicator (English, and French in a
`fr/` folder beside it). Statistics Canada publishes the Canadian Indicator Framework so."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import yaml

from indicators.adapters.base import (
    GeoRef,
    IndicatorMeta,
    RowProblem,
    SourceMeta,
    ValueRow,
    clean,
    parse_period,
    parse_value,
)

GEO_COLUMNS = ("Geography",)
CANADA = GeoRef(name="Canada", kind="country")
DOMAIN_BY_GOAL = {"3": "health", "5": "safety", "16": "safety"}
MAX_FIELDS = 60


def front_matter(text: str) -> dict:
    """The YAML between the opening and the closing `---`; anything after it is ignored."""
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != "---":
        raise ValueError("the metadata file does not start with a YAML front matter (---)")
    end = next((n for n, line in enumerate(lines[1:], start=1) if line.strip() == "---"), None)
    if end is None:
        raise ValueError("the metadata's front matter has no closing ---")
    data = yaml.safe_load("\n".join(lines[1:end])) or {}
    if not isinstance(data, dict):
        raise ValueError("the metadata's front matter is not a set of fields")
    return data


def _unit(units: str) -> tuple[str, int]:
    u = units.lower()
    if "percent" in u or "%" in u or "proportion" in u:
        return "percent", 100
    if "rate" in u or "per " in u:
        m = re.search(r"per\s+([\d,]+)", u)
        return "rate", int(m[1].replace(",", "")) if m else 1
    if "index" in u:
        return "index", 1
    if "dollar" in u or "$" in u:
        return "currency", 1
    if "day" in u:
        return "days", 1
    return "count", 1


def _text(value: object) -> str:
    return "" if value is None else re.sub(r"<br\s*/?>", "\n", str(value)).strip()


def indicator_meta(en: dict, fr: dict | None = None) -> IndicatorMeta:
    fr = fr or {}
    code = str(en.get("indicator_number") or "").strip()
    if not code:
        raise ValueError("the metadata has no indicator_number")
    units = _text(en.get("computation_units"))
    unit_type, multiplier = _unit(units)
    options = en.get("progress_calculation_options") or [{}]
    progress = dict(options[0]) if isinstance(options, list) and options else {}
    # Open SDG's default direction is negative.
    direction = (
        "positive" if str(progress.get("direction", "")).lower() == "positive" else ("negative")
    )
    limit = progress.get("limit")
    if limit is None and unit_type == "percent" and direction == "positive":
        limit = 100
    sources = []
    for n in range(1, 10):
        organisation = _text(en.get(f"source_organisation_{n}"))
        if not organisation:
            continue
        title = _text(en.get(f"source_url_text_{n}"))
        table = re.search(r"\b\d{2}-\d{2}-\d{4}-\d{2}\b", title)
        sources.append(
            SourceMeta(
                organisation=organisation,
                title=title,
                url=_text(en.get(f"source_url_{n}")),
                table_id=table[0] if table else "",
                licence=_text(en.get(f"source_licence_{n}"))
                or (
                    "Statistics Canada Open Licence"
                    if "Statistics Canada" in organisation
                    else "Open Government Licence - Canada"
                ),
                periodicity=_text(en.get(f"source_periodicity_{n}")),
            )
        )
    selection = {}
    for item in en.get("data_start_values") or []:
        if isinstance(item, dict) and item.get("field") and item["field"] not in GEO_COLUMNS:
            selection[clean(str(item["field"]))] = clean(str(item.get("value", "")))
    goal = str(en.get("sdg_goal") or code.split(".")[0])
    return IndicatorMeta(
        code=code,
        name_en=_text(en.get("indicator_name")) or code,
        name_fr=_text(fr.get("indicator_name")),
        definition_en=_text(en.get("national_indicator_description")),
        definition_fr=_text(fr.get("national_indicator_description")),
        unit_label=units,
        unit_label_fr=_text(fr.get("computation_units")),
        unit_type=unit_type,
        multiplier=multiplier,
        direction=direction,
        natural_limit=Decimal(str(limit)) if limit is not None else None,
        periodicity=sources[0].periodicity if sources else "",
        target_text=_text(en.get("target_name")),
        target_text_fr=_text(fr.get("target_name")),
        limitations=_text(en.get("comments_limitations")),
        limitations_fr=_text(fr.get("comments_limitations")),
        domain=DOMAIN_BY_GOAL.get(goal, "well-being"),
        default_selection=selection,
        sources=sources,
        progress={
            k: progress[k]
            for k in ("direction", "base_year", "target", "target_year")
            if k in progress
        },
    )


def meta_paths_for(data_path: Path) -> tuple[Path | None, Path | None]:
    """cif_indicator_3-13-1.csv → cif_meta_3-13-1.md beside it and fr/cif_meta_3-13-1.md."""
    m = re.match(r"(.*?)indicator_(.+)\.csv$", data_path.name)
    if not m:
        return None, None
    name = f"{m[1]}meta_{m[2]}.md"
    en, fr = data_path.with_name(name), data_path.parent / "fr" / name
    return (en if en.exists() else None), (fr if fr.exists() else None)


def code_from_name(name: str) -> str:
    """cif_indicator_3-13-1.csv → 3.13.1"""
    m = re.search(r"indicator_([0-9a-z]+(?:-[0-9a-z]+)+)\.csv$", name, re.IGNORECASE)
    return m[1].replace("-", ".") if m else ""


def _geo(name: str, code: str, from_cma_column: bool) -> GeoRef:
    if code:
        if not code.isdigit():
            raise ValueError(f"the GeoCode “{code[:20]}” is not a number")
        scheme, kind = {
            2: ("sgc", "province"),
            3: ("cma", "cma"),
            4: ("hr_uid", "health_unit"),
        }.get(len(code), ("sgc", "other"))
        return GeoRef(name=name or code, scheme=scheme, code=code, kind=kind)
    if name == "Canada":
        return CANADA
    return GeoRef(name=name, kind="cma" if from_cma_column else "region")


class OpenSdgAdapter:
    name = "open_sdg"

    def __init__(
        self,
        data: Path,
        *,
        meta_en: Path | None = None,
        meta_fr: Path | None = None,
        code: str = "",
        file_name: str = "",
    ) -> None:
        self.data, self.meta_en, self.meta_fr = data, meta_en, meta_fr
        self._meta: IndicatorMeta | None = None
        # Without metadata, the default breakdown of the indicator already in the catalogue.
        self.default_selection: dict[str, str] = {}
        self.code = code or code_from_name(file_name or data.name)

    def indicators(self) -> list[IndicatorMeta]:
        if self.meta_en is None:
            return []
        if self._meta is None:
            en = front_matter(self.meta_en.read_text(encoding="utf-8"))
            fr = front_matter(self.meta_fr.read_text(encoding="utf-8")) if self.meta_fr else None
            self._meta = indicator_meta(en, fr)
            self._meta.default_selection = self._resolve(self._meta.default_selection)
            self.code = self._meta.code
        return [self._meta]

    def _resolve(self, selection: dict[str, str]) -> dict[str, str]:
        """The metadata may name a default without the code the data adds to it
        ("Total violent Criminal Code violations" for "… [100]"): take the data's label when
        exactly one matches so. One streaming pass over the default's columns."""
        if not selection:
            return selection
        seen: dict[str, set[str]] = {k: set() for k in selection}
        with self.data.open(newline="", encoding="utf-8-sig") as f:
            reader = csv.reader(f)
            names = [clean(h) for h in next(reader, [])]
            at = {k: names.index(k) for k in selection if k in names}
            for record in reader:
                for k, i in at.items():
                    if i < len(record):
                        seen[k].add(clean(record[i]))
        resolved = dict(selection)
        for k, v in selection.items():
            if v not in seen[k]:
                close = [s for s in seen[k] if s.startswith(f"{v} [")]
                if len(close) == 1:
                    resolved[k] = close[0]
        return resolved

    def rows(self) -> Iterator[ValueRow | RowProblem]:
        metas = self.indicators()
        default = metas[0].default_selection if metas else self.default_selection
        with self.data.open(newline="", encoding="utf-8-sig") as f:
            reader = csv.reader(f)
            header = next(reader, None)
            if not header:
                yield RowProblem(line=1, reason="the file is empty")
                return
            names = [clean(h) for h in header]
            missing = [c for c in ("Year", "Value") if c not in names]
            if missing or len(names) > MAX_FIELDS:
                yield RowProblem(
                    line=1,
                    reason=f"the header lacks {', '.join(missing)}"
                    if missing
                    else f"more than {MAX_FIELDS} columns",
                )
                return
            if not self.code:
                yield RowProblem(
                    line=1,
                    reason="the indicator's code is unknown (name the file "
                    "cif_indicator_<code>.csv or give its metadata)",
                )
                return
            year_i, value_i = names.index("Year"), names.index("Value")
            code_i = names.index("GeoCode") if "GeoCode" in names else None
            geo_i = [i for i, n in enumerate(names) if n in GEO_COLUMNS]
            cma_i = [i for i, n in enumerate(names) if "census metropolitan area" in n.lower()]
            dim_i = [
                i for i in range(len(names)) if i not in (year_i, value_i, code_i, *geo_i, *cma_i)
            ]
            line = 1
            for record in reader:
                start, line = line + 1, reader.line_num
                if not any(v.strip() for v in record):
                    continue
                if len(record) != len(names):
                    yield RowProblem(
                        start, f"{len(record)} fields where the header has {len(names)}"
                    )
                    continue
                try:
                    yield self._row(
                        start, record, names, year_i, value_i, code_i, geo_i, cma_i, dim_i, default
                    )
                except ValueError as e:
                    yield RowProblem(start, str(e), summary=record[year_i][:20])

    def _row(self, line, record, names, year_i, value_i, code_i, geo_i, cma_i, dim_i, default):
        if "\x00" in "".join(record):
            raise ValueError("the row holds a NUL byte")
        period = parse_period(clean(record[year_i]))
        value = parse_value(clean(record[value_i]))
        code = clean(record[code_i]) if code_i is not None else ""
        cma = next((clean(record[i]) for i in cma_i if clean(record[i])), "")
        if cma == "Total":
            cma = "All census metropolitan areas"
        geo_name = cma or next((clean(record[i]) for i in geo_i if clean(record[i])), "")
        dims = {names[i]: clean(record[i]) for i in dim_i if clean(record[i])}
        if not geo_name and not code and not dims:
            # The headline: Canada, in the indicator's default breakdown.
            geography, dims = CANADA, dict(default)
        else:
            geography = _geo(geo_name, code, bool(cma))
        return ValueRow(
            line=line,
            indicator=self.code,
            geography=geography,
            period=period,
            dimensions=dims,
            value=value,
            status="" if value is not None else "not_published",
        )
