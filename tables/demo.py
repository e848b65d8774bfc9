"""Demo tables and organizations for `seed_demo`. Organization names are invented; the focus
areas follow those a regional CSWB plan such as Halton's works on. Idempotent."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone
from django_scopes import scope

from cswb.models import Tenant, User
from partners.models import Contact, Organization, OrganizationMembership, OrgRole, Sector
from partners.services.organizations import (
    contact_create,
    organization_create,
    organization_staff_add,
)
from tables.models import (
    Action,
    ActionTable,
    FocusArea,
    Measure,
    Meeting,
    TableOrganization,
    TableSeat,
    Visibility,
    Zone,
)
from tables.services.actions import action_create, action_edit, action_update
from tables.services.meetings import agenda_item_add, decision_add, meeting_record, meeting_schedule
from tables.services.outcomes import measure_create, observation_record
from tables.services.seats import table_organization_add, table_seat_add
from tables.services.tables import focus_areas_seed, table_change_status, table_create

S = Sector
ORGANIZATIONS = [
    ("Escarpment Community Health Centre", S.HEALTH),
    ("Lakeshore Hospital Network", S.HEALTH),
    ("Bronte Mental Health Clinic", S.HEALTH),
    ("Milton Family Health Team", S.HEALTH),
    ("Peak Addiction Services", S.HEALTH),
    ("Halton Crisis Line", S.HEALTH),
    ("Maple Grove District School Board", S.EDUCATION),
    ("St. Ignatius Catholic Board", S.EDUCATION),
    ("Sheridan Heights College", S.EDUCATION),
    ("North Halton Food Collective", S.SOCIAL_SERVICES),
    ("Oakridge Community Services", S.SOCIAL_SERVICES),
    ("Burloak Settlement Agency", S.SOCIAL_SERVICES),
    ("Twelve Mile Creek Seniors' Network", S.SOCIAL_SERVICES),
    ("Harbourfront Legal Clinic", S.JUSTICE),
    ("Kinship Youth Services", S.CHILDREN_YOUTH),
    ("Bright Path Children's Aid", S.CHILDREN_YOUTH),
    ("Boys and Girls Club of the Escarpment", S.CHILDREN_YOUTH),
    ("Trailhead Youth Shelter", S.CHILDREN_YOUTH),
    ("Regional Police Service (demo)", S.POLICE),
    ("Neighbourhood Watch Alliance", S.POLICE),
    ("Crime Stoppers of the Region", S.POLICE),
    ("Regional Municipality (demo)", S.MUNICIPAL),
    ("Town of Oakbrook", S.MUNICIPAL),
    ("City of Burlingwood", S.MUNICIPAL),
    ("Town of Milbrook", S.MUNICIPAL),
    ("Regional Public Health (demo)", S.MUNICIPAL),
    ("Safe Harbour Women's Shelter", S.HOUSING),
    ("Hearthstone Supportive Housing", S.HOUSING),
    ("Open Door Housing Help Centre", S.HOUSING),
    ("Regional Housing Corporation (demo)", S.HOUSING),
    ("Probation and Parole Office (demo)", S.JUSTICE),
    ("Restorative Justice Circle", S.JUSTICE),
    ("Victim Services Unit (demo)", S.JUSTICE),
    ("Credit River Métis Council", S.INDIGENOUS),
    ("Indigenous Friendship Centre (demo)", S.INDIGENOUS),
    ("Turtle Island Health Access", S.INDIGENOUS),
    ("Regional Paramedic Services (demo)", S.EMERGENCY),
    ("Oakbrook Fire Department", S.EMERGENCY),
    ("Community Emergency Management (demo)", S.EMERGENCY),
    ("United Way of the Region (demo)", S.OTHER),
    ("Faith Communities Network", S.OTHER),
    ("Chamber of Commerce (demo)", S.OTHER),
    ("Voices of Lived Experience Collective", S.OTHER),
    ("Newcomer Women's Circle", S.SOCIAL_SERVICES),
]

Z = Zone
TABLES = [
    # name, zone, focus area, members only, lead organization, member organizations
    (
        "Youth mental health",
        Z.PREVENTION,
        "Youth mental health",
        False,
        "Bronte Mental Health Clinic",
        [
            "Maple Grove District School Board",
            "Kinship Youth Services",
            "Halton Crisis Line",
            "St. Ignatius Catholic Board",
        ],
    ),
    (
        "Intimate partner violence",
        Z.RISK_INTERVENTION,
        "Intimate partner violence",
        True,
        "Safe Harbour Women's Shelter",
        [
            "Victim Services Unit (demo)",
            "Regional Police Service (demo)",
            "Harbourfront Legal Clinic",
        ],
    ),
    (
        "Food insecurity",
        Z.SOCIAL_DEVELOPMENT,
        "Food insecurity",
        False,
        "North Halton Food Collective",
        [
            "Oakridge Community Services",
            "Regional Public Health (demo)",
            "United Way of the Region (demo)",
        ],
    ),
    (
        "Homelessness and encampments",
        Z.RISK_INTERVENTION,
        "Homelessness and encampments",
        False,
        "Regional Housing Corporation (demo)",
        [
            "Open Door Housing Help Centre",
            "Oakridge Community Services",
            "Hearthstone Supportive Housing",
            "Trailhead Youth Shelter",
        ],
    ),
    (
        "Opioid misuse",
        Z.RISK_INTERVENTION,
        "Opioid misuse",
        False,
        "Regional Public Health (demo)",
        [
            "Peak Addiction Services",
            "Regional Paramedic Services (demo)",
            "Escarpment Community Health Centre",
        ],
    ),
    (
        "Human trafficking",
        Z.RISK_INTERVENTION,
        "Human trafficking",
        False,
        "Victim Services Unit (demo)",
        ["Regional Police Service (demo)", "Safe Harbour Women's Shelter"],
    ),
    (
        "Seniors' isolation",
        Z.PREVENTION,
        "Seniors' isolation and well-being",
        False,
        "Twelve Mile Creek Seniors' Network",
        ["Lakeshore Hospital Network", "Faith Communities Network"],
    ),
    (
        "Newcomer settlement",
        Z.SOCIAL_DEVELOPMENT,
        "Newcomer settlement",
        False,
        "Burloak Settlement Agency",
        ["Newcomer Women's Circle", "Sheridan Heights College"],
    ),
    (
        "Gun and gang violence",
        Z.PREVENTION,
        "Gun and gang violence",
        False,
        "Regional Police Service (demo)",
        [
            "Boys and Girls Club of the Escarpment",
            "Restorative Justice Circle",
            "Kinship Youth Services",
        ],
    ),
    (
        "Hate and discrimination",
        Z.PREVENTION,
        "Hate and discrimination",
        False,
        "Regional Municipality (demo)",
        ["Faith Communities Network", "Indigenous Friendship Centre (demo)"],
    ),
    (
        "Child and family well-being",
        Z.SOCIAL_DEVELOPMENT,
        "Child and family well-being",
        False,
        "Bright Path Children's Aid",
        ["Milton Family Health Team", "Maple Grove District School Board"],
    ),
    (
        "Poverty reduction",
        Z.SOCIAL_DEVELOPMENT,
        "Poverty reduction",
        False,
        "United Way of the Region (demo)",
        ["Oakridge Community Services", "Chamber of Commerce (demo)", "Town of Oakbrook"],
    ),
    (
        "Problematic substance use",
        Z.RISK_INTERVENTION,
        "Problematic substance use",
        False,
        "Peak Addiction Services",
        ["Turtle Island Health Access", "Probation and Parole Office (demo)"],
    ),
    (
        "Community safety and crime prevention",
        Z.PREVENTION,
        "Community safety and crime prevention",
        False,
        "City of Burlingwood",
        ["Neighbourhood Watch Alliance", "Crime Stoppers of the Region"],
    ),
    (
        "Emergency response coordination",
        Z.INCIDENT_RESPONSE,
        "Emergency response coordination",
        False,
        "Community Emergency Management (demo)",
        ["Oakbrook Fire Department", "Regional Paramedic Services (demo)"],
    ),
]

PARTNER_ORGANIZATION = "Oakridge Community Services"  # sits at three tables, none members-only

LAKESHORE = [
    ("Lakeshore Neighbourhood Health", S.HEALTH),
    ("Lakeshore Youth Hub", S.CHILDREN_YOUTH),
    ("Lakeshore Housing Help", S.HOUSING),
    ("Lakeshore Police (demo)", S.POLICE),
]
LAKESHORE_TABLES = [
    ("Youth wellness", Z.PREVENTION, "Lakeshore Youth Hub", ["Lakeshore Neighbourhood Health"]),
    (
        "Housing stability",
        Z.RISK_INTERVENTION,
        "Lakeshore Housing Help",
        ["Lakeshore Police (demo)"],
    ),
]


def _organization(tenant: Tenant, name: str, sector: str, admin: User) -> Organization:
    existing = Organization.objects.filter(name=name).first()
    return existing or organization_create(tenant=tenant, name=name, sector=sector, actor=admin)


def _table(tenant, admin, name, zone, members_only, lead, members, areas=()) -> ActionTable:
    table = ActionTable.objects.filter(name=name).first()
    if table is None:
        table = table_create(
            tenant=tenant,
            name=name,
            zone=zone,
            actor=admin,
            focus_areas=areas,
            visibility=Visibility.MEMBERS if members_only else Visibility.TENANT,
            purpose=f"Partners working together on {name.lower()} across the region: shared "
            "actions, outcomes and a common picture of what is changing.",
        )
        table_change_status(
            table=table, status="active", actor=admin, reason="Terms of reference agreed."
        )
    for org, role in [(lead, "lead"), *((m, "member") for m in members)]:
        if not TableOrganization.objects.current().filter(table=table, organization=org).exists():
            table_organization_add(table=table, organization=org, role=role, actor=admin)
    return table


def _seat(table: ActionTable, user: User, role: str, admin: User, org=None) -> None:
    if not TableSeat.objects.current().filter(table=table, user=user).exists():
        table_seat_add(table=table, user=user, role=role, actor=admin, organization=org)


def demo_tables_seed(*, halton: Tenant, lakeshore: Tenant, people: dict[str, User]) -> None:
    admin = people["admin@halton.example"]
    with scope(tenant=halton):
        focus_areas_seed(tenant=halton)
        areas = {area.name: area for area in FocusArea.objects.all()}
        orgs = {name: _organization(halton, name, sector, admin) for name, sector in ORGANIZATIONS}
        tables = {}
        for name, zone, area, members_only, lead, members in TABLES:
            tables[name] = _table(
                halton,
                admin,
                name,
                zone,
                members_only,
                orgs[lead],
                [orgs[m] for m in members],
                [areas[area]],
            )

        coordinator = people["coordinator@halton.example"]
        _seat(
            tables["Youth mental health"],
            coordinator,
            "coordinator",
            admin,
            orgs["Bronte Mental Health Clinic"],
        )
        _seat(
            tables["Intimate partner violence"],
            coordinator,
            "coordinator",
            admin,
            orgs["Safe Harbour Women's Shelter"],
        )
        for name in ("Bronte Mental Health Clinic", "Safe Harbour Women's Shelter"):
            if (
                not OrganizationMembership.objects.current()
                .filter(organization=orgs[name], user=coordinator)
                .exists()
            ):
                organization_staff_add(
                    organization=orgs[name],
                    user=coordinator,
                    role=OrgRole.STAFF,
                    actor=admin,
                    title="Coordinator",
                )

        partner = people["partner@halton.example"]
        partner_org = orgs[PARTNER_ORGANIZATION]
        if (
            not OrganizationMembership.objects.current()
            .filter(organization=partner_org, user=partner)
            .exists()
        ):
            organization_staff_add(
                organization=partner_org,
                user=partner,
                role=OrgRole.ORG_ADMIN,
                actor=admin,
                title="Program manager",
            )
        _seat(tables["Food insecurity"], partner, "member", admin, partner_org)
        _seat(
            tables["Homelessness and encampments"],
            people["member@halton.example"],
            "lived_experience_advisor",
            admin,
        )

    outsider = people["outsider@lakeshore.example"]
    with scope(tenant=lakeshore):
        focus_areas_seed(tenant=lakeshore)
        lake_orgs = {n: _organization(lakeshore, n, s, outsider) for n, s in LAKESHORE}
        for name, zone, lead, members in LAKESHORE_TABLES:
            _table(
                lakeshore,
                outsider,
                name,
                zone,
                False,
                lake_orgs[lead],
                [lake_orgs[m] for m in members],
            )


ACTION_TITLES = [
    "Map referral pathways between partner agencies",
    "Agree a shared intake form",
    "Train frontline staff on trauma-informed practice",
    "Publish a service directory for the table's focus area",
    "Hold a community listening session",
    "Draft a data-sharing agreement",
    "Pilot a joint outreach shift",
    "Review wait times with each partner",
    "Recruit two lived-experience advisors",
    "Report progress to the system leadership table",
    "Secure funding for the next phase",
    "Evaluate the pilot against its measures",
]
# status, days from today to the due date, a note for the timeline
ACTION_SHAPES = [
    ("planned", 45, ""),
    ("planned", -10, ""),
    ("in_progress", 20, "Partners met; work under way."),
    ("in_progress", -5, "Slower than planned: waiting on two partners."),
    ("blocked", 15, "Waiting for a data-sharing agreement."),
    ("done", -20, "Completed and shared."),
    ("done", -40, "Done."),
    ("cancelled", 30, "Folded into another action."),
]
PATHS = {
    "planned": [],
    "in_progress": ["in_progress"],
    "blocked": ["in_progress", "blocked"],
    "done": ["in_progress", "done"],
    "cancelled": ["cancelled"],
}


def demo_actions_seed(*, halton: Tenant, admin: User) -> None:
    """A few actions at every table, in every status, some overdue (idempotent)."""

    today = timezone.localdate()
    with scope(tenant=halton):
        tables = list(ActionTable.objects.order_by("name"))
        participations = {}
        for p in TableOrganization.objects.current().select_related("organization"):
            participations.setdefault(p.table_id, []).append(p.organization)
        staff: dict[int, list[User]] = {}
        for m in OrganizationMembership.objects.current().select_related("user").order_by("pk"):
            staff.setdefault(m.organization_id, []).append(m.user)
        for index, table in enumerate(tables):
            if Action.objects.filter(table=table).exists():
                continue
            orgs = participations.get(table.pk, []) or [None]
            for n, (status, days, note) in enumerate(ACTION_SHAPES):
                org = orgs[n % len(orgs)]
                # Every other action has a person at its organization who owns it (their
                # My work lists it); the rest are the organization's as a whole.
                people = staff.get(org.pk, []) if org is not None and n % 2 == 0 else []
                due = today + timedelta(days=days)
                action = action_create(
                    table=table,
                    title=ACTION_TITLES[(index + n) % len(ACTION_TITLES)],
                    owner_organization=org,
                    owner=people[0] if people else None,
                    actor=admin,
                    due_date=due if days >= 0 else None,
                    priority=("high", "normal", "low")[n % 3],
                )
                if days < 0:
                    # A date already past is set as a late commitment is: with its reason.
                    action = action_edit(
                        action=action,
                        actor=admin,
                        title=action.title,
                        description=action.description,
                        owner_organization=action.owner_organization,
                        owner=action.owner,
                        due_date=due,
                        priority=action.priority,
                        due_change_reason="Agreed at an earlier meeting; recorded late.",
                    )
                for step in PATHS[status]:
                    action_update(
                        action=action, actor=admin, status=step, text=note if step == status else ""
                    )


def _organization_attendance(status: str, representative: int | None) -> tuple:
    """A present organization is represented by the person who sits for it, if anyone does."""
    return status, representative if status == "present" else None


def demo_meetings_seed(*, halton: Tenant, admin: User) -> None:
    """Three past meetings per table, held, with agenda, minutes, attendance and a decision;
    and the next one scheduled (idempotent)."""

    tz = halton.tzinfo
    today = timezone.localdate()
    with scope(tenant=halton):
        for index, table in enumerate(ActionTable.objects.order_by("name")):
            if Meeting.objects.filter(table=table).exists():
                continue
            seats = list(TableSeat.objects.current().filter(table=table))
            organizations = list(
                TableOrganization.objects.current()
                .filter(table=table)
                .values_list("organization_id", flat=True)
            )
            sitting_for = {s.organization_id: s.user_id for s in seats if s.organization_id}
            for months_ago in (3, 2, 1):
                day = today - timedelta(days=30 * months_ago - index)
                start = datetime.combine(day, time(9 + index % 4, 30), tzinfo=tz)
                meeting = meeting_schedule(
                    table=table,
                    actor=admin,
                    title="Regular meeting",
                    starts_at=start,
                    ends_at=start + timedelta(hours=2),
                    place="Regional headquarters, room 204",
                )
                first = agenda_item_add(
                    meeting=meeting, actor=admin, title="Partner updates", duration_minutes=30
                )
                agenda_item_add(
                    meeting=meeting, actor=admin, title="Progress on actions", duration_minutes=45
                )
                meeting_record(
                    meeting=meeting,
                    actor=admin,
                    attendance={
                        s.user_id: ("present", "present", "regrets")[(months_ago + n) % 3]
                        for n, s in enumerate(seats)
                    },
                    minutes={first.pk: "Partners reported on referrals, wait times and gaps."},
                    organizations={
                        org_id: _organization_attendance(
                            ("present", "present", "regrets", "present")[(months_ago + n) % 4],
                            sitting_for.get(org_id),
                        )
                        for n, org_id in enumerate(organizations)
                    },
                )
                decision_add(
                    meeting=meeting,
                    actor=admin,
                    text="Circulate the updated service map before next meeting.",
                )
            start = datetime.combine(today + timedelta(days=7 + index), time(10, 0), tzinfo=tz)
            upcoming = meeting_schedule(
                table=table,
                actor=admin,
                title="Regular meeting",
                starts_at=start,
                ends_at=start + timedelta(hours=2),
                video_url="https://video.example/cswb",
            )
            agenda_item_add(
                meeting=upcoming,
                actor=admin,
                title="Partner updates",
                presenter="Each partner",
                duration_minutes=30,
            )


MEASURES = [
    # name, kind, unit, direction, baseline, target, yearly values (2022 to 2025)
    ("Partners engaged in joint work", "how_much", "organizations", "up", 4, 12, [5, 7, 9, 10]),
    ("Referrals completed within 10 days", "how_well", "%", "up", 55, 85, [58, 63, 66, 72]),
    ("People reporting they are better off", "better_off", "%", "up", 40, 60, [41, 39, 44, 47]),
    ("Average wait for a first appointment", "how_well", "days", "down", 45, 25, [44, 40, 37, 35]),
]


UNIT_KINDS = {"organizations": "count", "%": "percentage", "days": "amount"}


def demo_measures_seed(*, halton: Tenant, admin: User) -> None:
    """Three measures per table with four years of values (idempotent)."""

    with scope(tenant=halton):
        for index, table in enumerate(ActionTable.objects.order_by("name")):
            if Measure.objects.filter(table=table).exists():
                continue
            # Reporting is shared: the lead reports the first measure, members the others.
            reporters = [
                p.organization
                for p in TableOrganization.objects.current()
                .filter(table=table)
                .select_related("organization")
                .order_by("pk")
            ]
            for n in range(3):
                name, kind, unit, direction, base, target, values = MEASURES[(index + n) % 4]
                measure = measure_create(
                    table=table,
                    actor=admin,
                    name=name,
                    kind=kind,
                    unit=unit,
                    unit_kind=UNIT_KINDS[unit],
                    direction=direction,
                    baseline_value=Decimal(base),
                    baseline_date=date(2021, 12, 31),
                    target_value=Decimal(target),
                    target_date=date(2027, 12, 31),
                    data_source="Partner administrative data, compiled by the lead agency",
                    reporting_organization=reporters[n % len(reporters)] if reporters else None,
                )
                for year, value in zip(range(2022, 2026), values, strict=True):
                    observation_record(
                        measure=measure,
                        actor=admin,
                        value=Decimal(value) + index % 3,
                        period_end=date(year, 12, 31),
                    )


# Digest contacts: addresses organizations designate, without portal accounts.
DEMO_CONTACTS = [
    ("North Halton Food Collective", "Programs desk", "programs@northhaltonfood.example"),
    ("Oakridge Community Services", "Community outreach team", "outreach@oakridge.example"),
]


def demo_contacts_seed(*, halton: Tenant, admin: User) -> None:
    """Two organizations' digest contacts, so digests have someone without an account
    (idempotent)."""

    with scope(tenant=halton):
        for org_name, name, email in DEMO_CONTACTS:
            organization = Organization.objects.get(name=org_name)
            if not Contact.objects.filter(organization=organization, email=email).exists():
                contact_create(organization=organization, name=name, email=email, actor=admin)
