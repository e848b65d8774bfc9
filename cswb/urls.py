from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.landing, name="landing"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("django-admin/", admin.site.urls),
    # Last: the tenant slug is the first segment of everything else.
    path("<slug:tenant_slug>/", include("cswb.tenant_urls")),
]
