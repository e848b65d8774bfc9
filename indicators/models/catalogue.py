"""The indicator catalogue: domains, indicators and their sources, geographies, periods.

Rows without a tenant are the shared catalogue (Statistics Canada, PHAC, provincial series):
every tenant reads them, none writes them. Rows with a tenant are that tenant's own."""

from __future__ import annotations

import datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from cswb.models import Tenant
from cswb.scoping import SharedOrTenantManager

SHARED = models.Q(tenant__isnull=True)
OWNED = models.Q(tenant__isnull=False)


class Domain(models.Model):
    """How indicators are grouped on the dashboard. Shared: health, safety, community
    well-being (as Halton groups them); a tenant may add its own."""

    tenant = models.ForeignKey(
        Tenant, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    slug = models.SlugField(max_length=60)
    name_en = models.CharField(max_length=120)
    name_fr = models.CharField(max_length=120, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    objects = SharedOrTenantManager()

    class Meta:
        ordering = ["position", "name_en"]
        constraints = [
            models.UniqueConstraint(fields=["slug"], condition=SHARED, name="domain_shared_slug"),
            models.UniqueConstraint(
                fields=["tenant", "slug"], condition=OWNED, name="domain_tenant_slug"
            ),
        ]

    def __str__(self) -> str:
        return self.name_en


class UnitType(models.TextChoices):
    PERCENT = "percent", _("Percent")
    RATE = "rate", _("Rate")
    COUNT = "count", _("Count")
    INDEX = "index", _("Index")
    CURRENCY = "currency", _("Currency")
    DAYS = "days", _("Days")


class DesiredDirection(models.TextChoices):
    """Open SDG's `progress_calculation_options.direction`."""

    POSITIVE = "positive", _("Higher is better")
    NEGATIVE = "negative", _("Lower is better")


class Aggregation(models.TextChoices):
    SUM = "sum", _("Values add up (counts)")
    NONE = "none", _("Values never add up (rates, percentages)")


class Indicator(models.Model):
    tenant = models.ForeignKey(
        Tenant, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    code = models.CharField(max_length=40, help_text=_("e.g. 3.13.1"))
    slug = models.SlugField(max_length=60, help_text=_("The code as it appears in addresses."))
    name_en = models.CharField(max_length=400)
    name_fr = models.CharField(max_length=400, blank=True)
    definition_en = models.TextField(blank=True)
    definition_fr = models.TextField(blank=True)
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="indicators")
    unit_label = models.CharField(max_length=120, help_text=_("e.g. Crude rate per 100,000"))
    unit_label_fr = models.CharField(max_length=120, blank=True)
    unit_type = models.CharField(max_length=10, choices=UnitType.choices)
    multiplier = models.PositiveIntegerField(
        default=1, help_text=_("Per 100, 1,000 or 100,000 people; 1 for counts and indexes.")
    )
    decimals = models.PositiveSmallIntegerField(default=1)
    direction = models.CharField(max_length=8, choices=DesiredDirection.choices)
    natural_limit = models.DecimalField(
        max_digits=18, decimal_places=6, null=True, blank=True, help_text=_("e.g. 100 (%)")
    )
    aggregation = models.CharField(max_length=4, choices=Aggregation.choices, default="none")
    periodicity = models.CharField(max_length=60, blank=True, help_text=_("e.g. Annual"))
    target_text = models.CharField(max_length=500, blank=True)
    target_text_fr = models.CharField(max_length=500, blank=True)
    limitations = models.TextField(blank=True)
    limitations_fr = models.TextField(blank=True)
    # The breakdown shown first, e.g. {"Sex": "Total"} (Open SDG's data_start_values).
    default_selection = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = SharedOrTenantManager()

    class Meta:
        ordering = ["domain__position", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=SHARED, name="indicator_shared_code"
            ),
            models.UniqueConstraint(
                fields=["tenant", "code"], condition=OWNED, name="indicator_tenant_code"
            ),
            models.CheckConstraint(
                condition=models.Q(unit_type__in=UnitType.values), name="indicator_unit_type"
            ),
            models.CheckConstraint(
                condition=models.Q(direction__in=DesiredDirection.values),
                name="indicator_direction",
            ),
            # Rates and percentages never add up.
            models.CheckConstraint(
                condition=~models.Q(aggregation="sum")
                | models.Q(unit_type__in=["count", "currency", "days"]),
                name="indicator_only_counts_add",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name_en}"

    @property
    def is_shared(self) -> bool:
        return self.tenant_id is None


class Source(models.Model):
    tenant = models.ForeignKey(
        Tenant, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="sources")
    organisation = models.CharField(max_length=300)
    title = models.CharField(max_length=500, blank=True)
    table_id = models.CharField(max_length=60, blank=True, help_text=_("e.g. 35-10-0026-01"))
    url = models.URLField(max_length=500, blank=True)
    licence = models.CharField(max_length=200, blank=True)
    periodicity = models.CharField(max_length=60, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    objects = SharedOrTenantManager()

    class Meta:
        ordering = ["indicator", "position", "id"]

    def __str__(self) -> str:
        return self.organisation


class GeoScheme(models.TextChoices):
    SGC = "sgc", _("Standard Geographical Classification (province, census division)")
    CMA = "cma", _("Census metropolitan area")
    HR_UID = "hr_uid", _("Health region (public health unit)")
    LOCAL = "local", _("Local code")
    NONE = "none", _("No code")


class GeoKind(models.TextChoices):
    COUNTRY = "country", _("Country")
    REGION = "region", _("Group of provinces or region")
    PROVINCE = "province", _("Province or territory")
    CMA = "cma", _("Census metropolitan area")
    HEALTH_UNIT = "health_unit", _("Public health unit")
    MUNICIPALITY = "municipality", _("Municipality or region")
    OTHER = "other", _("Other")


EVER = datetime.date(1900, 1, 1)


class Geography(models.Model):
    """A place values are for. A code belongs to a scheme and is valid for a time: Halton's
    public health unit is HR_UID 2236 in the 2018 boundaries and 3536 from 2023. Some rows
    have no code at all (Canada in the CIF files, "Atlantic provinces").

    When a place's code changes, its earlier code is a row of its own, valid until the change
    and `superseded_by` the row of the later code. Values are always kept on the latest row: an
    import naming the earlier code (a file of 2019 values for HR_UID 2236) attaches them to the
    same place, so its line has no break at the change."""

    tenant = models.ForeignKey(
        Tenant, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    scheme = models.CharField(max_length=8, choices=GeoScheme.choices, default="none")
    code = models.CharField(max_length=20, blank=True)
    valid_from = models.DateField(default=EVER)
    valid_to = models.DateField(null=True, blank=True)
    name = models.CharField(max_length=200)
    name_fr = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=12, choices=GeoKind.choices, default="other")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    superseded_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="earlier_codes",
        help_text=_("The same place under its later code; its values are kept there."),
    )

    objects = SharedOrTenantManager()

    class Meta:
        ordering = ["name", "valid_from"]
        verbose_name_plural = "geographies"
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "code", "valid_from"],
                condition=SHARED & ~models.Q(code=""),
                name="geography_shared_code",
            ),
            models.UniqueConstraint(
                fields=["kind", "name"],
                condition=SHARED & models.Q(code=""),
                name="geography_shared_codeless",
            ),
            models.UniqueConstraint(
                fields=["tenant", "scheme", "code", "valid_from"],
                condition=OWNED & ~models.Q(code=""),
                name="geography_tenant_code",
            ),
            models.UniqueConstraint(
                fields=["tenant", "kind", "name"],
                condition=OWNED & models.Q(code=""),
                name="geography_tenant_codeless",
            ),
            models.CheckConstraint(
                condition=models.Q(code="") | ~models.Q(scheme="none"),
                name="geography_code_has_scheme",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gt=models.F("valid_from")),
                name="geography_valid_range",
            ),
            # An earlier code ends when the later one starts.
            models.CheckConstraint(
                condition=models.Q(superseded_by__isnull=True) | models.Q(valid_to__isnull=False),
                name="geography_superseded_has_end",
            ),
            models.CheckConstraint(
                condition=~models.Q(superseded_by=models.F("pk")),
                name="geography_not_superseded_by_itself",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class GeographyRole(models.TextChoices):
    OURS = "ours", _("Ours")
    COMPARISON = "comparison", _("Comparison")


class TenantGeography(models.Model):
    """A tenant's marks on geographies: which are "ours" (Halton Region, its health unit) and
    which one is the comparison (Ontario)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    geography = models.ForeignKey(Geography, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=10, choices=GeographyRole.choices)
    position = models.PositiveSmallIntegerField(default=0)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        ordering = ["role", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "geography"], name="tenantgeo_once"),
            models.UniqueConstraint(
                fields=["tenant"],
                condition=models.Q(role="comparison"),
                name="tenantgeo_one_comparison",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.geography_id} ({self.role})"


class Granularity(models.TextChoices):
    YEAR = "year", _("Year")
    FISCAL_YEAR = "fiscal_year", _("Fiscal year")
    QUARTER = "quarter", _("Quarter")
    MONTH = "month", _("Month")
    OTHER = "other", _("Other period")


class Period(models.Model):
    """A span of time values are for: 2015, fiscal 2015-16, 2024 Q3, Jan-18. Shared by all."""

    start = models.DateField()
    end = models.DateField()
    granularity = models.CharField(max_length=12, choices=Granularity.choices)
    label = models.CharField(max_length=40)

    class Meta:
        ordering = ["start", "end"]
        constraints = [
            models.UniqueConstraint(fields=["granularity", "start", "end"], name="period_once"),
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="period_order"
            ),
        ]

    def __str__(self) -> str:
        return self.label
