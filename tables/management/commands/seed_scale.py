"""Fill one tenant with a large, realistic load for benchmarks: by default 200 tables, 2,000
organizations, 10,000 people, 200,000 actions with 1,000,000 updates and 20,000 meetings.
Rows go in with bulk inserts (the services would take hours at this size); table grants are
written by the same sync function the services use. Meant for PostgreSQL.

The load is spread as a plan's is: each table has its own mix of statuses (some tables finish
most of what they start, some have much blocked), due dates follow the date an action was
opened (some have none), and about a third of the actions are owned by a person at the table
as well as by their organization. Several tenants can live in one database (their people's
addresses carry the tenant's slug): `make bench` fills one at the default size, one with twice
the actions and one with twice the tables.

Sign-in accounts (password BENCH_PASSWORD): `bench-admin@<tenant>.example` (tenant admin),
`bench-leader@<tenant>.example` (leadership) and `bench-coordinator@<tenant>.example`
(coordinator of the first two tables, staff of an organization sitting at the first three)."""

from __future__ import annotations

import random
import time
from datetime import date, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils import timezone
from django_scopes import scope

from cswb.models import Tenant, TenantMembership, TenantRole, User
from partners.models import Organization, OrganizationMembership, Sector
from tables.models import (
    Action,
    ActionStatus,
    ActionTable,
    ActionUpdate,
    Attendance,
    Measure,
    Meeting,
    MeetingStatus,
    Observation,
    OrganizationAttendance,
    TableOrganization,
    TableSeat,
    Zone,
)
from tables.services.actions import action_tallies_rebuild
from tables.services.outcomes import measure_on_track_recount
from tables.services.seats import table_permissions_sync
from tables.services.tables import focus_areas_seed

BATCH = 5000
BENCH_PASSWORD = "bench-scale-password"  # noqa: S105 -- a benchmark tenant, never production


def bench_email(role: str, tenant: str = "scale") -> str:
    """A bench account's address: role is "coordinator", "leader" or "admin"."""
    return f"bench-{role}@{tenant}.example"


# Each table draws its own mix of statuses around these weights (planned, in progress, done,
# blocked, cancelled), so per-table figures differ as they do in a real plan.
STATUS_WEIGHTS = (0.22, 0.30, 0.36, 0.06, 0.06)


class Command(BaseCommand):
    help = "Fill a tenant with a large, realistic load for benchmarks (PostgreSQL)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", default="scale")
        parser.add_argument("--tables", type=int, default=200)
        parser.add_argument("--organizations", type=int, default=2000)
        parser.add_argument("--people", type=int, default=10000)
        parser.add_argument("--actions", type=int, default=200000)
        parser.add_argument("--updates-per-action", type=int, default=5)
        parser.add_argument("--meetings", type=int, default=20000)
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="Do nothing when the tenant exists (make bench fills its database once).",
        )

    def handle(self, *args: object, **o: object) -> None:
        self.rng = random.Random(2026)  # noqa: S311 -- test data, not secrets
        self.started = time.monotonic()
        if Tenant.objects.filter(slug=o["tenant"]).exists():
            if o["if_missing"]:
                self.stdout.write(f"Tenant {o['tenant']!r} is there already; kept as it is.")
                return
            raise CommandError(f"Tenant {o['tenant']!r} exists; seed_scale fills a new one.")
        tenant = Tenant.objects.create(slug=o["tenant"], name=f"{o['tenant'].title()} (scale)")
        with scope(tenant=tenant):
            people = self._people(tenant, o["people"])
            orgs = self._organizations(tenant, o["organizations"], people)
            tables = self._tables(tenant, o["tables"], orgs, people)
            self._actions(tenant, tables, o["actions"], o["updates_per_action"], people[0])
            action_tallies_rebuild(tables=tables)
            self._meetings(tenant, tables, o["meetings"], people[0])
            self._measures(tenant, tables, people[0])
            measure_on_track_recount(tables=tables)
        if connection.vendor == "postgresql":
            # Fresh statistics: right after a bulk load the planner believes the tables are
            # tiny and picks the wrong indexes (autovacuum would catch up, later).
            # VACUUM sets the visibility map, so that counts read the indexes alone, as they
            # do on a database that has been running for a while.
            with connection.cursor() as cursor:
                # (VACUUM cannot run in a transaction, as in a test: there ANALYZE will do.)
                cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
        self._say("done")

    def _say(self, what: str) -> None:
        self.stdout.write(f"{time.monotonic() - self.started:7.1f}s  {what}")

    def _people(self, tenant: Tenant, count: int) -> list[User]:
        unusable = "!scale"  # cannot be used to sign in
        domain = f"{tenant.slug}.example"
        users = [
            User(email=f"person{n}@{domain}", full_name=f"Person {n}", password=unusable)
            for n in range(count - 3)
        ]
        roles = {
            bench_email("coordinator", tenant.slug): TenantRole.MEMBER,
            bench_email("leader", tenant.slug): TenantRole.LEADERSHIP,
            bench_email("admin", tenant.slug): TenantRole.ADMIN,
        }
        for email in roles:
            bench = User(email=email, full_name=f"Bench {email.split('@')[0][6:].title()}")
            bench.set_password(BENCH_PASSWORD)
            users.append(bench)
        User.objects.bulk_create(users, batch_size=BATCH)
        users = list(User.objects.filter(email__endswith=f"@{domain}").order_by("pk"))
        # One person in a hundred sits on the leadership table; one in five hundred is staff.
        TenantMembership.objects.bulk_create(
            [
                TenantMembership(
                    tenant=tenant,
                    user=u,
                    role=roles.get(
                        u.email,
                        TenantRole.ADMIN
                        if n % 500 == 250
                        else TenantRole.LEADERSHIP
                        if n % 100 == 50
                        else TenantRole.MEMBER,
                    ),
                )
                for n, u in enumerate(users)
            ],
            batch_size=BATCH,
        )
        self._say(f"{len(users)} people")
        coordinator = bench_email("coordinator", tenant.slug)
        return sorted(users, key=lambda u: u.email != coordinator)  # bench coordinator first

    def _organizations(self, tenant, count: int, people: list[User]) -> list[Organization]:
        groups = Group.objects.bulk_create(
            [Group(name=f"org:{tenant.pk}:scale-{n}") for n in range(count)], batch_size=BATCH
        )
        sectors = Sector.values
        orgs = Organization.objects.bulk_create(
            [
                Organization(
                    tenant=tenant,
                    name=f"Agency {n}",
                    slug=f"agency-{n}",
                    group=g,
                    sector=sectors[n % len(sectors)],
                )
                for n, g in enumerate(groups)
            ],
            batch_size=BATCH,
        )
        memberships, group_links = [], []
        through = User.groups.through
        for n, person in enumerate(people):
            org = orgs[n % count]
            memberships.append(
                OrganizationMembership(tenant=tenant, organization=org, user=person, role="staff")
            )
            group_links.append(through(user_id=person.pk, group_id=org.group_id))
        OrganizationMembership.objects.bulk_create(memberships, batch_size=BATCH)
        through.objects.bulk_create(group_links, batch_size=BATCH)
        self._say(f"{count} organizations, staff lists")
        self.org_of = {m.user_id: m.organization_id for m in memberships}
        return orgs

    def _tables(self, tenant, count: int, orgs, people) -> list[ActionTable]:
        focus_areas_seed(tenant=tenant)
        zones = Zone.values
        tables = ActionTable.objects.bulk_create(
            [
                ActionTable(
                    tenant=tenant,
                    name=f"Table {n}",
                    slug=f"table-{n}",
                    zone=zones[n % len(zones)],
                    status="active",
                    visibility="members" if n % 10 == 9 else "tenant",
                    purpose="Partners working together across the region.",
                )
                for n in range(count)
            ]
        )
        participations, seats = [], []
        for n, table in enumerate(tables):
            chosen = {orgs[0]} if n < 3 else set()  # the bench coordinator's agency sits at 3
            chosen |= set(self.rng.sample(orgs, 10))
            for k, org in enumerate(chosen):
                participations.append(
                    TableOrganization(
                        tenant=tenant,
                        table=table,
                        organization=org,
                        role="lead" if k == 0 else "member",
                    )
                )
            sitting = self.rng.sample(people[2:], 20)
            if n < 2:
                sitting = [people[0], *sitting[:19]]
            for k, person in enumerate(sitting):
                seats.append(
                    TableSeat(
                        tenant=tenant,
                        table=table,
                        user=person,
                        role="coordinator" if k == 0 else "member",
                    )
                )
        TableOrganization.objects.bulk_create(participations, batch_size=BATCH)
        TableSeat.objects.bulk_create(seats, batch_size=BATCH)
        for table in tables:
            table_permissions_sync(table=table)
        self._say(f"{count} tables, seats, participations and grants")
        return tables

    def _actions(self, tenant, tables, count: int, per_action: int, author: User) -> None:
        statuses = ActionStatus.values
        orgs_by_table: dict[int, list[int]] = {}
        for table_id, org_id in TableOrganization.objects.values_list(
            "table_id", "organization_id"
        ):
            orgs_by_table.setdefault(table_id, []).append(org_id)
        seats_by_table: dict[int, list[int]] = {}
        for table_id, user_id in TableSeat.objects.values_list("table_id", "user_id"):
            seats_by_table.setdefault(table_id, []).append(user_id)
        orgs_by_table: dict[int, list[int]] = {}
        for table_id, org_id in TableOrganization.objects.values_list(
            "table_id", "organization_id"
        ):
            orgs_by_table.setdefault(table_id, []).append(org_id)
        # Each table's own mix: the plan's weights, each scaled by a factor between 0.3 and 2.
        mix = {t.pk: [w * self.rng.uniform(0.3, 2.0) for w in STATUS_WEIGHTS] for t in tables}
        now = timezone.now()
        made = 0
        while made < count:
            chunk = []
            for n in range(made, min(count, made + BATCH)):
                table = tables[n % len(tables)]
                # Spread over two years, as a plan's history is: a week holds a week's worth.
                opened = now - timedelta(minutes=self.rng.randint(0, 2 * 365 * 24 * 60))
                weights = mix[table.pk]
                if (now - opened).days > 300 and self.rng.random() < 0.9:
                    weights = [0, 0, weights[2], 0, weights[4]]  # most old work is closed
                status = self.rng.choices(statuses, weights=weights)[0]
                due = (
                    None
                    if self.rng.random() < 0.1
                    else (opened + timedelta(days=self.rng.randint(14, 270))).date()
                )
                org_id = self.rng.choice(orgs_by_table[table.pk])
                owner_id = None
                if self.rng.random() < 0.35:
                    # A person at the table owns it, for their organization when it sits there.
                    owner_id = self.rng.choice(seats_by_table[table.pk])
                    if self.org_of.get(owner_id) in orgs_by_table[table.pk]:
                        org_id = self.org_of[owner_id]
                chunk.append(
                    Action(
                        tenant=tenant,
                        table=table,
                        title=f"Action {n}",
                        created_by=author,
                        owner_organization_id=org_id,
                        owner_id=owner_id,
                        status=status,
                        due_date=due,
                        created_at=opened,
                        completed_at=(
                            opened + (now - opened) * self.rng.random()
                            if status == "done"
                            else None
                        ),
                    )
                )
            created = Action.objects.bulk_create(chunk)
            ActionUpdate.objects.bulk_create(
                [
                    ActionUpdate(
                        tenant=tenant,
                        action=action,
                        author=author,
                        text=f"Progress note {k}.",
                        at=now - timedelta(days=k),
                    )
                    for action in created
                    for k in range(per_action)
                ],
                batch_size=BATCH,
            )
            made += len(chunk)
            if made % 50000 == 0 or made == count:
                self._say(f"{made} actions, {made * per_action} updates")

    def _meetings(self, tenant, tables, count: int, author: User) -> None:
        tz = tenant.tzinfo
        today = timezone.localdate()
        per_table = max(1, count // len(tables))
        seats_by_table: dict[int, list[int]] = {}
        for table_id, user_id in TableSeat.objects.values_list("table_id", "user_id"):
            seats_by_table.setdefault(table_id, []).append(user_id)
        orgs_by_table: dict[int, list[int]] = {}
        for table_id, org_id in TableOrganization.objects.values_list(
            "table_id", "organization_id"
        ):
            orgs_by_table.setdefault(table_id, []).append(org_id)
        made = 0
        for table in tables:
            meetings, turnouts = [], []
            # Attendance by organization, as tables count it: each table has its own habit of
            # turnout, and each organization at a held meeting was present, sent regrets or
            # was absent. The meeting's figures are set with it (as meeting_record does).
            turnout = self.rng.uniform(0.55, 0.95)
            for k in range(per_table):
                day = today + timedelta(days=14 * (k - per_table + 4))
                start = datetime.combine(day, dtime(10), tzinfo=tz)
                held = day < today
                statuses = [
                    "present"
                    if self.rng.random() < turnout
                    else self.rng.choice(["regrets", "absent"])
                    for _org in (orgs_by_table[table.pk] if held else [])
                ]
                turnouts.append(statuses)
                meetings.append(
                    Meeting(
                        tenant=tenant,
                        table=table,
                        title=f"Meeting {k}",
                        starts_at=start,
                        ends_at=start + timedelta(hours=2),
                        created_by=author,
                        status=MeetingStatus.HELD if held else MeetingStatus.SCHEDULED,
                        organizations_recorded=len(statuses),
                        organizations_present=statuses.count("present"),
                    )
                )
            created = Meeting.objects.bulk_create(meetings)
            Attendance.objects.bulk_create(
                [
                    Attendance(
                        tenant=tenant,
                        meeting=m,
                        user_id=user_id,
                        status=self.rng.choice(["present", "present", "regrets", "absent"]),
                    )
                    for m in created
                    if m.status == MeetingStatus.HELD
                    for user_id in seats_by_table[table.pk][:5]
                ],
                batch_size=BATCH,
            )
            OrganizationAttendance.objects.bulk_create(
                [
                    OrganizationAttendance(
                        tenant=tenant, meeting=m, organization_id=org_id, status=status
                    )
                    for m, statuses in zip(created, turnouts, strict=True)
                    for org_id, status in zip(orgs_by_table[table.pk], statuses, strict=False)
                ],
                batch_size=BATCH,
            )
            made += len(created)
        self._say(f"{made} meetings with attendance by person and by organization")

    def _measures(self, tenant, tables, author: User) -> None:
        for table in tables:
            measures = Measure.objects.bulk_create(
                [
                    Measure(
                        tenant=tenant,
                        table=table,
                        name=f"Measure {k}",
                        kind="how_well",
                        unit="%",
                        direction="up",
                        baseline_value=Decimal(50),
                        baseline_date=date(2021, 12, 31),
                        target_value=Decimal(80),
                        target_date=date(2027, 12, 31),
                    )
                    for k in range(3)
                ]
            )
            Observation.objects.bulk_create(
                [
                    Observation(
                        tenant=tenant,
                        measure=m,
                        value=Decimal(50 + 3 * y),
                        period_end=date(2022 + y, 12, 31),
                        recorded_by=author,
                    )
                    for m in measures
                    for y in range(4)
                ]
            )
        self._say(f"{3 * len(tables)} measures with observations")
