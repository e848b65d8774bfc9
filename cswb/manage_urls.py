"""Tenant administration under /<tenant>/manage/: the core's pages, and each app's own."""

from django.urls import include, path

from cswb import import_views, manage_views

app_name = "manage"

urlpatterns = [
    path("members/", manage_views.members, name="members"),
    path("members/<int:pk>/role/", manage_views.member_role, name="member-role"),
    path("members/<int:pk>/deactivate/", manage_views.member_deactivate, name="member-deactivate"),
    path("security/", manage_views.security, name="security"),
    path("imports/<int:pk>/", import_views.import_detail, name="import"),
    path("imports/<int:pk>/progress/", import_views.import_progress_view, name="import-progress"),
    path("imports/<int:pk>/confirm/", import_views.import_confirm_view, name="import-confirm"),
    path("", include("tables.manage_urls")),
    path("", include("partners.manage_urls")),
    path("", include("indicators.manage_urls")),
    path("", include("engagement.manage_urls")),
]
