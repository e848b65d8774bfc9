"""Writes for voluntary self-identification and representation goals.

What a person answers is theirs: it is written and deleted here, and nowhere else reads it but
the owner's own page and the suppressed counts. The activity events these services write say
that something changed, never what, and name no person (the audit trail is read by the plan's
administrators)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cswb.celery import task_enqueue_on_commit
from cswb.emails import email_send
from cswb.models import Tenant, User
from cswb.services import activity_record
from engagement.models import (
    ContactIdentityLink,
    IdentityAnswer,
    IdentityQuestion,
    IdentityQuestionSetting,
    RepresentationGoal,
    SelfIdentification,
    SelfIdentificationAnswer,
)
from engagement.selectors.identity import identity_token_hash
from partners.models import Contact, Sector
from tables.models import ActionTable


@transaction.atomic
def identity_questions_configure(
    *, tenant: Tenant, actor: User, asked: set[str], reported: set[str]
) -> None:
    """Which of the default questions the plan asks, and which groups it reports on (declared
    here, in advance; a group not asked cannot be reported)."""
    unknown = (asked | reported) - set(IdentityQuestion.values)
    if unknown:
        raise ValidationError("Choose among the listed questions.")
    if not asked:
        raise ValidationError("Ask at least one question, or people have nothing to answer.")
    for question in IdentityQuestion.values:
        IdentityQuestionSetting.objects.update_or_create(
            tenant=tenant,
            question=question,
            defaults={"is_asked": question in asked, "is_reported": question in reported & asked},
        )
    activity_record(
        tenant=tenant,
        actor=actor,
        verb="identity.questions_configured",
        summary=f"Self-identification: {len(asked)} questions asked, "
        f"{len(reported & asked)} groups reported",
    )


@transaction.atomic
def self_identification_save(
    *,
    tenant: Tenant,
    asked: list[str],
    answers: dict[str, str],
    in_own_words: str,
    consent: bool,
    user: User | None = None,
    contact: Contact | None = None,
) -> SelfIdentification:
    """Save a person's answers (a member's, or a digest contact's through their link). Only
    the asked questions are kept; an unanswered question keeps no row."""
    if (user is None) == (contact is None):
        raise ValidationError("A self-identification belongs to one person.")
    if not consent:
        raise ValidationError({"consent": "Tick the consent box to save your answers."})
    for question, answer in answers.items():
        if question not in asked or (answer and answer not in IdentityAnswer.values):
            raise ValidationError("Answer only the listed questions with the listed answers.")
    owner = {"user": user} if user is not None else {"contact": contact}
    identification = SelfIdentification.objects.filter(tenant=tenant, **owner).first()
    now = timezone.now()
    if identification is None:
        identification = SelfIdentification.objects.create(
            tenant=tenant, in_own_words=in_own_words.strip(), consented_at=now, updated_at=now,
            **owner,
        )  # fmt: skip
    else:
        identification.in_own_words = in_own_words.strip()
        identification.updated_at = now
        identification.save(update_fields=["in_own_words", "updated_at"])
        identification.answers.all().delete()
    SelfIdentificationAnswer.objects.bulk_create(
        SelfIdentificationAnswer(
            tenant=tenant, identification=identification, question=question, answer=answer
        )
        for question, answer in answers.items()
        if answer
    )
    # No activity event: even one that names nobody is timed, and beside the counts that
    # change at that moment it would tell who answered and how.
    return identification


@transaction.atomic
def self_identification_withdraw(*, identification: SelfIdentification) -> None:
    """Withdrawal deletes the answers and the consent: nothing is kept, not even hidden."""
    identification.delete()  # no activity event, for the reason given above


# -- digest contacts' links ------------------------------------------------------------------


def identity_link_url(token: str) -> str:
    return settings.PORTAL_BASE_URL + reverse("identity-contact", kwargs={"token": token})


@transaction.atomic
def identity_links_send(*, tenant: Tenant, actor: User) -> int:
    """Mail every digest contact of the plan who has no link yet their personal link. Returns
    how many links are on their way."""
    contacts = list(
        Contact.objects.filter(tenant=tenant, identity_link__isnull=True).order_by("pk")
    )
    for contact in contacts:
        token = secrets.token_urlsafe(32)
        ContactIdentityLink.objects.create(
            tenant=tenant, contact=contact, token_hash=identity_token_hash(token)
        )
        task_enqueue_on_commit(
            "engagement.identity_link_send_email",
            tenant_id=tenant.pk,
            contact_id=contact.pk,
            token=token,
        )
    activity_record(
        tenant=tenant,
        actor=actor,
        verb="identity.links_sent",
        summary=f"Self-identification links sent to {len(contacts)} digest contacts",
    )
    return len(contacts)


def identity_link_email_send(*, contact_id: int, token: str) -> bool:
    """Mail one contact their link, unless it changed since it was queued. Called by the task,
    inside the tenant's scope."""
    link = (
        ContactIdentityLink.objects.select_related("contact__organization", "tenant")
        .filter(contact_id=contact_id)
        .first()
    )
    if link is None or link.token_hash != identity_token_hash(token):
        return False
    email_send(
        template="identity-link",
        to=[link.contact.email],
        context={
            "tenant": link.tenant,
            "contact": link.contact,
            "link_url": identity_link_url(token),
        },
    )
    return True


# -- representation goals ----------------------------------------------------------------------


@transaction.atomic
def representation_goal_add(
    *,
    table: ActionTable,
    actor: User,
    kind: str,
    target: int = 1,
    sector: str = "",
    group: str = "",
    note: str = "",
) -> RepresentationGoal:
    if kind not in RepresentationGoal.Kind.values:
        raise ValidationError({"kind": "Choose one of the listed kinds of goal."})
    if kind == RepresentationGoal.Kind.SECTOR and sector not in Sector.values:
        raise ValidationError({"sector": "Choose the sector this goal is about."})
    if kind == RepresentationGoal.Kind.GROUP and group not in IdentityQuestion.values:
        raise ValidationError({"group": "Choose the group this goal is about."})
    if not 1 <= target <= 50:
        raise ValidationError({"target": "A target is a whole number from 1 to 50."})
    goal = RepresentationGoal.objects.create(
        tenant=table.tenant,
        table=table,
        kind=kind,
        target=target if kind != RepresentationGoal.Kind.ALL_SECTORS else 1,
        sector=sector if kind == RepresentationGoal.Kind.SECTOR else "",
        group=group if kind == RepresentationGoal.Kind.GROUP else "",
        note=note.strip(),
    )
    activity_record(
        tenant=table.tenant,
        actor=actor,
        verb="table.representation_goal_added",
        summary=f"Representation goal set at {table.name}",
        target=goal,
        table=table,
    )
    return goal


@transaction.atomic
def representation_goal_remove(*, goal: RepresentationGoal, actor: User) -> None:
    activity_record(
        tenant=goal.tenant,
        actor=actor,
        verb="table.representation_goal_removed",
        summary=f"Representation goal removed at {goal.table.name}",
        table=goal.table,
    )
    goal.delete()
