"""Voluntary self-identification: the questions a plan asks (from a fixed default set), each
person's answers, and the links organization contacts answer through.

Answers are visible to their owner alone. No page, export, log line, activity event or Django
admin view shows them; the plan reads them only as counts per declared group, with small
counts suppressed (engagement.selectors.identity)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from cswb.models import Tenant
from partners.models import Sector


class IdentityQuestion(models.TextChoices):
    """The default set. Wording is plain and each question can be left unanswered or answered
    "prefer not to say"."""

    LIVED_EXPERIENCE = (
        "lived_experience",
        _("I have lived or living experience of the issues the tables work on"),
    )
    INDIGENOUS = "indigenous", _("I am First Nations, Métis or Inuk")
    RACIALIZED = "racialized", _("I am a racialized person")
    TWO_SLGBTQI = "2slgbtqi", _("I am 2SLGBTQI+")
    DISABILITY = "disability", _("I am a person with a disability")
    NEWCOMER = "newcomer", _("I am a newcomer to Canada (here less than five years)")
    FRANCOPHONE = "francophone", _("I am francophone")
    YOUTH = "youth", _("I am a youth (under 30)")
    SENIOR = "senior", _("I am a senior (65 or over)")


# Short names for the reports: "people with lived experience".
GROUP_NAMES = {
    IdentityQuestion.LIVED_EXPERIENCE: _("Lived or living experience"),
    IdentityQuestion.INDIGENOUS: _("Indigenous"),
    IdentityQuestion.RACIALIZED: _("Racialized"),
    IdentityQuestion.TWO_SLGBTQI: _("2SLGBTQI+"),
    IdentityQuestion.DISABILITY: _("Disability"),
    IdentityQuestion.NEWCOMER: _("Newcomer"),
    IdentityQuestion.FRANCOPHONE: _("Francophone"),
    IdentityQuestion.YOUTH: _("Youth"),
    IdentityQuestion.SENIOR: _("Senior"),
}


class IdentityAnswer(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    PREFER_NOT = "prefer_not", _("Prefer not to say")


class IdentityQuestionSetting(models.Model):
    """Which default questions the plan asks, and which it reports on: a group is counted only
    if it was declared for reporting in advance (no ad-hoc cross-tabulation)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    question = models.CharField(max_length=20, choices=IdentityQuestion.choices)
    is_asked = models.BooleanField(default=True)
    is_reported = models.BooleanField(
        default=True, help_text=_("Counted, in aggregate only, on the representation pages.")
    )

    objects = ScopedManager(tenant="tenant")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "question"], name="identity_question_one"),
            models.CheckConstraint(
                condition=models.Q(question__in=IdentityQuestion.values),
                name="identity_question_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tenant_id}: {self.question}"


class ContactIdentityLink(models.Model):
    """A digest contact's personal link to their own self-identification: only the hash of
    the secret is kept. The link stays valid so the contact can come back and withdraw."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    contact = models.OneToOneField(
        "partners.Contact", on_delete=models.CASCADE, related_name="identity_link"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    sent_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(tenant="tenant")

    def __str__(self) -> str:
        return f"Self-identification link {self.pk}"


class SelfIdentification(models.Model):
    """One person's consent and answers: a member's, or a digest contact's. Withdrawing
    deletes the row and its answers."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    contact = models.OneToOneField(
        "partners.Contact",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="self_identification",
    )
    in_own_words = models.TextField(
        blank=True,
        help_text=_("Anything you want to add, in your own words. Only you will see it."),
    )
    consented_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "user"], name="self_identification_one"),
            models.CheckConstraint(
                condition=(
                    models.Q(user__isnull=False, contact__isnull=True)
                    | models.Q(user__isnull=True, contact__isnull=False)
                ),
                name="self_identification_one_owner",
            ),
        ]

    def __str__(self) -> str:
        # Never the answers: this string reaches logs and error pages.
        return f"Self-identification {self.pk}"


class SelfIdentificationAnswer(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    identification = models.ForeignKey(
        SelfIdentification, on_delete=models.CASCADE, related_name="answers"
    )
    question = models.CharField(max_length=20, choices=IdentityQuestion.choices)
    answer = models.CharField(max_length=12, choices=IdentityAnswer.choices)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["identification", "question"], name="self_identification_answer_one"
            ),
            models.CheckConstraint(
                condition=models.Q(answer__in=IdentityAnswer.values),
                name="self_identification_answer_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Answer {self.pk}"


class RepresentationGoal(models.Model):
    """A table's goal for who sits at it: a lived-experience advisor, organizations of a sector,
    all legislated sectors, or people of a declared self-identification group."""

    class Kind(models.TextChoices):
        ADVISOR = "advisor", _("Lived-experience advisors at the table")
        SECTOR = "sector", _("Organizations of a sector at the table")
        ALL_SECTORS = "all_sectors", _("Every legislated sector at the table")
        GROUP = "group", _("Members who self-identify in a group")

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    table = models.ForeignKey(
        "tables.ActionTable", on_delete=models.CASCADE, related_name="representation_goals"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    sector = models.CharField(max_length=20, choices=Sector.choices, blank=True)
    group = models.CharField(max_length=20, choices=IdentityQuestion.choices, blank=True)
    target = models.PositiveSmallIntegerField(default=1)
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["advisor", "sector", "all_sectors", "group"]),
                name="representation_goal_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Goal {self.pk} of table {self.table_id}"
