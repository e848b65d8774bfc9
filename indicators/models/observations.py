"""Values: series (an indicator's breakdowns), observations and their revisions, targets, and
the progress status worked out from them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from cswb.models import ImportRecord, Tenant
from cswb.scoping import SharedOrTenantManager
from indicators.models.catalogue import OWNED, SHARED, Geography, Indicator, Period


def breakdown_key(dimensions: dict[str, str]) -> str:
    """The canonical text of a breakdown: "Age group=15 to 24|Sex=Female"; "" is the headline."""
    return "|".join(f"{k}={v}" for k, v in sorted(dimensions.items()) if v)


class Series(models.Model):
    """One breakdown of an indicator (the dimension values; none is the headline)."""

    tenant = models.ForeignKey(
        Tenant, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="series")
    key = models.CharField(max_length=600, blank=True)
    dimensions = models.JSONField(default=dict, blank=True)
    # The breakdown the dashboard and the indicator page show first (the indicator's default
    # selection, else the headline); exactly one per indicator once values are imported.
    is_default = models.BooleanField(default=False)

    objects = SharedOrTenantManager()

    class Meta:
        ordering = ["indicator", "key"]
        verbose_name_plural = "series"
        constraints = [
            models.UniqueConstraint(fields=["indicator", "key"], name="series_once"),
            models.UniqueConstraint(
                fields=["indicator"], condition=models.Q(is_default=True), name="series_one_default"
            ),
        ]

    def __str__(self) -> str:
        return self.key or "headline"

    @property
    def is_headline(self) -> bool:
        return self.key == ""


class ValueStatus(models.TextChoices):
    PUBLISHED = "", _("Published")
    NOT_PUBLISHED = "not_published", _("Not published")
    SUPPRESSED = "suppressed", _("Suppressed")
    NOT_AVAILABLE = "not_available", _("Not available")
    PRELIMINARY = "preliminary", _("Preliminary")
    PARTIAL = "partial", _("Partial")
    REVISED = "revised", _("Revised")


# A value may be missing only with one of these; empty is never zero.
NO_VALUE_STATUSES = ("not_published", "suppressed", "not_available")


class Observation(models.Model):
    """indicator, geography, period and breakdown (series) → a value, or no value and a
    status. A re-import updates the row and records the revision; it never adds a second one."""

    # No tenant: shared catalogue values. A tenant: its own (local) values.
    tenant = models.ForeignKey(
        Tenant, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # Every key and index costs an import of a million values seconds, so there are only the
    # ones reads and integrity need. The indicator is the series's, kept beside it for the
    # reads by indicator: obs_ind_geo_period, which leads with it, is its index, and the
    # series key already holds it to an indicator that exists (series → indicator is
    # constrained), so the copy is not checked again. Values are read by indicator and place
    # (obs_ind_geo_period) or by series (the unique keys), never by place or period alone: a
    # place or a period, deleted almost never, is looked up in the values without an index.
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="observations")
    geography = models.ForeignKey(
        Geography, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="+", db_index=False)
    value = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    status = models.CharField(max_length=14, choices=ValueStatus.choices, blank=True, default="")
    complete_through = models.DateField(
        null=True, blank=True, help_text=_("For a partial value: the last day it covers.")
    )
    footnote = models.CharField(max_length=500, blank=True)
    batch = models.ForeignKey(
        ImportRecord, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revision = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = SharedOrTenantManager()

    class Meta:
        ordering = ["series", "geography", "period__start"]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "geography", "period"],
                condition=SHARED,
                name="observation_shared_key",
            ),
            models.UniqueConstraint(
                fields=["tenant", "series", "geography", "period"],
                condition=OWNED,
                name="observation_tenant_key",
            ),
            models.CheckConstraint(
                condition=models.Q(value__isnull=False) | models.Q(status__in=NO_VALUE_STATUSES),
                name="observation_empty_has_status",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=ValueStatus.values), name="observation_status"
            ),
        ]
        indexes = [
            models.Index(fields=["indicator", "geography", "period"], name="obs_ind_geo_period"),
        ]

    def __str__(self) -> str:
        return f"{self.series_id}/{self.geography_id}/{self.period_id}: {self.value}"


class ObservationRevision(models.Model):
    """What a value was before an import revised it."""

    tenant = models.ForeignKey(
        Tenant, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    observation = models.ForeignKey(Observation, on_delete=models.CASCADE, related_name="revisions")
    previous_value = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    previous_status = models.CharField(max_length=14, choices=ValueStatus.choices, blank=True)
    batch = models.ForeignKey(
        ImportRecord, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    objects = SharedOrTenantManager()

    class Meta:
        ordering = ["observation", "-at"]

    def __str__(self) -> str:
        return f"{self.observation_id} was {self.previous_value}"


class Target(models.Model):
    """A target for a series (the headline when none) and geography (any when none): drawn as
    a dashed line, and the progress status measures against it."""

    tenant = models.ForeignKey(
        Tenant, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    series = models.ForeignKey(
        Series, null=True, blank=True, on_delete=models.CASCADE, related_name="targets"
    )
    geography = models.ForeignKey(
        Geography, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    value = models.DecimalField(max_digits=20, decimal_places=6)
    base_year = models.PositiveSmallIntegerField(null=True, blank=True)
    target_year = models.PositiveSmallIntegerField()

    objects = SharedOrTenantManager()

    class Meta:
        ordering = ["indicator", "target_year"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(base_year__isnull=True)
                | models.Q(target_year__gt=models.F("base_year")),
                name="target_after_base",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.value} by {self.target_year}"


class ProgressCode(models.TextChoices):
    """Open SDG's progress statuses, in Statistics Canada's words."""

    TARGET_ACHIEVED = "target_achieved", _("Target achieved")
    SUBSTANTIAL = "substantial_progress", _("On track")
    MODERATE = "moderate_progress", _("Progress made but acceleration needed")
    LIMITED = "limited_progress", _("Limited progress")
    DETERIORATION = "deterioration", _("Deterioration")
    NOT_AVAILABLE = "not_available", _("Not available")


class ProgressStatus(models.Model):
    """The progress status of an indicator for a geography (none: the headline series, as
    Statistics Canada publishes it), stored with every input of the calculation."""

    tenant = models.ForeignKey(
        Tenant, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="progress")
    geography = models.ForeignKey(
        Geography, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(max_length=22, choices=ProgressCode.choices)
    score = models.DecimalField(max_digits=8, decimal_places=4, null=True, blank=True)
    # Method, base and latest years and values, growth observed and needed, thresholds, the
    # score of each series: enough to show "how this was worked out".
    inputs = models.JSONField(default=dict, blank=True)
    computed_at = models.DateTimeField(default=timezone.now)

    objects = SharedOrTenantManager()

    class Meta:
        ordering = ["indicator", "geography"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "geography"],
                condition=SHARED & models.Q(geography__isnull=False),
                name="progress_shared_geo",
            ),
            models.UniqueConstraint(
                fields=["indicator"],
                condition=SHARED & models.Q(geography__isnull=True),
                name="progress_shared_headline",
            ),
            models.UniqueConstraint(
                fields=["tenant", "indicator", "geography"],
                condition=OWNED,
                name="progress_tenant_geo",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}: {self.status}"


class ProgressOverride(models.Model):
    """A tenant admin's own status for an indicator, with the reason; shown instead of the
    computed one in that tenant, with both visible on the indicator page."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=22, choices=ProgressCode.choices)
    reason = models.TextField()
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "indicator"], name="progress_override_once"),
            models.CheckConstraint(condition=~models.Q(reason=""), name="progress_override_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}: {self.status} (override)"
