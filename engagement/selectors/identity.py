"""Reads of voluntary self-identification: a person's own answers (for them alone), and counts
per declared group with small numbers suppressed — the only way anyone else sees any of it."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from django.db import connection
from django.db.models import Q
from django_scopes import scopes_disabled

from cswb.jsonrows import RowMaker, json_cell, json_row
from cswb.models import Tenant, User
from engagement.models import (
    GROUP_NAMES,
    ContactIdentityLink,
    IdentityAnswer,
    IdentityQuestion,
    IdentityQuestionSetting,
    RepresentationGoal,
    SelfIdentification,
    SelfIdentificationAnswer,
)
from partners.models import Contact, Sector
from tables.models import ActionTable, SeatRole, TableOrganization, TableSeat

# The smallest count shown. A smaller one, and the count that would give it away (its
# complement: the rest of the same respondents), are both withheld.
SMALLEST_SHOWN = 5

# The sectors Ontario's Community Safety and Policing Act expects on a CSWB advisory
# committee: health or mental health, education, community or social services, children or
# youth services, police, and the municipality.
LEGISLATED_SECTORS = (
    Sector.HEALTH,
    Sector.EDUCATION,
    Sector.SOCIAL_SERVICES,
    Sector.CHILDREN_YOUTH,
    Sector.POLICE,
    Sector.MUNICIPAL,
)


def identity_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def question_settings() -> tuple[list[str], list[str]]:
    """(asked, reported) question keys, in the default set's order. A plan that has not
    configured them asks and reports all."""
    return _asked_reported(
        IdentityQuestionSetting.objects.values_list("question", "is_asked", "is_reported")
    )


def _asked_reported(rows: Iterable[tuple[str, bool, bool]]) -> tuple[list[str], list[str]]:
    """`question_settings` from the plan's rows (question, is asked, is reported)."""
    settings = {question: (asked, reported) for question, asked, reported in rows}
    if not settings:
        return list(IdentityQuestion.values), list(IdentityQuestion.values)
    asked = [q for q in IdentityQuestion.values if q in settings and settings[q][0]]
    reported = [q for q in asked if settings[q][1]]
    return asked, reported


def own_identification(
    *, user: User | None = None, contact: Contact | None = None
) -> tuple[SelfIdentification | None, dict[str, str]]:
    """The owner's row and answers, for the owner's own page only."""
    owner = {"user": user} if user is not None else {"contact": contact}
    identification = SelfIdentification.objects.filter(**owner).first()
    if identification is None:
        return None, {}
    return identification, dict(identification.answers.values_list("question", "answer"))


@dataclass(frozen=True)
class GroupCount:
    """One declared group among some respondents: how many said yes, and how many did not
    (no, prefer not to say, or left it blank). Either under SMALLEST_SHOWN withholds both."""

    question: str
    yes: int
    rest: int

    @property
    def name(self) -> str:
        return str(GROUP_NAMES[IdentityQuestion(self.question)])

    @property
    def suppressed(self) -> bool:
        return self.yes < SMALLEST_SHOWN or self.rest < SMALLEST_SHOWN

    @property
    def shown_yes(self) -> int | None:
        return None if self.suppressed else self.yes

    @property
    def shown_rest(self) -> int | None:
        return None if self.suppressed else self.rest


@dataclass
class Aggregate:
    respondents: int
    groups: list[GroupCount] = field(default_factory=list)

    @property
    def respondents_shown(self) -> int | None:
        return self.respondents if self.respondents >= SMALLEST_SHOWN else None


def _aggregate(
    answers: Iterable[tuple[int, str, str]], respondents: set[int], reported: list[str]
) -> Aggregate:
    yes: dict[str, int] = dict.fromkeys(reported, 0)
    for identification_id, question, answer in answers:
        if identification_id in respondents and question in yes and answer == IdentityAnswer.YES:
            yes[question] += 1
    return Aggregate(
        respondents=len(respondents),
        groups=[GroupCount(q, yes[q], len(respondents) - yes[q]) for q in reported],
    )


@dataclass
class TableGroups:
    """Who is at each table, as self-identification rows: seat holders and the digest
    contacts of organizations taking part."""

    by_table: dict[int, set[int]]
    plan: set[int]
    answers: list[tuple[int, str, str]]
    reported: list[str]

    def for_table(self, table_id: int) -> Aggregate:
        return _aggregate(self.answers, self.by_table.get(table_id, set()), self.reported)

    def for_plan(self) -> Aggregate:
        return _aggregate(self.answers, self.plan, self.reported)


@dataclass
class TableFacts:
    """Who sits at the tables today, read once for the goals and the counts alike."""

    seats: list[tuple[int, int, str]]  # (table, user, role)
    participations: list[tuple[int, int, str]]  # (table, organization, sector)

    @classmethod
    def read(cls, table_ids: Iterable[int] | None) -> TableFacts:
        seats = TableSeat.objects.current()
        participations = TableOrganization.objects.current()
        if table_ids is not None:
            table_ids = list(table_ids)
            seats = seats.filter(table_id__in=table_ids)
            participations = participations.filter(table_id__in=table_ids)
        return cls(
            list(seats.values_list("table_id", "user_id", "role")),
            list(participations.values_list("table_id", "organization_id", "organization__sector")),
        )

    @classmethod
    def of(
        cls, *, seats: Iterable[TableSeat], participations: Iterable[TableOrganization]
    ) -> TableFacts:
        """The same facts from the current seats and participations (with their organizations)
        a page has already read: the table page reads them once for itself and its panel."""
        return cls(
            [(s.table_id, s.user_id, s.role) for s in seats],
            [(p.table_id, p.organization_id, p.organization.sector) for p in participations],
        )

    def sectors(self) -> dict[int, dict[str, int]]:
        found: dict[int, dict[str, int]] = {}
        for table_id, _, sector in self.participations:
            found.setdefault(table_id, {}).setdefault(sector, 0)
            found[table_id][sector] += 1
        return found

    def advisors(self) -> dict[int, int]:
        found: dict[int, int] = {}
        for table_id, _, role in self.seats:
            if role == SeatRole.LIVED_EXPERIENCE_ADVISOR:
                found[table_id] = found.get(table_id, 0) + 1
        return found


def identity_groups(
    *, facts: TableFacts, reported: list[str], only_these_people: bool = False
) -> TableGroups:
    """Everything the counts need: one query for the answers (two when digest contacts have
    answered), however many people and tables. With `only_these_people` (one table's page),
    only the answers of the people in `facts` are read — its seat holders and its
    organizations' contacts — not the whole plan's, so the page does not grow with the plan;
    the result then answers `for_table` for those tables only, not `for_plan`."""
    rows = _identification_rows(facts, only_these_people=only_these_people)
    contacts = _contact_organizations(rows, {o for _, o, _ in facts.participations})
    return _groups(rows, contacts, facts=facts, reported=reported)


def _identification_rows(facts: TableFacts, *, only_these_people: bool) -> list[tuple]:
    """(id, user, contact, question, answer) of every self-identification of the plan, one row
    per answer (or one with no answer); with `only_these_people`, of the people in `facts`
    only: their seat holders and their organizations' contacts."""
    identifications = SelfIdentification.objects.all()
    if only_these_people:
        users = {user_id for _, user_id, _ in facts.seats}
        organizations = {organization_id for _, organization_id, _ in facts.participations}
        identifications = identifications.filter(
            Q(user_id__in=users) | Q(contact__organization_id__in=organizations)
        )
    return list(
        identifications.values_list(
            "pk", "user_id", "contact_id", "answers__question", "answers__answer"
        )
    )


def _contact_organizations(rows: list[tuple], organizations: set[int]) -> dict[int, int]:
    """The organization of each digest contact among the self-identification rows, of those
    organizations only: one query, none when no contact answered."""
    contacts = {contact_id for _, _, contact_id, _, _ in rows if contact_id}
    if not (contacts and organizations):
        return {}
    return dict(
        Contact.objects.filter(
            pk__in=list(contacts), organization_id__in=list(organizations)
        ).values_list("pk", "organization_id")
    )


def _groups(
    rows: list[tuple[int, int | None, int | None, str | None, str | None]],
    contacts: dict[int, int],
    *,
    facts: TableFacts,
    reported: list[str],
) -> TableGroups:
    """The counts from the self-identification rows (id, user, contact, question, answer: one
    per answer, or one with no answer) and the organization of each contact among them."""
    by_user = {u: pk for pk, u, _, _, _ in rows if u}
    by_contact = {c: pk for pk, _, c, _, _ in rows if c}
    by_table: dict[int, set[int]] = {}
    for table_id, user_id, _ in facts.seats:
        if user_id in by_user:
            by_table.setdefault(table_id, set()).add(by_user[user_id])
    org_tables: dict[int, set[int]] = {}
    for table_id, org_id, _ in facts.participations:
        org_tables.setdefault(org_id, set()).add(table_id)
    for contact_id, org_id in contacts.items():
        if contact_id in by_contact and org_id in org_tables:
            for table_id in org_tables[org_id]:
                by_table.setdefault(table_id, set()).add(by_contact[contact_id])
    answers = [(pk, q, a) for pk, _, _, q, a in rows if q]
    return TableGroups(by_table, {pk for pk, _, _, _, _ in rows}, answers, reported)


# -- representation goals ----------------------------------------------------------------------


@dataclass(frozen=True)
class GoalResult:
    goal: RepresentationGoal
    label: str
    target: str
    actual: str
    met: bool | None  # None: cannot be told without revealing small numbers
    gap: str


def _plural(n: int, word: str) -> str:
    return f"{n} more {word}{'' if n == 1 else 's'}"


def _goal_result(
    goal: RepresentationGoal, table_sectors: dict[str, int], advisors: int, groups: TableGroups
) -> GoalResult:
    kind = RepresentationGoal.Kind
    target = str(goal.target)
    if goal.kind == kind.ADVISOR:
        short = goal.target - advisors
        gap = _plural(short, "lived-experience advisor") if short > 0 else ""
        return GoalResult(goal, "Lived-experience advisors", target, str(advisors), not gap, gap)
    if goal.kind == kind.SECTOR:
        have, label = table_sectors.get(goal.sector, 0), str(Sector(goal.sector).label)
        short = goal.target - have
        gap = f"{_plural(short, 'organization')} from {label.lower()}" if short > 0 else ""
        return GoalResult(goal, label, target, str(have), not gap, gap)
    if goal.kind == kind.ALL_SECTORS:
        missing = [str(Sector(s).label) for s in LEGISLATED_SECTORS if not table_sectors.get(s)]
        total = len(LEGISLATED_SECTORS)
        gap = ("Missing: " + ", ".join(missing)) if missing else ""
        return GoalResult(
            goal, "Every legislated sector", str(total), str(total - len(missing)), not gap, gap
        )
    name = str(GROUP_NAMES[IdentityQuestion(goal.group)])
    count = next(
        (g for g in groups.for_table(goal.table_id).groups if g.question == goal.group), None
    )
    if count is None:
        return GoalResult(goal, name, target, "not reported", None, "Not declared for reporting")
    if count.suppressed:
        return GoalResult(
            goal, name, target, "withheld (small numbers)", None, "Cannot be told: small numbers"
        )
    short = goal.target - count.yes
    who = "person" if short == 1 else "people"
    gap = f"{short} more {who} in this group" if short > 0 else ""
    return GoalResult(goal, name, target, str(count.yes), not gap, gap)


def goal_results(
    goals: list[RepresentationGoal],
    *,
    sectors: dict[int, dict[str, int]],
    advisors: dict[int, int],
    groups: TableGroups,
) -> list[GoalResult]:
    return [
        _goal_result(g, sectors.get(g.table_id, {}), advisors.get(g.table_id, 0), groups)
        for g in goals
    ]


@dataclass
class PanelRows:
    """What a table's goals panel reads: the plan's question settings (question, asked,
    reported), the table's goals, and the self-identification rows of its people (see
    `_groups`) with the organization of each contact among them."""

    settings: list[tuple[str, bool, bool]]
    goals: list[RepresentationGoal]
    identifications: list[tuple[int, int | None, int | None, str | None, str | None]]
    contacts: dict[int, int]


def table_goals_panel(*, table: ActionTable, facts: TableFacts | None = None) -> dict[str, object]:
    """The table page's block: its goals against today, and its counts. One statement on
    PostgreSQL when the caller has the table's facts already (see `panel_rows`)."""
    if facts is None:
        facts = TableFacts.read([table.pk])
    rows = panel_rows(table, facts)
    _, reported = _asked_reported(rows.settings)
    groups = _groups(rows.identifications, rows.contacts, facts=facts, reported=reported)
    return {
        "goals": goal_results(
            rows.goals, sectors=facts.sectors(), advisors=facts.advisors(), groups=groups
        ),
        "aggregate": groups.for_table(table.pk),
    }


def panel_rows(table: ActionTable, facts: TableFacts) -> PanelRows:
    """The panel's rows: in one statement on PostgreSQL (its three sets as JSON, see
    cswb.jsonrows), through the ORM elsewhere (`panel_rows_orm`, held equal by a test)."""
    if connection.vendor != "postgresql":
        return panel_rows_orm(table, facts)
    values = {
        "tenant": table.tenant_id,
        "table": table.pk,
        "users": sorted({user_id for _, user_id, _ in facts.seats}),
        "organizations": sorted({org_id for _, org_id, _ in facts.participations}),
    }
    with connection.cursor() as cursor:
        cursor.execute(_panel_statement(), values)
        settings, goals, identifications = (json_cell(cell) for cell in cursor.fetchone())
    rows = [tuple(row) for row in identifications or ()]
    return PanelRows(
        settings=[tuple(row) for row in settings or ()],
        goals=_GOAL.many(goals),
        identifications=[row[:3] + row[4:] for row in rows],
        contacts={row[2]: row[3] for row in rows if row[2] and row[3] in values["organizations"]},
    )


def panel_rows_orm(table: ActionTable, facts: TableFacts) -> PanelRows:
    """`panel_rows` through the ORM: four queries (three when no contact answered)."""
    identifications = _identification_rows(facts, only_these_people=True)
    organizations = {org_id for _, org_id, _ in facts.participations}
    return PanelRows(
        settings=list(
            IdentityQuestionSetting.objects.values_list("question", "is_asked", "is_reported")
        ),
        goals=list(RepresentationGoal.objects.filter(table=table).order_by("pk")),
        identifications=identifications,
        contacts=_contact_organizations(identifications, organizations),
    )


_GOAL = RowMaker(RepresentationGoal)


@cache
def _panel_statement() -> str:
    """The panel's statement: the plan's settings, the table's goals by id, and the answers of
    the table's seat holders and its organizations' contacts, in this plan only (a person
    answers in each plan they belong to). Column names and constants, never input."""
    settings = IdentityQuestionSetting._meta.db_table
    goals = RepresentationGoal._meta.db_table
    identification = SelfIdentification._meta.db_table
    answer = SelfIdentificationAnswer._meta.db_table
    contact = Contact._meta.db_table
    return f"""SELECT
  (SELECT json_agg(json_build_array(s.question, s.is_asked, s.is_reported))
    FROM {settings} s WHERE s.tenant_id = %(tenant)s)::text,
  (SELECT json_agg({json_row((RepresentationGoal, "g"))} ORDER BY g.id)
    FROM {goals} g WHERE g.table_id = %(table)s)::text,
  (SELECT json_agg(json_build_array(i.id, i.user_id, i.contact_id, c.organization_id,
                                    a.question, a.answer))
    FROM {identification} i
      LEFT JOIN {contact} c ON c.id = i.contact_id
      LEFT JOIN {answer} a ON a.identification_id = i.id
    WHERE i.tenant_id = %(tenant)s
      AND (i.user_id = ANY(%(users)s) OR c.organization_id = ANY(%(organizations)s)))::text
"""  # noqa: S608 - the models' tables and columns


def plan_representation_panel(*, tables: list[ActionTable]) -> dict[str, object]:
    """The representation page's block: every table's goals, the plan's counts and each
    table's. Five queries however many tables, goals and people."""
    _, reported = question_settings()
    goals = list(RepresentationGoal.objects.select_related("table").order_by("table__name", "pk"))
    facts = TableFacts.read(None)
    groups = identity_groups(facts=facts, reported=reported)
    return {
        "goals": goal_results(
            goals, sectors=facts.sectors(), advisors=facts.advisors(), groups=groups
        ),
        "aggregate": groups.for_plan(),
        "tables": [(t, groups.for_table(t.pk)) for t in tables],
    }


def contact_for_identity_token(token: str) -> tuple[Tenant, int] | None:
    """(tenant, contact id) of a self-identification link, or None. Looked up outside any
    scope, by the hash of the secret: the link is the only key."""
    if not token or len(token) > 100:
        return None
    with scopes_disabled():
        link = (
            ContactIdentityLink.objects.select_related("tenant")
            .filter(token_hash=identity_token_hash(token), tenant__is_active=True)
            .first()
        )
    return (link.tenant, link.contact_id) if link is not None else None
