"""The access matrix of DESIGN.md, asserted for every URL under /<tenant>/ and every role.

A URL pattern added under the tenant that is not listed in MATRIX fails
`test_every_tenant_url_is_in_the_matrix`: decide who may use it, then add its row. Its other
columns have the same kind of check:

- METHODS: what each view accepts; any other method is 405.
- CONFIRM: the POST of every view that asks first: done for those allowed, nothing otherwise.
- FOREIGN: every form with choices, given another plan's object or a value it does not offer:
  refused, and nothing changes in either plan; ADDRESSED: another plan's id in an address, 404.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO
from urllib.parse import quote

import pytest
from django.conf import settings
from django.contrib import messages
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from cswb import tenant_urls
from cswb.models import ImportRecord, TenantMembership, User
from engagement.models import (
    Question,
    Recommendation,
    RecommendationLink,
    RepresentationGoal,
    SelfIdentification,
    Survey,
    SurveyMailing,
    SurveySection,
)
from engagement.services.identity import representation_goal_add, self_identification_save
from engagement.services.recommendations import plan_action_create
from indicators.models import Indicator, IndicatorTable, ProgressOverride, StoryNote
from indicators.services.chain import story_note_create
from indicators.services.progress import progress_status_override
from partners.models import (
    Contact,
    Invitation,
    Organization,
    OrganizationMembership,
    OrgRole,
    Sector,
)
from partners.services.importing import organization_import_start
from partners.services.organizations import (
    contact_create,
    organization_staff_add,
)
from tables.models import (
    Action,
    FocusArea,
    Guest,
    Measure,
    Meeting,
    MeetingStatus,
    Observation,
    ParticipationRole,
    SeatRole,
    TableOrganization,
    TableSeat,
)
from tables.services.actions import action_create, action_update
from tables.services.meetings import decision_add, guest_add, meeting_schedule
from tables.services.outcomes import measure_create, measure_retire, observation_record
from tables.services.seats import table_organization_add, table_seat_add

from .access_support import (
    Plan,
    changes,
    has_choice_field,
    names_in,
    plans,
    snapshot,
    tenant_patterns,
)
from .builders import (
    action_build,
    contact_build,
    indicator_values_build,
    organization_build,
    recommendation_build,
)
from .conftest import ROLES, World
from .factories import InvitationFactory, MembershipFactory, UserFactory

ANONYMOUS = None
LOGIN = "login"  # anonymous visitors are sent to the login page, whatever the URL


@dataclass(frozen=True)
class Row:
    """Who gets what on one URL. Roles are the world's; `outsider` belongs to another tenant."""

    admin: int
    leader: int
    coordinator: int
    partner: int
    member: int
    outsider: int = 404
    anonymous: str = LOGIN
    method: str = "get"
    kwargs: Callable[[World], dict[str, object]] = field(default=lambda world: {})

    def expected(self, role: str | None) -> int | str:
        return self.anonymous if role is None else getattr(self, role)


def every_member(status: int = 200, **extra: object) -> Row:
    return Row(status, status, status, status, status, **extra)


def admin_only(status: int = 200, **extra: object) -> Row:
    return Row(status, 403, 403, 403, 403, **extra)


def _invitation(world: World) -> dict[str, object]:
    return {"pk": InvitationFactory(tenant=world.halton, invited_by=world.admin).pk}


def _member(world: World) -> dict[str, object]:
    with scope(tenant=world.halton):
        return {"pk": TenantMembership.objects.get(user=world.member).pk}


def _table(world: World) -> dict[str, object]:
    return {"table_slug": world.table.slug}


def _ipv(world: World) -> dict[str, object]:
    return {"table_slug": world.ipv.slug}


def _participation(world: World, table_attr: str = "table") -> dict[str, object]:
    table = getattr(world, table_attr)
    with scope(tenant=world.halton):
        pk = TableOrganization.objects.get(table=table, organization=world.youth_org).pk
    return {"table_slug": table.slug, "pk": pk}


def _seat(world: World, table_attr: str = "table") -> dict[str, object]:
    table = getattr(world, table_attr)
    with scope(tenant=world.halton):
        pk = TableSeat.objects.get(table=table, user=world.coordinator).pk
    return {"table_slug": table.slug, "pk": pk}


def _org(world: World) -> dict[str, object]:
    return {"org_slug": world.youth_org.slug}


def _staff(world: World) -> dict[str, object]:
    with scope(tenant=world.halton):
        pk = OrganizationMembership.objects.get(organization=world.youth_org, user=world.partner).pk
    return {"org_slug": world.youth_org.slug, "pk": pk}


def _contact(world: World) -> dict[str, object]:
    with scope(tenant=world.halton):
        contact = contact_create(
            organization=world.youth_org,
            name="Intake desk",
            email="intake@youth.example",
            actor=world.admin,
        )
        return {"org_slug": world.youth_org.slug, "pk": contact.pk}


def _action(world: World, table_attr: str = "table", org_attr: str = "youth_org") -> dict:
    table = getattr(world, table_attr)
    with scope(tenant=world.halton):
        action = action_create(
            table=table,
            title="Map referral pathways",
            actor=world.admin,
            owner_organization=getattr(world, org_attr),
        )
    return {"table_slug": table.slug, "pk": action.pk}


def _meeting(world: World, table_attr: str = "table") -> dict:
    table = getattr(world, table_attr)
    start = timezone.now() + timedelta(days=1)
    with scope(tenant=world.halton):
        meeting = meeting_schedule(
            table=table,
            actor=world.admin,
            title="Regular meeting",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
        )
    return {"table_slug": table.slug, "pk": meeting.pk}


def _past_meeting(world: World, table_attr: str = "table") -> dict:
    table = getattr(world, table_attr)
    start = timezone.now() - timedelta(hours=3)
    with scope(tenant=world.halton):
        meeting = meeting_schedule(
            table=table,
            actor=world.admin,
            title="Last meeting",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
        )
    return {"table_slug": table.slug, "pk": meeting.pk}


def _guest(world: World, table_attr: str = "table") -> dict:
    kwargs = _past_meeting(world, table_attr)
    with scope(tenant=world.halton):
        meeting = Meeting.objects.get(pk=kwargs["pk"])
        guest = guest_add(meeting=meeting, actor=world.admin, name="Sam Okafor")
    return {**kwargs, "guest_pk": guest.pk}


def _decision(world: World) -> dict:
    kwargs = _meeting(world)
    with scope(tenant=world.halton):
        meeting = Meeting.objects.get(pk=kwargs["pk"])
        decision = decision_add(meeting=meeting, actor=world.admin, text="Pilot a joint shift.")
    return {**kwargs, "decision_pk": decision.pk}


def _measure(world: World, table_attr: str = "table", org_attr: str = "youth_org") -> dict:
    table = getattr(world, table_attr)
    with scope(tenant=world.halton):
        measure = measure_create(
            table=table,
            actor=world.admin,
            name="Days to first counselling appointment",
            kind="how_well",
            unit="days",
            direction="down",
            baseline_value=45,
            baseline_date=date(2024, 1, 1),
            target_value=30,
            target_date=date(2027, 12, 31),
            reporting_organization=getattr(world, org_attr),
        )
    return {"table_slug": table.slug, "pk": measure.pk}


def _retired_measure(world: World, table_attr: str = "table") -> dict:
    """A fresh measure of the table, retired."""
    kwargs = _measure(world, table_attr)
    with scope(tenant=world.halton):
        measure_retire(measure=Measure.objects.get(pk=kwargs["pk"]), actor=world.admin)
    return kwargs


def _observation(world: World, table_attr: str = "table", by: str = "partner") -> dict:
    """A value of a fresh measure reported by the youth organization, recorded by `by`."""
    kwargs = _measure(world, table_attr)
    with scope(tenant=world.halton):
        observation = observation_record(
            measure=Measure.objects.get(pk=kwargs["pk"]),
            actor=getattr(world, by),
            value=Decimal(40),
            period_end=date(2025, 12, 31),
        )
    return {**kwargs, "measure_pk": kwargs["pk"], "pk": observation.pk}


def _digest_run(world: World) -> dict[str, object]:
    from engagement.services.digests import digest_run_plan

    with scope(tenant=world.halton):
        run, _ = digest_run_plan(tenant=world.halton, now=timezone.now(), trigger="command")
    return {"pk": run.pk}


def _recommendation(world: World, owner: str | None = None) -> dict[str, object]:
    owner_user = world.user(owner) if owner else None
    return {"pk": recommendation_build(world.halton, actor=world.admin, owner=owner_user).pk}


def _recommendation_link(world: World, table_attr: str = "table", owner: str | None = None):
    table = getattr(world, table_attr)
    action = action_build(table, actor=world.admin, title="Publish quarterly progress")
    owner_user = world.user(owner) if owner else None
    rec = recommendation_build(
        world.halton, actor=world.admin, owner=owner_user, actions=[(action, 1)]
    )
    with scope(tenant=world.halton):
        return {"pk": RecommendationLink.objects.get(recommendation=rec).pk}


def _plan_action(world: World) -> dict[str, object]:
    rec = recommendation_build(world.halton, actor=world.admin)
    with scope(tenant=world.halton):
        return {"pk": plan_action_create(recommendation=rec, actor=world.admin, title="Report").pk}


def _import_record(world: World) -> dict[str, object]:
    with scope(tenant=world.halton):
        record = ImportRecord.objects.create(
            tenant=world.halton, kind="indicators", file_format="tidy", created_by=world.admin,
            file_name="local.csv", checksum="0" * 64, state="rejected", rows_total=1,
        )  # fmt: skip
    return {"pk": record.pk}


def _organization_import(world: World, state: str = "received") -> dict[str, object]:
    """An organizations import of Halton's: waiting for its columns, or checked."""
    with scope(tenant=world.halton):
        record = organization_import_start(
            tenant=world.halton,
            upload=BytesIO(b"name,email\nHalton Youth Shelter,intake@shelter.example\n"),
            file_name="organizations.csv",
            actor=world.admin,
        )
        if state == "checked":
            options = {**record.options, "mapping": {"name": "0"}, "default_sector": "housing",
                       "digest_contacts": {"count": 1, "listed": [
                           ["intake@shelter.example", "Halton Youth Shelter"]]}}  # fmt: skip
            ImportRecord.objects.filter(pk=record.pk).update(
                state="checked", rows_total=1, created_count=1, options=options
            )
    return {"pk": record.pk}


def _goal(world: World, table_attr: str = "table") -> dict[str, object]:
    table = getattr(world, table_attr)
    with scope(tenant=world.halton):
        goal = representation_goal_add(table=table, actor=world.admin, kind="advisor")
    return {"pk": goal.pk}


def _everyone_identified(world: World) -> dict[str, object]:
    """Each of the world's people has a self-identification of their own (made again for
    whoever withdrew theirs)."""
    with scope(tenant=world.halton):
        for role in ROLES[:-1]:
            user = world.user(role)
            if not SelfIdentification.objects.filter(user=user).exists():
                self_identification_save(
                    tenant=world.halton, asked=["youth"], answers={"youth": "yes"},
                    in_own_words="", consent=True, user=user,
                )  # fmt: skip
    return {}


def _someone_withdrew(kwargs: dict[str, object]) -> bool:
    return SelfIdentification._base_manager.filter(user__isnull=False).count() < len(ROLES) - 1


def _focus_area(world: World) -> dict[str, object]:
    with scope(tenant=world.halton):
        area = FocusArea.objects.create(
            tenant=world.halton, name=f"Area {next(_fresh)}", slug=f"area-{next(_fresh)}"
        )
    return {"pk": area.pk}


def _survey(world: World, status: str = "draft", *, sections: int = 1) -> dict[str, object]:
    """A survey of Halton with a yes/no question in each section, moved to `status`; one
    invitation not yet answered once it is open."""
    from engagement.models import SurveyInvitation
    from engagement.services.surveys import (
        survey_create,
        survey_question_add,
        survey_section_add,
        survey_status_set,
    )

    with scope(tenant=world.halton):
        survey = survey_create(tenant=world.halton, actor=world.admin, title="Partner survey")
        section = survey.sections.get()
        question = survey_question_add(
            section=section, actor=world.admin, kind="yes_no", text="Useful?"
        )
        for n in range(1, sections):
            extra = survey_section_add(survey=survey, actor=world.admin, title=f"Part {n}")
            survey_question_add(section=extra, actor=world.admin, kind="yes_no", text="More?")
        path = {"open": ["open"], "closed": ["open", "closed"],
                "published": ["open", "closed", "published"]}.get(status, [])  # fmt: skip
        for step in path:
            survey_status_set(survey=survey, actor=world.admin, status=step)
        if path:
            SurveyInvitation.objects.create(
                tenant=world.halton, survey=survey, email=f"desk{next(_fresh)}@example.org",
                token_hash=f"{next(_fresh):064d}",
            )  # fmt: skip
    return {"pk": survey.pk, "section_pk": section.pk, "question_pk": question.pk}


def _survey_only(world: World, status: str = "draft") -> dict[str, object]:
    return {"pk": _survey(world, status)["pk"]}


def _survey_section(world: World) -> dict[str, object]:
    kwargs = _survey(world, sections=2)
    return {"pk": kwargs["pk"], "section_pk": kwargs["section_pk"]}


def _survey_question(world: World) -> dict[str, object]:
    kwargs = _survey(world)
    return {"pk": kwargs["pk"], "question_pk": kwargs["question_pk"]}


def _survey_mailing(world: World) -> dict[str, object]:
    from engagement.models import MailingKind, SurveyMailing

    pk = _survey_only(world, "open")["pk"]
    with scope(tenant=world.halton):
        mailing = SurveyMailing.objects.create(
            tenant=world.halton, survey_id=pk, kind=MailingKind.INVITATION
        )
    return {"pk": pk, "mailing_pk": mailing.pk}


def runs_table(status: int = 200, **extra: object) -> Row:
    """Admins and the table's coordinator; leadership and members may not (403)."""
    return Row(status, 403, status, 403, 403, **extra)


def runs_members_only_table(status: int = 200, **extra: object) -> Row:
    """The same on the members-only table, where a plan member not at it gets 404."""
    return Row(status, 403, status, 403, 404, **extra)


# -- indicators: the shared catalogue (every member reads it) and a plan's own indicators ----


def _shared_indicator(world: World, code: str = "3.13.1") -> dict[str, object]:
    with scopes_disabled():
        found = Indicator.objects.filter(code=code, tenant=None).first()
    indicator = found or indicator_values_build(None, code=code, years=range(2019, 2021))
    return {"indicator": indicator.slug}


def _own_indicator(world: World) -> dict[str, object]:
    indicator = indicator_values_build(
        world.halton, code="H.1", geographies=("Oakville",), years=range(2019, 2021)
    )
    return {"indicator": indicator.slug}


def _linked_indicator(world: World) -> dict[str, object]:
    """A shared indicator the coordinator's table works on: they may write its story."""
    kwargs = _shared_indicator(world, "3.8.1")
    with scope(tenant=world.halton):
        indicator = Indicator.objects.get(slug=kwargs["indicator"], tenant=None)
        IndicatorTable.objects.get_or_create(
            tenant=world.halton, indicator=indicator, table=world.table,
            defaults={"added_by": world.admin},
        )  # fmt: skip
    return kwargs


def _note(world: World, author: str = "coordinator") -> dict[str, object]:
    kwargs = _linked_indicator(world)
    with scope(tenant=world.halton):
        note = story_note_create(
            tenant=world.halton,
            indicator=Indicator.objects.get(slug=kwargs["indicator"], tenant=None),
            author=world.user(author),
            written_on=date(2025, 1, 2),
            text="Wait lists grew.",
        )
    return {**kwargs, "pk": note.pk}


def _overridden(world: World) -> dict[str, object]:
    """A shared indicator whose status Halton's admin has set, with a reason."""
    kwargs = _shared_indicator(world, "1.1.1")
    with scope(tenant=world.halton):
        progress_status_override(
            tenant=world.halton,
            indicator=Indicator.objects.get(slug=kwargs["indicator"], tenant=None),
            status="limited_progress",
            reason="2020 counts are affected by the pandemic.",
            actor=world.admin,
        )
    return kwargs


def _override_gone(kwargs: dict[str, object]) -> bool:
    return not ProgressOverride._base_manager.filter(
        tenant__slug="halton", indicator__slug=kwargs["indicator"]
    ).exists()


def runs_a_table(status: int = 200, **extra: object) -> Row:
    """Admins and those who run a table (coordinators); nobody else (403)."""
    return Row(status, 403, status, 403, 403, **extra)


MATRIX: dict[str, Row | list[Row]] = {
    "tenant-home": every_member(200),
    "partners:invitations": admin_only(200),
    "partners:invitation-resend": admin_only(302, method="post", kwargs=_invitation),
    "partners:invitation-revoke": admin_only(200, kwargs=_invitation),
    "manage:members": admin_only(200),
    "manage:member-role": admin_only(302, method="post", kwargs=_member),
    "manage:member-deactivate": admin_only(200, kwargs=_member),
    "manage:security": admin_only(200),
    "manage:table-new": admin_only(200),
    "manage:focus-areas": admin_only(200),
    "manage:focus-area-edit": admin_only(200, kwargs=_focus_area),
    # No direction: 400 to the administrators.
    "manage:focus-area-move": admin_only(400, method="post", kwargs=_focus_area),
    "manage:focus-area-retire": admin_only(200, kwargs=_focus_area),
    # Not retired: refused with a message, back to the list.
    "manage:focus-area-restore": admin_only(302, method="post", kwargs=_focus_area),
    "manage:organization-new": admin_only(200),
    "manage:organization-import": [admin_only(200), admin_only(400, method="post")],
    "manage:organization-import-columns": [
        admin_only(200, kwargs=_organization_import),
        admin_only(400, method="post", kwargs=_organization_import),
    ],
    "manage:indicator-imports": [admin_only(200), admin_only(400, method="post")],
    "manage:import": [
        admin_only(200, kwargs=_import_record),
        # An organizations import waiting for its columns sends its page there; a checked
        # one shows the contacts of the file beside the confirmation.
        admin_only(302, kwargs=_organization_import),
        admin_only(200, kwargs=lambda world: _organization_import(world, "checked")),
    ],
    "manage:import-progress": admin_only(200, kwargs=_import_record),
    "manage:import-confirm": admin_only(302, method="post", kwargs=_import_record),
    "tables:list": every_member(200),
    "tables:representation": Row(200, 200, 403, 403, 403),
    "tables:detail": [
        every_member(200, kwargs=_table),
        Row(200, 200, 200, 200, 404, kwargs=_ipv),  # members only: leadership sees a summary
    ],
    "tables:edit": [runs_table(kwargs=_table), runs_members_only_table(kwargs=_ipv)],
    "tables:status": [
        runs_table(302, method="post", kwargs=_table),
        runs_members_only_table(302, method="post", kwargs=_ipv),
    ],
    "tables:members": [runs_table(kwargs=_table), runs_members_only_table(kwargs=_ipv)],
    "tables:organization-add": runs_table(400, method="post", kwargs=_table),
    "tables:organization-end": [
        runs_table(kwargs=_participation),
        runs_members_only_table(kwargs=lambda w: _participation(w, "ipv")),
    ],
    "tables:seat-add": runs_table(400, method="post", kwargs=_table),
    "tables:seat-end": [
        runs_table(kwargs=_seat),
        runs_members_only_table(kwargs=lambda w: _seat(w, "ipv")),
    ],
    "tables:invite": runs_table(400, method="post", kwargs=_table),
    "my-work": every_member(200),
    "progress": every_member(200),  # members see their own tables only (tested elsewhere)
    "progress-csv": every_member(200),
    "tables:progress": [
        every_member(200, kwargs=_table),
        Row(200, 200, 200, 200, 404, kwargs=_ipv),
    ],
    "tables:outcomes": [
        every_member(200, kwargs=_table),
        Row(200, 200, 200, 200, 404, kwargs=_ipv),  # leadership: figures of members-only tables
        runs_table(400, method="post", kwargs=_table),
    ],
    "tables:measure": [
        every_member(200, kwargs=_measure),
        Row(200, 200, 200, 200, 404, kwargs=lambda w: _measure(w, "ipv")),
        # Recording: the reporting organization's staff and the coordinators (400: empty form).
        Row(400, 403, 400, 400, 403, method="post", kwargs=_measure),
        Row(
            400,
            403,
            400,
            403,
            403,
            method="post",
            kwargs=lambda w: _measure(w, org_attr="police_org"),
        ),
    ],
    "tables:measure-csv": [
        every_member(200, kwargs=_measure),
        Row(200, 200, 200, 200, 404, kwargs=lambda w: _measure(w, "ipv")),
    ],
    "tables:measure-edit": [
        runs_table(kwargs=_measure),
        runs_members_only_table(kwargs=lambda w: _measure(w, "ipv")),
        runs_table(400, method="post", kwargs=_measure),  # an empty form
    ],
    "tables:measure-retire": [
        runs_table(kwargs=_measure),
        runs_members_only_table(kwargs=lambda w: _measure(w, "ipv")),
    ],
    "tables:measure-restore": [
        runs_table(kwargs=_retired_measure),
        runs_members_only_table(kwargs=lambda w: _retired_measure(w, "ipv")),
    ],
    # Correcting a value: whoever recorded it (here the partner), the coordinators, admins.
    "tables:observation-edit": [
        Row(200, 403, 200, 200, 403, kwargs=_observation),
        Row(200, 403, 200, 403, 403, kwargs=lambda w: _observation(w, by="admin")),
        Row(200, 403, 200, 200, 404, kwargs=lambda w: _observation(w, "ipv")),
        Row(400, 403, 400, 400, 403, method="post", kwargs=_observation),  # an empty form
    ],
    "tables:observation-delete": [
        Row(200, 403, 200, 200, 403, kwargs=_observation),
        Row(200, 403, 200, 403, 403, kwargs=lambda w: _observation(w, by="admin")),
        Row(200, 403, 200, 200, 404, kwargs=lambda w: _observation(w, "ipv")),
    ],
    "tables:feed": [
        every_member(200, kwargs=_table),
        Row(200, 403, 200, 200, 404, kwargs=_ipv),
    ],
    "tables:meetings": [
        every_member(200, kwargs=_table),
        Row(200, 403, 200, 200, 404, kwargs=_ipv),
        runs_table(400, method="post", kwargs=_table),
    ],
    "tables:meeting": [
        every_member(200, kwargs=_meeting),
        Row(200, 403, 200, 200, 404, kwargs=lambda w: _meeting(w, "ipv")),
    ],
    "tables:meeting-edit": [
        runs_table(kwargs=_meeting),
        runs_members_only_table(kwargs=lambda w: _meeting(w, "ipv")),
    ],
    "tables:meeting-cancel": runs_table(kwargs=_meeting),
    "tables:meeting-agenda": runs_table(302, method="post", kwargs=_meeting),
    "tables:meeting-record": [
        runs_table(kwargs=_meeting),  # a meeting to come: the page says when it can be recorded
        runs_table(kwargs=_past_meeting),
        runs_members_only_table(kwargs=lambda w: _past_meeting(w, "ipv")),
    ],
    # An empty name is refused with a message (302 back to the meeting).
    "tables:guest-add": [
        runs_table(302, method="post", kwargs=_past_meeting),
        runs_members_only_table(302, method="post", kwargs=lambda w: _past_meeting(w, "ipv")),
    ],
    "tables:guest-remove": [
        runs_table(kwargs=_guest),
        runs_members_only_table(kwargs=lambda w: _guest(w, "ipv")),
    ],
    "tables:meeting-decision": runs_table(400, method="post", kwargs=_meeting),  # empty
    "tables:decision-action": [
        runs_table(kwargs=_decision),
        runs_table(400, method="post", kwargs=_decision),  # an empty form: no priority
    ],
    "tables:meeting-rsvp": [
        every_member(302, method="post", kwargs=_meeting),
        Row(302, 403, 302, 302, 404, method="post", kwargs=lambda w: _meeting(w, "ipv")),
    ],
    "tables:actions": [
        every_member(200, kwargs=_table),
        Row(200, 403, 200, 200, 404, kwargs=_ipv),  # leadership: summary only, no action text
        Row(400, 403, 400, 400, 403, method="post", kwargs=_table),  # empty form: who may log
    ],
    "tables:action": [
        every_member(200, kwargs=_action),
        Row(200, 403, 200, 200, 404, kwargs=lambda w: _action(w, "ipv")),
    ],
    "tables:action-update": [
        # An empty update is refused (400) to those who may update the youth organization's
        # action: admins, the coordinator and that organization's staff.
        Row(400, 403, 400, 400, 403, method="post", kwargs=_action),
        # Another organization's action: its table's coordinator may, the partner may not.
        Row(
            400,
            403,
            400,
            403,
            403,
            method="post",
            kwargs=lambda w: _action(w, org_attr="police_org"),
        ),
        Row(400, 403, 400, 400, 404, method="post", kwargs=lambda w: _action(w, "ipv")),
    ],
    # Editing: who may update the action (its organization's staff, coordinators, admins).
    "tables:action-edit": [
        Row(200, 403, 200, 200, 403, kwargs=_action),
        Row(200, 403, 200, 403, 403, kwargs=lambda w: _action(w, org_attr="police_org")),
        Row(200, 403, 200, 200, 404, kwargs=lambda w: _action(w, "ipv")),
        Row(400, 403, 400, 400, 403, method="post", kwargs=_action),  # an empty form
    ],
    "partners:organizations": every_member(200),
    "partners:organizations-export": admin_only(200),
    "partners:organization": every_member(200, kwargs=_org),
    "partners:organization-edit": admin_only(200, kwargs=_org),
    "partners:staff-add": admin_only(302, method="post", kwargs=_org),
    "partners:staff-end": admin_only(200, kwargs=_staff),
    "partners:contact-add": admin_only(302, method="post", kwargs=_org),
    "partners:contact-delete": admin_only(200, kwargs=_contact),
    "digest-settings": [every_member(200), every_member(400, method="post")],
    "meeting-notices": every_member(400, method="post"),  # no choice: refused
    "digest-preview": every_member(200),
    "digest-preview-html": every_member(200),
    "manage:digests": [admin_only(200), admin_only(400, method="post")],
    "manage:digest-run": admin_only(200, kwargs=_digest_run),
    "manage:digest-preview": admin_only(200),
    # Without ?recipient= there is nobody to show: 404 to admins, 403 to everyone else.
    "manage:digest-preview-html": admin_only(404),
    "recommendations": every_member(200),
    "recommendation": every_member(200, kwargs=_recommendation),
    "recommendation-link": [
        admin_only(400, method="post", kwargs=_recommendation),  # empty form
        # The recommendation's owner links actions too.
        Row(400, 403, 403, 403, 400, method="post", kwargs=lambda w: _recommendation(w, "member")),
    ],
    "recommendation-plan-action": admin_only(400, method="post", kwargs=_recommendation),
    "recommendation-link-remove": [
        admin_only(200, kwargs=_recommendation_link),
        # An action at the members-only table: who may not see it may not know of its link.
        Row(200, 404, 403, 403, 404, kwargs=lambda w: _recommendation_link(w, "ipv", "member")),
    ],
    "plan-action": admin_only(200, kwargs=_plan_action),
    "you-said-we-did": every_member(200),
    "manage:recommendation-new": admin_only(200),
    "manage:recommendation-edit": admin_only(200, kwargs=_recommendation),
    "manage:recommendation-delete": admin_only(200, kwargs=_recommendation),
    # Empty: no consent given, nothing saved (400).
    "self-identification": [every_member(200), every_member(400, method="post")],
    # Only someone who has answered has something to withdraw (404 otherwise).
    "self-identification-withdraw": every_member(200, kwargs=_everyone_identified),
    "manage:self-identification": [admin_only(200), admin_only(400, method="post")],
    "manage:self-identification-links": admin_only(302, method="post"),
    "table-goals": [
        runs_table(kwargs=_table),
        runs_members_only_table(kwargs=_ipv),
        runs_table(400, method="post", kwargs=_table),
    ],
    "goal-delete": [
        runs_table(kwargs=_goal),
        runs_members_only_table(kwargs=lambda w: _goal(w, "ipv")),
    ],
    "indicators:dashboard": every_member(200),
    "indicators:indicator": [
        every_member(200, kwargs=_shared_indicator),
        every_member(200, kwargs=_own_indicator),
    ],
    "indicators:indicator-csv": [
        every_member(200, kwargs=_shared_indicator),
        every_member(200, kwargs=_own_indicator),
    ],
    "indicators:tables": [
        runs_a_table(200, kwargs=_shared_indicator),
        runs_a_table(302, method="post", kwargs=_own_indicator),  # nothing ticked: saved
    ],
    # Story notes: admins, and coordinators of a table working on the indicator (400: empty).
    "indicators:notes": [
        runs_a_table(400, method="post", kwargs=_linked_indicator),
        admin_only(400, method="post", kwargs=_shared_indicator),
    ],
    "indicators:note-edit": [
        runs_a_table(200, kwargs=_note),
        admin_only(200, kwargs=lambda w: _note(w, "admin")),
    ],
    "indicators:note-delete": [
        runs_a_table(200, kwargs=_note),
        admin_only(200, kwargs=lambda w: _note(w, "admin")),
    ],
    # A plan's own progress status, with a reason: its admins only (400: an empty form).
    "indicators:status-override": [
        admin_only(200, kwargs=_shared_indicator),
        admin_only(200, kwargs=_overridden),
        admin_only(400, method="post", kwargs=_own_indicator),
    ],
    "indicators:status-override-clear": admin_only(200, kwargs=_overridden),
    "survey-list": every_member(200),
    "survey-results": [
        Row(200, 404, 404, 404, 404, kwargs=_survey_only),
        every_member(200, kwargs=lambda w: _survey_only(w, "published")),
    ],
    "survey-results-csv": [
        Row(200, 404, 404, 404, 404, kwargs=_survey_only),
        every_member(200, kwargs=lambda w: _survey_only(w, "published")),
    ],
    "manage:surveys": [admin_only(200), admin_only(400, method="post")],
    "manage:survey": [
        admin_only(200, kwargs=_survey_only),
        admin_only(400, method="post", kwargs=_survey_only),
        admin_only(200, kwargs=lambda w: _survey_only(w, "published")),
    ],
    "manage:survey-delete": admin_only(200, kwargs=_survey_only),
    "manage:survey-status": admin_only(200, kwargs=lambda w: {**_survey_only(w), "to": "open"}),
    "manage:survey-section-new": admin_only(200, kwargs=_survey_only),
    "manage:survey-section-edit": admin_only(200, kwargs=_survey_section),
    "manage:survey-section-delete": admin_only(200, kwargs=_survey_section),
    "manage:survey-section-move": admin_only(302, method="post", kwargs=_survey_section),
    "manage:survey-question-new": admin_only(200, kwargs=_survey_section),
    "manage:survey-question-edit": admin_only(200, kwargs=_survey_question),
    "manage:survey-question-delete": admin_only(200, kwargs=_survey_question),
    "manage:survey-question-move": admin_only(302, method="post", kwargs=_survey_question),
    "manage:survey-invite": [
        admin_only(200, kwargs=lambda w: _survey_only(w, "open")),
        admin_only(400, method="post", kwargs=lambda w: _survey_only(w, "open")),
    ],
    "manage:survey-remind": admin_only(200, kwargs=lambda w: _survey_only(w, "open")),
    "manage:survey-mailing": admin_only(200, kwargs=_survey_mailing),
    "manage:survey-raw": admin_only(200, kwargs=_survey_only),
}


GET, POST, GET_POST = frozenset({"GET"}), frozenset({"POST"}), frozenset({"GET", "POST"})

# The methods each view accepts. Django's method decorators leave nothing to read back, so they
# are written down here; a URL missing from this table fails
# `test_every_tenant_url_has_its_methods`. HEAD and OPTIONS are left out: whether a page
# answers them is the server's business, not the matrix's.
METHODS: dict[str, frozenset[str]] = {
    "tenant-home": GET,
    "partners:invitations": GET_POST,
    "partners:invitation-resend": POST,
    "partners:invitation-revoke": GET_POST,
    "manage:members": GET,
    "manage:member-role": POST,
    "manage:member-deactivate": GET_POST,
    "manage:security": GET_POST,
    "manage:table-new": GET_POST,
    "manage:focus-areas": GET_POST,
    "manage:focus-area-edit": GET_POST,
    "manage:focus-area-move": POST,
    "manage:focus-area-retire": GET_POST,
    "manage:focus-area-restore": POST,
    "manage:organization-new": GET_POST,
    "manage:organization-import": GET_POST,
    "manage:organization-import-columns": GET_POST,
    "manage:indicator-imports": GET_POST,
    "manage:import": GET,
    "manage:import-progress": GET,
    "manage:import-confirm": POST,
    "tables:list": GET,
    "tables:representation": GET,
    "tables:detail": GET,
    "tables:edit": GET_POST,
    "tables:status": POST,
    "tables:members": GET,
    "tables:organization-add": POST,
    "tables:organization-end": GET_POST,
    "tables:seat-add": POST,
    "tables:seat-end": GET_POST,
    "tables:invite": POST,
    "my-work": GET,
    "progress": GET,
    "progress-csv": GET,
    "tables:progress": GET,
    "tables:outcomes": GET_POST,
    "tables:measure": GET_POST,
    "tables:measure-csv": GET,
    "tables:measure-edit": GET_POST,
    "tables:measure-retire": GET_POST,
    "tables:measure-restore": GET_POST,
    "tables:observation-edit": GET_POST,
    "tables:observation-delete": GET_POST,
    "tables:feed": GET,
    "tables:meetings": GET_POST,
    "tables:meeting": GET,
    "tables:meeting-edit": GET_POST,
    "tables:meeting-cancel": GET_POST,
    "tables:meeting-agenda": POST,
    "tables:meeting-record": GET_POST,
    "tables:guest-add": POST,
    "tables:guest-remove": GET_POST,
    "tables:meeting-decision": POST,
    "tables:decision-action": GET_POST,
    "tables:meeting-rsvp": POST,
    "tables:actions": GET_POST,
    "tables:action": GET,
    "tables:action-update": POST,
    "tables:action-edit": GET_POST,
    "partners:organizations": GET,
    "partners:organizations-export": GET,
    "partners:organization": GET,
    "partners:organization-edit": GET_POST,
    "partners:staff-add": POST,
    "partners:staff-end": GET_POST,
    "partners:contact-add": POST,
    "partners:contact-delete": GET_POST,
    "digest-settings": GET_POST,
    "meeting-notices": POST,
    "digest-preview": GET,
    "digest-preview-html": GET,
    "manage:digests": GET_POST,
    "manage:digest-run": GET,
    "manage:digest-preview": GET,
    "manage:digest-preview-html": GET,
    "recommendations": GET,
    "recommendation": GET,
    "recommendation-link": POST,
    "recommendation-plan-action": POST,
    "recommendation-link-remove": GET_POST,
    "plan-action": GET_POST,
    "you-said-we-did": GET,
    "manage:recommendation-new": GET_POST,
    "manage:recommendation-edit": GET_POST,
    "manage:recommendation-delete": GET_POST,
    "self-identification": GET_POST,
    "self-identification-withdraw": GET_POST,
    "manage:self-identification": GET_POST,
    "manage:self-identification-links": POST,
    "table-goals": GET_POST,
    "goal-delete": GET_POST,
    "indicators:dashboard": GET,
    "indicators:indicator": GET,
    "indicators:indicator-csv": GET,
    "indicators:tables": GET_POST,
    "indicators:notes": POST,
    "indicators:note-edit": GET_POST,
    "indicators:note-delete": GET_POST,
    "indicators:status-override": GET_POST,
    "indicators:status-override-clear": GET_POST,
    "survey-list": GET,
    "survey-results": GET,
    "survey-results-csv": GET,
    "manage:surveys": GET_POST,
    "manage:survey": GET_POST,
    "manage:survey-delete": GET_POST,
    "manage:survey-status": GET_POST,
    "manage:survey-section-new": GET_POST,
    "manage:survey-section-edit": GET_POST,
    "manage:survey-section-delete": GET_POST,
    "manage:survey-section-move": POST,
    "manage:survey-question-new": GET_POST,
    "manage:survey-question-edit": GET_POST,
    "manage:survey-question-delete": GET_POST,
    "manage:survey-question-move": POST,
    "manage:survey-invite": GET_POST,
    "manage:survey-remind": GET_POST,
    "manage:survey-mailing": GET,
    "manage:survey-raw": GET,
}
SENT = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})


def _rows(name: str) -> list[Row]:
    rows = MATRIX[name]
    return rows if isinstance(rows, list) else [rows]


TENANT_PATTERNS = dict(tenant_patterns(tenant_urls.urlpatterns))
TENANT_VIEWS = {name: pattern.callback for name, pattern in TENANT_PATTERNS.items()}


def test_every_tenant_url_is_in_the_matrix() -> None:
    names = set(TENANT_VIEWS)
    assert names == set(MATRIX), (
        f"not in the matrix: {sorted(names - set(MATRIX))}; "
        f"in the matrix but gone: {sorted(set(MATRIX) - names)}"
    )


CASES = [(name, index) for name in MATRIX for index in range(len(_rows(name)))]


def _outcome(response) -> int | str:
    if response.status_code == 302 and response["Location"].startswith(
        resolve_url(settings.LOGIN_URL) + "?next="
    ):
        return LOGIN
    return response.status_code


@pytest.mark.parametrize(("name", "index"), CASES, ids=[f"{n}-{i}" for n, i in CASES])
def test_access_matrix(world: World, client_for, name: str, index: int) -> None:
    """Every role (and anonymous) on one URL, against one world: the whole row at once, so a
    failure shows every cell that differs."""
    row = _rows(name)[index]
    kwargs = row.kwargs(world)
    url = reverse(name, kwargs={"tenant_slug": world.halton.slug, **kwargs})
    actual, expected = {}, {}
    for role in (*ROLES, ANONYMOUS):
        response = getattr(client_for(role), row.method)(url)
        key = role or "anonymous"
        actual[key], expected[key] = _outcome(response), row.expected(role)
        if expected[key] == LOGIN:
            assert response["Location"] == f"{resolve_url(settings.LOGIN_URL)}?next={quote(url)}"
    assert actual == expected, url

    # The second tenant proves nothing leaks: Halton's admin gets 404 at the same address in
    # Lakeshore, and at a plan that does not exist; strangers are sent to log in either way.
    for slug in (world.lakeshore.slug, "no-such-plan"):
        elsewhere = reverse(name, kwargs={"tenant_slug": slug, **kwargs})
        assert getattr(client_for("admin"), row.method)(elsewhere).status_code == 404, elsewhere
        assert _outcome(getattr(client_for(None), row.method)(elsewhere)) == LOGIN


# -- wrong methods -------------------------------------------------------------------------


def test_every_tenant_url_has_its_methods() -> None:
    assert set(TENANT_VIEWS) == set(METHODS), (
        f"methods not listed: {sorted(set(TENANT_VIEWS) - set(METHODS))}; "
        f"listed but gone: {sorted(set(METHODS) - set(TENANT_VIEWS))}"
    )
    in_matrix = {(name, row.method.upper()) for name in MATRIX for row in _rows(name)}
    assert {(name, m) for name, m in in_matrix if m not in METHODS[name]} == set()


@pytest.mark.parametrize("name", sorted(METHODS))
def test_a_wrong_method_is_405(world: World, client_for, name: str) -> None:
    """The plan's administrator, who may do anything here, sends every method the view does
    not accept: 405 naming the ones it does, and nothing changes."""
    url = reverse(name, kwargs={"tenant_slug": world.halton.slug, **_rows(name)[0].kwargs(world)})
    client = client_for("admin")
    before = snapshot()
    actual = {}
    for method in sorted(SENT - METHODS[name]):
        response = client.generic(method, url)
        actual[method] = (response.status_code, set(response.get("Allow", "").split(", ")))
    assert actual == {m: (405, set(METHODS[name])) for m in SENT - METHODS[name]}, url
    assert changes(before, snapshot()) == {}


# -- confirmation views: the POST that acts --------------------------------------------------

AT_HOME = "outsider-at-home"  # Lakeshore's administrator, at Lakeshore's address of the object


@dataclass(frozen=True)
class Confirm:
    """A view that asks on GET and acts on POST: who may (302, done), on a fresh object per
    person, and how to tell it was done."""

    row: Row  # `kwargs` builds a fresh object and names it
    done: Callable[[dict[str, object]], bool]


_fresh = itertools.count()  # names and addresses of fresh objects, unique within a world


def _new_member_of(world: World) -> TenantMembership:
    user = UserFactory(email=f"newcomer{next(_fresh)}@halton.example")
    return MembershipFactory(tenant=world.halton, user=user)


def _new_participation(world: World, table_attr: str = "table") -> dict[str, object]:
    table = getattr(world, table_attr)
    organization = organization_build(
        world.halton,
        name=f"Halton Food Bank {next(_fresh)}",
        sector=Sector.SOCIAL_SERVICES,
        actor=None,
    )
    with scope(tenant=world.halton):
        participation = table_organization_add(
            table=table, organization=organization, role=ParticipationRole.MEMBER, actor=None
        )
    return {"table_slug": table.slug, "pk": participation.pk}


def _new_seat(world: World, table_attr: str = "table") -> dict[str, object]:
    table = getattr(world, table_attr)
    user = _new_member_of(world).user
    with scope(tenant=world.halton):
        seat = table_seat_add(table=table, user=user, role=SeatRole.MEMBER, actor=world.admin)
    return {"table_slug": table.slug, "pk": seat.pk}


def _new_staff(world: World) -> dict[str, object]:
    user = _new_member_of(world).user
    with scope(tenant=world.halton):
        staff = organization_staff_add(
            organization=world.youth_org, user=user, role=OrgRole.STAFF, actor=world.admin
        )
    return {"org_slug": world.youth_org.slug, "pk": staff.pk}


def _new_member(world: World) -> dict[str, object]:
    return {"pk": _new_member_of(world).pk}


def _new_contact(world: World) -> dict[str, object]:
    email = f"intake{next(_fresh)}@youth.example"
    contact = contact_build(world.youth_org, name="Intake desk", email=email, actor=world.admin)
    return {"org_slug": world.youth_org.slug, "pk": contact.pk}


def _ended(model: type) -> Callable[[dict[str, object]], bool]:
    return lambda kwargs: model._base_manager.get(pk=kwargs["pk"]).left_on is not None


CONFIRM: dict[str, list[Confirm]] = {
    "tables:organization-end": [
        Confirm(runs_table(302, kwargs=_new_participation), _ended(TableOrganization)),
        Confirm(
            runs_members_only_table(302, kwargs=lambda w: _new_participation(w, "ipv")),
            _ended(TableOrganization),
        ),
    ],
    "tables:seat-end": [
        Confirm(runs_table(302, kwargs=_new_seat), _ended(TableSeat)),
        Confirm(
            runs_members_only_table(302, kwargs=lambda w: _new_seat(w, "ipv")), _ended(TableSeat)
        ),
    ],
    "tables:meeting-cancel": [
        Confirm(
            runs_table(302, kwargs=_meeting),
            lambda kw: Meeting._base_manager.get(pk=kw["pk"]).status == MeetingStatus.CANCELLED,
        ),
        Confirm(
            runs_members_only_table(302, kwargs=lambda w: _meeting(w, "ipv")),
            lambda kw: Meeting._base_manager.get(pk=kw["pk"]).status == MeetingStatus.CANCELLED,
        ),
    ],
    "tables:measure-retire": [
        Confirm(
            runs_table(302, kwargs=_measure),
            lambda kw: Measure._base_manager.get(pk=kw["pk"]).retired_at is not None,
        ),
        Confirm(
            runs_members_only_table(302, kwargs=lambda w: _measure(w, "ipv")),
            lambda kw: Measure._base_manager.get(pk=kw["pk"]).retired_at is not None,
        ),
    ],
    "tables:measure-restore": [
        Confirm(
            runs_table(302, kwargs=_retired_measure),
            lambda kw: Measure._base_manager.get(pk=kw["pk"]).retired_at is None,
        ),
        Confirm(
            runs_members_only_table(302, kwargs=lambda w: _retired_measure(w, "ipv")),
            lambda kw: Measure._base_manager.get(pk=kw["pk"]).retired_at is None,
        ),
    ],
    "tables:observation-delete": [
        Confirm(
            Row(302, 403, 302, 302, 403, kwargs=_observation),
            lambda kw: not Observation._base_manager.filter(pk=kw["pk"]).exists(),
        ),
        Confirm(
            Row(302, 403, 302, 302, 404, kwargs=lambda w: _observation(w, "ipv")),
            lambda kw: not Observation._base_manager.filter(pk=kw["pk"]).exists(),
        ),
    ],
    "tables:guest-remove": [
        Confirm(
            runs_table(302, kwargs=_guest),
            lambda kw: not Guest._base_manager.filter(pk=kw["guest_pk"]).exists(),
        ),
        Confirm(
            runs_members_only_table(302, kwargs=lambda w: _guest(w, "ipv")),
            lambda kw: not Guest._base_manager.filter(pk=kw["guest_pk"]).exists(),
        ),
    ],
    "partners:staff-end": [
        Confirm(admin_only(302, kwargs=_new_staff), _ended(OrganizationMembership))
    ],
    "manage:focus-area-retire": [
        Confirm(
            admin_only(302, kwargs=_focus_area),
            lambda kw: FocusArea._base_manager.get(pk=kw["pk"]).retired_on is not None,
        )
    ],
    "partners:contact-delete": [
        Confirm(
            admin_only(302, kwargs=_new_contact),
            lambda kw: not Contact._base_manager.filter(pk=kw["pk"]).exists(),
        )
    ],
    # These two ask first without confirm_then; the same promise holds.
    "partners:invitation-revoke": [
        Confirm(
            admin_only(302, kwargs=_invitation),
            lambda kw: Invitation._base_manager.get(pk=kw["pk"]).revoked_at is not None,
        )
    ],
    "manage:member-deactivate": [
        Confirm(
            admin_only(302, kwargs=_new_member),
            lambda kw: not TenantMembership._base_manager.get(pk=kw["pk"]).is_active,
        )
    ],
    "recommendation-link-remove": [
        Confirm(
            admin_only(302, kwargs=_recommendation_link),
            lambda kw: not RecommendationLink._base_manager.filter(pk=kw["pk"]).exists(),
        )
    ],
    "manage:recommendation-delete": [
        Confirm(
            admin_only(302, kwargs=_recommendation),
            lambda kw: not Recommendation._base_manager.filter(pk=kw["pk"]).exists(),
        )
    ],
    # Each person withdraws their own (tests/engagement/test_identity.py checks whose).
    "self-identification-withdraw": [
        Confirm(every_member(302, kwargs=_everyone_identified), _someone_withdrew)
    ],
    "goal-delete": [
        Confirm(
            runs_table(302, kwargs=_goal),
            lambda kw: not RepresentationGoal._base_manager.filter(pk=kw["pk"]).exists(),
        ),
        Confirm(
            runs_members_only_table(302, kwargs=lambda w: _goal(w, "ipv")),
            lambda kw: not RepresentationGoal._base_manager.filter(pk=kw["pk"]).exists(),
        ),
    ],
    # Each person's own note: its author (the coordinator) and admins may delete it.
    "indicators:note-delete": [
        Confirm(
            runs_a_table(302, kwargs=_note),
            lambda kw: not StoryNote._base_manager.filter(pk=kw["pk"]).exists(),
        )
    ],
    "indicators:status-override-clear": [
        Confirm(admin_only(302, kwargs=_overridden), _override_gone),
    ],
    "manage:survey-delete": [
        Confirm(
            admin_only(302, kwargs=_survey_only),
            lambda kw: not Survey._base_manager.filter(pk=kw["pk"]).exists(),
        )
    ],
    "manage:survey-status": [
        Confirm(
            admin_only(302, kwargs=lambda w: {**_survey_only(w), "to": "open"}),
            lambda kw: Survey._base_manager.get(pk=kw["pk"]).status == "open",
        )
    ],
    "manage:survey-section-delete": [
        Confirm(
            admin_only(302, kwargs=_survey_section),
            lambda kw: not SurveySection._base_manager.filter(pk=kw["section_pk"]).exists(),
        )
    ],
    "manage:survey-question-delete": [
        Confirm(
            admin_only(302, kwargs=_survey_question),
            lambda kw: not Question._base_manager.filter(pk=kw["question_pk"]).exists(),
        )
    ],
    "manage:survey-remind": [
        Confirm(
            admin_only(302, kwargs=lambda w: _survey_only(w, "open")),
            lambda kw: SurveyMailing._base_manager.filter(survey_id=kw["pk"]).exists(),
        )
    ],
}


def test_every_confirmation_view_has_its_post_rows() -> None:
    asking = {name for name, view in TENANT_VIEWS.items() if "confirm_then" in names_in(view)}
    assert asking - set(CONFIRM) == set(), "views asking first with no POST rows here"
    assert {name for name in CONFIRM if METHODS[name] != GET_POST} == set()


CONFIRM_CASES = [(name, index) for name, rows in CONFIRM.items() for index in range(len(rows))]


@pytest.mark.parametrize(
    ("name", "index"), CONFIRM_CASES, ids=[f"{n}-{i}" for n, i in CONFIRM_CASES]
)
def test_a_confirmed_post_acts_only_for_those_allowed(
    world: World, client_for, name: str, index: int
) -> None:
    """Each person's POST on a fresh object of their own: 302 and done for those allowed, 403
    for members without the right, 404 for who may not know it exists, the login page for
    strangers; and for anyone refused, nothing at all changes. Lakeshore's administrator also
    tries Halton's object at Lakeshore's address of it (404). The whole row at once, as
    (answer, done, anything changed)."""
    confirm = CONFIRM[name][index]
    actual, expected = {}, {}
    for role in (*ROLES, ANONYMOUS, AT_HOME):
        kwargs = confirm.row.kwargs(world)
        tenant = world.lakeshore if role == AT_HOME else world.halton
        url = reverse(name, kwargs={"tenant_slug": tenant.slug, **kwargs})
        client = client_for("outsider" if role == AT_HOME else role)
        before = snapshot()
        answer = _outcome(client.post(url))
        key = role or "anonymous"
        actual[key] = (answer, confirm.done(kwargs), changes(before, snapshot()) != {})
        allowed = 404 if role == AT_HOME else confirm.row.expected(role)
        expected[key] = (allowed, allowed == 302, allowed == 302)
    assert actual == expected, name


# -- another plan's objects in a form --------------------------------------------------------

REFUSED = "refused"  # the in-place forms' answer: back where they were, with an error message


@dataclass(frozen=True)
class Form:
    """Two posts to one form: `accepted` names the plan's own objects and offered values;
    `refused` names another plan's object (or a value the page does not offer)."""

    kwargs: dict[str, object]
    accepted: dict[str, object]
    refused: dict[str, object]
    refused_kwargs: dict[str, object] | None = None  # when the URL names the other plan's object
    prepare: Callable[[Client, str], object] | None = None  # an earlier step (an upload)


@dataclass(frozen=True)
class Field:
    """A field that names an object or offers choices, and the answer to a refused value."""

    name: str  # the URL
    field: str
    answer: int | str
    build: Callable[[Plan, Plan], Form]  # (the plan posting, the other plan)
    across: bool = True  # names the other plan's objects: posted from both plans


def _measure_form(organization: Organization) -> dict[str, object]:
    return {
        "name": "Days to first counselling appointment",
        "kind": "how_well",
        "unit": "days",
        "unit_kind": "amount",
        "direction": "down",
        "baseline_value": "45",
        "baseline_date": "2024-01-01",
        "target_value": "30",
        "target_date": "2027-12-31",
        "data_source": "",
        "reporting_organization": organization.pk,
    }


def _table_form(home: Plan, *focus_areas: FocusArea) -> dict[str, object]:
    table = home.table
    return {
        "name": table.name,
        "zone": table.zone,
        "visibility": table.visibility,
        "start_date": "",
        "purpose": "Shorter waits for youth counselling.",
        "terms_of_reference": "",
        "focus_areas": [area.pk for area in focus_areas],
    }


def _onboard_form(home: Plan, **fields: object) -> dict[str, object]:
    return {
        "name": "Youth housing",
        "zone": "prevention",
        "visibility": "tenant",
        "start_date": "",
        "purpose": "",
        "coordinator_email": home.member.email,
        **fields,
    }


def _in_scope(home: Plan, make: Callable[[], object]) -> object:
    with scope(tenant=home.tenant):
        return make()


def _home_meeting(home: Plan, *, past: bool = False) -> Meeting:
    start = timezone.now() + timedelta(days=-1 if past else 1)
    return _in_scope(
        home,
        lambda: meeting_schedule(
            table=home.table,
            actor=home.admin,
            title="Regular meeting",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
        ),
    )


def _decision_form(home: Plan, other: Plan) -> Form:
    meeting = _home_meeting(home)
    decision = _in_scope(
        home, lambda: decision_add(meeting=meeting, actor=home.admin, text="Pilot a joint shift.")
    )
    kwargs = {"table_slug": home.table.slug, "pk": meeting.pk, "decision_pk": decision.pk}
    return Form(
        kwargs,
        accepted={"owner_organization": home.organization.pk},
        refused={"owner_organization": other.organization.pk},
    )


def _draft_survey_in(plan: Plan) -> tuple[int, int, int]:
    """A draft survey of the plan with one yes/no question: (survey, section, question)."""
    from engagement.services.surveys import survey_create, survey_question_add

    def make():
        survey = survey_create(tenant=plan.tenant, actor=plan.admin, title="Partner survey")
        section = survey.sections.get()
        question = survey_question_add(
            section=section, actor=plan.admin, kind="yes_no", text="Useful?"
        )
        return survey.pk, section.pk, question.pk

    return _in_scope(plan, make)


def _question_new_form(home: Plan, other: Plan) -> Form:
    survey, section, question = _draft_survey_in(home)
    _o_survey, _o_section, foreign = _draft_survey_in(other)
    fields = {"kind": "single", "text": "Why?", "options": "Time\nMoney"}
    return Form(
        {"pk": survey, "section_pk": section},
        accepted={**fields, "condition": f"{question}:yes"},
        refused={**fields, "condition": f"{foreign}:yes"},
    )


def _question_edit_form(home: Plan, other: Plan) -> Form:
    from engagement.services.surveys import survey_question_add

    survey, section, question = _draft_survey_in(home)
    _o_survey, _o_section, foreign = _draft_survey_in(other)

    def later():
        from engagement.models import SurveySection

        return survey_question_add(
            section=SurveySection.objects.get(pk=section), actor=home.admin, kind="yes_no",
            text="Later?",
        ).pk  # fmt: skip

    edited = _in_scope(home, later)
    return Form(
        {"pk": survey, "question_pk": edited},
        accepted={"text": "Later, then?", "condition": f"{question}:no"},
        refused={"text": "Later, then?", "condition": f"{foreign}:no"},
    )


def _action_form(organization: Organization) -> dict[str, object]:
    return {
        "title": "Map referral pathways",
        "description": "",
        "owner_organization": organization.pk,
        "due_date": "",
        "priority": "normal",
    }


def _staff_of(plan: Plan) -> User:
    """A new person working at the plan's organization now (a possible owner person)."""
    user = UserFactory(email=f"staff{next(_fresh)}@{plan.tenant.slug}.example")
    MembershipFactory(tenant=plan.tenant, user=user)
    _in_scope(
        plan,
        lambda: organization_staff_add(
            organization=plan.organization, user=user, role=OrgRole.STAFF, actor=plan.admin
        ),
    )
    return user


def _owned_action_form(home: Plan, other: Plan, field: str) -> Form:
    """Adding an action with an owner person, or an organization: another plan's is
    refused."""
    accepted = {**_action_form(home.organization), "owner": _staff_of(home).pk}
    foreign = {"owner": _staff_of(other).pk, "owner_organization": other.organization.pk}
    return Form(_table(home), accepted=accepted, refused={**accepted, field: foreign[field]})


def _action_edit_form(home: Plan, other: Plan, field: str) -> Form:
    action = _in_scope(
        home,
        lambda: action_create(
            table=home.table,
            title="Map referral pathways",
            actor=home.admin,
            owner_organization=home.organization,
        ),
    )
    accepted = {
        **_action_form(home.organization),
        "owner": _staff_of(home).pk,
        "priority": "high",
        "due_change_reason": "",
    }
    foreign = {"owner": _staff_of(other).pk, "owner_organization": other.organization.pk}
    return Form(
        {"table_slug": home.table.slug, "pk": action.pk},
        accepted=accepted,
        refused={**accepted, field: foreign[field]},
    )


def _decision_owner_form(home: Plan, other: Plan) -> Form:
    form = _decision_form(home, other)
    accepted = {**form.accepted, "owner": _staff_of(home).pk, "priority": "normal"}
    return Form(form.kwargs, accepted=accepted, refused={**accepted, "owner": _staff_of(other).pk})


def _measure_edit_form(home: Plan, other: Plan, **refused: object) -> Form:
    measure = _in_scope(
        home,
        lambda: measure_create(table=home.table, actor=home.admin, **_measure_fields()),
    )
    accepted = {
        "name": "Days to a first counselling appointment",
        "unit": "days",
        "unit_kind": "amount",
        "target_value": "28",
        "target_date": "2028-06-30",
        "data_source": "",
        "reporting_organization": home.organization.pk,
    }
    return Form(
        {"table_slug": home.table.slug, "pk": measure.pk},
        accepted=accepted,
        refused={**accepted, **refused},
    )


def _measure_fields() -> dict[str, object]:
    return {
        "name": "Days to first counselling appointment",
        "kind": "how_well",
        "unit": "days",
        "direction": "down",
        "baseline_value": Decimal(45),
        "baseline_date": date(2024, 1, 1),
        "target_value": Decimal(30),
        "target_date": date(2027, 12, 31),
    }


def _membership_pk(plan: Plan) -> int:
    return TenantMembership._base_manager.get(tenant=plan.tenant, user=plan.member).pk


def _action_done(home: Plan, other: Plan) -> Form:
    def make():
        action = action_create(table=home.table, title="Map referral pathways", actor=home.admin)
        action_update(action=action, actor=home.admin, text="", status="done")
        return action

    action = _in_scope(home, make)
    return Form(
        {"table_slug": home.table.slug, "pk": action.pk},
        # A done action may be reopened only: "blocked" is not offered.
        accepted={"status": "in_progress", "text": "Reopened."},
        refused={"status": "blocked", "text": "Blocked."},
    )


def _rsvp(home: Plan, other: Plan) -> Form:
    _in_scope(
        home,
        lambda: table_seat_add(
            table=home.table, user=home.admin, role=SeatRole.MEMBER, actor=home.admin
        ),
    )
    meeting = _home_meeting(home)
    return Form(
        {"table_slug": home.table.slug, "pk": meeting.pk},
        accepted={"rsvp": "attending"},
        refused={"rsvp": "maybe"},
    )


def _record(home: Plan, other: Plan) -> Form:
    def make():
        table_seat_add(table=home.table, user=home.member, role=SeatRole.MEMBER, actor=home.admin)
        seated = TableSeat.objects.current().filter(table=home.table).values_list("user_id")
        at_table = TableOrganization.objects.current().filter(table=home.table)
        return list(seated), list(at_table.values_list("organization_id"))

    seated, organizations = _in_scope(home, make)
    meeting = _home_meeting(home, past=True)
    present = {f"attendance_{user_id}": "present" for (user_id,) in seated} | {
        f"org_{org_id}": "present" for (org_id,) in organizations
    }
    return Form(
        {"table_slug": home.table.slug, "pk": meeting.pk},
        accepted=present,
        refused={**present, f"attendance_{seated[0][0]}": "asleep"},
    )


def _representative(home: Plan, other: Plan) -> Form:
    """The person who represented an organization: one of its own people, never another
    plan's member."""

    def make():
        organization_staff_add(
            organization=home.organization, user=home.member, role=OrgRole.STAFF, actor=home.admin
        )
        at_table = TableOrganization.objects.current().filter(table=home.table)
        seated = TableSeat.objects.current().filter(table=home.table)
        return (
            [f"org_{pk}" for pk in at_table.values_list("organization_id", flat=True)],
            [f"attendance_{pk}" for pk in seated.values_list("user_id", flat=True)],
        )

    organizations, seats = _in_scope(home, make)
    meeting = _home_meeting(home, past=True)
    present = dict.fromkeys([*organizations, *seats], "present")
    rep = f"rep_{home.organization.pk}"
    return Form(
        {"table_slug": home.table.slug, "pk": meeting.pk},
        accepted={**present, rep: home.member.pk},
        refused={**present, rep: other.member.pk},
    )


def _indicator_upload(home: Plan, other: Plan) -> Form:
    def file() -> SimpleUploadedFile:
        return SimpleUploadedFile(
            "local.csv", b"indicator,geography,period,value\nL.1,Oakville,2024,3\n"
        )

    return Form(
        {},
        accepted={"file": file(), "file_format": "tidy"},
        refused={"file": file(), "file_format": "spreadsheet"},
    )


def _import(home: Plan, other: Plan) -> Form:
    """The columns of an uploaded file of organizations, with a sector the page does not
    offer for rows without one."""

    def record() -> dict[str, object]:
        with scope(tenant=home.tenant):
            record = organization_import_start(
                tenant=home.tenant,
                upload=BytesIO(b"name\nHalton Youth Shelter\n"),
                file_name="organizations.csv",
                actor=home.admin,
            )
        return {"pk": record.pk}

    columns = {"name": "0", "sector": "", "website": "", "contact_email": ""}
    return Form(
        record(),
        accepted={**columns, "default_sector": "housing"},
        refused={**columns, "default_sector": "shelter"},
    )


def _second_area(home: Plan) -> FocusArea:
    """A focus area after the plan's first one, so that it can move up."""
    return _in_scope(
        home,
        lambda: FocusArea.objects.create(
            tenant=home.tenant, name="Second area", slug="second-area", position=1
        ),
    )


def _table(home: Plan) -> dict[str, object]:
    return {"table_slug": home.table.slug}


def _org_slug(home: Plan) -> dict[str, object]:
    return {"org_slug": home.organization.slug}


def _indicator_plan(home: Plan, code: str) -> tuple[Indicator, Action]:
    """A shared indicator the plan's table works on, and an action of that table."""
    with scopes_disabled():
        indicator = Indicator.objects.filter(code=code, tenant=None).first()
    if indicator is None:
        indicator = indicator_values_build(None, code=code, years=range(2019, 2021))

    def make() -> Action:
        IndicatorTable.objects.get_or_create(
            tenant=home.tenant, indicator=indicator, table=home.table,
            defaults={"added_by": home.admin},
        )  # fmt: skip
        return action_create(table=home.table, title="Walk-in counselling", actor=home.admin)

    return indicator, _in_scope(home, make)


def _note_form(home: Plan, other: Plan) -> Form:
    indicator, action = _indicator_plan(home, "3.8.1")
    _, foreign = _indicator_plan(other, "3.8.1")
    note = {"written_on": "2025-01-02", "text": "Wait lists grew."}
    return Form(
        {"indicator": indicator.slug},
        accepted={**note, "actions": [action.pk]},
        refused={**note, "actions": [action.pk, foreign.pk]},
    )


def _note_edit_form(home: Plan, other: Plan) -> Form:
    form = _note_form(home, other)
    indicator = Indicator._base_manager.get(slug=form.kwargs["indicator"], tenant=None)
    note = _in_scope(
        home,
        lambda: story_note_create(
            tenant=home.tenant, indicator=indicator, author=home.admin,
            written_on=date(2025, 1, 1), text="First look.",
        ),
    )  # fmt: skip
    return Form({**form.kwargs, "pk": note.pk}, accepted=form.accepted, refused=form.refused)


FOREIGN: list[Field] = [
    Field(
        "tables:organization-add",
        "organization",
        400,
        lambda home, other: Form(
            _table(home),
            accepted={"org-organization": home.newcomer.pk, "org-role": "member"},
            refused={"org-organization": other.newcomer.pk, "org-role": "member"},
        ),
    ),
    Field(
        "tables:seat-add",
        "organization",
        400,
        lambda home, other: Form(
            _table(home),
            accepted={
                "seat-email": home.member.email,
                "seat-role": "member",
                "seat-organization": home.organization.pk,
            },
            refused={
                "seat-email": home.member.email,
                "seat-role": "member",
                "seat-organization": other.organization.pk,
            },
        ),
    ),
    Field(
        "tables:seat-add",
        "email",
        400,
        lambda home, other: Form(
            _table(home),
            accepted={"seat-email": home.member.email, "seat-role": "member"},
            refused={"seat-email": other.member.email, "seat-role": "member"},
        ),
    ),
    Field(
        "tables:invite",
        "organization",
        400,
        lambda home, other: Form(
            _table(home),
            accepted={
                "invite-email": "newcomer@example.org",
                "invite-seat_role": "member",
                "invite-organization": home.organization.pk,
                "invite-org_role": "staff",
            },
            refused={
                "invite-email": "newcomer@example.org",
                "invite-seat_role": "member",
                "invite-organization": other.organization.pk,
                "invite-org_role": "staff",
            },
        ),
    ),
    Field(
        "tables:edit",
        "focus_areas",
        400,
        lambda home, other: Form(
            _table(home),
            accepted=_table_form(home, home.focus_area),
            refused=_table_form(home, home.focus_area, other.focus_area),
        ),
    ),
    Field(
        "manage:table-new",
        "focus_areas",
        400,
        lambda home, other: Form(
            {},
            accepted=_onboard_form(home, focus_areas=[home.focus_area.pk]),
            refused=_onboard_form(home, focus_areas=[home.focus_area.pk, other.focus_area.pk]),
        ),
    ),
    Field(
        "manage:table-new",
        "lead_organization",
        400,
        lambda home, other: Form(
            {},
            accepted=_onboard_form(home, lead_organization=home.newcomer.pk),
            refused=_onboard_form(home, lead_organization=other.newcomer.pk),
        ),
    ),
    Field(
        "manage:table-new",
        "member_organizations",
        400,
        lambda home, other: Form(
            {},
            accepted=_onboard_form(home, member_organizations=[home.newcomer.pk]),
            refused=_onboard_form(home, member_organizations=[home.newcomer.pk, other.newcomer.pk]),
        ),
    ),
    Field(
        "tables:outcomes",
        "reporting_organization",
        400,
        lambda home, other: Form(
            _table(home),
            accepted=_measure_form(home.organization),
            refused=_measure_form(other.organization),
        ),
    ),
    Field(
        "tables:decision-action",
        "owner_organization",
        400,
        lambda home, other: (
            lambda form: Form(
                form.kwargs,
                accepted={**form.accepted, "priority": "normal"},
                refused={**form.refused, "priority": "normal"},
            )
        )(_decision_form(home, other)),
    ),
    Field("tables:decision-action", "owner", 400, _decision_owner_form),
    Field(
        "tables:actions", "owner", 400, lambda home, other: _owned_action_form(home, other, "owner")
    ),
    Field(
        "tables:action-edit",
        "owner_organization",
        400,
        lambda home, other: _action_edit_form(home, other, "owner_organization"),
    ),
    Field(
        "tables:action-edit",
        "owner",
        400,
        lambda home, other: _action_edit_form(home, other, "owner"),
    ),
    Field(
        "tables:measure-edit",
        "reporting_organization",
        400,
        lambda home, other: _measure_edit_form(
            home, other, reporting_organization=other.organization.pk
        ),
    ),
    Field(
        "tables:measure-edit",
        "unit_kind",
        400,
        lambda home, other: _measure_edit_form(home, other, unit_kind="furlongs"),
        across=False,
    ),
    Field(
        "indicators:tables",
        "tables",
        400,
        lambda home, other: Form(
            _shared_indicator(None, "16.2.1"),
            accepted={"tables": [home.table.pk]},
            refused={"tables": [home.table.pk, other.table.pk]},
        ),
    ),
    Field("indicators:notes", "actions", 400, _note_form),
    Field("indicators:note-edit", "actions", 400, _note_edit_form),
    Field(
        "tables:actions",
        "owner_organization",
        400,
        lambda home, other: Form(
            _table(home),
            accepted=_action_form(home.organization),
            refused=_action_form(other.organization),
        ),
    ),
    Field(
        "manage:member-role",
        "pk in the address",
        404,
        lambda home, other: Form(
            {"pk": _membership_pk(home)},
            accepted={"role": "leadership"},
            refused={"role": "leadership"},
            refused_kwargs={"pk": _membership_pk(other)},
        ),
    ),
    Field(
        "partners:staff-add",
        "email",
        REFUSED,
        lambda home, other: Form(
            _org_slug(home),
            accepted={"email": home.member.email, "role": "staff", "title": ""},
            refused={"email": other.member.email, "role": "staff", "title": ""},
        ),
    ),
    # Choices that are the same in every plan: a value the page does not offer.
    Field(
        "indicators:status-override",
        "status",
        400,
        lambda home, other: Form(
            _shared_indicator(None, "3.8.1"),
            accepted={"status": "limited_progress", "reason": "A break.", "step": "confirm"},
            refused={"status": "off_track", "reason": "A break.", "step": "confirm"},
        ),
        across=False,
    ),
    Field("tables:action-update", "status", 400, _action_done, across=False),
    Field(
        "tables:status",
        "status",
        REFUSED,
        lambda home, other: Form(
            _table(home),
            accepted={"status": "active", "step": "confirm", "reason": "Terms agreed."},
            refused={"status": "paused", "step": "confirm", "reason": "Terms agreed."},
        ),
        across=False,
    ),
    Field(
        "manage:member-role",
        "role",
        REFUSED,
        lambda home, other: Form(
            {"pk": _membership_pk(home)}, accepted={"role": "leadership"}, refused={"role": "owner"}
        ),
        across=False,
    ),
    Field(
        "manage:security",
        "mfa_policy",
        400,
        lambda home, other: Form(
            {}, accepted={"mfa_policy": "admins"}, refused={"mfa_policy": "sometimes"}
        ),
        across=False,
    ),
    Field(
        "partners:invitations",
        "role",
        400,
        lambda home, other: Form(
            {},
            accepted={"email": "newcomer@example.org", "role": "member"},
            refused={"email": "newcomer@example.org", "role": "owner"},
        ),
        across=False,
    ),
    Field(
        "partners:staff-add",
        "role",
        REFUSED,
        lambda home, other: Form(
            _org_slug(home),
            accepted={"email": home.member.email, "role": "staff", "title": ""},
            refused={"email": home.member.email, "role": "owner", "title": ""},
        ),
        across=False,
    ),
    Field(
        "manage:organization-new",
        "sector",
        400,
        lambda home, other: Form(
            {},
            accepted={"name": "Halton Youth Shelter", "sector": "housing"},
            refused={"name": "Halton Youth Shelter", "sector": "shelter"},
        ),
        across=False,
    ),
    Field("manage:organization-import-columns", "default_sector", 400, _import, across=False),
    Field("manage:indicator-imports", "file_format", 400, _indicator_upload, across=False),
    Field(
        "partners:organization-edit",
        "sector",
        400,
        lambda home, other: Form(
            _org_slug(home),
            accepted={"name": "Halton Youth Services", "sector": "housing", "is_active": "on"},
            refused={"name": "Halton Youth Services", "sector": "shelter", "is_active": "on"},
        ),
        across=False,
    ),
    Field(
        "manage:focus-area-move",
        "direction",
        400,
        lambda home, other: Form(
            {"pk": _second_area(home).pk},
            accepted={"direction": "up"},
            refused={"direction": "left"},
        ),
        across=False,
    ),
    Field(
        "manage:focus-area-move",
        "pk in the address",
        404,
        lambda home, other: Form(
            {"pk": _second_area(home).pk},
            accepted={"direction": "up"},
            refused={"direction": "up"},
            refused_kwargs={"pk": other.focus_area.pk},
        ),
    ),
    Field(
        "meeting-notices",
        "meeting_notices",
        400,
        lambda home, other: Form(
            {}, accepted={"meeting_notices": "off"}, refused={"meeting_notices": "sometimes"}
        ),
        across=False,
    ),
    Field("tables:meeting-rsvp", "rsvp", REFUSED, _rsvp, across=False),
    Field("tables:meeting-record", "attendance", 400, _record, across=False),
    Field("tables:meeting-record", "representative", 400, _representative),
    Field(
        "digest-settings",
        "frequency",
        400,
        lambda home, other: Form(
            {}, accepted={"frequency": "monthly"}, refused={"frequency": "daily"}
        ),
        across=False,
    ),
    Field(
        "manage:digests",
        "weekday",
        400,
        lambda home, other: Form(
            {},
            accepted={"weekday": "2", "hour": "8", "is_enabled": "on"},
            refused={"weekday": "9", "hour": "8", "is_enabled": "on"},
        ),
        across=False,
    ),
    Field("manage:survey-question-new", "condition", 400, _question_new_form),
    Field("manage:survey-question-edit", "condition", 400, _question_edit_form),
    Field(
        "manage:survey-question-new",
        "kind",
        400,
        lambda home, other: Form(
            {k: v for k, v in zip(("pk", "section_pk"), _draft_survey_in(home)[:2], strict=True)},
            accepted={"kind": "yes_no", "text": "Useful?"},
            refused={"kind": "essay", "text": "Useful?"},
        ),
        across=False,
    ),
]


def _home_recommendation(home: Plan) -> dict[str, object]:
    return {"pk": recommendation_build(home.tenant, actor=home.admin).pk}


def _link_form(home: Plan, other: Plan) -> Form:
    mine = action_build(home.table, actor=home.admin, title="Publish quarterly progress")
    theirs = action_build(other.table, actor=other.admin, title="Publish quarterly progress")
    return Form(
        _home_recommendation(home),
        accepted={"link-action": mine.pk, "link-weight": 1},
        refused={"link-action": theirs.pk, "link-weight": 1},
    )


def _survey_in(plan: Plan) -> Survey:
    with scope(tenant=plan.tenant):
        return Survey.objects.create(
            tenant=plan.tenant, title="Partner engagement survey", created_by=plan.admin
        )


def _home_plan_action(home: Plan) -> dict[str, object]:
    rec = recommendation_build(home.tenant, actor=home.admin)
    with scope(tenant=home.tenant):
        return {"pk": plan_action_create(recommendation=rec, actor=home.admin, title="Report").pk}


def _recommendation_form(owner: User, **fields: object) -> dict[str, object]:
    return {
        "number": 90, "title": "More lived experience in decisions", "theme": "",
        "source_report": "", "source_date": "", "partners_said": "", "owner": owner.pk,
        "progress_method": "plain", "status": "not_started", "percent": 0, **fields,
    }  # fmt: skip


FOREIGN += [
    Field(
        "self-identification",
        "answer",
        400,
        lambda home, other: Form(
            {},
            accepted={"indigenous": "yes", "consent": "on"},
            refused={"indigenous": "maybe", "consent": "on"},
        ),
        across=False,
    ),
    Field(
        "manage:self-identification",
        "asked",
        400,
        lambda home, other: Form(
            {},
            accepted={"asked": ["youth"], "reported": ["youth"]},
            refused={"asked": ["everything"], "reported": []},
        ),
        across=False,
    ),
    Field(
        "table-goals",
        "sector",
        400,
        lambda home, other: Form(
            _table(home),
            accepted={"kind": "sector", "sector": "police", "target": 1},
            refused={"kind": "sector", "sector": "military", "target": 1},
        ),
        across=False,
    ),
    Field(
        "table-goals",
        "kind",
        400,
        lambda home, other: Form(
            _table(home),
            accepted={"kind": "advisor", "target": 1},
            refused={"kind": "celebrity", "target": 1},
        ),
        across=False,
    ),
    Field("recommendation-link", "action", 400, _link_form),
    Field(
        "recommendation-plan-action",
        "owner",
        400,
        lambda home, other: Form(
            _home_recommendation(home),
            accepted={"plan-title": "Report", "plan-owner": home.member.pk, "plan-weight": 1},
            refused={"plan-title": "Report", "plan-owner": other.member.pk, "plan-weight": 1},
        ),
    ),
    Field(
        "plan-action",
        "owner",
        400,
        lambda home, other: Form(
            _home_plan_action(home),
            accepted={"title": "Report", "status": "planned", "owner": home.member.pk},
            refused={"title": "Report", "status": "planned", "owner": other.member.pk},
        ),
    ),
    Field(
        "plan-action",
        "status",
        400,
        lambda home, other: Form(
            _home_plan_action(home),
            accepted={"title": "Report", "status": "in_progress"},
            refused={"title": "Report", "status": "sometimes"},
        ),
        across=False,
    ),
    Field(
        "manage:recommendation-new",
        "owner",
        400,
        lambda home, other: Form(
            {},
            accepted=_recommendation_form(home.member),
            refused=_recommendation_form(other.member),
        ),
    ),
    Field(
        "manage:recommendation-new",
        "progress_method",
        400,
        lambda home, other: Form(
            {},
            accepted=_recommendation_form(home.member),
            refused=_recommendation_form(home.member, progress_method="median"),
        ),
        across=False,
    ),
    Field(
        "manage:recommendation-new",
        "survey",
        400,
        lambda home, other: Form(
            {},
            accepted=_recommendation_form(home.member, survey=_survey_in(home).pk),
            refused=_recommendation_form(home.member, survey=_survey_in(other).pk),
        ),
    ),
    Field(
        "manage:recommendation-edit",
        "owner",
        400,
        lambda home, other: Form(
            _home_recommendation(home),
            accepted=_recommendation_form(home.member),
            refused=_recommendation_form(other.member),
        ),
    ),
]


def test_every_form_with_choices_is_in_the_foreign_id_table() -> None:
    """A view that takes a POST through a form with choices (an organization, focus areas, a
    role, a status...) has its row in FOREIGN."""
    offering = {
        name
        for name, view in TENANT_VIEWS.items()
        if "POST" in METHODS[name] and has_choice_field(view)
    }
    listed = {case.name for case in FOREIGN}
    assert offering - listed == set(), "forms with choices not in FOREIGN"
    assert listed - set(TENANT_VIEWS) == set(), "in FOREIGN but gone"


def _post(client: Client, url: str, data: dict[str, object]) -> int | str:
    """The answer to one post: its status, or REFUSED for a redirect with an error message.
    Messages not yet shown from an earlier post are dropped first, to read this one's only."""
    client.cookies.pop(CookieStorage.cookie_name, None)
    response = client.post(url, data)
    errors = [m for m in get_messages(response.wsgi_request) if m.level == messages.ERROR]
    if response.status_code == 302 and errors:
        return REFUSED
    return response.status_code


FOREIGN_CASES = [
    (case, home)
    for case in FOREIGN
    for home in (("halton", "lakeshore") if case.across else ("halton",))
]


@pytest.mark.parametrize(
    ("case", "home_slug"),
    FOREIGN_CASES,
    ids=[f"{c.name}-{c.field.replace(' ', '-')}-from-{h}" for c, h in FOREIGN_CASES],
)
def test_a_form_refuses_another_plans_objects(world: World, case: Field, home_slug: str) -> None:
    """A plan's administrator, who may use the form, names the other plan's object in it (or a
    value the page does not offer): refused, and nothing changes in either plan. The same post
    naming the plan's own object then goes through, so the refusal was the foreign id's."""
    halton, lakeshore = plans(world)
    home, other = (halton, lakeshore) if home_slug == "halton" else (lakeshore, halton)
    form = case.build(home, other)
    url = reverse(case.name, kwargs={"tenant_slug": home.tenant.slug, **form.kwargs})
    refused_url = reverse(
        case.name,
        kwargs={"tenant_slug": home.tenant.slug, **(form.refused_kwargs or form.kwargs)},
    )
    client = Client()
    client.force_login(home.admin)
    if form.prepare is not None:
        form.prepare(client, url)
    before = snapshot()

    assert _post(client, refused_url, form.refused) == case.answer, refused_url
    assert changes(before, snapshot()) == {}, refused_url

    assert _post(client, url, form.accepted) == 302, url
    assert changes(before, snapshot()) != {}, f"{url}: accepted but nothing was written"


# The same from the address: Lakeshore's administrator, at Lakeshore's address, names Halton's
# object by its id (Halton's youth table has the same address in Lakeshore, so the id is what
# must be refused).
ADDRESSED = sorted(
    name
    for name, pattern in TENANT_PATTERNS.items()
    if {"pk", "decision_pk", "guest_pk"} & set(pattern.pattern.converters)
)


@pytest.mark.parametrize("name", ADDRESSED)
def test_another_plans_id_in_the_address_is_404(world: World, client_for, name: str) -> None:
    assert world.lakeshore_table.slug == world.table.slug
    kwargs = _rows(name)[0].kwargs(world)
    url = reverse(name, kwargs={"tenant_slug": world.lakeshore.slug, **kwargs})
    client = client_for("outsider")
    before = snapshot()
    actual = {method: client.generic(method, url).status_code for method in METHODS[name]}
    assert actual == dict.fromkeys(METHODS[name], 404), url
    assert changes(before, snapshot()) == {}, url
