from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from cswb import views
from engagement.views.digests import unsubscribe
from partners.views.invitations import invitation_accept_view
from tables.views.meetings import calendar_settings, personal_feed

# Site staff sign in to the Django admin through allauth, with its rate limits and MFA.
admin.site.login = secure_admin_login(admin.site.login)

handler403 = "cswb.views.forbidden"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/invitation/<str:token>/", invitation_accept_view, name="invitation-accept"),
    path("accounts/calendar/", calendar_settings, name="calendar-settings"),
    path("calendar/<str:token>.ics", personal_feed, name="calendar-feed"),
    path("digests/unsubscribe/<str:token>/", unsubscribe, name="digest-unsubscribe"),
    path("accounts/", include("allauth.urls")),
    path("django-admin/", admin.site.urls),
    # Last: the tenant slug is the first segment of everything else.
    path("<slug:tenant_slug>/", include("cswb.tenant_urls")),
]
