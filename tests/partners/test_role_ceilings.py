"""Nobody grants more than they hold (DESIGN.md, "Roles and access" and "Output and escaping").

Every form that invites someone or gives them a tenant role, an organization role, a seat or a
table participation (FORMS) is posted by every person of the world (ACTORS) with every
combination of the roles and organizations it accepts, another plan's organization and
people included. What should happen comes from `ceiling`, a few lines that restate the rules
of the design, never from the app's code:

- a tenant admin grants anything in their own plan, and nothing in another;
- only a tenant admin invites to the plan, changes tenant roles or starts tables, so nobody
  else grants tenant admin or leadership;
- a table's coordinator (or chair) invites, seats and adds organizations at their own tables
  only; the organization of an invitation or a seat must sit at that table, and the
  organization role they give is at most `staff` (an admin may be offered only the
  organizations at the table, or all of the plan's: either passes, if it is done fully;
  so does refusing, or ignoring, a coordinator's `org_admin` that comes without an
  organization);
- organization admins are made only by tenant admins and that organization's own org admins;
  its staff cannot add or promote anyone;
- anyone else gets 403 (or 404 where they may not know the table exists; 404 for another
  plan's people, organizations and memberships), and nothing changes.

Each case compares the database before and after the post: tenant memberships, organization
memberships, seats, participations, invitations, and the django-guardian grants each person
and organization ends up holding. An invitation that was created is accepted through the
emailed link, and the grants that result are compared again. Whatever was granted must also
be held by the actor (unless they are the plan's admin), checked from the database alone.

2156 cases: 7 actors x 308 submissions — tenant invitation 3 (role), table invitation 180
(table 3 x seat 4 x organization 5 x organization role 3), seat 60 (table 3 x seat 4 x
organization 5), table organization 36 (table 3 x organization 4 x participation 3),
organization staff 12 (organization 3 x person 2 x role 2), tenant role 9 (membership 3 x
role 3), table onboarding 8 (lead organization 4 x coordinator 2).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from cswb.models import TenantMembership, TenantRole, User
from partners.models import Invitation, Organization, OrganizationMembership, OrgRole, Sector
from partners.services.organizations import organization_create, organization_staff_add
from tables.models import (
    ActionTable,
    ActionTableGroupObjectPermission,
    ActionTableUserObjectPermission,
    TableOrganization,
    TableSeat,
)

from ..conftest import build_world
from ..factories import MembershipFactory, UserFactory

NEW_PASSWORD = "a-long-and-unusual-passphrase"
INVITEE = "invitee@example.org"
NEW_TABLE = "harm-reduction"  # the slug of the table the onboarding form starts

# -- the rules, restated -----------------------------------------------------------------------

TENANT_RANK = {"member": 0, "leadership": 1, "admin": 2}
ORG_RANK = {"staff": 0, "org_admin": 1}
RUNNING = frozenset({"chair", "coordinator"})  # seats that run a table: the same grants
VIEW, CHANGE, LOG = "view_actiontable", "change_actiontable", "log_progress"


@dataclass(frozen=True)
class Holds:
    """What a person of the world holds in Halton; `tenant_role` None: not in the plan."""

    tenant_role: str | None = "member"
    org_roles: dict[str, str] = field(default_factory=dict)
    seats: dict[str, str] = field(default_factory=dict)


HOLDS = {
    "admin": Holds("admin"),
    "leader": Holds("leadership"),
    "coordinator": Holds(seats={"youth": "coordinator", "ipv": "coordinator"}),
    "partner": Holds(org_roles={"youth_org": "staff"}),
    "org_admin": Holds(org_roles={"youth_org": "org_admin"}),
    "member": Holds(),
    "outsider": Holds(None),  # administers Lakeshore, the other plan
}
ACTORS = tuple(HOLDS)
# Which of Halton's organizations sit at which table ("pantry_org" at none), and which table
# only its members may know. "lakeshore_org" belongs to the other plan.
AT_TABLE = {"youth": {"youth_org", "police_org"}, "ipv": {"youth_org"}, "food": set()}
MEMBERS_ONLY = {"ipv"}

GRANTED, REFUSED, FORBIDDEN, NOT_FOUND = "granted", "refused", "forbidden", "not found"
EITHER = "granted or refused"


def _runs(holds: Holds, table: str) -> bool:
    return holds.tenant_role == "admin" or holds.seats.get(table) in RUNNING


def _knows(holds: Holds, table: str) -> bool:
    return (
        holds.tenant_role in ("admin", "leadership")
        or table not in MEMBERS_ONLY
        or table in holds.seats
        or bool(AT_TABLE[table] & set(holds.org_roles))
    )


def ceiling(actor: str, form: str, values: dict[str, str]) -> str:
    """The outcome the rules allow, for one actor posting one form with these values."""
    holds = HOLDS[actor]
    if holds.tenant_role is None:
        return NOT_FOUND
    is_admin = holds.tenant_role == "admin"
    organization = values.get("organization", "")

    if form in ("table_invite", "seat", "table_organization"):
        table = values["table"]
        if not _knows(holds, table):
            return NOT_FOUND
        if not _runs(holds, table):
            return FORBIDDEN
        if organization == "lakeshore_org":
            return REFUSED
        if form == "table_organization":
            return REFUSED if organization in AT_TABLE[table] else GRANTED
        if organization and organization not in AT_TABLE[table]:
            # Beyond a coordinator's reach; an admin holds it, so the form may take it or
            # offer only the organizations at the table.
            return EITHER if is_admin else REFUSED
        if not is_admin and ORG_RANK[values.get("org_role") or "staff"] > ORG_RANK["staff"]:
            # Without an organization the role gives nothing: ignored, or not offered.
            return REFUSED if organization else EITHER
        return GRANTED

    if form == "org_staff":
        if organization == "lakeshore_org":
            return NOT_FOUND
        # Tenant admins and the organization's own org admins add staff and org admins (at
        # most what they hold); its staff add nobody.
        if not (is_admin or holds.org_roles.get(organization) == "org_admin"):
            return FORBIDDEN
        return REFUSED if values["person"] == "outsider" else GRANTED

    # The plan's own forms: invitations, tenant roles, onboarding.
    role = values.get("role", "member")
    if not is_admin or TENANT_RANK[role] > TENANT_RANK[holds.tenant_role]:
        return FORBIDDEN
    if form == "member_role":
        if values["person"] == "lakeshore":
            return NOT_FOUND
        if values["person"] == "self" and role != "admin":
            return REFUSED  # the world's admin is the plan's only one: it keeps an admin
    if form == "onboard" and values["lead_organization"] == "lakeshore_org":
        return REFUSED
    return GRANTED


# -- the forms -------------------------------------------------------------------------------

TABLES = ("youth", "ipv", "food")
SEAT_ROLES = ("chair", "coordinator", "member", "lived_experience_advisor")
ORGANIZATIONS = ("youth_org", "police_org", "pantry_org", "lakeshore_org")


@dataclass(frozen=True)
class Form:
    url: Callable[[Stage, dict[str, str], str], str]
    data: Callable[[Stage, dict[str, str]], dict[str, str]]
    fields: dict[str, tuple[str, ...]]
    refused_status: int = 400
    form_in_context: str | None = "form"  # where a 400 carries its errors


def _table_url(name: str) -> Callable[[Stage, dict[str, str], str], str]:
    return lambda stage, v, actor: reverse(
        f"tables:{name}", args=["halton", stage.tables[v["table"]].slug]
    )


FORMS: dict[str, Form] = {
    "tenant_invite": Form(
        url=lambda stage, v, actor: reverse("partners:invitations", args=["halton"]),
        data=lambda stage, v: {"email": INVITEE, "role": v["role"]},
        fields={"role": tuple(TENANT_RANK)},
    ),
    "table_invite": Form(
        url=_table_url("invite"),
        data=lambda stage, v: {
            "invite-email": INVITEE,
            "invite-seat_role": v["seat_role"],
            "invite-organization": stage.org_pk(v["organization"]),
            "invite-org_role": v["org_role"],
        },
        fields={
            "table": TABLES,
            "seat_role": SEAT_ROLES,
            "organization": ("", *ORGANIZATIONS),
            "org_role": ("", *ORG_RANK),
        },
        form_in_context="invite_form",
    ),
    "seat": Form(
        url=_table_url("seat-add"),
        data=lambda stage, v: {
            "seat-email": stage.people["target"].email,
            "seat-role": v["role"],
            "seat-organization": stage.org_pk(v["organization"]),
        },
        fields={"table": TABLES, "role": SEAT_ROLES, "organization": ("", *ORGANIZATIONS)},
        form_in_context="seat_form",
    ),
    "table_organization": Form(
        url=_table_url("organization-add"),
        data=lambda stage, v: {
            "org-organization": stage.org_pk(v["organization"]),
            "org-role": v["role"],
        },
        fields={
            "table": TABLES,
            "organization": ORGANIZATIONS,
            "role": ("lead", "member", "advisory"),
        },
        form_in_context="org_form",
    ),
    "org_staff": Form(
        url=lambda stage, v, actor: reverse(
            "partners:staff-add", args=["halton", stage.orgs[v["organization"]].slug]
        ),
        data=lambda stage, v: {
            "email": stage.people[v["person"]].email,
            "role": v["role"],
            "title": "",
        },
        fields={
            "organization": ("youth_org", "police_org", "lakeshore_org"),
            "person": ("target", "outsider"),
            "role": tuple(ORG_RANK),
        },
        refused_status=302,  # refusals come back as a message on the organization's page
        form_in_context=None,
    ),
    "member_role": Form(
        url=lambda stage, v, actor: reverse(
            "manage:member-role",
            args=["halton", stage.membership_pk(actor if v["person"] == "self" else v["person"])],
        ),
        data=lambda stage, v: {"role": v["role"]},
        fields={"person": ("target", "self", "lakeshore"), "role": tuple(TENANT_RANK)},
        refused_status=302,  # refusals come back as a message on the members page
        form_in_context=None,
    ),
    "onboard": Form(
        url=lambda stage, v, actor: reverse("manage:table-new", args=["halton"]),
        data=lambda stage, v: {
            "name": "Harm reduction",
            "zone": "prevention",
            "visibility": "tenant",
            "purpose": "",
            "start_date": "",
            "lead_organization": stage.org_pk(v["lead_organization"]),
            "coordinator_email": (
                INVITEE if v["coordinator"] == "invitee" else stage.people["target"].email
            ),
        },
        fields={
            "lead_organization": ("", "youth_org", "pantry_org", "lakeshore_org"),
            "coordinator": ("invitee", "target"),
        },
    ),
}


@dataclass(frozen=True)
class Case:
    actor: str
    form: str
    values: tuple[tuple[str, str], ...]

    @property
    def v(self) -> dict[str, str]:
        return dict(self.values)

    def __str__(self) -> str:
        return "-".join([self.actor, self.form, *(value or "none" for _, value in self.values)])


CASES = [
    Case(actor, name, tuple(zip(form.fields, combination, strict=True)))
    for actor in ACTORS
    for name, form in FORMS.items()
    for combination in itertools.product(*form.fields.values())
]


def test_the_docstring_counts_the_cases() -> None:
    assert len(CASES) == int(re.search(r"(\d+) cases", __doc__).group(1))


# -- one world for the module ----------------------------------------------------------------

Snapshot = dict[str, set[tuple[str, ...]]]


@dataclass
class Stage:
    people: dict[str, User]
    tables: dict[str, ActionTable]
    orgs: dict[str, Organization]
    memberships: dict[str, int]  # person -> TenantMembership pk ("lakeshore": the outsider's)
    sessions: dict[str, str] = field(default_factory=dict)  # actor -> session key
    start: Snapshot = field(default_factory=dict)  # the grants every case starts from

    def membership_pk(self, person: str) -> int:
        return self.memberships.get(person, self.memberships["lakeshore"])  # the outsider's

    def org_pk(self, name: str) -> str:
        return str(self.orgs[name].pk) if name else ""


def _build_stage() -> Stage:
    """The shared world, plus an organization admin of the partner's organization, a plain
    member to act on (the target), an organization at no table, and one in the other plan."""
    world = build_world()
    org_admin = UserFactory(email="org_admin@halton.example")
    target = UserFactory(email="target@halton.example")
    for person in (org_admin, target):
        MembershipFactory(tenant=world.halton, user=person, role=TenantRole.MEMBER)
    with scope(tenant=world.halton):
        organization_staff_add(
            organization=world.youth_org, user=org_admin, role=OrgRole.ORG_ADMIN, actor=world.admin
        )
        pantry_org = organization_create(
            tenant=world.halton, name="Halton Food Bank", sector=Sector.SOCIAL_SERVICES, actor=None
        )
    with scope(tenant=world.lakeshore):
        lakeshore_org = organization_create(
            tenant=world.lakeshore,
            name="Lakeshore Family Services",
            sector=Sector.OTHER,
            actor=None,
        )
    people = {role: world.user(role) for role in ACTORS if role != "org_admin"}
    people |= {"org_admin": org_admin, "target": target}
    with scopes_disabled():
        memberships = {
            ("lakeshore" if m.tenant_id == world.lakeshore.pk else name): m.pk
            for name, person in people.items()
            for m in TenantMembership.objects.filter(user=person)
        }
    return Stage(
        people=people,
        tables={
            "youth": world.table,
            "ipv": world.ipv,
            "food": world.food,
            "lakeshore_table": world.lakeshore_table,
        },
        orgs={
            "youth_org": world.youth_org,
            "police_org": world.police_org,
            "pantry_org": pantry_org,
            "lakeshore_org": lakeshore_org,
        },
        memberships=memberships,
    )


@pytest.fixture(scope="module")
def stage(django_db_setup, django_db_blocker) -> Iterator[Stage]:
    """Built and committed once, with everyone signed in: 2,000 cases cannot afford to build
    the world each time (each runs in a transaction of its own, rolled back by `db`). Emptied
    at the end the way transactional tests leave the database."""
    try:
        with django_db_blocker.unblock():
            built = _build_stage()
            for actor in ACTORS:
                client = Client()
                client.force_login(built.people[actor])
                built.sessions[actor] = client.cookies[settings.SESSION_COOKIE_NAME].value
            built.start = snapshot(built)
        yield built
    finally:
        with django_db_blocker.unblock():
            call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def db(stage: Stage, django_db_blocker) -> Iterator[None]:
    """This module's own `db`, in place of pytest-django's: each case in a transaction of its
    own, rolled back after it, on the connection the stage was built on (pytest-django's
    closes the connection after every case; reconnecting 2,000 times costs half a minute).
    Being named `db`, it also tells pytest-django to set up the test database."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


def signed_in(stage: Stage, actor: str) -> Client:
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = stage.sessions[actor]
    return client


# -- the database, as names ----------------------------------------------------------------


def snapshot(stage: Stage) -> Snapshot:
    """Every grant in both plans, with the world's names for its people, tables and
    organizations (new ones by email or slug). `perm`: what each person effectively holds on
    each table, directly or through their organizations' groups."""
    person = {u.email: name for name, u in stage.people.items()} | {INVITEE: "invitee"}
    org = {o.pk: name for name, o in stage.orgs.items()} | {None: ""}

    def who(email: str) -> str:
        return person.get(email, email)

    with scopes_disabled():
        table = dict(ActionTable.objects.values_list("pk", "slug"))
        table |= {t.pk: name for name, t in stage.tables.items()}
        members = TenantMembership.objects.filter(is_active=True).values_list(
            "tenant__slug", "user__email", "role"
        )
        staff = (
            OrganizationMembership.objects.current()
            .filter()
            .values_list("organization_id", "user__email", "role")
        )
        seats = (
            TableSeat.objects.current()
            .filter()
            .values_list("table_id", "user__email", "role", "organization_id")
        )
        participations = (
            TableOrganization.objects.current()
            .filter()
            .values_list("table_id", "organization_id", "role")
        )
        invitations = Invitation.objects.values_list(
            "tenant__slug", "email", "role", "organization_id", "org_role", "table_id",
            "seat_role", "accepted_at", "revoked_at",
        )  # fmt: skip
        direct = ActionTableUserObjectPermission.objects.values_list(
            "user__email", "content_object_id", "permission__codename"
        )
        via_group = ActionTableGroupObjectPermission.objects.filter(
            group__user__isnull=False
        ).values_list("group__user__email", "content_object_id", "permission__codename")
        group_perms = ActionTableGroupObjectPermission.objects.values_list(
            "group__organization__id", "content_object_id", "permission__codename"
        )
        return {
            "table": {(slug,) for slug in table.values()},
            "plan": {(tenant, who(email), role) for tenant, email, role in members},
            "org": {(org[o], who(email), role) for o, email, role in staff},
            "seat": {(table[t], who(email), role, org[o]) for t, email, role, o in seats},
            "table_org": {(table[t], org[o], role) for t, o, role in participations},
            "invitation": {
                (
                    tenant,
                    who(email),
                    role,
                    org[o],
                    o_role,
                    table.get(t, ""),
                    s_role,
                    "accepted" if accepted else "revoked" if revoked else "pending",
                )
                for tenant, email, role, o, o_role, t, s_role, accepted, revoked in invitations
            },
            "perm": {(who(email), table[t], perm) for email, t, perm in [*direct, *via_group]},
            "group_perm": {(org[o], table[t], perm) for o, t, perm in group_perms},
        }


def changes(before: Snapshot, after: Snapshot) -> dict[str, set[tuple[str, ...]]]:
    """What was added (+) and removed (-), by kind; empty kinds left out."""
    out = {}
    for kind in before:
        for sign, rows in (("+", after[kind] - before[kind]), ("-", before[kind] - after[kind])):
            if rows:
                out[sign + kind] = rows
    return out


# -- what a granted case gives ---------------------------------------------------------------


def _seat_perms(person: str, table: str, seat_role: str) -> set[tuple[str, ...]]:
    return {
        (person, table, p) for p in ({VIEW, LOG} | ({CHANGE} if seat_role in RUNNING else set()))
    }


def _staff_perms(person: str, org: str, at_table: dict[str, set[str]]) -> set[tuple[str, ...]]:
    return {(person, t, p) for t, orgs in at_table.items() if org in orgs for p in (VIEW, LOG)}


@dataclass
class Promise:
    on_post: dict[str, set[tuple[str, ...]]]
    on_accept: dict[str, set[tuple[str, ...]]] | None = None  # when an invitation was sent

    def __post_init__(self) -> None:  # compared with `changes`, which leaves out empty kinds
        self.on_post = {kind: rows for kind, rows in self.on_post.items() if rows}
        if self.on_accept is not None:
            self.on_accept = {kind: rows for kind, rows in self.on_accept.items() if rows}


def _invited(
    invitation: tuple[str, ...],
    *,
    org: str,
    org_role: str,
    table: str,
    seat_role: str,
    at_table: dict[str, set[str]],
    before: Snapshot,
) -> dict[str, set[tuple[str, ...]]]:
    """Accepting a table invitation: a member of the plan, on the organization's staff, with
    the seat; the grants of both."""
    accepted = {
        "-invitation": {invitation},
        "+invitation": {(*invitation[:-1], "accepted")},
        "+plan": {("halton", "invitee", "member")},
        "+seat": {(table, "invitee", seat_role, org)},
    }
    perms = _seat_perms("invitee", table, seat_role)
    if org:
        accepted["+org"] = {(org, "invitee", org_role)}
        perms |= _staff_perms("invitee", org, at_table)
    accepted["+perm"] = perms - before["perm"]
    return accepted


def promise(case: Case, before: Snapshot) -> Promise:
    """Exactly what a granted case changes: what was asked for, and the grants that follow."""
    v = case.v
    if case.form == "tenant_invite":
        row = ("halton", "invitee", v["role"], "", "", "", "", "pending")
        return Promise(
            {"+invitation": {row}},
            {
                "-invitation": {row},
                "+invitation": {(*row[:-1], "accepted")},
                "+plan": {("halton", "invitee", v["role"])},
            },
        )
    if case.form == "table_invite":
        org = v["organization"]
        org_role = (v["org_role"] or "staff") if org else ""
        row = ("halton", "invitee", "member", org, org_role, v["table"], v["seat_role"], "pending")
        return Promise(
            {"+invitation": {row}},
            _invited(
                row,
                org=org,
                org_role=org_role,
                table=v["table"],
                seat_role=v["seat_role"],
                at_table=AT_TABLE,
                before=before,
            ),
        )
    if case.form == "seat":
        return Promise(
            {
                "+seat": {(v["table"], "target", v["role"], v["organization"])},
                "+perm": _seat_perms("target", v["table"], v["role"]),
            }
        )
    if case.form == "table_organization":
        staff = {p for org, p, _ in before["org"] if org == v["organization"]}
        return Promise(
            {
                "+table_org": {(v["table"], v["organization"], v["role"])},
                "+group_perm": {(v["organization"], v["table"], p) for p in (VIEW, LOG)},
                "+perm": {(p, v["table"], c) for p in staff for c in (VIEW, LOG)} - before["perm"],
            }
        )
    if case.form == "org_staff":
        return Promise(
            {
                "+org": {(v["organization"], "target", v["role"])},
                "+perm": _staff_perms("target", v["organization"], AT_TABLE),
            }
        )
    if case.form == "member_role":
        person = case.actor if v["person"] == "self" else v["person"]
        [old] = [r for t, p, r in before["plan"] if (t, p) == ("halton", person)]
        if old == v["role"]:
            return Promise({})
        return Promise(
            {"-plan": {("halton", person, old)}, "+plan": {("halton", person, v["role"])}}
        )
    # onboard: the table, its lead organization, and its coordinator, seated or invited
    lead = v["lead_organization"]
    at_table = AT_TABLE | {NEW_TABLE: {lead} if lead else set()}
    on_post: dict[str, set[tuple[str, ...]]] = {"+table": {(NEW_TABLE,)}}
    perms: set[tuple[str, ...]] = set()
    if lead:
        on_post["+table_org"] = {(NEW_TABLE, lead, "lead")}
        on_post["+group_perm"] = {(lead, NEW_TABLE, p) for p in (VIEW, LOG)}
        staff = {p for org, p, _ in before["org"] if org == lead}
        perms |= {(p, NEW_TABLE, c) for p in staff for c in (VIEW, LOG)}
    if v["coordinator"] == "target":
        on_post["+seat"] = {(NEW_TABLE, "target", "coordinator", lead)}
        perms |= _seat_perms("target", NEW_TABLE, "coordinator")
        accept = None
    else:
        row = (
            "halton",
            "invitee",
            "member",
            lead,
            "staff" if lead else "",
            NEW_TABLE,
            "coordinator",
            "pending",
        )
        on_post["+invitation"] = {row}
        accept = _invited(
            row,
            org=lead,
            org_role="staff" if lead else "",
            table=NEW_TABLE,
            seat_role="coordinator",
            at_table=at_table,
            before=before,
        )
    on_post["+perm"] = perms
    return Promise(on_post, accept)


# -- never more than the actor holds, read from the database alone -------------------------------


def within_actors_grants(actor: str, before: Snapshot, after: Snapshot) -> list[str]:
    """Every grant added must be one the actor holds themselves (a tenant admin holds their
    whole plan); nothing may change in the other plan. Returns what breaks that."""
    added = {kind: after[kind] - before[kind] for kind in before}
    removed = {kind: before[kind] - after[kind] for kind in before}
    broken = [
        f"{sign}{kind} {row} touches the other plan"
        for sign, delta in (("+", added), ("-", removed))
        for kind, rows in delta.items()
        for row in rows
        if {"lakeshore", "lakeshore_org", "lakeshore_table", "outsider"} & set(row)
    ]
    tenant_role = {p: r for t, p, r in before["plan"] if t == "halton"}.get(actor)
    if tenant_role == "admin":
        return broken
    rank = TENANT_RANK.get(tenant_role, -1)
    holds = {(t, c) for p, t, c in before["perm"] if p == actor}
    org_role = {o: r for o, p, r in before["org"] if p == actor}
    runs = {t for t, p, r, _ in before["seat"] if p == actor and r in RUNNING}
    sits = {(t, o) for t, o, _ in before["table_org"]}

    def may_give_org(org: str, role: str) -> bool:
        if org_role.get(org) == "org_admin":
            return True
        return role == "staff" and any((t, org) in sits for t in runs)

    for _, person, role in added["plan"]:
        if TENANT_RANK[role] > rank:
            broken.append(f"{person} became {role}")
    for org, person, role in added["org"]:
        if not may_give_org(org, role):
            broken.append(f"{person} became {role} of {org}")
    for person, table, perm in added["perm"]:
        if (table, perm) not in holds:
            broken.append(f"{person} got {perm} on {table}")
    for org, table, perm in added["group_perm"]:
        if (table, perm) not in holds:
            broken.append(f"{org}'s staff got {perm} on {table}")
    for table, person, _seat_role, org in added["seat"]:
        if table not in runs or (org and (table, org) not in sits):
            broken.append(f"{person} was seated at {table} for {org or 'themselves'}")
    for _, email, role, org, role_in_org, table, _seat_role, _ in added["invitation"]:
        if TENANT_RANK[role] > rank or (table and table not in runs):
            broken.append(f"{email} was invited as {role} to {table or 'the plan'}")
        if org and not (may_give_org(org, role_in_org) and (table, org) in sits):
            broken.append(f"{email} was invited as {role_in_org} of {org} to {table}")
    if added["table"]:
        broken.append(f"tables started: {added['table']}")
    return broken


# -- the cases -------------------------------------------------------------------------------

STATUS = {GRANTED: 302, FORBIDDEN: 403, NOT_FOUND: 404}


def _accept_invitation() -> int:
    """The invitee opens the emailed link and creates their account."""
    [message] = [m for m in mail.outbox if m.to == [INVITEE]]
    link = re.search(r"http://testserver(/accounts/invitation/[\w-]+/)", message.body).group(1)
    data = {"full_name": "Nadia Newcomer", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    return Client().post(link, data).status_code


@pytest.mark.parametrize("case", CASES, ids=str)
def test_nobody_grants_more_than_they_hold(
    case: Case, stage: Stage, db: None, django_capture_on_commit_callbacks
) -> None:
    form = FORMS[case.form]
    outcome = ceiling(case.actor, case.form, case.v)
    client = signed_in(stage, case.actor)
    before = stage.start  # each case starts from the committed stage; a leak shows as a change
    with django_capture_on_commit_callbacks(execute=True):  # the invitation email goes out
        response = client.post(form.url(stage, case.v, case.actor), form.data(stage, case.v))
    after = snapshot(stage)
    if outcome == EITHER:
        outcome = GRANTED if response.status_code == STATUS[GRANTED] else REFUSED

    expected = promise(case, before) if outcome == GRANTED else Promise({})
    status = form.refused_status if outcome == REFUSED else STATUS[outcome]
    # An invitation that went out is accepted, whatever the rules said, so that a failure
    # shows what it would have given.
    accepted = None
    if any(row[1] == "invitee" for row in after["invitation"]):
        assert _accept_invitation() == 302
        accepted = snapshot(stage)
    beyond = within_actors_grants(case.actor, before, accepted or after)

    got = (response.status_code, changes(before, after))
    assert got == (status, expected.on_post), (
        f"the rules say {outcome}: {status} and {expected.on_post or 'no change'}; "
        f"got {got[0]} and {got[1] or 'no change'}"
        + (f"; accepted, it gave {changes(after, accepted)}" if accepted else "")
        + (f"; beyond {case.actor}'s own grants: {beyond}" if beyond else "")
    )
    assert beyond == []
    if status == 400:
        assert response.context[form.form_in_context].errors
    if expected.on_accept is None:
        assert accepted is None
    else:
        assert accepted is not None
        assert changes(after, accepted) == expected.on_accept
