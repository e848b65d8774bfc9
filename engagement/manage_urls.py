"""The engagement app's administration pages, under /<tenant>/manage/."""

from django.urls import path

from engagement.views import digests, identity, recommendations

urlpatterns = [
    path("digests/", digests.manage_digests, name="digests"),
    path("digests/runs/<int:pk>/", digests.manage_digest_run, name="digest-run"),
    path("digests/preview/", digests.manage_digest_preview, name="digest-preview"),
    path(
        "digests/preview/email/",
        digests.manage_digest_preview_html,
        name="digest-preview-html",
    ),
    path(
        "recommendations/new/",
        recommendations.manage_recommendation_new,
        name="recommendation-new",
    ),
    path(
        "recommendations/<int:pk>/edit/",
        recommendations.manage_recommendation_edit,
        name="recommendation-edit",
    ),
    path(
        "recommendations/<int:pk>/delete/",
        recommendations.manage_recommendation_delete,
        name="recommendation-delete",
    ),
    path("self-identification/", identity.manage_identity, name="self-identification"),
    path(
        "self-identification/links/",
        identity.manage_identity_links,
        name="self-identification-links",
    ),
]
