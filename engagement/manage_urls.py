"""The engagement app's administration pages, under /<tenant>/manage/."""

from django.urls import path

from engagement.views import digests

urlpatterns = [
    path("digests/", digests.manage_digests, name="digests"),
    path("digests/runs/<int:pk>/", digests.manage_digest_run, name="digest-run"),
    path("digests/preview/", digests.manage_digest_preview, name="digest-preview"),
    path(
        "digests/preview/email/",
        digests.manage_digest_preview_html,
        name="digest-preview-html",
    ),
]
