"""The partners app's addresses outside any plan: the link in an invitation email."""

from django.urls import path

from partners.views.invitations import invitation_accept_view

urlpatterns = [
    path("accounts/invitation/<str:token>/", invitation_accept_view, name="invitation-accept"),
]
