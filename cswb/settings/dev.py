"""`make run`: SQLite, tasks run in process, mail to the console. Needs nothing installed."""

from .base import *
from .base import BASE_DIR, env, env_bool

# DJANGO_DEBUG=0 shows the portal's own error pages, as users see them.
DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = env("DJANGO_SECRET_KEY", "dev-only-insecure-key-never-use-in-production")
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": env("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
        "ATOMIC_REQUESTS": True,
    }
}

# Redis only when asked for; otherwise one process with an in-memory cache.
if env("REDIS_URL"):
    CACHES["default"]["LOCATION"] = env("REDIS_URL")
    CELERY_TASK_ALWAYS_EAGER = env("CELERY_TASK_ALWAYS_EAGER", "1") == "1"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_BROKER_URL = "memory://localhost/"
    CELERY_RESULT_BACKEND = "cache+memory://"
CELERY_TASK_EAGER_PROPAGATES = True

ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http"
# Passkeys need a secure origin; http://127.0.0.1 is one to the browser, not to allauth.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
# Static files come straight from the apps' folders (WhiteNoise's finders); nothing collected.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
