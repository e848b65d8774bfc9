"""The tables app's addresses outside any plan: a person's calendar address and feed."""

from django.urls import path

from tables.views.meetings import calendar_settings, personal_feed

urlpatterns = [
    path("accounts/calendar/", calendar_settings, name="calendar-settings"),
    path("calendar/<str:token>.ics", personal_feed, name="calendar-feed"),
]
