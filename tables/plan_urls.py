"""Pages of the tables app at the top of /<tenant>/: my work and the progress across tables."""

from django.urls import path

from tables.views import actions, progress

urlpatterns = [
    path("my-work/", actions.my_work, name="my-work"),
    path("progress/", progress.tenant_progress, name="progress"),
    path("progress/export.csv", progress.tenant_progress_csv, name="progress-csv"),
]
