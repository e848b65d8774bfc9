"""Under /<tenant>/engagement/: each member's digest settings and preview; the plan's
recommendations, their actions and the "you said, we did" page; a person's own voluntary
self-identification; a table's representation goals; the surveys' results."""

from django.urls import path

from engagement.views import digests, identity, recommendations, surveys

urlpatterns = [
    path("digest/", digests.digest_settings, name="digest-settings"),
    path("digest/meeting-notices/", digests.meeting_notices, name="meeting-notices"),
    path("digest/preview/", digests.digest_preview_view, name="digest-preview"),
    path("digest/preview/email/", digests.digest_preview_html, name="digest-preview-html"),
    path("recommendations/", recommendations.recommendation_list, name="recommendations"),
    path(
        "recommendations/<int:pk>/",
        recommendations.recommendation_detail,
        name="recommendation",
    ),
    path(
        "recommendations/<int:pk>/link/",
        recommendations.recommendation_link,
        name="recommendation-link",
    ),
    path(
        "recommendations/<int:pk>/plan-action/",
        recommendations.recommendation_plan_action,
        name="recommendation-plan-action",
    ),
    path(
        "links/<int:pk>/remove/",
        recommendations.recommendation_link_remove_view,
        name="recommendation-link-remove",
    ),
    path("plan-actions/<int:pk>/", recommendations.plan_action_edit, name="plan-action"),
    path("you-said-we-did/", recommendations.you_said_we_did, name="you-said-we-did"),
    path("self-identification/", identity.self_identification, name="self-identification"),
    path(
        "self-identification/withdraw/",
        identity.self_identification_withdraw_view,
        name="self-identification-withdraw",
    ),
    path("tables/<slug:table_slug>/goals/", identity.table_goals, name="table-goals"),
    path("goals/<int:pk>/delete/", identity.goal_delete, name="goal-delete"),
    path("surveys/", surveys.survey_list, name="survey-list"),
    path("surveys/<int:pk>/", surveys.survey_results_view, name="survey-results"),
    path("surveys/<int:pk>/results.csv", surveys.survey_results_csv, name="survey-results-csv"),
]
