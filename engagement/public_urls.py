"""The engagement app's addresses outside any plan: the unsubscribe link of a digest, and a
digest contact's personal self-identification link."""

from django.urls import path

from engagement.views.digests import unsubscribe
from engagement.views.identity import identity_contact, identity_contact_withdraw

urlpatterns = [
    path("digests/unsubscribe/<str:token>/", unsubscribe, name="digest-unsubscribe"),
    path("digests/self-identification/<str:token>/", identity_contact, name="identity-contact"),
    path(
        "digests/self-identification/<str:token>/withdraw/",
        identity_contact_withdraw,
        name="identity-contact-withdraw",
    ),
]
