"""What partners asked for and what the plan does about it: recommendations, the plan's own
actions, and the links from a recommendation to the actions that answer it (table actions or
plan actions, one action serving several recommendations)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from cswb.models import Tenant
from tables.models import ActionStatus


class RecommendationStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")


class ProgressMethod(models.TextChoices):
    PLAIN = "plain", _("Plain average of its actions")
    WEIGHTED = "weighted", _("Weighted average of its actions")


class Recommendation(models.Model):
    """One recommendation of a partner engagement. Its progress rolls up from its accompanying
    actions; with none linked yet, the status and percent set by the plan's staff stand."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    number = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    title = models.CharField(max_length=200)
    theme = models.CharField(max_length=120, blank=True)
    survey = models.ForeignKey(
        "engagement.Survey",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="recommendations",
        help_text=_("The partner survey it came from, if any."),
    )
    source_report = models.CharField(
        max_length=200,
        blank=True,
        help_text=_("The engagement or report it came from, e.g. “2023 partner engagement”."),
    )
    source_date = models.DateField(null=True, blank=True)
    partners_said = models.TextField(
        blank=True,
        help_text=_("What partners said, in a sentence or two: the “you said” of the story."),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        max_length=12,
        choices=RecommendationStatus.choices,
        default=RecommendationStatus.NOT_STARTED,
    )
    percent = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(100)])
    progress_method = models.CharField(
        max_length=10, choices=ProgressMethod.choices, default=ProgressMethod.PLAIN
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        ordering = ["number", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "number"], name="recommendation_number_one"),
            models.CheckConstraint(
                condition=models.Q(percent__lte=100), name="recommendation_percent_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=RecommendationStatus.values),
                name="recommendation_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(progress_method__in=ProgressMethod.values),
                name="recommendation_method_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class PlanAction(models.Model):
    """An action of the plan itself rather than of one table (a public progress report, a
    training for every chair)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(max_length=200)
    status = models.CharField(
        max_length=12, choices=ActionStatus.choices, default=ActionStatus.PLANNED
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_date = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        ordering = ["due_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ActionStatus.values), name="plan_action_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class RecommendationLink(models.Model):
    """One accompanying action of one recommendation: a table action or a plan action, with
    its weight in the weighted average."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="links"
    )
    action = models.ForeignKey(
        "tables.Action",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="recommendation_links",
    )
    plan_action = models.ForeignKey(
        PlanAction, null=True, blank=True, on_delete=models.CASCADE, related_name="links"
    )
    weight = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    linked_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        ordering = ["linked_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(action__isnull=False, plan_action__isnull=True)
                    | models.Q(action__isnull=True, plan_action__isnull=False)
                ),
                name="recommendation_link_one_kind",
            ),
            models.CheckConstraint(
                condition=models.Q(weight__gte=1, weight__lte=10),
                name="recommendation_link_weight_valid",
            ),
            models.UniqueConstraint(
                fields=["recommendation", "action"], name="recommendation_link_action_once"
            ),
            models.UniqueConstraint(
                fields=["recommendation", "plan_action"], name="recommendation_link_plan_once"
            ),
        ]

    def __str__(self) -> str:
        return f"Link {self.pk} of recommendation {self.recommendation_id}"
