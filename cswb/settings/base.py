"""Settings shared by every environment. Everything secret or site-specific is read from the
environment; dev.py, test.py and production.py only change defaults."""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def env_bool(name: str, default: bool) -> bool:
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in (env(name, default) or "").split(",") if item.strip()]


SECRET_KEY = env("DJANGO_SECRET_KEY")
DEBUG = False
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",  # its widget templates, for FORM_RENDERER below
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "guardian",
    "django_htmx",
    "template_partials",
    "csp",
    "cswb",
    "partners",
    "tables",
    "indicators",
    "engagement",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "cswb.middleware.NoStoreMiddleware",
    "cswb.middleware.RefuseUnstorableTextMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "cswb.middleware.SessionActivityMiddleware",
    "cswb.middleware.MfaRequiredMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "cswb.middleware.TenantMiddleware",
]

ROOT_URLCONF = "cswb.urls"
WSGI_APPLICATION = "cswb.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cswb.context_processors.portal",
            ],
        },
    },
]

# Forms render through the project's template engine, so that templates/django/forms/ can
# replace a widget's template (the select writes its options inline: same output, faster).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cswb"),
        conn_max_age=int(env("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# Every request is one transaction: a view that fails half-way changes nothing.
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", "redis://127.0.0.1:6379/0")
# allauth's rate limits count attempts in the cache, so it must be shared by every process.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "cswb",
    }
}

AUTH_USER_MODEL = "cswb.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "guardian.backends.ObjectPermissionBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "landing"

# django-allauth: email is the login; the portal is invite-only (see cswb.adapters).
ACCOUNT_ADAPTER = "cswb.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PREVENT_ENUMERATION = True
# Invite-only: no mail invites an unknown address to sign up.
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
# Partner agencies share computers: a session ends when the browser closes, no "remember me".
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[CSWB Portal] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"
# One reverse proxy (the load balancer) sits in front of the portal in production.
ALLAUTH_TRUSTED_PROXY_COUNT = int(env("TRUSTED_PROXY_COUNT", "0"))

# Brute force: allauth counts attempts in the (Redis) cache. Invitation links are limited too.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "accept_invitation": "30/m/ip",
}

# MFA: authenticator apps (TOTP) with recovery codes, and passkeys / security keys.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_TOTP_ISSUER = "CSWB Portal"
# One 30-second step either side, as RFC 6238 advises for phone clocks that drift.
MFA_TOTP_TOLERANCE = 1
MFA_RECOVERY_CODE_COUNT = 10
# Active sessions are listed with device, IP and last seen; people can end any of them.
# "Last seen" is refreshed at most every few minutes (cswb.middleware.SessionActivityMiddleware).
USERSESSIONS_TRACK_ACTIVITY = True
SESSION_ACTIVITY_INTERVAL = 300

# Links in emails sent by background jobs, which have no request to build them from.
PORTAL_BASE_URL = env("PORTAL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
INVITATION_VALID_DAYS = int(env("INVITATION_VALID_DAYS", "7"))

# django-guardian: no anonymous user row; object grants come in with the tables.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

SESSION_COOKIE_AGE = 60 * 60 * 12
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# No inline script or style anywhere, so the policy needs no 'unsafe-inline'.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "object-src": [NONE],
        "base-uri": [NONE],
    }
}

LANGUAGE_CODE = "en-ca"
LANGUAGES = [("en", "English"), ("fr", "Français")]
TIME_ZONE = "America/Toronto"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

EMAIL_HOST = env("EMAIL_HOST")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
# Never wait forever on a mail server: a digest batch must finish well inside its lease.
EMAIL_TIMEOUT = int(env("EMAIL_TIMEOUT", "30"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "CSWB Portal <no-reply@cswb.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: JSON only; a task is acknowledged after it ran, so every task must be idempotent and
# far shorter than the broker's visibility timeout, or Redis hands it out twice.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", REDIS_URL)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 10 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 9 * 60
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 60 * 60}
CELERY_RESULT_EXPIRES = 60 * 60 * 24
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE = {
    "clear-expired-sessions": {
        "task": "cswb.tasks.clear_expired_sessions",
        "schedule": 60 * 60 * 24,
    },
    "expire-unconfirmed-imports": {
        "task": "cswb.tasks.expire_unconfirmed_imports",
        "schedule": crontab(minute=7, hour=3),
    },
    # Each table's overdue count kept up to today (tables.models.ActionTally).
    "overdue-roll": {
        "task": "tables.roll_overdue",
        "schedule": crontab(minute=1),
    },
    "meeting-reminders": {
        "task": "tables.send_meeting_reminders",
        "schedule": 60 * 60,
    },
    # Every hour, just after the hour: tenants' digest hours are whole hours in their zone.
    "digests-tick": {
        "task": "engagement.digests_tick",
        "schedule": crontab(minute=2),
    },
}

# Progress digests (engagement). A batch is one task and one SMTP connection.
DIGEST_BATCH_SIZE = int(env("DIGEST_BATCH_SIZE", "200"))
# Attempts per recipient before the delivery is marked failed; waits double from the base.
DIGEST_MAX_ATTEMPTS = int(env("DIGEST_MAX_ATTEMPTS", "5"))
DIGEST_RETRY_BASE_SECONDS = float(env("DIGEST_RETRY_BASE_SECONDS", "60"))
# A row claimed longer ago than this belongs to a worker that died: longer than any task may
# run (CELERY_TASK_TIME_LIMIT), so a live worker never loses its claim.
DIGEST_CLAIM_LEASE_SECONDS = float(env("DIGEST_CLAIM_LEASE_SECONDS", str(11 * 60)))
# The hourly tick resumes rows of runs older than this (a run in progress is left alone).
DIGEST_RESUME_AFTER_SECONDS = float(env("DIGEST_RESUME_AFTER_SECONDS", str(15 * 60)))

# Tenant slugs are the first URL segment, so none may shadow a top-level path.
RESERVED_TENANT_SLUGS = frozenset(
    {
        "accounts", "admin", "django-admin", "static", "media", "healthz", "api", "public",
        "manage", "login", "logout", "signup", "settings", "help", "about", "favicon.ico",
        "robots.txt", "www", "mail", "assets", "__debug__", "calendar", "digests", "surveys",
    }
)  # fmt: skip

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"drop_forbidden": {"()": "cswb.logs.DropForbidden"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # 403s are logged as one line by cswb.views.forbidden, not as tracebacks.
        "django.request": {"filters": ["drop_forbidden"]},
    },
}

# Uploaded import files wait here between the preview and the import (web and worker share it).
IMPORT_DIR = Path(env("IMPORT_DIR", str(BASE_DIR / "var" / "imports")))
# Largest file an import accepts (bytes); larger ones are refused before anything is read.
IMPORT_MAX_BYTES = int(env("IMPORT_MAX_BYTES", str(200 * 1024 * 1024)))
# A checked import not confirmed within this many days expires: its stored file and whatever
# its handler staged (an indicator file's rows, say) are let go by the daily job.
IMPORT_CONFIRM_DAYS = int(env("IMPORT_CONFIRM_DAYS", "7"))
