from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from cswb.models import Tenant
from tables.models.core import ActionTable


class MeasureKind(models.TextChoices):
    """Results-Based Accountability's three questions."""

    HOW_MUCH = "how_much", _("How much did we do?")
    HOW_WELL = "how_well", _("How well did we do it?")
    BETTER_OFF = "better_off", _("Is anyone better off?")


class Direction(models.TextChoices):
    UP = "up", _("Higher is better")
    DOWN = "down", _("Lower is better")


class UnitKind(models.TextChoices):
    """What kind of number a measure counts: it decides which values are possible."""

    COUNT = "count", _("Count (whole number)")
    PERCENTAGE = "percentage", _("Percentage (0 to 100)")
    RATE = "rate", _("Rate (e.g. per 100,000)")
    AMOUNT = "amount", _("Amount (e.g. days, dollars)")


class Measure(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    table = models.ForeignKey(ActionTable, on_delete=models.CASCADE, related_name="measures")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=12, choices=MeasureKind.choices)
    unit = models.CharField(max_length=40, help_text=_("e.g. %, days, people, per 100,000"))
    unit_kind = models.CharField(
        _("kind of number"), max_length=12, choices=UnitKind.choices, default=UnitKind.AMOUNT
    )
    allows_negative = models.BooleanField(
        _("values may be negative"),
        default=False,
        help_text=_("Only for a rate or an amount that can fall below zero (a net change)."),
    )
    direction = models.CharField(max_length=4, choices=Direction.choices)
    baseline_value = models.DecimalField(max_digits=12, decimal_places=2)
    baseline_date = models.DateField()
    target_value = models.DecimalField(max_digits=12, decimal_places=2)
    target_date = models.DateField()
    data_source = models.CharField(max_length=300, blank=True)
    reporting_organization = models.ForeignKey(
        "partners.Organization",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Its staff record the observations."),
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Retired measures keep their values as history; they leave the on-track counts.
    retired_at = models.DateTimeField(null=True, blank=True)
    # Whether its latest value has met the target or keeps pace with it (the standing of
    # tables.selectors.outcomes.measure_trend, which depends on nothing but the measure and
    # that value): kept by the outcome services in the same transaction as every change, so
    # that the progress pages count measures on track without reading their values.
    is_on_track = models.BooleanField(default=False, db_default=False)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        ordering = ["kind", "name"]
        # A table's measures in use and whether each is on track, from the index alone: the
        # progress pages count both for every table.
        indexes = [
            models.Index(
                fields=["table"],
                include=["tenant", "is_on_track"],
                name="measure_in_use",
                condition=models.Q(retired_at__isnull=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(target_date__gt=models.F("baseline_date")),
                name="measure_target_after_baseline",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None


class Observation(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="observations")
    value = models.DecimalField(max_digits=12, decimal_places=2)
    period_end = models.DateField(help_text=_("The last day of the period the value is for."))
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        ordering = ["period_end"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "period_end"], name="observation_one_per_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measure}: {self.value} ({self.period_end})"
