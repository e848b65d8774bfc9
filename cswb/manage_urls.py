"""Tenant administration under /<tenant>/manage/."""

from django.urls import path

from cswb import manage_views
from engagement.views import digests
from partners.views import manage as partner_manage
from tables.views import manage as table_manage

app_name = "manage"

urlpatterns = [
    path("members/", manage_views.members, name="members"),
    path("members/<int:pk>/role/", manage_views.member_role, name="member-role"),
    path("members/<int:pk>/deactivate/", manage_views.member_deactivate, name="member-deactivate"),
    path("security/", manage_views.security, name="security"),
    path("tables/new/", table_manage.table_new, name="table-new"),
    path("focus-areas/", table_manage.focus_areas, name="focus-areas"),
    path("organizations/new/", partner_manage.organization_new, name="organization-new"),
    path("organizations/import/", partner_manage.organization_import, name="organization-import"),
    path("digests/", digests.manage_digests, name="digests"),
    path("digests/runs/<int:pk>/", digests.manage_digest_run, name="digest-run"),
    path("digests/preview/", digests.manage_digest_preview, name="digest-preview"),
    path(
        "digests/preview/email/",
        digests.manage_digest_preview_html,
        name="digest-preview-html",
    ),
]
