"""Reads of the indicator catalogue and a tenant's geography marks. Inside the tenant's scope:
the shared catalogue plus that tenant's own rows."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from cswb.models import Tenant
from indicators.models import (
    Domain,
    Geography,
    GeographyRole,
    Indicator,
    ProgressOverride,
    ProgressStatus,
    Source,
    Target,
    TenantGeography,
)


@dataclass(frozen=True)
class OurGeographies:
    ours: list[Geography] = field(default_factory=list)
    comparison: Geography | None = None

    @property
    def all(self) -> list[Geography]:
        return [*self.ours, *([self.comparison] if self.comparison else [])]


def geographies_marked(*, tenant: Tenant) -> OurGeographies:
    """The tenant's "ours" geographies and its comparison. One query."""
    marks = TenantGeography.objects.filter(tenant=tenant).select_related("geography")
    ours = [m.geography for m in marks if m.role == GeographyRole.OURS]
    comparison = next((m.geography for m in marks if m.role == GeographyRole.COMPARISON), None)
    return OurGeographies(ours=ours, comparison=comparison)


def indicators_listed(*, domain: Domain | None = None) -> QuerySet[Indicator]:
    """Shared and own indicators with their domain (evaluate it once)."""
    qs = Indicator.objects.select_related("domain").order_by("domain__position", "code")
    if domain is not None:
        qs = qs.filter(domain=domain)
    return qs


def domains_listed() -> list[Domain]:
    return list(Domain.objects.order_by("position", "name_en"))


def indicator_detail(*, slug: str, tenant: Tenant) -> Indicator | None:
    """One indicator (the tenant's own before a shared one of the same code), with domain,
    sources and targets. Three queries."""
    qs = (
        Indicator.objects.filter(slug=slug)
        .select_related("domain")
        .prefetch_related(
            Prefetch("sources", queryset=Source.objects.order_by("position", "id")),
            Prefetch("targets", queryset=Target.objects.order_by("target_year")),
        )
    )
    found = list(qs)
    own = [i for i in found if i.tenant_id == tenant.pk]
    return (own or found or [None])[0]


@dataclass(frozen=True)
class Progress:
    computed: ProgressStatus | None
    override: ProgressOverride | None

    @property
    def status(self) -> str:
        if self.override is not None:
            return self.override.status
        return self.computed.status if self.computed else "not_available"

    @property
    def label(self) -> str:
        if self.override is not None:
            return self.override.get_status_display()
        return self.computed_label

    @property
    def computed_label(self) -> str:
        """The status worked out, shown beside an admin's."""
        if self.computed is not None:
            return self.computed.get_status_display()
        return "Not available"

    @property
    def reason(self) -> str:
        """The admin's reason when they set the status shown; "" when it was worked out."""
        return self.override.reason if self.override is not None else ""


def progress_by_indicator(
    *, indicators: list[Indicator], tenant: Tenant, geography: Geography | None = None
) -> dict[int, Progress]:
    """Each indicator's progress status for a geography (none: the headline, as Statistics
    Canada publishes it), with the tenant's override if any. Two queries."""
    ids = [i.pk for i in indicators]
    computed: dict[int, ProgressStatus] = {}
    for p in ProgressStatus.objects.filter(indicator_id__in=ids, geography=geography):
        # A tenant's own computation wins over the shared one.
        if p.tenant_id is not None or p.indicator_id not in computed:
            computed[p.indicator_id] = p
    overrides = {
        o.indicator_id: o
        for o in ProgressOverride.objects.filter(tenant=tenant, indicator_id__in=ids)
    }
    return {i: Progress(computed=computed.get(i), override=overrides.get(i)) for i in ids}
