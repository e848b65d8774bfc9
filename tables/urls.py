"""Table pages under /<tenant>/tables/."""

from django.urls import path

from tables.views import actions, meetings, members, outcomes, progress, tables

app_name = "tables"

urlpatterns = [
    path("", tables.table_list, name="list"),
    path("representation/", tables.representation, name="representation"),
    path("<slug:table_slug>/", tables.table_detail, name="detail"),
    path("<slug:table_slug>/edit/", tables.table_edit, name="edit"),
    path("<slug:table_slug>/status/", tables.table_status, name="status"),
    path("<slug:table_slug>/members/", members.table_members, name="members"),
    path(
        "<slug:table_slug>/members/organizations/",
        members.organization_add,
        name="organization-add",
    ),
    path(
        "<slug:table_slug>/members/organizations/<int:pk>/end/",
        members.organization_end,
        name="organization-end",
    ),
    path("<slug:table_slug>/members/seats/", members.seat_add, name="seat-add"),
    path("<slug:table_slug>/members/seats/<int:pk>/end/", members.seat_end, name="seat-end"),
    path("<slug:table_slug>/members/invite/", members.table_invite, name="invite"),
    path("<slug:table_slug>/meetings.ics", meetings.table_feed, name="feed"),
    path("<slug:table_slug>/meetings/", meetings.meeting_list, name="meetings"),
    path("<slug:table_slug>/meetings/<int:pk>/", meetings.meeting_detail, name="meeting"),
    path("<slug:table_slug>/meetings/<int:pk>/edit/", meetings.meeting_edit, name="meeting-edit"),
    path(
        "<slug:table_slug>/meetings/<int:pk>/cancel/",
        meetings.meeting_cancel_view,
        name="meeting-cancel",
    ),
    path(
        "<slug:table_slug>/meetings/<int:pk>/agenda/",
        meetings.agenda_add,
        name="meeting-agenda",
    ),
    path(
        "<slug:table_slug>/meetings/<int:pk>/record/",
        meetings.meeting_record_view,
        name="meeting-record",
    ),
    path("<slug:table_slug>/meetings/<int:pk>/guests/", meetings.guest_add_view, name="guest-add"),
    path(
        "<slug:table_slug>/meetings/<int:pk>/guests/<int:guest_pk>/remove/",
        meetings.guest_remove_view,
        name="guest-remove",
    ),
    path(
        "<slug:table_slug>/meetings/<int:pk>/decisions/",
        meetings.decision_add_view,
        name="meeting-decision",
    ),
    path(
        "<slug:table_slug>/meetings/<int:pk>/decisions/<int:decision_pk>/action/",
        actions.action_from_decision,
        name="decision-action",
    ),
    path(
        "<slug:table_slug>/meetings/<int:pk>/rsvp/", meetings.meeting_rsvp_view, name="meeting-rsvp"
    ),
    path("<slug:table_slug>/progress/", progress.table_progress, name="progress"),
    path("<slug:table_slug>/outcomes/", outcomes.outcome_list, name="outcomes"),
    path("<slug:table_slug>/outcomes/<int:pk>/", outcomes.measure_detail, name="measure"),
    path("<slug:table_slug>/outcomes/<int:pk>.csv", outcomes.measure_csv, name="measure-csv"),
    path(
        "<slug:table_slug>/outcomes/<int:pk>/edit/",
        outcomes.measure_edit_view,
        name="measure-edit",
    ),
    path(
        "<slug:table_slug>/outcomes/<int:pk>/retire/",
        outcomes.measure_retire_view,
        name="measure-retire",
    ),
    path(
        "<slug:table_slug>/outcomes/<int:pk>/restore/",
        outcomes.measure_restore_view,
        name="measure-restore",
    ),
    path(
        "<slug:table_slug>/outcomes/<int:measure_pk>/values/<int:pk>/edit/",
        outcomes.observation_edit_view,
        name="observation-edit",
    ),
    path(
        "<slug:table_slug>/outcomes/<int:measure_pk>/values/<int:pk>/delete/",
        outcomes.observation_delete_view,
        name="observation-delete",
    ),
    path("<slug:table_slug>/actions/", actions.action_list, name="actions"),
    path("<slug:table_slug>/actions/<int:pk>/", actions.action_detail, name="action"),
    path(
        "<slug:table_slug>/actions/<int:pk>/update/",
        actions.action_update_view,
        name="action-update",
    ),
    path("<slug:table_slug>/actions/<int:pk>/edit/", actions.action_edit_view, name="action-edit"),
]
