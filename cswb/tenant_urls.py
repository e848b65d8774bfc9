"""Every URL under /<tenant>/. The access-matrix test walks these patterns: a new URL must be
added to its matrix."""

from django.urls import include, path

from cswb import views
from tables.views import actions, progress

urlpatterns = [
    path("", views.tenant_home, name="tenant-home"),
    path("tables/", include("tables.urls")),
    path("my-work/", actions.my_work, name="my-work"),
    path("progress/", progress.tenant_progress, name="progress"),
    path("progress/export.csv", progress.tenant_progress_csv, name="progress-csv"),
    path("partners/", include("partners.urls")),
    path("engagement/", include("engagement.urls")),
    path("manage/", include("cswb.manage_urls")),
]
