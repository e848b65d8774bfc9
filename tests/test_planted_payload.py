"""Everything a person wrote is escaped wherever it is shown (DESIGN.md, "Output and escaping").

A fixture plants markup in every user-writable text field of every model of the portal's apps,
found by introspection, so a new model's field is covered without editing this file; then
every role of the world reads every page and export it can reach under /halton/, and every
HTML response is searched for the planted markup in raw, working form.

A text field that holds no user-written text goes in NOT_USER_TEXT with the reason; a field
that is neither planted nor listed there fails the test.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from html import unescape
from io import BytesIO
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.template import Context, Template
from django.test import Client, TestCase
from django.urls import Resolver404, URLPattern, URLResolver, resolve, reverse
from django.utils import timezone
from django.utils.html import escape
from django_scopes import scope, scopes_disabled

from cswb import tenant_urls
from cswb.models import ImportRecord, TenantMembership
from engagement.models import (
    DeliveryStatus,
    DigestDelivery,
    DigestRun,
    PlanAction,
    Question,
    QuestionKind,
    Recommendation,
    RecommendationLink,
    RepresentationGoal,
    Survey,
    SurveyDelivery,
    SurveyInvitation,
    SurveyMailing,
    SurveySection,
    SurveyStatus,
)
from engagement.selectors.digests import recipients_for_tenant
from engagement.selectors.surveys import Invitee
from engagement.services.digests import digest_run_plan
from engagement.services.identity import representation_goal_add, self_identification_save
from engagement.services.recommendations import plan_action_create
from engagement.services.surveys import (
    survey_create,
    survey_draft_save,
    survey_invite,
    survey_question_add,
    survey_response_submit,
    survey_section_add,
    survey_section_update,
    survey_status_set,
)
from indicators.models import Indicator, IndicatorTable, Source, StoryNote
from indicators.services.chain import story_note_create
from partners.models import (
    Contact,
    Invitation,
    Organization,
    OrganizationMembership,
    OrgRole,
    Sector,
)
from partners.services.importing import organization_import_start
from partners.services.invitations import invitation_create
from partners.services.organizations import organization_staff_add
from tables.models import (
    Action,
    ActionTable,
    AttendanceStatus,
    Decision,
    FocusArea,
    Guest,
    Measure,
    Meeting,
    Observation,
    ParticipationRole,
    SeatRole,
    TableOrganization,
    TableSeat,
)
from tables.services.actions import (
    action_create,
    action_edit,
    action_update,
    decision_to_action,
)
from tables.services.meetings import (
    agenda_item_add,
    calendar_token_for,
    decision_add,
    meeting_record,
    meeting_rsvp,
)
from tables.services.outcomes import observation_record
from tables.services.seats import table_organization_add, table_seat_add
from tables.services.tables import focus_areas_seed, table_update

from .builders import (
    contact_build,
    indicator_context_build,
    indicator_values_build,
    measure_build,
    meeting_build,
    organization_build,
    recommendation_build,
)
from .conftest import World
from .factories import InvitationFactory
from .test_access_matrix import MATRIX, _rows

APPS = ("cswb", "partners", "tables", "engagement", "indicators")
ROLES = ("admin", "leader", "coordinator", "partner", "member")
TENANT = "halton"

# Text fields with no user-written text in them. (Fields with `choices` are left out as well:
# they hold one of the choices, and pages show its label from the code.)
NOT_USER_TEXT = {
    "cswb.User.password": "a password hash",
    "cswb.User.email": "the login address",
    "cswb.Tenant.slug": "the first segment of every address",
    "cswb.Tenant.time_zone": "validated against the zone database; read as a ZoneInfo",
    "cswb.ActivityEvent.verb": "an event name the services choose",
    "cswb.ActivityEvent.target_id": "the target's primary key",
    "partners.Organization.slug": "generated from the name, part of addresses",
    "partners.Invitation.seat_role": "a SeatRole value the invite form chooses",
    "partners.Invitation.token_hash": "the SHA-256 of the link's secret",
    "tables.FocusArea.slug": "generated from the name",
    "tables.ActionTable.slug": "generated from the name, part of addresses",
    "tables.CalendarToken.token": "the calendar feed's secret",
    "engagement.DigestPreference.recipient": "a recipient key (user:<id> or contact:<hash>)",
    "engagement.DigestRun.week": "an ISO week key the planner computes",
    "engagement.DigestDelivery.recipient": "a recipient key",
    "engagement.DigestDelivery.period": "a period key the planner computes",
    "engagement.DigestDelivery.claim": "a worker's claim id",
    "engagement.ContactIdentityLink.token_hash": "the SHA-256 of the link's secret",
    "cswb.ImportRecord.file_format": "the name of the format adapter that read the file",
    "cswb.ImportRecord.checksum": "the SHA-256 the import computes",
    "cswb.ImportRecord.stored_path": "a storage path the import generates",
    "indicators.Domain.slug": "generated from the name, part of addresses",
    "indicators.Indicator.slug": "generated from the code, part of addresses",
    "engagement.SurveyInvitation.token_hash": "the SHA-256 of the link's secret",
    "engagement.QuestionOption.key": "an answer key made from the option's position",
    "engagement.Question.show_if_value": "an answer key of the earlier question",
    "engagement.Answer.value": "an answer key (a scale point, yes/no, an option's key)",
}

FRENCH = "the pages are in English; the French text waits for a French interface"

# Planted fields that no page shows (yet); any other planted field must appear somewhere.
NOT_SHOWN = {
    "cswb.ActivityEvent.target_repr": "the audit trail's copy of the target's name",
    "indicators.Domain.name_fr": FRENCH,
    "indicators.Indicator.name_fr": FRENCH,
    "indicators.Indicator.definition_fr": FRENCH,
    "indicators.Indicator.unit_label_fr": FRENCH,
    "indicators.Indicator.target_text_fr": FRENCH,
    "indicators.Indicator.limitations_fr": FRENCH,
    "indicators.Geography.name_fr": FRENCH,
}

# Models the database refuses to UPDATE: planted by appending a copy of each row instead.
APPEND_ONLY = {"cswb.ActivityEvent"}

# The payloads. Each occurrence is preceded by its own marker, PWN<field>x<row><variant>, so a
# finding names the field it came from and a template that evaluated the payload shows as the
# marker followed by the result ("PWN07x2T8").
VARIANTS = {
    "S": "<script>alert(1)</script>",
    "I": '"><img src=x onerror=alert(1)>',
    "H": (
        f'<div hx-post="/{TENANT}/manage/members/1/role/" hx-vals=\'{{"role":"admin"}}\' '
        'hx-trigger="load">x</div>'
    ),
    "J": "javascript:alert(1)",
    "T": "{{ 7|add:1 }}",
    "N": '{% now "Y" %}',
}
MARKER = re.compile(r"PWN(\d+)x(\d+)([SIHJTN])")

# Raw, working forms of the payloads in an HTML response.
UNESCAPED = {
    "script element": re.compile(r"<script>alert\(1\)", re.IGNORECASE),
    "img with onerror": re.compile(r"<img src=x onerror", re.IGNORECASE),
    "htmx attributes": re.compile(rf'hx-post="/{TENANT}/manage/members/1/role/', re.IGNORECASE),
    "javascript: URL in an attribute": re.compile(
        r"""\b(?:href|src|action|formaction|hx-get|hx-post)\s*=\s*["']?\s*javascript:""",
        re.IGNORECASE,
    ),
    "template evaluated": re.compile(r"PWN\d+x\d+(?:T8|N\d{4})"),
    "quote or markup right after a marker": re.compile(r'PWN\d+x\d+[SIH][<"]'),
}
# The payloads shown as text, escaped: the page displays planted data (not vacuous).
ESCAPED = re.compile(r"PWN\d+x\d+(?:S&lt;script&gt;|I&quot;&gt;&lt;img|H&lt;div hx-post=)")
PRE = re.compile(r"<pre\b[^>]*>(.*?)</pre>", re.IGNORECASE | re.DOTALL)
LINK = re.compile(r"""\b(?:href|src|hx-get)\s*=\s*("[^"]*"|'[^']*')""", re.IGNORECASE)

MAX_PAGES_PER_ROLE = 400  # responses; the world needs about 140 (admin) and 120 (the others)
MIN_PAGES_PER_ROLE = 30  # with a 200; the plain member reads about 40
# Never read, though only GET is sent: signing out would end the crawl's session.
SKIP = ("/logout",)

# The pages that show each kind of object: every role must have read one of each kind with
# planted text shown escaped (administrators also theirs).
SHOWN_BY_EVERY_ROLE = (
    "tenant-home",
    "tables:detail",
    "tables:action",
    "tables:meeting",
    "tables:measure",
    "indicators:indicator",
    "partners:organization",
    "digest-preview",
    "digest-preview-html",
    "recommendation",
    "you-said-we-did",
)
SHOWN_TO_ADMINS = (
    "manage:digest-preview",
    "manage:digest-preview-html",
    "manage:digest-run",
    "manage:members",
    "manage:focus-areas",
    "partners:invitations",
)


def _field_id(model: type[models.Model], f: models.Field) -> str:
    return f"{model._meta.app_label}.{model.__name__}.{f.name}"


def text_fields() -> list[tuple[type[models.Model], models.Field]]:
    """Every concrete text field of the portal's models, in a stable order."""
    found = []
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            for f in model._meta.get_fields():
                if isinstance(f, (models.CharField, models.TextField)) and f.concrete:
                    found.append((model, f))
    return found


def user_text_fields() -> list[tuple[type[models.Model], models.Field]]:
    return [
        (model, f)
        for model, f in text_fields()
        if not f.choices and _field_id(model, f) not in NOT_USER_TEXT
    ]


def test_every_exclusion_names_an_existing_text_field() -> None:
    """The lists name real fields: a stale entry would hide nothing today, mislead tomorrow."""
    existing = {_field_id(model, f) for model, f in text_fields()}
    assert set(NOT_USER_TEXT) - existing == set()
    planted = {_field_id(model, f) for model, f in user_text_fields()}
    assert set(NOT_SHOWN) - planted == set()
    for label in APPEND_ONLY:
        apps.get_model(label)


# -- the data ----------------------------------------------------------------------------------


def populate(world: World) -> None:
    """Rows in every model, made through the services (the planting overwrites their text):
    focus areas, a third organization, staff, contacts, invitations, actions with updates, at
    each table a meeting held (agenda, minutes, attendance, decisions, one turned into an
    action) and one coming (with an answer), a measure with observations, calendar feeds, and
    a digest run with its deliveries."""
    with scope(tenant=world.halton):
        h, admin = world.halton, world.admin
        now = timezone.now()
        focus_areas_seed(tenant=h, names=["Mental health and addictions", "Housing"])
        food_bank = organization_build(
            h, actor=admin, name="Food bank", sector=Sector.SOCIAL_SERVICES
        )
        organization_staff_add(
            organization=world.police_org, user=world.leader, role=OrgRole.ORG_ADMIN, actor=admin,
            title="Inspector",
        )  # fmt: skip
        for org in (world.youth_org, food_bank):
            contact_build(org, actor=admin)
        InvitationFactory(tenant=h, invited_by=admin)
        invitation_create(
            tenant=h, email="newcomer@youth.example", role="member", invited_by=admin,
            organization=world.youth_org, org_role=OrgRole.STAFF, table=world.table,
            seat_role=SeatRole.MEMBER,
        )  # fmt: skip

        with scope(tenant=h):
            areas = list(FocusArea.objects.all())
            tables = (world.table, world.ipv, world.food)
            for table in tables:
                table_update(
                    table=table, actor=admin, purpose="Why.", terms_of_reference="How.",
                    focus_areas=areas,
                )  # fmt: skip
            table_organization_add(
                table=world.food, organization=food_bank, role=ParticipationRole.LEAD, actor=admin
            )
            # The plain member sits at the food table only, so their digest has something in it.
            table_seat_add(table=world.food, user=world.member, role=SeatRole.MEMBER, actor=admin)
            table_seat_add(
                table=world.table, user=world.partner, role=SeatRole.MEMBER, actor=admin,
                organization=world.youth_org,
            )  # fmt: skip

            overdue = timezone.localdate() - timedelta(days=2)
            owners = [world.youth_org, world.police_org, world.youth_org, food_bank]
            for table, org in zip([world.table, *tables], owners, strict=True):
                action = action_create(
                    table=table, title="Map referral pathways", actor=admin, owner_organization=org,
                    owner=world.partner if org == world.youth_org else None,
                    description="Who refers whom.",
                )  # fmt: skip
                # A due date already past is a late commitment: set with its reason, which the
                # action's timeline shows.
                action_edit(
                    action=action, actor=admin, title=action.title,
                    description=action.description, owner_organization=org, owner=action.owner,
                    due_date=overdue, priority=action.priority,
                    due_change_reason="Agreed at the last meeting.",
                )  # fmt: skip
                action_update(action=action, actor=admin, text="Started.", status="in_progress")
                action_update(action=action, actor=world.coordinator, text="Halfway there.")
            action_update(action=action, actor=admin, status="done")

            for table in tables:
                seats = TableSeat.objects.current().filter(table=table)
                held = meeting_build(
                    table, actor=admin, hours=-48, duration_hours=2, place="Town hall",
                    video_url="https://meet.example/abc",
                )  # fmt: skip
                first = agenda_item_add(
                    meeting=held, actor=admin, title="Welcome", presenter="Chair"
                )
                agenda_item_add(meeting=held, actor=admin, title="Data", duration_minutes=20)
                meeting_record(
                    meeting=held, actor=admin,
                    attendance={s.user_id: AttendanceStatus.PRESENT for s in seats},
                    minutes={first.pk: "Everyone introduced themselves."},
                    organizations={
                        p.organization_id: (AttendanceStatus.PRESENT, None)
                        for p in TableOrganization.objects.current().filter(table=table)
                    },
                    guests=[("A guest", "Elders circle")],
                )  # fmt: skip
                decision_add(meeting=held, actor=admin, text="Meet monthly.", agenda_item=first)
                decision = decision_add(meeting=held, actor=admin, text="Pilot a joint shift.")
                decision_to_action(decision=decision, actor=admin)

                coming = meeting_build(
                    table, actor=admin, title="Next meeting", hours=72, duration_hours=2,
                    place="Library", video_url="https://meet.example/def",
                )  # fmt: skip
                agenda_item_add(meeting=coming, actor=admin, title="Review", presenter="Analyst")
                meeting_rsvp(meeting=coming, user=seats.first().user, rsvp="attending")

                measure_build(
                    table, actor=admin, data_source="Intake records",
                    reporting_organization=world.youth_org,
                    observations=[(date(2024, 12, 31), 40), (date(2025, 6, 30), 36)],
                    note="Counted by hand.",
                )  # fmt: skip

            # A shared indicator and one of the tenant's own, with everything around it.
            indicator_values_build(None, code="3.13.1", years=range(2018, 2021))
            own = indicator_values_build(
                h, code="H.1", geographies=("Oakville", "Burlington"), domain_slug="local"
            )
            indicator_context_build(h, own, actor=admin)
            # An import of organizations waiting for its columns, and one checked whose file
            # names a digest contact (the preview lists it beside the confirmation).
            for state in ("received", "checked"):
                record = organization_import_start(
                    tenant=h, upload=BytesIO(b"Name,Email\nShelter,intake@shelter.example\n"),
                    file_name="organizations.csv", actor=admin,
                )  # fmt: skip
                if state == "checked":
                    options = {**record.options, "mapping": {"name": "0", "contact_email": "1"},
                               "digest_contacts": {"count": 1, "listed": [
                                   ["intake@shelter.example", "Shelter"]]}}  # fmt: skip
                    ImportRecord.objects.filter(pk=record.pk).update(
                        state=state, rows_total=1, created_count=1, options=options
                    )
            IndicatorTable.objects.create(
                tenant=h, indicator=own, table=world.table, added_by=admin
            )
            responding = list(Action.objects.filter(table=world.table)[:1])
            story_note_create(
                tenant=h, indicator=own, author=admin, written_on=date(2025, 1, 2),
                text="Wait lists grew.", actions=responding,
                allowed_actions=[a.pk for a in responding],
            )  # fmt: skip
            # The coordinator's own note (theirs to edit), and a second source: the first
            # source's address is planted as a javascript: URL, never linked, the second as a
            # web address carrying markup.
            story_note_create(
                tenant=h, indicator=own, author=world.coordinator, written_on=date(2025, 2, 1),
                text="Referrals rose.",
            )  # fmt: skip
            Source.objects.create(
                tenant=h, indicator=own, organisation="Ontario Ministry of Health", position=1,
                url="https://example.org/data",
            )  # fmt: skip

            # A value the partner recorded: its correction pages are theirs to read too.
            reported = measure_build(
                world.table, actor=admin, name="Referrals", reporting_organization=world.youth_org
            )
            observation_record(
                measure=reported, actor=world.partner, value=Decimal(12),
                period_end=date(2025, 12, 31), note="Counted.",
            )  # fmt: skip

            # Made here because the meeting pages make them on first sight, and reading must
            # change nothing (see the snapshot in the test).
            for role in ROLES:
                calendar_token_for(user=world.user(role))
            # A recommendation with a table action, one at the members-only table, and an
            # action of the plan itself, owned by the plain member.
            recommendation = recommendation_build(
                h, actor=admin, number=1, theme="Transparency", source_report="2023 engagement",
                partners_said="Tell us what changed.", owner=world.member,
                actions=[(a, 1) for a in Action.objects.filter(table__in=[world.table, world.ipv])],
            )  # fmt: skip
            plan_action_create(recommendation=recommendation, actor=admin, title="Annual report")
            # Everyone's own self-identification (only they see its text), and a goal at the
            # youth table.
            for role in ROLES:
                self_identification_save(
                    tenant=h, asked=["indigenous"], answers={"indigenous": "yes"},
                    in_own_words="In my words.", consent=True, user=world.user(role),
                )  # fmt: skip
            representation_goal_add(
                table=world.table, actor=admin, kind="advisor", note="A lived-experience voice"
            )
            digest_run_plan(tenant=h, now=now, trigger="command")
            # The members' digests of this run failed, so their settings pages list them (and
            # link to their previews) while the next digest still covers the whole week.
            DigestDelivery.objects.filter(user__isnull=False).update(
                status=DeliveryStatus.FAILED, last_error="550 mailbox unavailable", attempts=1
            )
            survey_rows(world)


def survey_rows(world: World) -> None:
    """Three surveys: a draft (the builder's pages), an open one (invitations, one failed, a
    saved draft, a response) and a published one (members' results),
    each with a question of every kind, one of them conditional."""
    admin = world.admin
    _survey_with_questions(world, "Draft")
    named, questions = _survey_with_questions(world, "Partners", is_anonymous=False)
    # Named too: planting writes a name into every response, which the database refuses for
    # an anonymous one.
    published, published_questions = _survey_with_questions(world, "Results", is_anonymous=False)
    for survey in (named, published):
        survey_status_set(survey=survey, actor=admin, status=SurveyStatus.OPEN)
    with TestCase.captureOnCommitCallbacks(execute=True):
        mailing = survey_invite(
            survey=named, actor=admin,
            invitees=[
                Invitee(email=world.partner.email, name="Partner", user=world.partner,
                        organization_id=world.youth_org.pk),
                Invitee(email="desk@youth.example", name="Desk"),
            ],
        )  # fmt: skip
        survey_invite(
            survey=published,
            actor=admin,
            invitees=[Invitee(email=f"p{n}@youth.example", name=f"P{n}") for n in range(5)],
        )
    SurveyDelivery.objects.filter(mailing=mailing, invitation__name="Desk").update(
        status="failed", last_error="550 mailbox unavailable"
    )
    desk, partner = SurveyInvitation.objects.filter(survey=named).order_by("name")
    survey_draft_save(invitation=desk, answers={}, section_index=0)
    for asked, invitations in (
        (questions, [partner]),
        (published_questions, SurveyInvitation.objects.filter(survey=published)),
    ):
        for invitation in invitations:
            survey_response_submit(
                invitation=invitation,
                answers={
                    str(asked[1].pk): {"values": ["yes"]},
                    str(asked[-1].pk): {"text": "Said."},
                    str(asked[2].pk): {"values": ["other"], "other": "Else."},
                },
            )
    survey_status_set(survey=published, actor=admin, status=SurveyStatus.CLOSED)
    survey_status_set(survey=published, actor=admin, status=SurveyStatus.PUBLISHED)


def _survey_with_questions(world: World, title: str, *, is_anonymous: bool = True):
    admin = world.admin
    survey = survey_create(
        tenant=world.halton, actor=admin, title=title, intro="Why.", is_anonymous=is_anonymous
    )
    section = survey.sections.get()
    survey_section_update(section=section, actor=admin, description="About you.")
    questions = []
    for kind in QuestionKind.values:
        questions.append(
            survey_question_add(
                section=section,
                actor=admin,
                kind=kind,
                text=kind,
                help_text="Help.",
                options=[("A", "A"), ("B", "B")],
                allows_other=True,
                show_if=questions[1] if kind == QuestionKind.NUMBER else None,
                show_if_value="yes" if kind == QuestionKind.NUMBER else "",
            )
        )
    survey_section_add(survey=survey, actor=admin, title="More")
    return survey, questions


# -- planting ----------------------------------------------------------------------------------


@dataclass
class Planted:
    numbers: dict[str, int] = field(default_factory=dict)  # field id -> its number in markers
    rows: dict[str, int] = field(default_factory=dict)  # field id -> rows written
    models_in_tenant: dict[str, bool] = field(default_factory=dict)

    def field_of(self, number: int) -> str:
        return {n: f for f, n in self.numbers.items()}.get(number, f"field #{number}")


def _marker(number: int, row: int, variant: str) -> str:
    return f"PWN{number:02d}x{row}{variant}"


def _payload(f: models.Field, number: int, row: int) -> str:
    """The value planted in one field of one row: as many variants as fit, starting at a
    different one on each row, each after its marker; a URL is a javascript: URL or a valid
    address carrying markup; an address is one the email validator accepts."""
    if isinstance(f, models.URLField):
        if row % 2 == 0:
            return f"{VARIANTS['J']}//{_marker(number, row, 'J')}"
        return f'https://payload.example/{_marker(number, row, "S")}?q="><script>alert(1)</script>'
    codes = list(VARIANTS)
    codes = codes[row % len(codes) :] + codes[: row % len(codes)]
    if isinstance(f, models.EmailField):
        for code in codes:
            address = f'"{_marker(number, row, code)}{VARIANTS[code]}"@payload.example'
            try:
                validate_email(address)
            except ValidationError:
                continue
            if len(address) <= f.max_length:
                return address
        raise AssertionError(f"no payload fits the email field {f}")
    value = ""
    for code in codes:
        piece = _marker(number, row, code) + VARIANTS[code]
        candidate = f"{value} {piece}" if value else piece
        if f.max_length is None or len(candidate) <= f.max_length:
            value = candidate
    # Trimmed to fit if not even one piece does: the marker comes first, so it stays.
    return value or (_marker(number, row, codes[0]) + VARIANTS[codes[0]])[: f.max_length]


def plant(world: World) -> Planted:
    planted = Planted()
    by_model: dict[type[models.Model], list[models.Field]] = {}
    for number, (model, f) in enumerate(user_text_fields(), start=1):
        planted.numbers[_field_id(model, f)] = number
        by_model.setdefault(model, []).append(f)
    with scopes_disabled():
        for model, fields in by_model.items():
            label = f"{model._meta.app_label}.{model.__name__}"
            rows = list(model._base_manager.order_by("pk"))
            for row, obj in enumerate(rows):
                values = {
                    f.attname: _payload(f, planted.numbers[_field_id(model, f)], row)
                    for f in fields
                }
                if label in APPEND_ONLY:
                    copy = {
                        g.attname: getattr(obj, g.attname)
                        for g in model._meta.concrete_fields
                        if not g.primary_key
                    }
                    model._base_manager.create(**{**copy, **values})
                else:
                    model._base_manager.filter(pk=obj.pk).update(**values)
            for f in fields:
                planted.rows[_field_id(model, f)] = len(rows)
            tenant_field = next(
                (g for g in model._meta.concrete_fields if g.name == "tenant"), None
            )
            planted.models_in_tenant[label] = (
                model._base_manager.filter(tenant=world.halton).exists()
                if tenant_field is not None
                else bool(rows)
            )
    return planted


# -- the crawl -----------------------------------------------------------------------------------


@dataclass
class Page:
    role: str
    url: str
    status: int
    content_type: str
    body: str
    name: str


def _normalise(url: str, base: str) -> str | None:
    """The same-site address under /halton/ (path and sorted query), or None."""
    parts = urlsplit(urljoin(base, unescape(url)))
    if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
        return None
    if not parts.path.startswith(f"/{TENANT}/") or any(s in parts.path for s in SKIP):
        return None
    query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    return parts.path + (f"?{query}" if query else "")


def _url_name(path: str) -> str:
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return ""
    return match.view_name


def crawl(client: Client, role: str, seeds: list[str]) -> tuple[list[Page], list[str]]:
    """GET only: the tenant home and the seeds, then, breadth first, every same-site link,
    frame and hx-get under /halton/ found on the way, each address once (path and sorted
    query), at most MAX_PAGES_PER_ROLE. Returns the pages and the requests that raised."""
    home = f"/{TENANT}/"
    queue = deque([home, *seeds])
    seen = set(queue)
    pages, errors = [], []
    while queue and len(pages) < MAX_PAGES_PER_ROLE:
        url = queue.popleft()
        try:
            response = client.get(url)
        except Exception as error:
            errors.append(f"{role} GET {url} raised {error!r}")
            continue
        content_type = response.get("Content-Type", "")
        raw = b"".join(response.streaming_content) if response.streaming else response.content
        body = raw.decode(errors="replace")
        pages.append(Page(role, url, response.status_code, content_type, body, _url_name(url)))
        targets = []
        if response.status_code in (301, 302, 303):
            targets.append(response["Location"])
        if content_type.startswith("text/html"):
            targets += [value[1:-1] for value in LINK.findall(body)]
        for target in targets:
            found = _normalise(target, url)
            if found is not None and found not in seen:
                seen.add(found)
                queue.append(found)
    return pages, errors


def _routes(patterns: list, prefix: str = "", namespace: str = "") -> list[tuple[str, str]]:
    """(name, route) of every named pattern under /<tenant>/."""
    found = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found += _routes(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern) and entry.name:
            found.append((f"{namespace}{entry.name}", prefix + str(entry.pattern)))
    return found


def _table_kwargs(obj) -> dict[str, object]:
    return {"table_slug": obj.table.slug, "pk": obj.pk}


def _org_kwargs(obj) -> dict[str, object]:
    return {"org_slug": obj.organization.slug, "pk": obj.pk}


# What the <int:pk> after each path segment is, and the rest of the address it needs.
PK_SOURCES = {
    "members": (TenantMembership, lambda o: {"pk": o.pk}),
    "invitations": (Invitation, lambda o: {"pk": o.pk}),
    "runs": (DigestRun, lambda o: {"pk": o.pk}),
    "imports": (ImportRecord, lambda o: {"pk": o.pk}),
    "import": (ImportRecord, lambda o: {"pk": o.pk}),  # organizations/import/<pk>/columns/
    "organizations": (TableOrganization, _table_kwargs),
    "seats": (TableSeat, _table_kwargs),
    "meetings": (Meeting, _table_kwargs),
    "outcomes": (Measure, _table_kwargs),
    "actions": (Action, _table_kwargs),
    "staff": (OrganizationMembership, _org_kwargs),
    "contacts": (Contact, _org_kwargs),
    "recommendations": (Recommendation, lambda o: {"pk": o.pk}),
    "links": (RecommendationLink, lambda o: {"pk": o.pk}),
    "plan-actions": (PlanAction, lambda o: {"pk": o.pk}),
    "values": (
        Observation,
        lambda o: {"table_slug": o.measure.table.slug, "measure_pk": o.measure_id, "pk": o.pk},
    ),
    "goals": (RepresentationGoal, lambda o: {"pk": o.pk}),
    "focus-areas": (FocusArea, lambda o: {"pk": o.pk}),
    "notes": (StoryNote, lambda o: {"indicator": o.indicator.slug, "pk": o.pk}),
    "surveys": (Survey, lambda o: {"pk": o.pk}),
}


def _survey_part_kwargs(params: set[str]) -> list[dict[str, object]] | None:
    """A survey's sections, questions, mailings and the steps of its life, by the route's
    second parameter; None for a route that has none of them."""
    from engagement.services.surveys import TRANSITIONS

    if "section_pk" in params:
        return [{"pk": o.survey_id, "section_pk": o.pk} for o in SurveySection.objects.all()]
    if "question_pk" in params:
        return [{"pk": o.survey_id, "question_pk": o.pk} for o in Question.objects.all()]
    if "mailing_pk" in params:
        return [{"pk": o.survey_id, "mailing_pk": o.pk} for o in SurveyMailing.objects.all()]
    if "to" in params:
        return [{"pk": o.pk, "to": t} for o in Survey.objects.all() for t in TRANSITIONS[o.status]]
    return None


# Answer nothing but a 405 to GET (the access matrix has no GET row for them): not read.
POST_ONLY = {name for name in MATRIX if all(row.method != "get" for row in _rows(name))}


def seeds_from_resolver(world: World) -> tuple[list[str], list[str]]:
    """Every named tenant URL that answers GET, reversed with every object of the database
    that fills it; returns the addresses and the routes this function cannot fill."""
    urls, unknown = [], []
    with scope(tenant=world.halton):
        for name, route in _routes(tenant_urls.urlpatterns):
            if name in POST_ONLY:
                continue
            params = set(re.findall(r"<(?:\w+:)?(\w+)>", route)) - {"tenant_slug"}
            if "guest_pk" in params:
                kwargs_list = [
                    {"table_slug": g.meeting.table.slug, "pk": g.meeting_id, "guest_pk": g.pk}
                    for g in Guest.objects.select_related("meeting__table")
                ]
            elif "decision_pk" in params:
                kwargs_list = [
                    {"table_slug": d.meeting.table.slug, "pk": d.meeting_id, "decision_pk": d.pk}
                    for d in Decision.objects.select_related("meeting__table")
                ]
            elif (parts := _survey_part_kwargs(params)) is not None:
                kwargs_list = parts
            elif "pk" in params:
                segment = re.search(r"([\w-]+)/<int:pk>", route)
                source = PK_SOURCES.get(segment.group(1)) if segment else None
                if source is None:
                    unknown.append(f"{name}: {route}")
                    continue
                model, kwargs_of = source
                kwargs_list = [kwargs_of(obj) for obj in model.objects.order_by("pk")]
            elif params == {"table_slug"}:
                kwargs_list = [{"table_slug": t.slug} for t in ActionTable.objects.all()]
            elif params == {"indicator"}:
                kwargs_list = [{"indicator": i.slug} for i in Indicator.objects.all()]
            elif params == {"org_slug"}:
                kwargs_list = [{"org_slug": o.slug} for o in Organization.objects.all()]
            elif not params:
                kwargs_list = [{}]
            else:
                unknown.append(f"{name}: {route}")
                continue
            urls += [
                reverse(name, kwargs={"tenant_slug": TENANT, **kwargs}) for kwargs in kwargs_list
            ]
        # The digest previews, explicitly: each member's own, and an administrator's of
        # someone by address and of every recipient (members and digest contacts) by key.
        manage_preview = reverse("manage:digest-preview", kwargs={"tenant_slug": TENANT})
        urls += [
            reverse("digest-preview", kwargs={"tenant_slug": TENANT}),
            f"{manage_preview}?email={world.member.email}",
            f"{manage_preview}?email={world.partner.email}",
            *(
                f"{manage_preview}?{urlencode({'recipient': r.key})}"
                for r in recipients_for_tenant(tenant=world.halton)
            ),
        ]
    return [_normalise(url, "/") for url in urls], unknown


# -- the checks --------------------------------------------------------------------------------


def _snippet(body: str, start: int, end: int) -> str:
    return " ".join(body[max(0, start - 60) : end + 60].split())


def findings_in(page: Page, planted: Planted) -> list[tuple[str, str, str]]:
    """(what, field, snippet) for every planted payload that works in this HTML page."""
    found = []

    def field_near(start: int) -> str:
        markers = list(MARKER.finditer(page.body, max(0, start - 300), start + 40))
        if not markers:
            return "?"
        nearest = min(markers, key=lambda m: abs(m.start() - start))
        return planted.field_of(int(nearest.group(1)))

    for what, pattern in UNESCAPED.items():
        for match in pattern.finditer(page.body):
            found.append((what, field_near(match.start()), _snippet(page.body, *match.span())))
    for block in PRE.finditer(page.body):
        inside = block.group(1)
        if "<" in inside:
            at = block.start(1) + inside.index("<")
            found.append(("unescaped < inside <pre>", field_near(at), _snippet(page.body, at, at)))
    return found


def test_the_detector_tells_escaped_text_from_working_markup() -> None:
    """The checks themselves: silent on the payloads escaped, loud on each one raw, rendered
    as a template, or put in a link."""
    planted = Planted(numbers={"app.Model.field": 1})
    raw = " ".join(_marker(1, 0, code) + text for code, text in VARIANTS.items())

    def kinds(body: str) -> set[str]:
        return {what for what, _, _ in findings_in(Page("admin", "/", 200, "", body, ""), planted)}

    assert kinds(f"<p>{escape(raw)}</p><pre>{escape(raw)}</pre>") == set()
    assert ESCAPED.search(escape(raw))
    assert kinds(f"<p>{raw}</p>") >= {
        "script element", "img with onerror", "htmx attributes",
        "quote or markup right after a marker",
    }  # fmt: skip
    assert kinds(f"<pre>{raw}</pre>") >= {"unescaped < inside <pre>"}
    template = " ".join(_marker(1, 0, code) + VARIANTS[code] for code in "TN")
    evaluated = Template(template).render(Context())
    assert [
        what for what, _, _ in findings_in(Page("admin", "/", 200, "", evaluated, ""), planted)
    ] == ["template evaluated"] * 2
    assert kinds(f'<a href="{escape(VARIANTS["J"])}">x</a>') == {"javascript: URL in an attribute"}
    assert findings_in(Page("admin", "/", 200, "", raw, ""), planted)[0][1] == "app.Model.field"


def _readable(role: str) -> set[str]:
    """The tenant pages the access matrix gives this role with a 200 on GET."""
    return {
        name
        for name in MATRIX
        for row in _rows(name)
        if row.method == "get" and row.expected(role) == 200
    }


def _snapshot() -> dict[str, list]:
    """Every row of every model, to prove that reading changed nothing."""
    state = {}
    with scopes_disabled():
        for label in APPS:
            for model in apps.get_app_config(label).get_models():
                if f"{label}.{model.__name__}" in APPEND_ONLY:
                    continue  # signing in appends security events
                names = [f.attname for f in model._meta.concrete_fields]
                state[model.__name__] = list(model._base_manager.order_by("pk").values_list(*names))
    return state


def _coverage_problems(pages: list[Page], planted: Planted) -> list[str]:
    """Why the crawl would pass vacuously: too few pages, a page the role may read and did
    not, a kind of page without planted text shown escaped, an export without it, a planted
    field no page shows."""
    ok = [p for p in pages if p.status == 200]
    problems = []
    for role in ROLES:
        mine = [p for p in ok if p.role == role]
        if len(mine) < MIN_PAGES_PER_ROLE:
            problems.append(f"{role} read only {len(mine)} pages")
        unread = _readable(role) - {p.name for p in mine}
        if unread:
            problems.append(f"{role} never read {sorted(unread)}")
        escaped = {p.name for p in mine if p.content_type.startswith("text/html")
                   and ESCAPED.search(p.body)}  # fmt: skip
        wanted = set(SHOWN_BY_EVERY_ROLE) | (set(SHOWN_TO_ADMINS) if role == "admin" else set())
        if wanted - escaped:
            problems.append(f"{role}: no planted text shown escaped on {sorted(wanted - escaped)}")
    exports = [p for p in ok if not p.content_type.startswith("text/html")]
    bare = [p.url for p in exports if not MARKER.search(p.body)]
    if not exports or bare:
        problems.append(f"exports without planted text: {bare or 'no export read'}")
    shown = {planted.field_of(int(m.group(1))) for p in ok for m in MARKER.finditer(p.body)}
    unshown = set(planted.numbers) - shown - set(NOT_SHOWN)
    if unshown:
        problems.append(f"planted but on no page: {sorted(unshown)} (or list them in NOT_SHOWN)")
    if set(NOT_SHOWN) & shown:
        problems.append(f"shown after all, drop from NOT_SHOWN: {sorted(set(NOT_SHOWN) & shown)}")
    return problems


def test_planted_markup_is_escaped_on_every_page_for_every_role(world: World) -> None:
    populate(world)
    planted = plant(world)
    written = {field_id for field_id, rows in planted.rows.items() if rows}
    every_text = {_field_id(model, f) for model, f in text_fields() if not f.choices}
    empty = [label for label, found in planted.models_in_tenant.items() if not found]
    assert every_text - set(NOT_USER_TEXT) - written == set() and not empty, (
        f"text fields neither planted nor in NOT_USER_TEXT: "
        f"{sorted(every_text - set(NOT_USER_TEXT) - written)}; models with no row in "
        f"{TENANT}: {empty}. Make rows in populate(), or list the field in NOT_USER_TEXT."
    )
    seeds, unknown = seeds_from_resolver(world)
    assert unknown == [], f"say in PK_SOURCES what these routes' <int:pk> is: {unknown}"

    clients = {role: Client() for role in ROLES}
    for role, client in clients.items():
        client.force_login(world.user(role))
    before = _snapshot()
    pages: list[Page] = []
    errors: list[str] = []
    for role, client in clients.items():
        role_pages, role_errors = crawl(client, role, seeds)
        pages += role_pages
        errors += role_errors
    if _snapshot() != before:
        errors.append("reading pages changed data")
    errors += [f"{p.role} GET {p.url}: {p.status}" for p in pages if p.status >= 500]

    # Every offending address once, with the roles that read it, what was found and in which
    # fields, and the first snippet.
    offending: dict[str, dict] = {}
    for page in pages:
        if not page.content_type.startswith("text/html"):
            continue
        for what, field_id, snippet in findings_in(page, planted):
            entry = offending.setdefault(
                page.url, {"roles": set(), "what": set(), "fields": set(), "snippet": snippet}
            )
            entry["roles"].add(page.role)
            entry["what"].add(what)
            entry["fields"].add(field_id)
    report = [
        f"{url} (as {', '.join(sorted(e['roles']))}): {'; '.join(sorted(e['what']))} "
        f"from {', '.join(sorted(e['fields']))}\n    …{e['snippet']}…"
        for url, e in sorted(offending.items())
    ]
    problems = _coverage_problems(pages, planted)
    assert not (report or problems or errors), "\n".join(
        [f"planted markup works at {len(report)} addresses ({len(pages)} responses read):"]
        + report
        + (["the crawl would pass without testing:", *problems] if problems else [])
        + (["errors:", *errors] if errors else [])
    )
