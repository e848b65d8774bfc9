"""The Celery application. Configuration lives in Django settings under CELERY_*."""

import os

from celery import Celery
from django.db import transaction

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cswb.settings.dev")

app = Celery("cswb")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def task_enqueue_on_commit(name: str, **kwargs: object) -> None:
    """Queue the task registered under `name` once the current transaction commits. Services
    name the task instead of importing it: an app's tasks module imports its services, so the
    other way round would be an import cycle."""
    transaction.on_commit(lambda: _task(name).delay(**kwargs))


def _task(name: str):
    if name not in app.tasks:
        # Outside a worker the apps' tasks modules are imported on first need (autodiscovery).
        app.loader.import_default_modules()
    return app.tasks[name]
