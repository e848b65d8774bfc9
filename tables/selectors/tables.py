"""Reads of tables across their relations, already scoped, filtered by what the person may
see, and prefetched so that no query runs while a page renders."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Case, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, When
from django.db.models.functions import Coalesce

from cswb.models import ActivityEvent, TenantMembership, User
from partners.models import Organization, Sector
from tables.access import TableNeed, tables_allowed, tables_granted
from tables.models import (
    ActionTable,
    FocusArea,
    SeatRole,
    TableOrganization,
    TableSeat,
    TableStatus,
)
from tables.selectors.table_read import TableRead, table_read


def tables_visible_to(*, user: User, membership: TenantMembership) -> QuerySet[ActionTable]:
    """Every table the person may see in the list: all of them for admins and leadership
    (members-only ones as a summary), otherwise the plan-wide ones and their own."""
    return ActionTable.objects.filter(
        tables_allowed(user=user, membership=membership, need=TableNeed.SUMMARY)
    )


def tables_list(
    *,
    user: User,
    membership: TenantMembership,
    focus_area: str = "",
    zone: str = "",
    status: str = "",
    mine: bool = False,
    search: str = "",
) -> QuerySet[ActionTable]:
    """The tables the list shows for these filters, by name: counted as they are, a page of
    them read with what their cards show through `table_cards` (so that counting them does
    not make, and strip again, what only the page reads)."""
    tables = tables_visible_to(user=user, membership=membership)
    if focus_area:
        tables = tables.filter(focus_areas__slug=focus_area)
    if zone:
        tables = tables.filter(zone=zone)
    if status:
        tables = tables.filter(status=status)
    if mine:
        tables = tables.filter(tables_granted(user))
    if search:
        tables = tables.filter(Q(name__icontains=search) | Q(purpose__icontains=search))
    if focus_area:
        tables = tables.distinct()  # the focus-area join may meet a table once per area
    return tables.order_by("name")


def table_cards(tables: QuerySet[ActionTable], *, user: User) -> QuerySet:
    """`tables_list` as its cards show it (`CARD_FIELDS`): with its organizations and seats
    now, and whether the person is a member. Counted per table by correlated subqueries on
    the (table) indexes: joining both the participations and the seats would multiply them
    (10 by 20 rows per table) before counting."""
    return tables.annotate(
        organization_count=_current_count(TableOrganization),
        seat_count=_current_count(TableSeat),
        is_mine=Case(When(tables_granted(user), then=True), default=False),
    ).values_list(*CARD_FIELDS, named=True)


# What a card reads of a table, as plain values (rows with these names, not model instances).
CARD_FIELDS = (
    "pk",
    "name",
    "slug",
    "status",
    "zone",
    "visibility",
    "organization_count",
    "seat_count",
    "is_mine",
)


def focus_area_names(tables: list, areas: list[FocusArea]) -> dict[int, list[str]]:
    """The names of each table's focus areas, in the areas' order (`areas`: the plan's, read
    already for the filter): one query of the links alone, for a page of tables."""
    order = {area.pk: (n, area.name) for n, area in enumerate(areas)}
    names: dict[int, list[tuple[int, str]]] = {t.pk: [] for t in tables}
    for table_id, area_id in ActionTable.focus_areas.through.objects.filter(
        actiontable_id__in=list(names)
    ).values_list("actiontable_id", "focusarea_id"):
        names[table_id].append(order[area_id])
    return {table_id: [name for _n, name in sorted(found)] for table_id, found in names.items()}


@dataclass(frozen=True, slots=True)
class TableLine:
    """A table as a short list shows it (the tenant home's), read as plain values."""

    pk: int
    name: str
    slug: str
    status: str

    @property
    def status_label(self) -> str:
        return TableStatus(self.status).label


def my_table_lines(*, user: User) -> list[TableLine]:
    """Every table the person is a member of, by name, as plain values: the tenant home's
    short list, and the tables whose meetings it shows (read once for both). Nothing else is
    filtered: whoever may see any table sees the tables they are a member of (`tables_allowed`
    holds `tables_granted`)."""
    return [
        TableLine(*row)
        for row in ActionTable.objects.filter(tables_granted(user))
        .order_by("name", "pk")
        .values_list("pk", "name", "slug", "status")
    ]


def _current_count(model) -> Coalesce:
    """How many current rows of a membership-period model sit at the outer table."""
    return Coalesce(
        Subquery(
            model.objects.current()
            .filter(table=OuterRef("pk"))
            .order_by()
            .values("table")
            .annotate(n=Count("*"))
            .values("n")[:1],
            output_field=IntegerField(),
        ),
        0,
    )


@dataclass
class Representation:
    """Which sectors sit at a table (or across the plan), which are missing, and how many
    lived-experience advisors there are: the membership-diversity recommendation, visible."""

    organizations_by_sector: dict[str, list[str]] = field(default_factory=dict)
    lived_experience_advisors: int = 0

    @property
    def represented(self) -> list[tuple[str, str, int]]:
        return [
            (value, label, len(self.organizations_by_sector[value]))
            for value, label in Sector.choices
            if self.organizations_by_sector.get(value)
        ]

    @property
    def missing(self) -> list[str]:
        return [
            label
            for value, label in Sector.choices
            if value != Sector.OTHER and not self.organizations_by_sector.get(value)
        ]


def table_page(
    *, table: ActionTable, with_timeline: bool, read: TableRead | None = None
) -> dict[str, object]:
    """Everything the table page shows of who takes part, in a fixed number of queries: from
    `read` when the caller has read the table already (see tables.selectors.table_read)."""
    if read is None:
        read = table_read(table, workspace=False)
    participations, seats = read.participations, read.seats
    representation = Representation(
        lived_experience_advisors=sum(s.role == SeatRole.LIVED_EXPERIENCE_ADVISOR for s in seats)
    )
    for participation in participations:
        org = participation.organization
        representation.organizations_by_sector.setdefault(org.sector, []).append(org.name)
    seats_by_org: dict[int | None, list[TableSeat]] = {}
    for seat in seats:
        seats_by_org.setdefault(seat.organization_id, []).append(seat)
    timeline = (
        list(ActivityEvent.objects.filter(table=table).select_related("actor")[:15])
        if with_timeline
        else []
    )
    return {
        "participations": [(p, seats_by_org.get(p.organization_id, [])) for p in participations],
        "independent_seats": seats_by_org.get(None, [])
        + [
            s
            for s in seats
            if s.organization_id
            and s.organization_id not in {p.organization_id for p in participations}
        ],
        "seats": seats,
        "representation": representation,
        "timeline": timeline,
        "focus_areas": read.focus_areas,
    }


def tenant_representation() -> tuple[Representation, list[dict[str, object]]]:
    """Across the plan: organizations per sector at any active table, advisors in total, and
    per table the number of sectors and advisors. A fixed number of queries."""
    overall = Representation()
    per_table: dict[int, dict[str, object]] = {}
    for table in ActionTable.objects.order_by("name"):
        per_table[table.pk] = {"table": table, "sectors": set(), "advisors": 0}
    for table_id, name, sector in (
        TableOrganization.objects.current()
        .filter()
        .values_list("table_id", "organization__name", "organization__sector")
    ):
        per_table[table_id]["sectors"].add(sector)
        names = overall.organizations_by_sector.setdefault(sector, [])
        if name not in names:
            names.append(name)
    advisors = Counter(
        TableSeat.objects.current()
        .filter(role=SeatRole.LIVED_EXPERIENCE_ADVISOR)
        .values_list("table_id", flat=True)
    )
    for table_id, count in advisors.items():
        per_table[table_id]["advisors"] = count
    overall.lived_experience_advisors = sum(advisors.values())
    rows = [
        {
            **row,
            "sector_count": len(row["sectors"]),
            "missing_count": len(set(Sector.values) - {Sector.OTHER} - row["sectors"]),
        }
        for row in per_table.values()
    ]
    return overall, rows


def organizations_for_choice(*, exclude_table: ActionTable | None = None) -> list[Organization]:
    organizations = Organization.objects.filter(is_active=True).order_by("name")
    if exclude_table is not None:
        organizations = organizations.exclude(
            participations__table=exclude_table, participations__left_on__isnull=True
        )
    return list(organizations)


def organizations_at_table(*, table: ActionTable) -> list[Organization]:
    """The organizations sitting at the table now: the only ones its coordinators invite for."""
    return list(
        Organization.objects.filter(
            participations__table=table, participations__left_on__isnull=True
        ).order_by("name")
    )
