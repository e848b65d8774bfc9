"""The chain from a table's work to the population results it works to turn: which action
tables work on an indicator, and the tenant's "story behind the curve" notes on it.

Both are the tenant's own, even on a shared catalogue indicator."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_scopes import ScopedManager

from cswb.models import Tenant
from indicators.models.catalogue import Indicator


class IndicatorTable(models.Model):
    """An action table that works to turn an indicator (set by the plan's admins or the
    table's coordinators)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    table = models.ForeignKey(
        "tables.ActionTable", on_delete=models.CASCADE, related_name="indicator_links"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        ordering = ["table__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "indicator", "table"], name="indicator_table_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} ← {self.table_id}"


class StoryNote(models.Model):
    """What is driving an indicator's trend, and which table actions respond: dated, written
    by the plan (its admins and the coordinators of the tables working on the indicator)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    written_on = models.DateField(default=datetime.date.today)
    text = models.TextField()
    actions = models.ManyToManyField("tables.Action", blank=True, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        ordering = ["-written_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(text=""), name="story_note_text"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} note of {self.written_on}"
