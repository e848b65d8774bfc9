"""Under /<tenant>/engagement/: each member's digest settings and preview."""

from django.urls import path

from engagement import views

urlpatterns = [
    path("digest/", views.digest_settings, name="digest-settings"),
    path("digest/preview/", views.digest_preview, name="digest-preview"),
    path("digest/preview/email/", views.digest_preview_html, name="digest-preview-html"),
]
