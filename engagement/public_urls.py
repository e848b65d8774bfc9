"""The engagement app's addresses outside any plan: the unsubscribe link of a digest, a
digest contact's personal self-identification link, and a survey's single-use link."""

from django.urls import path

from engagement.views.digests import unsubscribe
from engagement.views.identity import identity_contact, identity_contact_withdraw
from engagement.views.surveys import survey_respond

urlpatterns = [
    path("digests/unsubscribe/<str:token>/", unsubscribe, name="digest-unsubscribe"),
    path("digests/self-identification/<str:token>/", identity_contact, name="identity-contact"),
    path(
        "digests/self-identification/<str:token>/withdraw/",
        identity_contact_withdraw,
        name="identity-contact-withdraw",
    ),
    path("surveys/answer/<str:token>/", survey_respond, name="survey-respond"),
]
