"""Table pages under /<tenant>/tables/."""

from django.urls import path

from . import action_views, views

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
    path("<slug:table_slug>/actions/", action_views.action_list, name="actions"),
    path("<slug:table_slug>/actions/<int:pk>/", action_views.action_detail, name="action"),
    path(
        "<slug:table_slug>/actions/<int:pk>/update/",
        action_views.action_update,
        name="action-update",
    ),
]
