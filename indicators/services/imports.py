"""Importing indicator values: the handler the import pipeline (`cswb.imports`) calls for
files of kind "indicators", whatever their format. Rows come from a format adapter
(`indicators.adapters`); this module decides each row's fate (create, update, unchanged,
reject) and, on apply, writes catalogue, series, periods, geographies and observations in
chunks, recording every revised value. Entry points (the task, the command) enter the scope."""

from __future__ import annotations

import datetime
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from django.utils import timezone
from django.utils.text import slugify

from cswb.imports import (
    LIST_LIMIT,
    PROGRESS_EVERY,
    ApplyCounts,
    Progress,
    RowResult,
    RowTally,
    import_files,
)
from cswb.models import ImportRecord
from indicators.adapters.base import GeoRef, IndicatorMeta, PeriodRef, RowProblem, ValueRow
from indicators.models import (
    Domain,
    Geography,
    Indicator,
    Period,
    Series,
    Source,
    Target,
    breakdown_key,
)
from indicators.services.import_stage import Stage, StagedRow

SHARED_DOMAINS = [
    ("health", "Health", "Santé"),
    ("safety", "Safety", "Sécurité"),
    ("well-being", "Community well-being", "Bien-être de la communauté"),
]
FORMATS = ("open_sdg", "tidy", "odprn_json", "toronto_flow", "csi_comparison")


def adapter_for(record: ImportRecord):
    """The format adapter for an import's stored files."""
    files = import_files(record)
    fmt = record.file_format
    if fmt == "open_sdg":
        from indicators.adapters import open_sdg

        return open_sdg.OpenSdgAdapter(
            files["data"],
            meta_en=files.get("meta_en"),
            meta_fr=files.get("meta_fr"),
            file_name=record.file_name,
            code=record.options.get("code", ""),
        )
    if fmt == "tidy":
        from indicators.adapters import tidy

        return tidy.TidyAdapter(files["data"])
    if fmt == "odprn_json":
        from indicators.adapters import odprn

        return odprn.OdprnAdapter(files["data"], codes=files.get("codes"))
    if fmt == "toronto_flow":
        from indicators.adapters import toronto_flow

        return toronto_flow.TorontoFlowAdapter(files["data"])
    if fmt == "csi_comparison":
        from indicators.adapters import csi

        return csi.CsiComparisonAdapter(files["data"])
    raise ValueError(f"Unknown file format “{fmt}”.")


def format_guess(file_name: str) -> str:
    name = file_name.lower()
    if name.endswith(".json"):
        return "odprn_json"
    if "shelter_system_flow" in name or "shelter-system-flow" in name:
        return "toronto_flow"
    if "csi_comparison" in name or "csi-comparison" in name:
        return "csi_comparison"
    if "indicator_" in name:
        return "open_sdg"
    return "tidy"


def domains_seed() -> dict[str, Domain]:
    """The shared domains, as Halton groups its indicators (idempotent)."""
    out = {}
    for position, (slug, en, fr) in enumerate(SHARED_DOMAINS):
        domain = Domain.objects.filter(slug=slug, tenant__isnull=True).first()
        if domain is None:
            domain = Domain.objects.create(slug=slug, name_en=en, name_fr=fr, position=position)
        out[slug] = domain
    return out


class _Resolver:
    """Ids of the indicators, geographies, periods and series rows refer to, read once and
    cached. On apply (`create`) the missing ones are made; on check they are made up, with
    negative ids that no stored value has, so that rows are told apart the same way."""

    def __init__(self, *, tenant, create: bool) -> None:
        self.tenant, self.create = tenant, create
        self.indicators = {i.code: i for i in Indicator.objects.all()}
        self.geos: dict[tuple, Geography] = {}
        self.geos_by_name: dict[str, Geography] = {}
        known = list(Geography.objects.order_by("valid_from"))
        by_pk = {g.pk: g for g in known}
        for g in known:
            self._remember_geo(g, latest_code(g, by_pk))
        self.periods = {(p.granularity, p.start, p.end): p for p in Period.objects.all()}
        self.series: dict[tuple[int, str], Series] = {}
        self._series_loaded: set[int] = set()
        self._has_default: set[int] = set()
        # The ids made here (on check, made up).
        self.fresh: set[tuple[str, int]] = set()
        self._made = 0

    def _made_up(self, obj, kind: str):
        """A new object: saved on apply; on check, given a negative id instead."""
        if self.create:
            obj.save(force_insert=True)
        else:
            self._made += 1
            obj.pk = -self._made
        self.fresh.add((kind, obj.pk))
        return obj

    def indicator_made_up(self, code: str) -> Indicator:
        """An indicator this file's metadata defines, on check (apply creates it first)."""
        indicator = self._made_up(Indicator(tenant=self.tenant, code=code), "indicator")
        self.indicators[code] = indicator
        return indicator

    def _remember_geo(self, g: Geography, current: Geography | None = None) -> None:
        """`current` is the row of g's latest code (g itself unless its code changed): an
        earlier code's values go there."""
        current = current or g
        if g.code:
            self.geos[(g.scheme, g.code)] = current
        else:
            self.geos[("none", g.kind, g.name)] = current
        if current is g and (g.code or g.name not in self.geos_by_name):
            self.geos_by_name[g.name] = g

    def geography(self, ref: GeoRef) -> Geography:
        if ref.code:
            found = self.geos.get((ref.scheme, ref.code))
        else:
            # A place named without a code is the coded one of that name, if there is one.
            found = self.geos.get(("none", ref.kind, ref.name)) or (
                self.geos_by_name.get(ref.name) if ref.kind != "country" else None
            )
        if found is None:
            found = self._made_up(
                Geography(
                    tenant=self.tenant,
                    scheme=ref.scheme if ref.code else "none",
                    code=ref.code,
                    name=ref.name[:200],
                    kind=ref.kind,
                ),
                "geography",
            )
            self._remember_geo(found)
        return found

    def period(self, ref: PeriodRef) -> Period:
        key = (ref.granularity, ref.start, ref.end)
        found = self.periods.get(key)
        if found is None:
            found = self._made_up(
                Period(
                    granularity=ref.granularity, start=ref.start, end=ref.end, label=ref.label[:40]
                ),
                "period",
            )
            self.periods[key] = found
        return found

    def series_for(self, indicator: Indicator, dims: dict[str, str]) -> Series:
        if indicator.pk not in self._series_loaded:
            if indicator.pk > 0:
                for s in Series.objects.filter(indicator=indicator):
                    self.series[(indicator.pk, s.key)] = s
                    if s.is_default:
                        self._has_default.add(indicator.pk)
            self._series_loaded.add(indicator.pk)
        key = breakdown_key(dims)
        found = self.series.get((indicator.pk, key))
        if found is None:
            default = (
                key == breakdown_key(indicator.default_selection)
                and indicator.pk not in self._has_default
            )
            found = self._made_up(
                Series(
                    tenant=indicator.tenant,
                    indicator=indicator,
                    key=key[:600],
                    dimensions=dims,
                    is_default=default,
                ),
                "series",
            )
            if default:
                self._has_default.add(indicator.pk)
            self.series[(indicator.pk, key)] = found
        return found


def _number(value: Decimal | None) -> str:
    return "not published" if value is None else f"{value.normalize():f}"


def latest_code(g: Geography, by_pk: dict[int, Geography]) -> Geography:
    """The row of the place's latest code, following `superseded_by` (HR_UID 2236 → 3536)."""
    seen = {g.pk}
    while g.superseded_by_id is not None and g.superseded_by_id in by_pk:
        g = by_pk[g.superseded_by_id]
        if g.pk in seen:  # a loop the data should never hold: stop where it closes
            break
        seen.add(g.pk)
    return g


def _summary(row: ValueRow) -> str:
    dims = ", ".join(f"{v}" for v in row.dimensions.values())
    return (
        f"{row.indicator} · {row.geography.name} · {row.period.label}"
        + (f" · {dims}" if dims else "")
        + f": {_number(row.value)}"
    )


def _meta_problems(record: ImportRecord, metas: list[IndicatorMeta], resolver: _Resolver):
    for meta in metas:
        existing = resolver.indicators.get(meta.code)
        if record.tenant_id and existing is not None and existing.tenant_id is None:
            yield RowProblem(1, f"{meta.code} is in the shared catalogue; a plan cannot change it")
        if not record.tenant_id and existing is not None and existing.tenant_id is not None:
            yield RowProblem(1, f"{meta.code} belongs to a plan")


DUPLICATE = "the same indicator, place, period and breakdown as line {line}"


class _Bar:
    """The progress bar of a pass over `total` rows (the check's count, on apply): reading
    the file fills `read_share` of it, writing the values the rest."""

    def __init__(self, progress: Progress, total: int, read_share: float) -> None:
        self.progress, self.total, self.share = progress, total or 0, read_share

    def _report(self, done: int) -> None:
        done = min(int(done), self.total)
        self.progress(done - done % PROGRESS_EVERY)  # the pipeline keeps multiples of it

    def read(self, rows: int) -> None:
        if self.total:
            self._report(rows * self.share)
        else:  # the check: rows read is all there is to show
            self.progress(rows)

    def written(self, rows: int, of: int) -> None:
        start = self.total * self.share
        self._report(start + (self.total - start) * rows / max(of, 1))


class _Refs:
    """The distinct series (indicator code and breakdown), places and periods a file names,
    numbered in the order it first names them: what a staged row refers to."""

    def __init__(self) -> None:
        self.series: dict[tuple, int] = {}
        self.geos: dict[GeoRef, int] = {}
        self.periods: dict[PeriodRef, int] = {}

    def keys(self) -> dict[str, list]:
        """As the stage keeps them (JSON)."""
        return {
            "s": [[key[0], [list(kv) for kv in key[1:]]] for key in self.series],
            "g": [list(ref) for ref in self.geos],
            "p": [[r.start.isoformat(), r.end.isoformat(), r.granularity, r.label]
                  for r in self.periods],
        }  # fmt: skip

    @classmethod
    def from_stage(cls, stage: Stage) -> _Refs:
        refs = cls()
        for kind, n, key in stage.refs():
            if kind == "s":
                refs.series[(key[0], *map(tuple, key[1]))] = n
            elif kind == "g":
                refs.geos[GeoRef(*key)] = n
            else:
                start, end, granularity, label = key
                refs.periods[
                    PeriodRef(
                        datetime.date.fromisoformat(start),
                        datetime.date.fromisoformat(end),
                        granularity,
                        label,
                    )
                ] = n
        return refs


class IndicatorImportHandler:
    """What the pipeline calls for kind "indicators".

    The check pass streams the file's rows through its adapter into a staging table
    (`indicators.services.import_stage`), kept until the apply pass: a row that cannot be
    read is rejected with its line; the rest is done in SQL, so memory stays flat however
    long the file is. The check tells what each row would do; the apply, in the pipeline's
    one transaction, takes the staged rows (or, if they are gone, reads the file again),
    records what each changed value was, updates it, and adds the new ones."""

    upload_url_name = "manage:indicator-imports"

    def check(self, record: ImportRecord, progress: Progress) -> Iterator[RowResult | RowTally]:
        yield from self._run(record, progress, apply=False, counts=None)

    def apply(self, record: ImportRecord, progress: Progress) -> ApplyCounts:
        counts = ApplyCounts()
        for _ in self._run(record, progress, apply=True, counts=counts):
            pass
        return counts

    def discard(self, record: ImportRecord) -> None:
        """The pipeline is done with the import: its staged rows go."""
        Stage.discard(record.options.get("staged") or {})

    def _run(self, record, progress, *, apply: bool, counts: ApplyCounts | None):
        adapter = adapter_for(record)
        metas = adapter.indicators()
        resolver = _Resolver(tenant=record.tenant, create=apply)
        known = resolver.indicators.get(getattr(adapter, "code", ""))
        if not metas and known is not None and hasattr(adapter, "default_selection"):
            adapter.default_selection = known.default_selection
        problems = list(_meta_problems(record, metas, resolver))
        for p in problems:
            yield RowResult(p.line, "reject", p.summary, p.reason)
        if apply and problems:
            raise ValueError(problems[0].reason)
        for meta in metas:
            if apply:
                resolver.indicators[meta.code] = indicator_from_meta(meta, tenant=record.tenant)
            elif meta.code not in resolver.indicators:
                resolver.indicator_made_up(meta.code).default_selection = meta.default_selection
        stage = None
        if apply:
            stage = Stage.reopen(
                staged=record.options.get("staged") or {}, tenant_id=record.tenant_id
            )
        bar = _Bar(progress, record.rows_total if apply else 0, 0.0 if stage else 0.5)
        rejected = bool(problems)
        try:
            if stage is None:
                stage = Stage.create(
                    record_id=record.pk, tenant_id=record.tenant_id, keep=not apply
                )
                refs = _Refs()
                for result in self._stage(record, bar.read, adapter, resolver, stage, apply, refs):
                    rejected = True
                    yield result
                stage.loaded(refs.keys())
            else:
                refs = _Refs.from_stage(stage)
            named = self._resolve(record, resolver, stage, refs, apply)
            if apply:
                self._write(record, stage, counts, bar.written)
            else:
                for result in self._preview(stage, named):
                    rejected |= result.action == "reject"
                    yield result
        except BaseException:
            stage and stage.drop()
            raise
        if apply or rejected:
            stage.drop()
        else:
            stage.close()
            record.options = {**record.options, "staged": stage.kept()}

    def _stage(self, record, progress, adapter, resolver, stage, apply, refs: _Refs):
        """Every row of the file into the staging table, or rejected with its line."""
        refused: dict[str, str] = {}  # an indicator code → why the file may not give it
        series_refs, geo_refs, period_refs = refs.series, refs.geos, refs.periods
        add = stage.add
        done, reported = 0, 0.0
        for row in adapter.rows():
            done += 1
            if done % PROGRESS_EVERY == 0 and (now := time.monotonic()) >= reported + 0.2:
                progress(done)  # a few times a second is all a progress bar shows
                reported = now
            if isinstance(row, RowProblem):
                if apply:
                    raise ValueError(f"line {row.line}: {row.reason}")
                yield RowResult(row.line, "reject", row.summary, row.reason)
                continue
            key = (row.indicator, *row.dimensions.items())
            sref = series_refs.get(key)
            if sref is None:
                reason = refused.get(row.indicator)
                if reason is None:
                    reason = refused[row.indicator] = self._refusal(record, resolver, row.indicator)
                if reason:
                    if apply:
                        raise ValueError(f"line {row.line}: {reason}")
                    yield RowResult(row.line, "reject", _summary(row), reason)
                    continue
                sref = series_refs[key] = len(series_refs)
            gref = geo_refs.get(row.geography)
            if gref is None:
                gref = geo_refs[row.geography] = len(geo_refs)
            pref = period_refs.get(row.period)
            if pref is None:
                pref = period_refs[row.period] = len(period_refs)
            add(
                (row.line, sref, gref, pref, row.value, row.status, row.footnote[:500],
                 row.complete_through)
            )  # fmt: skip

    @staticmethod
    def _refusal(record, resolver, code: str) -> str:
        """Why a file may not give values of this indicator ("" when it may)."""
        indicator = resolver.indicators.get(code)
        if indicator is None:
            return f"no indicator has the code “{code[:40]}”"
        if indicator.tenant_id != record.tenant_id:
            return (
                f"{code} is in the shared catalogue; a plan imports values for its own indicators"
                if record.tenant_id
                else f"{code} belongs to a plan"
            )
        return ""

    def _resolve(self, record, resolver, stage, refs: _Refs, apply: bool) -> _Named:
        """The ids of what the staged rows refer to, as the catalogue is now (on apply,
        created where missing), into the stage's maps."""
        named = _Named()
        maps: dict[str, list[tuple]] = {"s": [], "g": [], "p": []}
        used: set[int] = set()
        for key, n in refs.series.items():
            code, dims = key[0], dict(key[1:])
            if code not in named.indicators:
                reason = self._refusal(record, resolver, code)
                if reason:  # the catalogue changed since the check
                    line = stage.first_line(
                        "s", [m for k, m in refs.series.items() if k[0] == code]
                    )
                    raise ValueError(f"line {line}: {reason}")
                indicator = named.indicators[code] = resolver.indicators[code]
                used.add(indicator.pk)
                if apply:  # two imports of one indicator run one after the other
                    Indicator.objects.select_for_update().filter(pk=indicator.pk).exists()
            series = named.series[n] = resolver.series_for(named.indicators[code], dims)
            maps["s"].append(
                (n, series.indicator_id, series.pk, ("series", series.pk) in resolver.fresh)
            )
        for ref, n in refs.geos.items():
            geo = named.geos[n] = resolver.geography(ref)
            maps["g"].append((n, geo.pk, ("geography", geo.pk) in resolver.fresh))
        for ref, n in refs.periods.items():
            period = named.periods[n] = resolver.period(ref)
            maps["p"].append((n, period.pk, ("period", period.pk) in resolver.fresh))
        stage.resolve(maps, used)
        named.used = used
        return named

    def _preview(self, stage, named: _Named):
        """After the rows that cannot be read: the repeated ones, then what the others
        would do, the first LIST_LIMIT of each kind listed and the rest counted."""
        repeated = False
        for staged, first in stage.duplicates():
            repeated = True
            reason = DUPLICATE.format(line=first)
            yield RowResult(staged.line, "reject", named.summary(staged), reason)
        if repeated:
            stage.duplicates_drop()
        counts, rows = stage.preview(LIST_LIMIT)
        listed = dict.fromkeys(counts, 0)
        for action, staged in rows:
            listed[action] += 1
            was = _number(staged.was_value) if action == "update" else ""
            yield RowResult(staged.line, action, named.summary(staged), f"was {was}" if was else "")
        for action, n in counts.items():
            if n > listed[action]:
                yield RowTally(action, n - listed[action])

    def _write(self, record, stage, counts, progress):
        for staged, first in stage.duplicates(limit=1):
            raise ValueError(f"line {staged.line}: {DUPLICATE.format(line=first)}")
        counts.created, counts.updated = stage.write(
            batch_id=record.pk, now=timezone.now(), progress=progress
        )
        counts.unchanged = stage.rows - counts.created - counts.updated
        if counts.created or counts.updated:
            from indicators.services.progress import progress_compute

            for indicator_id in stage.indicator_ids:
                if indicator_id:
                    progress_compute(indicator=Indicator.objects.get(pk=indicator_id))


class _Named:
    """What the references of a file resolved to, for the preview's words."""

    def __init__(self) -> None:
        self.indicators: dict[str, Indicator] = {}
        self.series: dict[int, Series] = {}
        self.geos: dict[int, Geography] = {}
        self.periods: dict[int, Period] = {}
        self.used: set[int] = set()

    def summary(self, staged: StagedRow) -> str:
        series = self.series[staged.sref]
        geo, period = self.geos[staged.gref], self.periods[staged.pref]
        dims = ", ".join(f"{v}" for v in series.dimensions.values())
        return (
            f"{series.indicator.code} · {geo.name} · {period.label}"
            + (f" · {dims}" if dims else "")
            + f": {_number(staged.value)}"
        )


def indicator_from_meta(meta: IndicatorMeta, *, tenant) -> Indicator:
    """Create or update an indicator, its sources and its target from its metadata."""
    domains = domains_seed()
    domain = domains.get(meta.domain) or domains["well-being"]
    fields = dict(
        name_en=meta.name_en[:400],
        name_fr=meta.name_fr[:400],
        definition_en=meta.definition_en,
        definition_fr=meta.definition_fr,
        unit_label=meta.unit_label[:120],
        unit_label_fr=meta.unit_label_fr[:120],
        unit_type=meta.unit_type,
        multiplier=meta.multiplier,
        decimals=meta.decimals,
        direction=meta.direction,
        aggregation="sum" if meta.unit_type == "count" else "none",
        natural_limit=meta.natural_limit,
        periodicity=meta.periodicity[:60],
        target_text=meta.target_text[:500],
        target_text_fr=meta.target_text_fr[:500],
        limitations=meta.limitations,
        limitations_fr=meta.limitations_fr,
        default_selection=meta.default_selection,
        updated_at=timezone.now(),
    )
    indicator = Indicator.objects.filter(code=meta.code, tenant=tenant).first()
    if indicator is None:
        indicator = Indicator.objects.create(
            tenant=tenant,
            code=meta.code,
            slug=slugify(meta.code.replace(".", "-"))[:60],
            domain=domain,
            **fields,
        )
    else:
        for k, v in fields.items():
            setattr(indicator, k, v)
        indicator.save(update_fields=list(fields))
    Source.objects.filter(indicator=indicator).delete()
    Source.objects.bulk_create(
        [
            Source(
                tenant=tenant,
                indicator=indicator,
                organisation=s.organisation[:300],
                title=s.title[:500],
                url=s.url[:500],
                table_id=s.table_id[:60],
                licence=s.licence[:200],
                periodicity=s.periodicity[:60],
                position=n,
            )
            for n, s in enumerate(meta.sources)
        ]
    )
    target = meta.progress.get("target")
    Target.objects.filter(indicator=indicator, series__isnull=True, geography__isnull=True).delete()
    if target is not None and meta.progress.get("target_year"):
        base = meta.progress.get("base_year")
        Target.objects.create(
            tenant=tenant,
            indicator=indicator,
            value=Decimal(str(target)),
            base_year=int(base) if base else None,
            target_year=int(meta.progress["target_year"]),
        )
    return indicator


def stored_files_for(paths: list[Path]) -> dict[str, Path]:
    """For the command: the companion metadata files of an Open SDG data file."""
    from indicators.adapters.open_sdg import meta_paths_for

    en, fr = meta_paths_for(paths[0])
    return {k: v for k, v in (("meta_en", en), ("meta_fr", fr)) if v is not None}
