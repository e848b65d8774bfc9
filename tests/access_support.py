"""What the access matrix needs besides its tables: a snapshot of every row the apps own (to
prove a refused request changed nothing), one plan's objects to name in another plan's forms,
and a look at which forms a view uses."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django import forms
from django.apps import apps
from django.urls import URLPattern, URLResolver
from django_scopes import scope, scopes_disabled

from cswb.models import Tenant, TenantRole, User
from partners.models import Organization, Sector
from tables.models import ActionTable, FocusArea, ParticipationRole
from tables.services.seats import table_organization_add

from .builders import organization_build
from .conftest import World
from .factories import MembershipFactory, UserFactory

# Every model of these apps, the auto-created many-to-many tables included (a table's focus
# areas, a person's groups); `auth` for the organizations' groups.
SNAPSHOT_APPS = ("auth", "cswb", "partners", "tables", "indicators", "engagement")

Snapshot = dict[tuple[str, object], dict[str, object]]


def snapshot() -> Snapshot:
    """Every row of the apps' models, keyed by (model, pk): both plans at once."""
    rows: Snapshot = {}
    with scopes_disabled():
        for app in SNAPSHOT_APPS:
            for model in apps.get_app_config(app).get_models(include_auto_created=True):
                pk = model._meta.pk.attname
                for values in model._base_manager.order_by().values():
                    rows[(model._meta.label, values[pk])] = values
    return rows


def changes(before: Snapshot, after: Snapshot) -> dict[str, list]:
    """What differs between two snapshots, for an assertion message (empty: nothing)."""
    found = {
        "added": sorted(str(key) for key in after.keys() - before.keys()),
        "removed": sorted(str(key) for key in before.keys() - after.keys()),
        "changed": sorted(
            str(key) for key in before.keys() & after.keys() if before[key] != after[key]
        ),
    }
    return {kind: keys for kind, keys in found.items() if keys}


@dataclass(frozen=True)
class Plan:
    """One plan's side of a cross-plan post: its administrator, who posts, and objects of its
    own that a form may name."""

    tenant: Tenant
    admin: User
    table: ActionTable  # `organization` sits at it
    organization: Organization
    newcomer: Organization  # sits at no table
    focus_area: FocusArea
    member: User  # a plain member of the plan, with no seat


def _focus_area(tenant: Tenant, name: str) -> FocusArea:
    with scope(tenant=tenant):
        return FocusArea.objects.create(tenant=tenant, name=name, slug=name.lower(), position=0)


def plans(world: World) -> tuple[Plan, Plan]:
    """Halton and Lakeshore, each with an organization at its youth table, one at none, a focus
    area and a plain member."""
    halton = Plan(
        tenant=world.halton,
        admin=world.admin,
        table=world.table,
        organization=world.youth_org,
        newcomer=organization_build(
            world.halton, name="Halton Food Bank", sector=Sector.SOCIAL_SERVICES, actor=world.admin
        ),
        focus_area=_focus_area(world.halton, "Wellbeing"),
        member=world.member,
    )
    at_table = organization_build(
        world.lakeshore,
        name="Lakeshore Youth Services",
        sector=Sector.CHILDREN_YOUTH,
        actor=world.outsider,
    )
    with scope(tenant=world.lakeshore):
        table_organization_add(
            table=world.lakeshore_table,
            organization=at_table,
            role=ParticipationRole.MEMBER,
            actor=world.outsider,
        )
    member = UserFactory(email="member@lakeshore.example")
    MembershipFactory(tenant=world.lakeshore, user=member, role=TenantRole.MEMBER)
    lakeshore = Plan(
        tenant=world.lakeshore,
        admin=world.outsider,
        table=world.lakeshore_table,
        organization=at_table,
        newcomer=organization_build(
            world.lakeshore,
            name="Lakeshore Food Bank",
            sector=Sector.SOCIAL_SERVICES,
            actor=world.outsider,
        ),
        focus_area=_focus_area(world.lakeshore, "Safety"),
        member=member,
    )
    return halton, lakeshore


def tenant_patterns(patterns: list, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    """(URL name, pattern) for every pattern under /<tenant>/."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            namespace = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            yield from tenant_patterns(entry.url_patterns, namespace)
        elif isinstance(entry, URLPattern):
            yield f"{prefix}{entry.name}" if entry.name else f"<unnamed {entry.pattern}>", entry


def names_in(view: Callable) -> set[str]:
    """The global names a view's own code uses (its lambdas included), under its decorators."""
    code = inspect.unwrap(view).__code__
    names: set[str] = set()
    stack = [code]
    while stack:
        each = stack.pop()
        names |= set(each.co_names)
        stack += [const for const in each.co_consts if inspect.iscode(const)]
    return names


def has_choice_field(view: Callable) -> bool:
    """Whether a form the view uses offers choices: a ChoiceField (model choices, multiple
    choices) declared on the class, made from a model's choices, or added in `__init__` or by a
    form-building function."""
    module = inspect.unwrap(view).__globals__
    for name in names_in(view):
        used = module.get(name)
        if isinstance(used, type) and issubclass(used, forms.BaseForm):
            if any(isinstance(f, forms.ChoiceField) for f in used.base_fields.values()):
                return True
            if "ChoiceField" in inspect.getsource(used):
                return True
        elif (
            inspect.isfunction(used)
            and name.endswith("_form")
            and "ChoiceField" in inspect.getsource(used)
        ):
            return True
    return False
