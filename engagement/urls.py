"""Under /<tenant>/engagement/: each member's digest settings and preview."""

from django.urls import path

from engagement.views import digests

urlpatterns = [
    path("digest/", digests.digest_settings, name="digest-settings"),
    path("digest/preview/", digests.digest_preview_view, name="digest-preview"),
    path("digest/preview/email/", digests.digest_preview_html, name="digest-preview-html"),
]
