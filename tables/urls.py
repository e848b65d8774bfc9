"""Table pages under /<tenant>/tables/."""

from django.urls import path

from tables import action_views, meeting_views, outcome_views, progress_views, views

app_name = "tables"

urlpatterns = [
    path("", views.table_list, name="list"),
    path("representation/", views.representation, name="representation"),
    path("<slug:table_slug>/", views.table_detail, name="detail"),
    path("<slug:table_slug>/edit/", views.table_edit, name="edit"),
    path("<slug:table_slug>/status/", views.table_status, name="status"),
    path("<slug:table_slug>/members/", views.table_members, name="members"),
    path(
        "<slug:table_slug>/members/organizations/", views.organization_add, name="organization-add"
    ),
    path(
        "<slug:table_slug>/members/organizations/<int:pk>/end/",
        views.organization_end,
        name="organization-end",
    ),
    path("<slug:table_slug>/members/seats/", views.seat_add, name="seat-add"),
    path("<slug:table_slug>/members/seats/<int:pk>/end/", views.seat_end, name="seat-end"),
    path("<slug:table_slug>/members/invite/", views.table_invite, name="invite"),
    path("<slug:table_slug>/meetings.ics", meeting_views.table_feed, name="feed"),
    path("<slug:table_slug>/meetings/", meeting_views.meeting_list, name="meetings"),
    path("<slug:table_slug>/meetings/<int:pk>/", meeting_views.meeting_detail, name="meeting"),
    path(
        "<slug:table_slug>/meetings/<int:pk>/edit/", meeting_views.meeting_edit, name="meeting-edit"
    ),
    path(
        "<slug:table_slug>/meetings/<int:pk>/cancel/",
        meeting_views.meeting_cancel,
        name="meeting-cancel",
    ),
    path(
        "<slug:table_slug>/meetings/<int:pk>/agenda/",
        meeting_views.agenda_add,
        name="meeting-agenda",
    ),
    path(
        "<slug:table_slug>/meetings/<int:pk>/record/",
        meeting_views.meeting_record,
        name="meeting-record",
    ),
    path(
        "<slug:table_slug>/meetings/<int:pk>/decisions/",
        meeting_views.decision_add,
        name="meeting-decision",
    ),
    path(
        "<slug:table_slug>/meetings/<int:pk>/decisions/<int:decision_pk>/action/",
        meeting_views.decision_action,
        name="decision-action",
    ),
    path(
        "<slug:table_slug>/meetings/<int:pk>/rsvp/", meeting_views.meeting_rsvp, name="meeting-rsvp"
    ),
    path("<slug:table_slug>/progress/", progress_views.table_progress, name="progress"),
    path("<slug:table_slug>/outcomes/", outcome_views.outcome_list, name="outcomes"),
    path("<slug:table_slug>/outcomes/<int:pk>/", outcome_views.measure_detail, name="measure"),
    path("<slug:table_slug>/outcomes/<int:pk>.csv", outcome_views.measure_csv, name="measure-csv"),
    path("<slug:table_slug>/actions/", action_views.action_list, name="actions"),
    path("<slug:table_slug>/actions/<int:pk>/", action_views.action_detail, name="action"),
    path(
        "<slug:table_slug>/actions/<int:pk>/update/",
        action_views.action_update,
        name="action-update",
    ),
]
