"""`make test`: the real services, PostgreSQL and Redis, as in production."""

import os
import tempfile
from pathlib import Path

from .base import *
from .base import REDIS_URL, env

SECRET_KEY = "test-only-key-not-secret-0123456789-abcdefghijklmnopqrstuvwxyz"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
# A fast hasher: tests log in hundreds of times; production keeps argon2 first.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http"
# In memory, except in a worker process started by a test with a real SMTP sink to send to.
EMAIL_BACKEND = env("TEST_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")

# Tests use the real Redis, in databases of their own: clearing the test cache (a FLUSHDB)
# must never touch anyone's data, nor the test broker's queues.
# `make test` runs the tests in parallel processes (pytest-xdist: gw0, gw1, …); each takes its
# own pair of Redis databases, counting down from 14 and 15, as it has its own PostgreSQL
# database. A Celery worker started by a test is handed the test's own cache and broker.
_redis_server = REDIS_URL.rsplit("/", 1)[0]
_xdist_worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)


def _own_redis_db(url: str) -> str:
    server, number = url.rsplit("/", 1)
    return f"{server}/{(int(number) - 2 * _xdist_worker) % 16}"


CACHES["default"]["LOCATION"] = _own_redis_db(env("TEST_CACHE_URL", f"{_redis_server}/14"))
CELERY_BROKER_URL = _own_redis_db(env("TEST_BROKER_URL", f"{_redis_server}/15"))
CELERY_RESULT_BACKEND = CELERY_BROKER_URL
# Tasks run in the test process unless a test starts a real worker (celery_worker_process).
CELERY_TASK_ALWAYS_EAGER = env("CELERY_TASK_ALWAYS_EAGER", "1") == "1"
CELERY_TASK_EAGER_PROPAGATES = True
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True
PORTAL_BASE_URL = "http://testserver"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
# Static files come straight from the apps' folders (WhiteNoise's finders); nothing collected.
STATIC_ROOT = None

# Uploaded import files of the tests go to a temporary folder, never into the project.
IMPORT_DIR = Path(tempfile.gettempdir()) / f"cswb-test-imports-{_xdist_worker}"

# The test databases are thrown away: their commits need not wait for the disk
# (synchronous_commit off loses nothing a test can see; it only stops each COMMIT of the
# browser, worker and transactional tests from waiting for the write-ahead log to be flushed).
DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c synchronous_commit=off"
