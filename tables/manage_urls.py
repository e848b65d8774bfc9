"""The tables app's administration pages, under /<tenant>/manage/."""

from django.urls import path

from tables.views import manage

urlpatterns = [
    path("tables/new/", manage.table_new, name="table-new"),
    path("focus-areas/", manage.focus_areas, name="focus-areas"),
    path("focus-areas/<int:pk>/edit/", manage.focus_area_edit, name="focus-area-edit"),
    path("focus-areas/<int:pk>/move/", manage.focus_area_move_view, name="focus-area-move"),
    path("focus-areas/<int:pk>/retire/", manage.focus_area_retire_view, name="focus-area-retire"),
    path(
        "focus-areas/<int:pk>/restore/", manage.focus_area_restore_view, name="focus-area-restore"
    ),
]
