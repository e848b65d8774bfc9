"""Every write of the surveys: building one while it is a draft, its life (draft → open →
closed → results published), the invitations and reminders, and the answers.

An anonymous survey's answers are separated from their link when they are finished: the
saved draft (held with the invitation so it can be resumed) is turned into a `Response` that
names no one, dated by the day, and the draft is deleted; the invitation keeps only the day it
was used, so it cannot be answered twice."""

from __future__ import annotations

import hashlib
import secrets
import smtplib
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from cswb.celery import task_enqueue_on_commit
from cswb.emails import email_build
from cswb.models import Tenant, User
from cswb.services import activity_record
from engagement.models import (
    LIKERT_POINTS,
    OTHER_VALUE,
    YES_NO_POINTS,
    Answer,
    MailingKind,
    Question,
    QuestionKind,
    QuestionOption,
    Response,
    ResponseDraft,
    Survey,
    SurveyDelivery,
    SurveyDeliveryStatus,
    SurveyInvitation,
    SurveyMailing,
    SurveySection,
    SurveyStatus,
)
from engagement.selectors.surveys import Invitee

# The life of a survey, written once: status → the statuses it may move to.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    SurveyStatus.DRAFT: (SurveyStatus.OPEN,),
    SurveyStatus.OPEN: (SurveyStatus.CLOSED,),
    SurveyStatus.CLOSED: (SurveyStatus.OPEN, SurveyStatus.PUBLISHED),
    SurveyStatus.PUBLISHED: (SurveyStatus.CLOSED,),
}
MAILING_BATCH = 50
SMTP_ERRORS = (smtplib.SMTPException, OSError)


# -- tokens ------------------------------------------------------------------------------------


def survey_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def survey_link(token: str) -> str:
    return settings.PORTAL_BASE_URL + reverse("survey-respond", kwargs={"token": token})


# -- building ------------------------------------------------------------------------------------


def _require_draft(survey: Survey) -> None:
    if survey.status != SurveyStatus.DRAFT:
        raise ValidationError("Questions can be changed only while the survey is a draft.")


def _check_dates(opens_on: date | None, closes_on: date | None) -> None:
    if opens_on and closes_on and closes_on < opens_on:
        raise ValidationError({"closes_on": "The survey cannot close before it opens."})


@transaction.atomic
def survey_create(
    *,
    tenant: Tenant,
    actor: User,
    title: str,
    title_fr: str = "",
    intro: str = "",
    intro_fr: str = "",
    is_anonymous: bool = True,
    opens_on: date | None = None,
    closes_on: date | None = None,
) -> Survey:
    """A new draft with its first section, ready for questions."""
    _check_dates(opens_on, closes_on)
    survey = Survey.objects.create(
        tenant=tenant,
        title=title.strip(),
        title_fr=title_fr.strip(),
        intro=intro.strip(),
        intro_fr=intro_fr.strip(),
        is_anonymous=is_anonymous,
        opens_on=opens_on,
        closes_on=closes_on,
        created_by=actor,
    )
    SurveySection.objects.create(
        tenant=tenant, survey=survey, position=1, title="Questions", title_fr="Questions"
    )
    activity_record(
        tenant=tenant,
        actor=actor,
        verb="survey.created",
        summary=f"Survey created: {survey.title}",
        target=survey,
    )
    return survey


SURVEY_FIELDS = ("title", "title_fr", "intro", "intro_fr", "is_anonymous", "opens_on", "closes_on")


@transaction.atomic
def survey_update(*, survey: Survey, actor: User, **values: Any) -> Survey:
    """Wording and dates. Whether it is anonymous is fixed once it opens: people answered
    on the promise the page made."""
    unknown = set(values) - set(SURVEY_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown survey fields: {', '.join(sorted(unknown))}")
    if not survey.is_draft and values.get("is_anonymous", survey.is_anonymous) != (
        survey.is_anonymous
    ):
        raise ValidationError({"is_anonymous": "Anonymity cannot change once the survey opens."})
    _check_dates(values.get("opens_on", survey.opens_on), values.get("closes_on", survey.closes_on))
    changed = {}
    for name, value in values.items():
        value = value.strip() if isinstance(value, str) else value
        if getattr(survey, name) != value:
            changed[name] = [str(getattr(survey, name)), str(value)]
            setattr(survey, name, value)
    if changed:
        survey.save(update_fields=list(changed))
        activity_record(
            tenant=survey.tenant,
            actor=actor,
            verb="survey.updated",
            summary=f"Survey edited: {survey.title}",
            target=survey,
            changes=changed,
        )
    return survey


@transaction.atomic
def survey_delete(*, survey: Survey, actor: User) -> None:
    if not survey.is_draft:
        raise ValidationError("Only a draft can be deleted; close the survey instead.")
    activity_record(
        tenant=survey.tenant,
        actor=actor,
        verb="survey.deleted",
        summary=f"Survey deleted: {survey.title}",
    )
    survey.delete()


@transaction.atomic
def survey_status_set(*, survey: Survey, actor: User, status: str) -> Survey:
    """Move a survey along its life (TRANSITIONS). Opening needs at least one question. The
    caller's survey is updated too."""
    given, survey = survey, Survey.objects.select_for_update().get(pk=survey.pk)
    if status not in TRANSITIONS.get(survey.status, ()):
        raise ValidationError(
            f"A survey that is {survey.get_status_display().lower()} cannot become "
            f"{SurveyStatus(status).label.lower() if status in SurveyStatus.values else status}."
        )
    if status == SurveyStatus.OPEN and not survey.questions.exists():
        raise ValidationError("Add at least one question before opening the survey.")
    now = timezone.now()
    old = survey.status
    survey.status = status
    fields = ["status"]
    stamp = {
        SurveyStatus.OPEN: "opened_at",
        SurveyStatus.CLOSED: "closed_at",
        SurveyStatus.PUBLISHED: "published_at",
    }[SurveyStatus(status)]
    setattr(survey, stamp, now)
    fields.append(stamp)
    survey.save(update_fields=fields)
    activity_record(
        tenant=survey.tenant,
        actor=actor,
        verb=f"survey.{status}",
        summary=f"Survey {SurveyStatus(status).label.lower()}: {survey.title}",
        target=survey,
        changes={"status": [old, status]},
    )
    for name in fields:
        setattr(given, name, getattr(survey, name))
    return given


def survey_takes_answers(survey: Survey, *, today: date | None = None) -> bool:
    """Open, and within its dates (the tenant's calendar day)."""
    today = today or timezone.localdate(timezone=survey.tenant.tzinfo)
    return (
        survey.status == SurveyStatus.OPEN
        and (survey.opens_on is None or survey.opens_on <= today)
        and (survey.closes_on is None or today <= survey.closes_on)
    )


def _next_position(queryset) -> int:
    return (queryset.aggregate(top=Max("position"))["top"] or 0) + 1


@transaction.atomic
def survey_section_add(
    *, survey: Survey, actor: User, title: str, title_fr: str = "", description: str = "",
    description_fr: str = "",
) -> SurveySection:  # fmt: skip
    _require_draft(survey)
    section = SurveySection.objects.create(
        tenant=survey.tenant,
        survey=survey,
        position=_next_position(survey.sections.all()),
        title=title.strip(),
        title_fr=title_fr.strip(),
        description=description.strip(),
        description_fr=description_fr.strip(),
    )
    activity_record(
        tenant=survey.tenant, actor=actor, verb="survey.section_added",
        summary=f"Section added to {survey.title}: {section.title}", target=survey,
    )  # fmt: skip
    return section


@transaction.atomic
def survey_section_update(*, section: SurveySection, actor: User, **values: str) -> SurveySection:
    _require_draft(section.survey)
    allowed = {"title", "title_fr", "description", "description_fr"}
    if set(values) - allowed:
        raise ValidationError("Unknown section fields.")
    for name, value in values.items():
        setattr(section, name, value.strip())
    section.save(update_fields=list(values))
    activity_record(
        tenant=section.tenant, actor=actor, verb="survey.section_updated",
        summary=f"Section edited in {section.survey.title}: {section.title}",
        target=section.survey,
    )  # fmt: skip
    return section


@transaction.atomic
def survey_section_delete(*, section: SurveySection, actor: User) -> None:
    survey = section.survey
    _require_draft(survey)
    if survey.sections.count() <= 1:
        raise ValidationError("A survey keeps at least one section.")
    activity_record(
        tenant=survey.tenant, actor=actor, verb="survey.section_deleted",
        summary=f"Section deleted from {survey.title}: {section.title}", target=survey,
    )  # fmt: skip
    section.delete()


def _swap(items: list, index: int, direction: str) -> list:
    other = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down"):
        raise ValidationError("Move up or down.")
    if 0 <= other < len(items):
        items[index], items[other] = items[other], items[index]
    return items


@transaction.atomic
def survey_section_move(*, section: SurveySection, actor: User, direction: str) -> None:
    survey = section.survey
    _require_draft(survey)
    sections = list(survey.sections.select_for_update().order_by("position", "id"))
    index = next(i for i, s in enumerate(sections) if s.pk == section.pk)
    for position, item in enumerate(_swap(sections, index, direction), start=1):
        if item.position != position:
            item.position = position
            item.save(update_fields=["position"])
    _check_conditions_order(survey)
    activity_record(
        tenant=survey.tenant, actor=actor, verb="survey.section_moved",
        summary=f"Section moved {direction} in {survey.title}: {section.title}", target=survey,
    )  # fmt: skip


def survey_questions_in_order(survey: Survey) -> list[Question]:
    return list(
        Question.objects.filter(survey=survey)
        .select_related("section")
        .order_by("section__position", "section_id", "position", "id")
    )


def condition_values(question: Question) -> list[tuple[str, str]]:
    """The answers a later question can depend on: (value, label)."""
    if question.kind == QuestionKind.LIKERT:
        return [(v, en) for v, en, _fr in LIKERT_POINTS]
    if question.kind == QuestionKind.YES_NO:
        return [(v, en) for v, en, _fr in YES_NO_POINTS]
    if question.is_choice:
        values = [(o.key, o.label) for o in question.options.all()]
        if question.allows_other:
            values.append((OTHER_VALUE, "Other"))
        return values
    return []


def _check_condition(question: Question, show_if: Question | None, value: str) -> None:
    if show_if is None:
        if value:
            raise ValidationError({"show_if_value": "Choose the question this depends on."})
        return
    if show_if.survey_id != question.survey_id:
        raise ValidationError({"show_if": "Choose a question of this survey."})
    order = survey_questions_in_order(question.survey)
    ids = [q.pk for q in order]
    own = ids.index(question.pk) if question.pk in ids else len(ids)
    if show_if.pk not in ids[:own]:
        raise ValidationError({"show_if": "A question can depend only on an earlier one."})
    if value not in {v for v, _label in condition_values(show_if)}:
        raise ValidationError({"show_if_value": "Choose one of that question's answers."})


def _check_conditions_order(survey: Survey) -> None:
    """After a move: every condition still points to an earlier question."""
    seen: set[int] = set()
    for question in survey_questions_in_order(survey):
        if question.show_if_id and question.show_if_id not in seen:
            raise ValidationError(
                f"“{question.text}” depends on a question that would come after it; "
                "move that one first or remove the condition."
            )
        seen.add(question.pk)


def _set_options(question: Question, options: Sequence[tuple[str, str]]) -> None:
    """Replace the options, keeping the keys of those still in the same place, so a
    condition on an option survives an edit of its wording."""
    if question.is_choice:
        cleaned = [(en.strip(), fr.strip()) for en, fr in options if en.strip()]
        if len(cleaned) < 2:
            raise ValidationError({"options": "Give at least two choices."})
    else:
        cleaned = []
    existing = list(question.options.order_by("position", "id"))
    for position, (en, fr) in enumerate(cleaned, start=1):
        if position <= len(existing):
            option = existing[position - 1]
            option.position, option.label, option.label_fr = position, en, fr
            option.save(update_fields=["position", "label", "label_fr"])
        else:
            QuestionOption.objects.create(
                tenant=question.tenant, question=question, position=position,
                key=f"o{position}", label=en, label_fr=fr,
            )  # fmt: skip
    for option in existing[len(cleaned) :]:
        option.delete()


@transaction.atomic
def survey_question_add(
    *,
    section: SurveySection,
    actor: User,
    kind: str,
    text: str,
    text_fr: str = "",
    help_text: str = "",
    help_text_fr: str = "",
    is_required: bool = False,
    allows_other: bool = False,
    options: Sequence[tuple[str, str]] = (),
    show_if: Question | None = None,
    show_if_value: str = "",
) -> Question:
    survey = section.survey
    _require_draft(survey)
    if kind not in QuestionKind.values:
        raise ValidationError({"kind": "Choose a kind of question."})
    question = Question(
        tenant=survey.tenant,
        survey=survey,
        section=section,
        position=_next_position(section.questions.all()),
        kind=kind,
        text=text.strip(),
        text_fr=text_fr.strip(),
        help_text=help_text.strip(),
        help_text_fr=help_text_fr.strip(),
        is_required=is_required,
        allows_other=allows_other and kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE),
    )
    _check_condition(question, show_if, show_if_value)
    question.show_if, question.show_if_value = show_if, show_if_value
    question.save()
    _set_options(question, options)
    activity_record(
        tenant=survey.tenant, actor=actor, verb="survey.question_added",
        summary=f"Question added to {survey.title}: {question.text}", target=survey,
    )  # fmt: skip
    return question


@transaction.atomic
def survey_question_update(
    *,
    question: Question,
    actor: User,
    text: str,
    text_fr: str = "",
    help_text: str = "",
    help_text_fr: str = "",
    is_required: bool = False,
    allows_other: bool = False,
    options: Sequence[tuple[str, str]] = (),
    show_if: Question | None = None,
    show_if_value: str = "",
) -> Question:
    """Wording, flags, choices and condition; the kind is fixed (delete and add instead)."""
    survey = question.survey
    _require_draft(survey)
    _check_condition(question, show_if, show_if_value)
    question.text, question.text_fr = text.strip(), text_fr.strip()
    question.help_text, question.help_text_fr = help_text.strip(), help_text_fr.strip()
    question.is_required = is_required
    question.allows_other = allows_other and question.is_choice
    question.show_if, question.show_if_value = show_if, show_if_value
    question.save(
        update_fields=[
            "text", "text_fr", "help_text", "help_text_fr", "is_required", "allows_other",
            "show_if", "show_if_value",
        ]
    )  # fmt: skip
    _set_options(question, options)
    # A later question's condition on a choice that no longer exists is dropped.
    valid = {v for v, _label in condition_values(question)}
    for dependent in question.dependents.exclude(show_if_value__in=valid):
        dependent.show_if, dependent.show_if_value = None, ""
        dependent.save(update_fields=["show_if", "show_if_value"])
    activity_record(
        tenant=survey.tenant, actor=actor, verb="survey.question_updated",
        summary=f"Question edited in {survey.title}: {question.text}", target=survey,
    )  # fmt: skip
    return question


@transaction.atomic
def survey_question_delete(*, question: Question, actor: User) -> None:
    survey = question.survey
    _require_draft(survey)
    activity_record(
        tenant=survey.tenant, actor=actor, verb="survey.question_deleted",
        summary=f"Question deleted from {survey.title}: {question.text}", target=survey,
    )  # fmt: skip
    question.dependents.update(show_if=None, show_if_value="")
    question.delete()


@transaction.atomic
def survey_question_move(*, question: Question, actor: User, direction: str) -> None:
    """Up or down within its section."""
    survey = question.survey
    _require_draft(survey)
    siblings = list(question.section.questions.select_for_update().order_by("position", "id"))
    index = next(i for i, q in enumerate(siblings) if q.pk == question.pk)
    for position, item in enumerate(_swap(siblings, index, direction), start=1):
        if item.position != position:
            item.position = position
            item.save(update_fields=["position"])
    _check_conditions_order(survey)
    activity_record(
        tenant=survey.tenant, actor=actor, verb="survey.question_moved",
        summary=f"Question moved {direction} in {survey.title}: {question.text}", target=survey,
    )  # fmt: skip


# -- invitations and reminders -------------------------------------------------------------------


def _queue_mailing(mailing: SurveyMailing, delivery_ids: list[int]) -> None:
    for start in range(0, len(delivery_ids), MAILING_BATCH):
        task_enqueue_on_commit(
            "engagement.survey_mailing_send",
            tenant_id=mailing.tenant_id,
            delivery_ids=delivery_ids[start : start + MAILING_BATCH],
        )


@transaction.atomic
def survey_invite(
    *, survey: Survey, actor: User, invitees: Iterable[Invitee]
) -> SurveyMailing | None:
    """Invite each address not yet invited, and queue their emails after commit. Returns the
    mailing (its deliveries are the send's progress), or None when everyone was invited."""
    if survey.status != SurveyStatus.OPEN:
        raise ValidationError("Open the survey before sending invitations.")
    invited = {e.lower() for e in survey.invitations.values_list("email", flat=True)}
    new: list[SurveyInvitation] = []
    for invitee in invitees:
        email = invitee.email.strip()
        if not email or email.lower() in invited:
            continue
        invited.add(email.lower())
        new.append(
            SurveyInvitation(
                tenant=survey.tenant, survey=survey, user=invitee.user, contact=invitee.contact,
                organization_id=invitee.organization_id, email=email, name=invitee.name[:150],
            )
        )  # fmt: skip
    if not new:
        return None
    SurveyInvitation.objects.bulk_create(new)
    mailing = _mailing_create(survey, actor, MailingKind.INVITATION, new)
    activity_record(
        tenant=survey.tenant, actor=actor, verb="survey.invited",
        summary=f"Invitations to {survey.title} sent to {len(new)} people", target=survey,
    )  # fmt: skip
    return mailing


def _mailing_create(
    survey: Survey, actor: User, kind: str, invitations: Sequence[SurveyInvitation]
) -> SurveyMailing:
    mailing = SurveyMailing.objects.create(
        tenant=survey.tenant, survey=survey, kind=kind, created_by=actor
    )
    deliveries = SurveyDelivery.objects.bulk_create(
        SurveyDelivery(tenant=survey.tenant, mailing=mailing, invitation=invitation)
        for invitation in invitations
    )
    _queue_mailing(mailing, [d.pk for d in deliveries])
    return mailing


@transaction.atomic
def survey_remind(*, survey: Survey, actor: User) -> SurveyMailing | None:
    """A reminder to everyone invited who has not finished (a saved draft is not finished).
    The reminder carries a new link, which still finds their saved answers."""
    if not survey_takes_answers(survey):
        raise ValidationError("Reminders go out only while the survey takes answers.")
    waiting = list(survey.invitations.filter(used_on__isnull=True).order_by("pk"))
    if not waiting:
        return None
    mailing = _mailing_create(survey, actor, MailingKind.REMINDER, waiting)
    activity_record(
        tenant=survey.tenant, actor=actor, verb="survey.reminded",
        summary=f"Reminders about {survey.title} sent to {len(waiting)} people", target=survey,
    )  # fmt: skip
    return mailing


def survey_delivery_send(*, delivery_ids: Sequence[int]) -> dict[str, int]:
    """Send one batch over one connection. Each delivery is claimed under a row lock and
    sent once: a task run twice finds nothing left pending. The link is made here, so it
    exists only in the email: the database keeps its hash, the task queue never sees it.
    Called by the task, inside the tenant's scope."""
    counts = {"sent": 0, "skipped": 0, "failed": 0}
    connection = get_connection()
    try:
        for pk in delivery_ids:
            outcome = _send_one(pk, connection)
            if outcome:
                counts[outcome] += 1
    finally:
        connection.close()
    return counts


def _send_one(pk: int, connection: Any) -> str | None:
    with transaction.atomic():
        delivery = (
            SurveyDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("invitation", "mailing", "invitation__survey__tenant")
            .filter(pk=pk, status=SurveyDeliveryStatus.PENDING)
            .first()
        )
        if delivery is None:
            return None
        invitation = delivery.invitation
        survey = invitation.survey
        if invitation.is_used or survey.status != SurveyStatus.OPEN:
            delivery.status = SurveyDeliveryStatus.SKIPPED
            delivery.save(update_fields=["status"])
            return "skipped"
        token = secrets.token_urlsafe(32)
        invitation.token_hash = survey_token_hash(token)
        invitation.save(update_fields=["token_hash"])
        message = email_build(
            template="survey-reminder"
            if delivery.mailing.kind == MailingKind.REMINDER
            else "survey-invitation",
            to=[invitation.email],
            context={
                "survey": survey,
                "tenant": survey.tenant,
                "name": invitation.name,
                "link": survey_link(token),
                "has_draft": ResponseDraft.objects.filter(invitation=invitation).exists(),
            },
            connection=connection,
        )
        try:
            message.send()
        except SMTP_ERRORS as error:
            delivery.status = SurveyDeliveryStatus.FAILED
            delivery.last_error = str(error)[:300]
            delivery.save(update_fields=["status", "last_error"])
            return "failed"
        delivery.status = SurveyDeliveryStatus.SENT
        delivery.sent_at = timezone.now()
        delivery.save(update_fields=["status", "sent_at"])
        return "sent"


# -- answering -----------------------------------------------------------------------------------


def survey_invitation_by_token(token: str) -> SurveyInvitation | None:
    """The invitation a link names, or None for a forged or replaced one. The caller (a view
    outside any plan) looks across tenants, then enters the invitation's tenant's scope."""
    if not token or len(token) > 100:
        return None
    return (
        SurveyInvitation.objects.select_related("survey", "tenant", "organization")
        .filter(token_hash=survey_token_hash(token))
        .first()
    )


def _lock_answerable(invitation: SurveyInvitation) -> SurveyInvitation:
    invitation = (
        SurveyInvitation.objects.select_for_update(of=("self",))
        .select_related("survey", "tenant", "organization")
        .get(pk=invitation.pk)
    )
    if invitation.is_used:
        raise ValidationError("This link has been used: the survey was already answered.")
    if not survey_takes_answers(invitation.survey):
        raise ValidationError("This survey is not taking answers.")
    return invitation


@transaction.atomic
def survey_draft_save(
    *, invitation: SurveyInvitation, answers: Mapping[str, Any], section_index: int
) -> ResponseDraft:
    """Keep answers so far, to finish later with the same link (or a reminder's)."""
    invitation = _lock_answerable(invitation)
    draft, _created = ResponseDraft.objects.get_or_create(
        invitation=invitation, defaults={"tenant": invitation.tenant}
    )
    draft.answers = {**draft.answers, **answers}
    draft.section_index = section_index
    draft.updated_at = timezone.now()
    draft.save(update_fields=["answers", "section_index", "updated_at"])
    return draft


def question_is_shown(question: Question, answers: Mapping[str, Any]) -> bool:
    """Asked at all: no condition, or the earlier answer has the value."""
    if question.show_if_id is None:
        return True
    earlier = answers.get(str(question.show_if_id)) or {}
    return question.show_if_value in earlier.get("values", [])


def answer_check(question: Question, raw: Mapping[str, Any] | None) -> dict[str, Any]:
    """One question's answer, cleaned: {"values": [...], "number": "…", "text": "…",
    "other": "…"} with only what applies; raises ValidationError with a message for the
    respondent."""
    raw = raw or {}
    values = [str(v) for v in raw.get("values", []) if str(v)]
    text = str(raw.get("text", "")).strip()
    other = str(raw.get("other", "")).strip()
    number = str(raw.get("number", "")).strip()
    kind = question.kind
    cleaned: dict[str, Any] = {}
    if kind in (QuestionKind.LIKERT, QuestionKind.YES_NO, QuestionKind.SINGLE):
        allowed = {v for v, _label in condition_values(question)}
        if len(values) > 1 or (values and values[0] not in allowed):
            raise ValidationError("Choose one of the answers offered.")
        if values:
            cleaned["values"] = values
    elif kind == QuestionKind.MULTIPLE:
        allowed = {v for v, _label in condition_values(question)}
        if set(values) - allowed or len(set(values)) != len(values):
            raise ValidationError("Choose among the answers offered.")
        if values:
            cleaned["values"] = values
    elif kind == QuestionKind.NUMBER:
        if number:
            try:
                parsed = Decimal(number.replace(",", ".").replace(" ", ""))
            except InvalidOperation:
                raise ValidationError("Enter a number, like 12 or 3.5.") from None
            if not parsed.is_finite() or abs(parsed) >= Decimal("1e10"):
                raise ValidationError("Enter a number, like 12 or 3.5.")
            cleaned["number"] = str(parsed.quantize(Decimal("0.0001")).normalize())
    else:
        limit = 300 if kind == QuestionKind.SHORT_TEXT else 5000
        if len(text) > limit:
            raise ValidationError(f"Keep it to {limit} characters.")
        if text:
            cleaned["text"] = text
    if OTHER_VALUE in cleaned.get("values", []):
        if not other:
            raise ValidationError('Say what "other" is.')
        if len(other) > 300:
            raise ValidationError("Keep it to 300 characters.")
        cleaned["other"] = other
    if question.is_required and not cleaned:
        raise ValidationError("This question needs an answer.")
    return cleaned


def answers_check(
    questions: Sequence[Question], answers: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[int, str]]:
    """Clean the answers of these questions, in order: a question not shown (its condition
    not met) keeps no answer and is not required. Returns (cleaned, errors by question id)."""
    cleaned: dict[str, Any] = {}
    errors: dict[int, str] = {}
    context = dict(answers)
    for question in questions:
        key = str(question.pk)
        if not question_is_shown(question, context):
            context.pop(key, None)
            continue
        try:
            value = answer_check(question, answers.get(key))
        except ValidationError as error:
            errors[question.pk] = error.messages[0]
            continue
        if value:
            cleaned[key] = value
        context[key] = value
    return cleaned, errors


@transaction.atomic
def survey_response_submit(*, invitation: SurveyInvitation, answers: Mapping[str, Any]) -> Response:
    """Finish: check every answer, store the response (naming no one when anonymous), mark
    the link used (the day only) and delete the saved draft. The link answers once."""
    invitation = _lock_answerable(invitation)
    survey = invitation.survey
    questions = survey_questions_in_order(survey)
    cleaned, errors = answers_check(questions, answers)
    if errors:
        raise ValidationError({str(pk): message for pk, message in errors.items()})
    today = timezone.localdate(timezone=survey.tenant.tzinfo)
    organization = invitation.organization
    named = not survey.is_anonymous
    response = Response.objects.create(
        tenant=survey.tenant,
        survey=survey,
        is_anonymous=survey.is_anonymous,
        submitted_on=today,
        sector=organization.sector if organization else "",
        user=invitation.user if named else None,
        contact=invitation.contact if named else None,
        organization=organization if named else None,
        respondent_name=(invitation.name or invitation.email) if named else "",
    )
    by_id = {str(q.pk): q for q in questions}
    rows = []
    for key, value in cleaned.items():
        question = by_id[key]
        if "values" in value:
            rows.extend(
                Answer(
                    tenant=survey.tenant,
                    response=response,
                    question=question,
                    value=v,
                    text=value.get("other", "") if v == OTHER_VALUE else "",
                )
                for v in value["values"]
            )
        else:
            rows.append(
                Answer(
                    tenant=survey.tenant,
                    response=response,
                    question=question,
                    number=Decimal(value["number"]) if "number" in value else None,
                    text=value.get("text", ""),
                )
            )
    Answer.objects.bulk_create(rows)
    ResponseDraft.objects.filter(invitation=invitation).delete()
    invitation.used_on = today
    invitation.save(update_fields=["used_on"])
    activity_record(
        tenant=survey.tenant,
        # An anonymous answer is logged without its author.
        actor=invitation.user if named else None,
        verb="survey.answered",
        summary=(
            f"A response to {survey.title} was received"
            if survey.is_anonymous
            else f"{response.respondent_name} answered {survey.title}"
        ),
        target=survey,
    )
    return response
