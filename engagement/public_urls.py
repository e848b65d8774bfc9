"""The engagement app's addresses outside any plan: the unsubscribe link of a digest."""

from django.urls import path

from engagement.views.digests import unsubscribe

urlpatterns = [
    path("digests/unsubscribe/<str:token>/", unsubscribe, name="digest-unsubscribe"),
]
