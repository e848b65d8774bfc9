"""Every URL under /<tenant>/. The access-matrix test walks these patterns: a new URL must be
added to its matrix."""

from django.urls import include, path

from cswb import views
from tables import action_views, progress_views

urlpatterns = [
    path("", views.tenant_home, name="tenant-home"),
    path("tables/", include("tables.urls")),
    path("my-work/", action_views.my_work, name="my-work"),
    path("progress/", progress_views.tenant_progress, name="progress"),
    path("progress/export.csv", progress_views.tenant_progress_csv, name="progress-csv"),
    path("partners/", include("partners.urls")),
    path("engagement/", include("engagement.urls")),
    path("manage/", include("cswb.manage_urls")),
]
