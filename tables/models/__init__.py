"""Tables and their work: the table itself, its seats and organizations (core), and the
actions it takes (actions)."""

from .actions import ACTION_OPEN_STATUSES, Action, ActionStatus, ActionUpdate, Priority
from .core import (
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
from .meetings import (
    AgendaItem,
    Attendance,
    AttendanceStatus,
    CalendarToken,
    Decision,
    Meeting,
    MeetingStatus,
    Rsvp,
)

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
    "FocusArea",
    "Meeting",
    "MeetingStatus",
    "ParticipationRole",
    "Priority",
    "Rsvp",
    "SeatRole",
    "TableOrganization",
    "TableSeat",
    "TableStatus",
    "Visibility",
    "Zone",
]
