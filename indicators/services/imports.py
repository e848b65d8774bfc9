"""Importing indicator values: the handler the import pipeline (`cswb.imports`) calls for
files of kind "indicators", whatever their format. Rows come from a format adapter
(`indicators.adapters`); this module decides each row's fate (create, update, unchanged,
reject) and, on apply, writes catalogue, series, periods, geographies and observations in
chunks, recording every revised value. Entry points (the task, the command) enter the scope."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from decimal import Decimal
from pathlib import Path

from django.utils import timezone
from django.utils.text import slugify

from cswb.imports import LIST_LIMIT, ApplyCounts, Progress, RowResult, import_files
from cswb.models import ImportRecord
from indicators.adapters.base import GeoRef, IndicatorMeta, PeriodRef, RowProblem, ValueRow
from indicators.models import (
    Domain,
    Geography,
    Indicator,
    Observation,
    ObservationRevision,
    Period,
    Series,
    Source,
    Target,
    breakdown_key,
)

CHUNK = 5000
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
    """Ids of the geographies, periods and series rows refer to, read once and cached;
    `create` makes the missing ones (apply pass only)."""

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

    def geography(self, ref: GeoRef) -> Geography | None:
        if ref.code:
            found = self.geos.get((ref.scheme, ref.code))
        else:
            # A place named without a code is the coded one of that name, if there is one.
            found = self.geos.get(("none", ref.kind, ref.name)) or (
                self.geos_by_name.get(ref.name) if ref.kind != "country" else None
            )
        if found is None and self.create:
            found = Geography.objects.create(
                tenant=self.tenant,
                scheme=ref.scheme if ref.code else "none",
                code=ref.code,
                name=ref.name[:200],
                kind=ref.kind,
            )
            self._remember_geo(found)
        return found

    def period(self, ref: PeriodRef) -> Period | None:
        key = (ref.granularity, ref.start, ref.end)
        found = self.periods.get(key)
        if found is None and self.create:
            found = Period.objects.create(
                granularity=ref.granularity, start=ref.start, end=ref.end, label=ref.label[:40]
            )
            self.periods[key] = found
        return found

    def series_for(self, indicator: Indicator, dims: dict[str, str]) -> Series | None:
        if indicator.pk not in self._series_loaded:
            for s in Series.objects.filter(indicator=indicator):
                self.series[(indicator.pk, s.key)] = s
            self._series_loaded.add(indicator.pk)
        key = breakdown_key(dims)
        found = self.series.get((indicator.pk, key))
        if found is None and self.create:
            found = Series.objects.create(
                tenant=indicator.tenant,
                indicator=indicator,
                key=key[:600],
                dimensions=dims,
                is_default=key == breakdown_key(indicator.default_selection)
                and not Series.objects.filter(indicator=indicator, is_default=True).exists(),
            )
            self.series[(indicator.pk, key)] = found
        return found


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
    value = "not published" if row.value is None else f"{row.value.normalize():f}"
    return (
        f"{row.indicator} · {row.geography.name} · {row.period.label}"
        + (f" · {dims}" if dims else "")
        + f": {value}"
    )


def _listed(shown: dict[str, int], row: ValueRow, action: str) -> str:
    """The row's summary while the preview still lists rows of this kind (the first
    LIST_LIMIT); past that nobody reads it, and a million summaries cost seconds."""
    shown[action] = shown.get(action, 0) + 1
    return _summary(row) if shown[action] <= LIST_LIMIT else ""


def _meta_problems(record: ImportRecord, metas: list[IndicatorMeta], resolver: _Resolver):
    for meta in metas:
        existing = resolver.indicators.get(meta.code)
        if record.tenant_id and existing is not None and existing.tenant_id is None:
            yield RowProblem(1, f"{meta.code} is in the shared catalogue; a plan cannot change it")
        if not record.tenant_id and existing is not None and existing.tenant_id is not None:
            yield RowProblem(1, f"{meta.code} belongs to a plan")


def _chunks(rows: Iterable, size: int) -> Iterator[list]:
    it = iter(rows)
    while chunk := list(itertools.islice(it, size)):
        yield chunk


def _same(obs: Observation, row: ValueRow) -> bool:
    return (
        obs.value == row.value
        and obs.status == row.status
        and obs.footnote == row.footnote[:500]
        and obs.complete_through == row.complete_through
    )


class IndicatorImportHandler:
    """What the pipeline calls for kind "indicators"."""

    upload_url_name = "manage:indicator-imports"

    def check(self, record: ImportRecord, progress: Progress) -> Iterator[RowResult]:
        yield from self._run(record, progress, apply=False, counts=None)

    def apply(self, record: ImportRecord, progress: Progress) -> ApplyCounts:
        counts = ApplyCounts()
        for _ in self._run(record, progress, apply=True, counts=counts):
            pass
        return counts

    def _run(self, record, progress, *, apply: bool, counts: ApplyCounts | None):
        shown: dict[str, int] = {}
        adapter = adapter_for(record)
        metas = adapter.indicators()
        resolver = _Resolver(tenant=record.tenant, create=apply)
        known = resolver.indicators.get(getattr(adapter, "code", ""))
        if not metas and known is not None and hasattr(adapter, "default_selection"):
            adapter.default_selection = known.default_selection
        problems = list(_meta_problems(record, metas, resolver))
        for p in problems:
            yield RowResult(p.line, "reject", p.summary, p.reason)
        if apply:
            if problems:
                raise ValueError(problems[0].reason)
            for meta in metas:
                resolver.indicators[meta.code] = indicator_from_meta(meta, tenant=record.tenant)
        meta_codes = {m.code for m in metas}
        seen: set[int] = set()
        touched: set[int] = set()
        done = 0
        for chunk in _chunks(adapter.rows(), CHUNK):
            resolved: list[
                tuple[ValueRow, Indicator, Series | None, Geography | None, Period | None]
            ] = []
            for row in chunk:
                done += 1
                progress(done)
                if isinstance(row, RowProblem):
                    if apply:
                        raise ValueError(f"line {row.line}: {row.reason}")
                    yield RowResult(row.line, "reject", row.summary, row.reason)
                    continue
                indicator = resolver.indicators.get(row.indicator)
                if indicator is None and row.indicator not in meta_codes:
                    reason = f"no indicator has the code “{row.indicator[:40]}”"
                    if apply:
                        raise ValueError(f"line {row.line}: {reason}")
                    yield RowResult(row.line, "reject", _summary(row), reason)
                    continue
                if indicator is not None and indicator.tenant_id != record.tenant_id:
                    reason = (
                        f"{row.indicator} is in the shared catalogue; a plan imports values "
                        "for its own indicators"
                        if record.tenant_id
                        else f"{row.indicator} belongs to a plan"
                    )
                    if apply:
                        raise ValueError(f"line {row.line}: {reason}")
                    yield RowResult(row.line, "reject", _summary(row), reason)
                    continue
                key = hash(
                    (row.indicator, row.geography, row.period, breakdown_key(row.dimensions))
                )
                if key in seen:
                    reason = "the same indicator, place, period and breakdown as an earlier row"
                    if apply:
                        raise ValueError(f"line {row.line}: {reason}")
                    yield RowResult(row.line, "reject", _summary(row), reason)
                    continue
                seen.add(key)
                if indicator is None:  # defined by this file's metadata; nothing exists yet
                    yield RowResult(row.line, "create", _listed(shown, row, "create"))
                    continue
                resolved.append(
                    (
                        row,
                        indicator,
                        resolver.series_for(indicator, row.dimensions),
                        resolver.geography(row.geography),
                        resolver.period(row.period),
                    )
                )
            yield from self._chunk(record, resolved, apply, counts, touched, shown)
        if apply:
            from indicators.services.progress import progress_compute

            for indicator_id in touched:
                progress_compute(indicator=Indicator.objects.get(pk=indicator_id))

    def _chunk(self, record, resolved, apply, counts, touched, shown):
        complete = [r for r in resolved if r[2] and r[3] and r[4]]
        existing: dict[tuple[int, int, int], Observation] = {}
        if complete:
            qs = Observation.objects.filter(
                series_id__in={r[2].pk for r in complete},
                geography_id__in={r[3].pk for r in complete},
                period_id__in={r[4].pk for r in complete},
            )
            existing = {(o.series_id, o.geography_id, o.period_id): o for o in qs}
        now = timezone.now()
        new, changed, revisions = [], [], []
        for row, indicator, series, geo, period in resolved:
            obs = (
                existing.get((series.pk, geo.pk, period.pk)) if series and geo and period else None
            )
            if obs is None:
                yield RowResult(row.line, "create", _listed(shown, row, "create"))
                if apply:
                    new.append(
                        Observation(
                            tenant=record.tenant,
                            indicator=indicator,
                            series=series,
                            geography=geo,
                            period=period,
                            value=row.value,
                            status=row.status,
                            complete_through=row.complete_through,
                            footnote=row.footnote[:500],
                            batch=record,
                            updated_at=now,
                        )
                    )
                    touched.add(indicator.pk)
            elif _same(obs, row):
                yield RowResult(row.line, "unchanged", _listed(shown, row, "unchanged"))
                if counts is not None:
                    counts.unchanged += 1
            else:
                was = "not published" if obs.value is None else f"{obs.value.normalize():f}"
                yield RowResult(row.line, "update", _summary(row), f"was {was}")
                if apply:
                    revisions.append(
                        ObservationRevision(
                            tenant=obs.tenant,
                            observation=obs,
                            previous_value=obs.value,
                            previous_status=obs.status,
                            batch=record,
                            at=now,
                        )
                    )
                    obs.value, obs.status, obs.footnote = row.value, row.status, row.footnote[:500]
                    obs.complete_through, obs.batch, obs.updated_at = (
                        row.complete_through,
                        record,
                        now,
                    )
                    obs.revision += 1
                    changed.append(obs)
                    touched.add(indicator.pk)
        if apply:
            Observation.objects.bulk_create(new, batch_size=CHUNK)
            Observation.objects.bulk_update(
                changed,
                [
                    "value",
                    "status",
                    "footnote",
                    "complete_through",
                    "batch",
                    "updated_at",
                    "revision",
                ],
                batch_size=1000,
            )
            ObservationRevision.objects.bulk_create(revisions, batch_size=1000)
            counts.created += len(new)
            counts.updated += len(changed)


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
