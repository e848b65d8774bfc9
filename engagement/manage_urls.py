"""The engagement app's administration pages, under /<tenant>/manage/."""

from django.urls import path

from engagement.views import digests, identity, recommendations
from engagement.views import survey_builder as sb

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
    path("surveys/", sb.manage_surveys, name="surveys"),
    path("surveys/<int:pk>/", sb.manage_survey, name="survey"),
    path("surveys/<int:pk>/delete/", sb.manage_survey_delete, name="survey-delete"),
    path("surveys/<int:pk>/status/<slug:to>/", sb.manage_survey_status, name="survey-status"),
    path("surveys/<int:pk>/sections/new/", sb.manage_section_new, name="survey-section-new"),
    path(
        "surveys/<int:pk>/sections/<int:section_pk>/",
        sb.manage_section_edit,
        name="survey-section-edit",
    ),
    path(
        "surveys/<int:pk>/sections/<int:section_pk>/delete/",
        sb.manage_section_delete,
        name="survey-section-delete",
    ),
    path(
        "surveys/<int:pk>/sections/<int:section_pk>/move/",
        sb.manage_section_move,
        name="survey-section-move",
    ),
    path(
        "surveys/<int:pk>/sections/<int:section_pk>/questions/new/",
        sb.manage_question_new,
        name="survey-question-new",
    ),
    path(
        "surveys/<int:pk>/questions/<int:question_pk>/",
        sb.manage_question_edit,
        name="survey-question-edit",
    ),
    path(
        "surveys/<int:pk>/questions/<int:question_pk>/delete/",
        sb.manage_question_delete,
        name="survey-question-delete",
    ),
    path(
        "surveys/<int:pk>/questions/<int:question_pk>/move/",
        sb.manage_question_move,
        name="survey-question-move",
    ),
    path("surveys/<int:pk>/invite/", sb.manage_survey_invite, name="survey-invite"),
    path("surveys/<int:pk>/remind/", sb.manage_survey_remind, name="survey-remind"),
    path(
        "surveys/<int:pk>/mailings/<int:mailing_pk>/",
        sb.manage_survey_mailing,
        name="survey-mailing",
    ),
    path("surveys/<int:pk>/responses.csv", sb.manage_survey_raw, name="survey-raw"),
]
