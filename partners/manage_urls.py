"""The partners app's administration pages, under /<tenant>/manage/."""

from django.urls import path

from partners.views import manage

urlpatterns = [
    path("organizations/new/", manage.organization_new, name="organization-new"),
    path("organizations/import/", manage.organization_import, name="organization-import"),
    path(
        "organizations/import/<int:pk>/columns/",
        manage.organization_import_columns,
        name="organization-import-columns",
    ),
]
