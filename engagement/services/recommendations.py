"""Writes for recommendations, the plan's own actions and the links between recommendations
and the actions that answer them. A table action is linked only by someone who may see it."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cswb.models import Tenant, TenantMembership, User
from cswb.selectors import membership_for
from cswb.services import activity_record
from engagement.models import (
    PlanAction,
    ProgressMethod,
    Recommendation,
    RecommendationLink,
    RecommendationStatus,
    Survey,
)
from engagement.selectors.recommendations import action_visible_to
from tables.models import Action, ActionStatus
from tables.services.actions import ACTION_TRANSITIONS

EDITABLE = (
    "number",
    "survey",
    "title",
    "theme",
    "source_report",
    "source_date",
    "partners_said",
    "owner",
    "status",
    "percent",
    "progress_method",
)


def _check_owner(tenant: Tenant, owner: User | None) -> None:
    if owner is not None and membership_for(tenant=tenant, user=owner) is None:
        raise ValidationError({"owner": "The owner must be a member of this plan."})


def _check_survey(tenant: Tenant, survey: Survey | None) -> None:
    if survey is not None and survey.tenant_id != tenant.pk:
        raise ValidationError({"survey": "Choose one of this plan's surveys."})


def _check_number(tenant: Tenant, number: int, exclude: int | None = None) -> None:
    taken = Recommendation.objects.filter(tenant=tenant, number=number)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise ValidationError({"number": f"Recommendation {number} already exists."})


@transaction.atomic
def recommendation_create(
    *,
    tenant: Tenant,
    actor: User | None,
    number: int,
    title: str,
    theme: str = "",
    source_report: str = "",
    source_date: date | None = None,
    partners_said: str = "",
    survey: Survey | None = None,
    owner: User | None = None,
    status: str = RecommendationStatus.NOT_STARTED,
    percent: int = 0,
    progress_method: str = ProgressMethod.PLAIN,
) -> Recommendation:
    _check_owner(tenant, owner)
    _check_survey(tenant, survey)
    _check_number(tenant, number)
    recommendation = Recommendation(
        tenant=tenant,
        number=number,
        survey=survey,
        title=title.strip(),
        theme=theme.strip(),
        source_report=source_report.strip(),
        source_date=source_date,
        partners_said=partners_said.strip(),
        owner=owner,
        status=status,
        percent=percent,
        progress_method=progress_method,
    )
    recommendation.full_clean(validate_constraints=False)
    recommendation.save()
    activity_record(
        tenant=tenant,
        actor=actor,
        verb="recommendation.created",
        summary=f"Recommendation {recommendation.number} added: {recommendation.title}",
        target=recommendation,
    )
    return recommendation


@transaction.atomic
def recommendation_update(
    *, recommendation: Recommendation, actor: User | None, **fields: object
) -> Recommendation:
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValidationError(f"These cannot be changed here: {', '.join(sorted(unknown))}.")
    recommendation = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
    if "owner" in fields:
        _check_owner(recommendation.tenant, fields["owner"])  # type: ignore[arg-type]
    if "survey" in fields:
        _check_survey(recommendation.tenant, fields["survey"])  # type: ignore[arg-type]
    if "number" in fields:
        _check_number(recommendation.tenant, fields["number"], exclude=recommendation.pk)  # type: ignore[arg-type]
    changes: dict[str, list[object]] = {}
    for name, value in fields.items():
        if isinstance(value, str):
            value = value.strip()
        old = getattr(recommendation, name)
        if old != value:
            changes[name] = [_plain(old), _plain(value)]
            setattr(recommendation, name, value)
    if not changes:
        return recommendation
    recommendation.full_clean(validate_constraints=False)
    recommendation.updated_at = timezone.now()
    recommendation.save(update_fields=[*changes, "updated_at"])
    # The audit trail keeps which fields changed, and the old and new progress figures (the
    # digest reads them); text is in the row itself.
    kept = {k: v for k, v in changes.items() if k in ("status", "percent", "progress_method")}
    activity_record(
        tenant=recommendation.tenant,
        actor=actor,
        verb="recommendation.updated",
        summary=f"Recommendation {recommendation.number} updated ({', '.join(sorted(changes))})",
        target=recommendation,
        changes=kept,
    )
    return recommendation


def _plain(value: object) -> object:
    if isinstance(value, User | Survey):
        return value.pk
    if isinstance(value, date):
        return value.isoformat()
    return value


@transaction.atomic
def recommendation_delete(*, recommendation: Recommendation, actor: User | None) -> None:
    """Deletes the recommendation and its links; the linked actions stay with their tables,
    and the plan's own actions that served nothing else go with it."""
    orphans = PlanAction.objects.filter(links__recommendation=recommendation).exclude(
        links__recommendation__in=Recommendation.objects.exclude(pk=recommendation.pk)
    )
    activity_record(
        tenant=recommendation.tenant,
        actor=actor,
        verb="recommendation.deleted",
        summary=f"Recommendation {recommendation.number} deleted: {recommendation.title}",
    )
    orphan_ids = list(orphans.values_list("pk", flat=True))
    recommendation.delete()
    PlanAction.objects.filter(pk__in=orphan_ids).delete()


@transaction.atomic
def recommendation_action_link(
    *,
    recommendation: Recommendation,
    action: Action,
    actor: User,
    membership: TenantMembership,
    weight: int = 1,
) -> RecommendationLink:
    if action.tenant_id != recommendation.tenant_id or not action_visible_to(
        action=action, user=actor, membership=membership
    ):
        raise ValidationError({"action": "Choose one of the listed actions."})
    if not 1 <= weight <= 10:
        raise ValidationError({"weight": "A weight is a whole number from 1 to 10."})
    if RecommendationLink.objects.filter(recommendation=recommendation, action=action).exists():
        raise ValidationError({"action": "That action already accompanies this recommendation."})
    try:
        with transaction.atomic():
            link = RecommendationLink.objects.create(
                tenant=recommendation.tenant,
                recommendation=recommendation,
                action=action,
                weight=weight,
            )
    except IntegrityError as error:  # a second click at the same moment
        raise ValidationError("That action already accompanies this recommendation.") from error
    activity_record(
        tenant=recommendation.tenant,
        actor=actor,
        verb="recommendation.action_linked",
        summary=f"An action of {action.table.name} now accompanies recommendation "
        f"{recommendation.number}",
        target=recommendation,
        table=action.table,
    )
    return link


@transaction.atomic
def recommendation_link_remove(*, link: RecommendationLink, actor: User) -> None:
    recommendation = link.recommendation
    plan_action = link.plan_action
    activity_record(
        tenant=link.tenant,
        actor=actor,
        verb="recommendation.action_unlinked",
        summary=f"An action no longer accompanies recommendation {recommendation.number}",
        target=recommendation,
    )
    link.delete()
    if plan_action is not None and not plan_action.links.exists():
        plan_action.delete()  # the plan's own action existed only for this recommendation


@transaction.atomic
def plan_action_create(
    *,
    recommendation: Recommendation,
    actor: User,
    title: str,
    owner: User | None = None,
    due_date: date | None = None,
    weight: int = 1,
) -> PlanAction:
    _check_owner(recommendation.tenant, owner)
    if not 1 <= weight <= 10:
        raise ValidationError({"weight": "A weight is a whole number from 1 to 10."})
    plan_action = PlanAction(
        tenant=recommendation.tenant,
        title=title.strip(),
        owner=owner,
        due_date=due_date,
        created_by=actor,
    )
    plan_action.full_clean(validate_constraints=False)
    plan_action.save()
    RecommendationLink.objects.create(
        tenant=recommendation.tenant,
        recommendation=recommendation,
        plan_action=plan_action,
        weight=weight,
    )
    activity_record(
        tenant=recommendation.tenant,
        actor=actor,
        verb="plan_action.created",
        summary=f"New plan action for recommendation {recommendation.number}: {plan_action.title}",
        target=plan_action,
    )
    return plan_action


@transaction.atomic
def plan_action_update(
    *,
    plan_action: PlanAction,
    actor: User,
    title: str,
    status: str,
    owner: User | None = None,
    due_date: date | None = None,
) -> PlanAction:
    """Change a plan action; status changes follow the same rules as table actions'."""
    plan_action = PlanAction.objects.select_for_update().get(pk=plan_action.pk)
    _check_owner(plan_action.tenant, owner)
    old = plan_action.status
    if status != old and status not in ACTION_TRANSITIONS.get(old, frozenset()):
        wanted = ActionStatus(status).label if status in ActionStatus.values else status
        raise ValidationError(
            {
                "status": f"An action that is {ActionStatus(old).label.lower()} cannot become "
                f"{str(wanted).lower()}."
            }
        )
    plan_action.title = title.strip()
    plan_action.owner = owner
    plan_action.due_date = due_date
    plan_action.status = status
    if status != old:
        plan_action.completed_at = timezone.now() if status == ActionStatus.DONE else None
    plan_action.full_clean(validate_constraints=False)
    plan_action.save(update_fields=["title", "owner", "due_date", "status", "completed_at"])
    activity_record(
        tenant=plan_action.tenant,
        actor=actor,
        verb="plan_action.status_changed" if status != old else "plan_action.updated",
        summary=(
            f"{plan_action.title}: {ActionStatus(old).label.lower()} → "
            f"{ActionStatus(status).label.lower()}"
            if status != old
            else f"Plan action updated: {plan_action.title}"
        ),
        target=plan_action,
        changes={"status": [old, status]} if status != old else {},
    )
    return plan_action
