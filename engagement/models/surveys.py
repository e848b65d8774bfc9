"""Partner surveys: a survey built of sections and questions, the invitations that carry a
single-use link, the mailings that send them, and the responses.

Anonymity is a property of the tables, not of the pages: a `Response` has no column that
points to an invitation, a token, a person or an organization when its survey is anonymous
(a check constraint holds it), its only date is the day, and its key is random so that the
order of rows says nothing about who answered when."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from cswb.models import Tenant
from partners.models import Sector


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    PUBLISHED = "published", _("Results published")


class Survey(models.Model):
    """A questionnaire sent to the plan's partners. Built while a draft, answered while open,
    and its results read by admins once answers exist and by members once published."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(max_length=200)
    title_fr = models.CharField(max_length=200, blank=True)
    intro = models.TextField(blank=True, help_text=_("Shown above the first question."))
    intro_fr = models.TextField(blank=True)
    is_anonymous = models.BooleanField(
        default=True,
        help_text=_(
            "Anonymous: answers are kept with no link to the person, their organization or "
            "their link, and dated by the day only. Named: who answered is kept."
        ),
    )
    status = models.CharField(
        max_length=10, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT
    )
    opens_on = models.DateField(null=True, blank=True)
    closes_on = models.DateField(
        null=True, blank=True, help_text=_("The last day answers are taken.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=SurveyStatus.values), name="survey_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(opens_on__isnull=True)
                | models.Q(closes_on__isnull=True)
                | models.Q(closes_on__gte=models.F("opens_on")),
                name="survey_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_draft(self) -> bool:
        return self.status == SurveyStatus.DRAFT


class SurveySection(models.Model):
    """A page of the survey: respondents answer one section at a time, which is also where a
    question that depends on an earlier answer is decided without JavaScript."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=200)
    title_fr = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    description_fr = models.TextField(blank=True)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class QuestionKind(models.TextChoices):
    LIKERT = "likert", _("Agreement scale (5 points and not applicable)")
    YES_NO = "yes_no", _("Yes or no")
    SINGLE = "single", _("One choice")
    MULTIPLE = "multiple", _("Several choices")
    NUMBER = "number", _("Number")
    SHORT_TEXT = "short_text", _("Short text")
    LONG_TEXT = "long_text", _("Long text")


CHOICE_KINDS = frozenset({QuestionKind.SINGLE, QuestionKind.MULTIPLE})
TEXT_KINDS = frozenset({QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT})

# The fixed answers of the closed kinds: (value, English, French).
LIKERT_POINTS: tuple[tuple[str, str, str], ...] = (
    ("1", "Strongly disagree", "Fortement en désaccord"),
    ("2", "Disagree", "En désaccord"),
    ("3", "Neither agree nor disagree", "Ni en accord ni en désaccord"),
    ("4", "Agree", "En accord"),
    ("5", "Strongly agree", "Fortement en accord"),
    ("na", "Not applicable", "Sans objet"),
)
YES_NO_POINTS: tuple[tuple[str, str, str], ...] = (
    ("yes", "Yes", "Oui"),
    ("no", "No", "Non"),
)
OTHER_VALUE = "other"


class Question(models.Model):
    """One question of a survey, in English and French. A question with `show_if` is asked
    only when the answer to that earlier question has the value `show_if_value`."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    section = models.ForeignKey(SurveySection, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=12, choices=QuestionKind.choices)
    text = models.CharField(max_length=500)
    text_fr = models.CharField(max_length=500, blank=True)
    help_text = models.CharField(max_length=300, blank=True)
    help_text_fr = models.CharField(max_length=300, blank=True)
    is_required = models.BooleanField(default=False)
    allows_other = models.BooleanField(
        default=False, help_text=_('Choice questions: add "Other, please say".')
    )
    show_if = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="dependents"
    )
    show_if_value = models.CharField(max_length=40, blank=True)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        ordering = ["section__position", "section_id", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=QuestionKind.values), name="question_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def is_choice(self) -> bool:
        return self.kind in CHOICE_KINDS

    @property
    def is_text(self) -> bool:
        return self.kind in TEXT_KINDS


class QuestionOption(models.Model):
    """One choice of a single- or multiple-choice question. `key` is what an answer stores."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveSmallIntegerField(default=0)
    key = models.CharField(max_length=40)
    label = models.CharField(max_length=200)
    label_fr = models.CharField(max_length=200, blank=True)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["question", "key"], name="question_option_key_unique"),
        ]

    def __str__(self) -> str:
        return self.label


class SurveyInvitation(models.Model):
    """One person's link to a survey: a member (user) or an organization's contact. Only the
    hash of the current token is kept; a reminder replaces it. `used_on` is the day the
    survey was finished, nothing finer."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    contact = models.ForeignKey(
        "partners.Contact", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    organization = models.ForeignKey(
        "partners.Organization",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    email = models.EmailField()
    name = models.CharField(max_length=150, blank=True)
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    used_on = models.DateField(null=True, blank=True)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        ordering = ["name", "email"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "email"], name="survey_invitation_one_per_address"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name or self.email}: {self.survey}"

    @property
    def is_used(self) -> bool:
        return self.used_on is not None


class MailingKind(models.TextChoices):
    INVITATION = "invitation", _("Invitations")
    REMINDER = "reminder", _("Reminders")


class SurveyMailing(models.Model):
    """One send of a survey's invitations or reminders; its deliveries show its progress."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="mailings")
    kind = models.CharField(max_length=10, choices=MailingKind.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.survey}"


class SurveyDeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    SENT = "sent", _("Sent")
    SKIPPED = "skipped", _("Skipped: already answered")
    FAILED = "failed", _("Failed")


class SurveyDelivery(models.Model):
    """One email of a mailing. Claimed by a worker before it is sent, so a task that runs
    twice sends once."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    mailing = models.ForeignKey(SurveyMailing, on_delete=models.CASCADE, related_name="deliveries")
    invitation = models.ForeignKey(
        SurveyInvitation, on_delete=models.CASCADE, related_name="deliveries"
    )
    status = models.CharField(
        max_length=10,
        choices=SurveyDeliveryStatus.choices,
        default=SurveyDeliveryStatus.PENDING,
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["mailing", "invitation"], name="survey_delivery_once"),
            models.CheckConstraint(
                condition=models.Q(status__in=SurveyDeliveryStatus.values),
                name="survey_delivery_status_valid",
            ),
        ]
        indexes = [models.Index(fields=["mailing", "status"], name="survey_delivery_progress")]

    def __str__(self) -> str:
        return f"{self.invitation}: {self.status}"


class ResponseDraft(models.Model):
    """Answers saved to finish later, held with the invitation until the survey is finished;
    finishing moves them into a `Response` and deletes this row."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    invitation = models.OneToOneField(
        SurveyInvitation, on_delete=models.CASCADE, related_name="draft"
    )
    answers = models.JSONField(default=dict)
    section_index = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(tenant="tenant")

    def __str__(self) -> str:
        return f"draft of {self.invitation_id}"


class Response(models.Model):
    """One finished set of answers. For an anonymous survey: no person, no organization, no
    invitation, the day only, and a random key. `sector` is kept for the breakdown."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    is_anonymous = models.BooleanField()
    submitted_on = models.DateField()
    sector = models.CharField(max_length=20, choices=Sector.choices, blank=True)
    # Named surveys only (the constraint below):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    contact = models.ForeignKey(
        "partners.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    organization = models.ForeignKey(
        "partners.Organization",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    respondent_name = models.CharField(max_length=150, blank=True)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        ordering = ["submitted_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_anonymous=False)
                | models.Q(
                    user__isnull=True,
                    contact__isnull=True,
                    organization__isnull=True,
                    respondent_name="",
                ),
                name="response_anonymous_has_no_person",
            ),
        ]

    def __str__(self) -> str:
        return f"response to {self.survey_id} on {self.submitted_on}"


class Answer(models.Model):
    """One answer: `value` for closed questions (a Likert point, yes/no, an option key or
    "other"; one row per chosen option), `number` for numbers, `text` for text questions and
    for "other, please say"."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    value = models.CharField(max_length=40, blank=True)
    number = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    text = models.TextField(blank=True)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question", "value"], name="answer_one_per_value"
            ),
        ]
        indexes = [models.Index(fields=["question", "value"], name="answer_question_value")]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.value or self.number or '…'}"
