"""The root of every address. The core knows no app above it: each app's pages are included by
name (`include("tables.urls")`), never imported."""

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from cswb import views

# Site staff sign in to the Django admin through allauth, with its rate limits and MFA.
admin.site.login = secure_admin_login(admin.site.login)

handler403 = "cswb.views.forbidden"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("healthz", views.healthz, name="healthz"),
    # Addresses outside any plan, read from links in emails and by calendar apps.
    path("", include("partners.public_urls")),
    path("", include("tables.public_urls")),
    path("", include("engagement.public_urls")),
    path("accounts/", include("allauth.urls")),
    path("django-admin/", admin.site.urls),
    # Last: the tenant slug is the first segment of everything else.
    path("<slug:tenant_slug>/", include("cswb.tenant_urls")),
]
