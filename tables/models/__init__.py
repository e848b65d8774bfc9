"""Tables and their work: the table itself, its seats and organizations (core), and the
actions it takes (actions)."""

from tables.models.actions import ACTION_OPEN_STATUSES, Action, ActionStatus, ActionUpdate, Priority
from tables.models.core import (
    RUNNING_ROLES,
    ActionTable,
    ActionTableGroupObjectPermission,
    ActionTableUserObjectPermission,
    FocusArea,
    ParticipationRole,
    SeatRole,
    TableOrganization,
    TableSeat,
    TableStatus,
    Visibility,
    Zone,
)
from tables.models.meetings import (
    AgendaItem,
    Attendance,
    AttendanceStatus,
    CalendarToken,
    Decision,
    Meeting,
    MeetingStatus,
    Rsvp,
)
from tables.models.outcomes import Direction, Measure, MeasureKind, Observation, UnitKind

__all__ = [
    "ACTION_OPEN_STATUSES",
    "RUNNING_ROLES",
    "Action",
    "ActionStatus",
    "ActionTable",
    "ActionTableGroupObjectPermission",
    "ActionTableUserObjectPermission",
    "ActionUpdate",
    "AgendaItem",
    "Attendance",
    "AttendanceStatus",
    "CalendarToken",
    "Decision",
    "Direction",
    "FocusArea",
    "Measure",
    "MeasureKind",
    "Meeting",
    "MeetingStatus",
    "Observation",
    "ParticipationRole",
    "Priority",
    "Rsvp",
    "SeatRole",
    "TableOrganization",
    "TableSeat",
    "TableStatus",
    "UnitKind",
    "Visibility",
    "Zone",
]
