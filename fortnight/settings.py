"""Fortnight settings.

Every setting that differs between machines is read from the environment here,
and only here. See the configuration table in README.md.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("FORTNIGHT_VAR_DIR", BASE_DIR / "var"))


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    value = value.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false, yes/no, on/off), not {value!r}.")


def env_int(name: str, default: int) -> int:
    value = env_str(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}.") from exc


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = env_str(name)
    if not value:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


# --- Core -------------------------------------------------------------------

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # modeltranslation must come before django.contrib.admin.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "common",
    "programme",
    "registrations",
    "notifications",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # A body over DATA_UPLOAD_MAX_MEMORY_SIZE: 413 with a message (after LocaleMiddleware: translated).
    "common.middleware.RequestTooLargeMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Every 429 says when to try again (the end of the rate window).
    "common.ratelimit.RetryAfterMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # With DEBUG on too, a 404 is the site's own page (templates/404.html), never Django's technical one.
    "common.middleware.SiteNotFoundMiddleware",
]

ROOT_URLCONF = "fortnight.urls"
WSGI_APPLICATION = "fortnight.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "common.context_processors.language_links",
            ],
        },
    },
    {
        # Plain text (e-mails, their subjects): rendered without HTML escaping, so that
        # "Jean D'Hondt & Co" arrives as typed. Never use it for HTML.
        "NAME": "text",
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"autoescape": False},
    },
]

# --- Database ---------------------------------------------------------------
# SQLite (embedded) when DATABASE_URL is unset; PostgreSQL (psycopg 3) otherwise.

DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("CONN_MAX_AGE", 600), conn_health_checks=True
        )
    }
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "fortnight.sqlite3",
            "CONN_MAX_AGE": env_int("CONN_MAX_AGE", 600),
            "OPTIONS": {
                # Writers take the lock when their transaction starts, so two
                # processes never deadlock upgrading a read lock; WAL lets the
                # web server read while the Celery worker writes.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and Celery -------------------------------------------------------

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    # Redis unreachable: each process carries on with a cache in its own memory for
    # fallback_seconds, then tries again (common/cache.py); short timeouts, so that
    # a Redis that does not answer does not hold requests up.
    CACHES = {
        "default": {
            "BACKEND": "common.cache.FallbackRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1, "fallback_seconds": 10},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or REDIS_URL or "filesystem://"
if CELERY_BROKER_URL == "filesystem://":
    # No broker server: messages are files that the web server, the worker
    # and beat share under var/celery/, so `make run` needs nothing installed.
    _celery_dir = VAR_DIR / "celery"
    for _sub in ("queue", "processed", "control"):
        (_celery_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_celery_dir / "queue"),
        "data_folder_out": str(_celery_dir / "queue"),
        "processed_folder": str(_celery_dir / "processed"),
        "control_folder": str(_celery_dir / "control"),
        "store_processed": False,
    }
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # A broker that does not answer must not hold a web request up for long (the e-mail
    # waits in the outbox: notifications/outbox.py); above the worker's 1 s BRPOP timeout.
    # A task taken by a worker that died goes back to the queue after visibility_timeout,
    # which must be longer than the longest task (time limits below); the outbox's sweep
    # does not wait for it (MAIL_SENDING_TIMEOUT).
    CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 3, "visibility_timeout": 3600}
CELERY_TASK_IGNORE_RESULT = True
# A task is acknowledged once done, not when taken: a worker killed mid-task leaves it to
# another. Each worker process takes one task at a time (a batch of 100 e-mails is long
# enough), and no task runs for more than 5 minutes.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "Europe/Brussels"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Keep a worker's database connection across tasks (closed every 2000 tasks, and
# before a task when older than CONN_MAX_AGE or broken: celery_app.py).
CELERY_DB_REUSE_MAX = 1000
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_TIME_LIMIT = 300
#: How often the outbox's sweep queues again the e-mails whose delivery was lost, and how
#: long a worker may hold an e-mail before the sweep gives it to another (seconds).
MAIL_SWEEP_SECONDS = env_int("MAIL_SWEEP_SECONDS", 60)
MAIL_SENDING_TIMEOUT = env_int("MAIL_SENDING_TIMEOUT", 600)
CELERY_BEAT_SCHEDULE: dict = {
    "mail-sweep": {"task": "notifications.sweep", "schedule": float(MAIL_SWEEP_SECONDS)},
    "reminders": {"task": "notifications.send_reminders", "schedule": 60.0},
    # Personal data past each edition's retention period (registrations/privacy.py), at 03:30.
    "anonymise": {"task": "registrations.anonymise", "schedule": crontab(hour=3, minute=30)},
}

# --- Auth -------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Everyone logs in here, then lands on their own home (programme.accounts.landing): organisers
# on the back office, association members on the portal, door staff on the door.
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "accounts:home"
# Days an invitation link to an association's account works (once: setting the password ends it).
INVITATION_DAYS = env_int("INVITATION_DAYS", 7)
LOGOUT_REDIRECT_URL = "login"

# --- Languages and time -----------------------------------------------------

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("nl", "Nederlands"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Europe/Brussels"

MODELTRANSLATION_DEFAULT_LANGUAGE = "fr"
MODELTRANSLATION_LANGUAGES = ("fr", "nl", "en")
# A text written in one language only is shown in that language rather than blank.
MODELTRANSLATION_FALLBACK_LANGUAGES = {"default": ("fr", "nl", "en")}

# --- Static and media -------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT") or VAR_DIR / "static")
if not env_str("STATIC_ROOT"):
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Serve files found by the finders, so that a checkout runs without collectstatic.
WHITENOISE_USE_FINDERS = True

# --- E-mail -----------------------------------------------------------------

EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 25)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
# Without a display name, e-mails to attendees come from the City's name in their language.
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "noreply@localhost")
# An SMTP server that stops answering fails the message (to be tried again) after this many
# seconds, instead of holding the worker, and its claim on the message, for ever.
EMAIL_TIMEOUT = 10
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security ---------------------------------------------------------------

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# A form sent without its CSRF token: a page in the site's layout and the visitor's language.
CSRF_FAILURE_VIEW = "common.views.csrf_failure"

# Request bodies larger than this (files uploaded excepted) are refused with 413 (common/middleware.py).
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024

# --- Content-Security-Policy ------------------------------------------------
# Sent on every answer by django-csp (csp.middleware.CSPMiddleware). Nothing of
# ours runs inline: scripts and styles are static files, and what a script needs
# from the page sits in <script type="application/json"> blocks, which are data,
# not code. The one inline script, Swagger UI's start-up on /api/v1/docs/, gets
# a nonce from that view alone (common/api_docs.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # data: for the SVG and PNG icons that Swagger UI's stylesheet embeds.
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# --- REST framework and OpenAPI ---------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "common.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    # DRF's JSON parser and Http404 answer speak English; these answer in the client's language.
    "DEFAULT_PARSER_CLASSES": [
        "common.api.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "common.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Fortnight API",
    "DESCRIPTION": "Programme and registrations of the Fortnight of International Solidarity (City of Brussels).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI is served from our own static files, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Integer limits of the database (they differ between SQLite and PostgreSQL)
    # are not part of the contract: leave them out, so the schema is one.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "common.schema.drop_database_integer_limits",
        "common.schema.document_retry_after",
    ],
    # Two models have a `status` with different choices, and an event's
    # `registration_status` would take a registration's enum name: name them all.
    "ENUM_NAME_OVERRIDES": {
        "EventStatusEnum": "programme.models.Event.Status",
        "EventRegistrationStatusEnum": "programme.models.Event.RegistrationStatus",
        "RegistrationStatusEnum": "registrations.models.Registration.Status",
    },
}

# --- Fortnight --------------------------------------------------------------

# Registration attempts per client address ("10/m"); "off" disables the limit.
REGISTRATION_RATE_LIMIT = env_str("REGISTRATION_RATE_LIMIT", "10/m")
# Where the client's address is, for the rate limits: REMOTE_ADDR, or behind a
# reverse proxy the header it sets (for example HTTP_X_REAL_IP).
RATELIMIT_IP_META_KEY = env_str("RATELIMIT_IP_META_KEY", "REMOTE_ADDR")
# How long anonymous answers of the public programme (page, API, feeds) may be
# served from the cache; any change to an event invalidates them at once. 0: off.
PROGRAMME_CACHE_SECONDS = env_int("PROGRAMME_CACHE_SECONDS", 60)
# Where attendees write about their data (shown in the privacy notice).
CONTACT_EMAIL = env_str("CONTACT_EMAIL")
# Public base URL used in links that leave the site (e-mails, calendars).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
