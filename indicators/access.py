"""Who may see and do what with indicators. The shared catalogue and the plan's own indicators
are readable by every member of the plan; setting the plan's own progress status (an override,
with a reason) is for its admins; choosing the tables that work on an indicator is for
the plan's admins and the coordinators of tables (each for their own tables); story notes are
written by admins and the coordinators of the tables working on the indicator, and edited or
deleted by admins and their author."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from cswb.access import get_tenant_for
from cswb.models import TenantMembership, User
from indicators.models import Indicator, IndicatorTable, StoryNote
from indicators.selectors.catalogue import indicator_detail
from tables.access import TableNeed, tables_allowed
from tables.models import ActionTable


class IndicatorNeed(StrEnum):
    VIEW = "view"
    LINK = "link"  # choose the action tables that work on it
    NOTE = "note"  # write a story behind the curve
    OVERRIDE = "override"  # set the plan's own progress status, with a reason


@dataclass(frozen=True)
class IndicatorAccess:
    indicator: Indicator
    is_admin: bool
    changeable_table_ids: frozenset[int]  # tables the person runs (all of them for admins)
    linked_table_ids: frozenset[int]  # tables working on this indicator

    @property
    def can_link(self) -> bool:
        return self.is_admin or bool(self.changeable_table_ids)

    @property
    def can_note(self) -> bool:
        return self.is_admin or bool(self.changeable_table_ids & self.linked_table_ids)

    @property
    def can_override(self) -> bool:
        return self.is_admin

    def allows(self, need: IndicatorNeed) -> bool:
        return {
            IndicatorNeed.VIEW: True,
            IndicatorNeed.LINK: self.can_link,
            IndicatorNeed.NOTE: self.can_note,
            IndicatorNeed.OVERRIDE: self.can_override,
        }[need]

    def may_edit(self, note: StoryNote, user: User) -> bool:
        return self.is_admin or (note.author_id == user.pk and self.can_note)


def changeable_table_ids(*, user: User, membership: TenantMembership) -> frozenset[int]:
    """The tables the person may change: every table for admins, else those they coordinate.
    One query."""
    allowed = tables_allowed(user=user, membership=membership, need=TableNeed.CHANGE)
    return frozenset(ActionTable.objects.filter(allowed).values_list("pk", flat=True))


def get_indicator_for(
    request: HttpRequest, slug: str, *, need: IndicatorNeed = IndicatorNeed.VIEW
) -> IndicatorAccess:
    """The indicator (the plan's own or the shared catalogue's) and what the person may do with
    it; 404 for an indicator of another plan or none, 403 for a need they do not have."""
    tenant = get_tenant_for(request)
    indicator = indicator_detail(slug=slug, tenant=tenant)
    if indicator is None:
        raise Http404("No such indicator.")
    membership = request.membership
    access = IndicatorAccess(
        indicator=indicator,
        is_admin=membership.is_admin,
        changeable_table_ids=changeable_table_ids(user=request.user, membership=membership),
        linked_table_ids=frozenset(
            IndicatorTable.objects.filter(indicator=indicator).values_list("table_id", flat=True)
        ),
    )
    if not access.allows(need):
        raise PermissionDenied(
            "Only the plan's administrators can set a progress status."
            if need == IndicatorNeed.OVERRIDE
            else "Only the plan's administrators and the coordinators of the tables working on "
            "this indicator can do this."
        )
    return access


@dataclass(frozen=True)
class NoteAccess:
    note: StoryNote
    indicator: IndicatorAccess


def get_note_for(request: HttpRequest, slug: str, pk: int) -> NoteAccess:
    """A story note to edit or delete: 404 when it is not this indicator's in this plan, 403
    unless the person is an admin or its author (still writing notes on this indicator)."""
    found = get_indicator_for(request, slug)
    note = StoryNote.objects.filter(indicator=found.indicator, pk=pk).first()
    if note is None:
        raise Http404("No such note.")
    if not found.may_edit(note, request.user):
        raise PermissionDenied("Only the plan's administrators and the note's author can.")
    return NoteAccess(note=note, indicator=found)
