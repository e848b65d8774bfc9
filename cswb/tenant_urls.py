"""Every URL under /<tenant>/. The access-matrix test walks these patterns: a new URL must be
added to its matrix."""

from django.urls import include, path

from cswb import views

urlpatterns = [
    path("", views.tenant_home, name="tenant-home"),
    path("tables/", include("tables.urls")),
    path("", include("tables.plan_urls")),  # my work, progress across tables
    path("partners/", include("partners.urls")),
    path("indicators/", include("indicators.urls")),
    path("engagement/", include("engagement.urls")),
    path("manage/", include("cswb.manage_urls")),
]
