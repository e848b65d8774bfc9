"""The tables app's administration pages, under /<tenant>/manage/."""

from django.urls import path

from tables.views import manage

urlpatterns = [
    path("tables/new/", manage.table_new, name="table-new"),
    path("focus-areas/", manage.focus_areas, name="focus-areas"),
]
