"""The CSWB dashboard and indicator pages under /<tenant>/indicators/."""

from django.urls import path

from indicators.views import chain, dashboard, indicators, progress

app_name = "indicators"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    # Last: an indicator's address is its code.
    path("<slug:indicator>/", indicators.indicator_detail_view, name="indicator"),
    path("<slug:indicator>/data.csv", indicators.indicator_csv, name="indicator-csv"),
    path("<slug:indicator>/tables/", chain.indicator_tables, name="tables"),
    path("<slug:indicator>/notes/", chain.note_add, name="notes"),
    path("<slug:indicator>/notes/<int:pk>/edit/", chain.note_edit, name="note-edit"),
    path("<slug:indicator>/notes/<int:pk>/delete/", chain.note_delete, name="note-delete"),
    path("<slug:indicator>/status/", progress.status_override, name="status-override"),
    path(
        "<slug:indicator>/status/clear/",
        progress.status_override_clear,
        name="status-override-clear",
    ),
]
