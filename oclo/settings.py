"""Settings for OCLO, driven by the environment.

Development works with no environment at all (SQLite, DEBUG on). Production is selected by
``DJANGO_DEBUG=false``; then a real ``DJANGO_SECRET_KEY`` and ``DJANGO_ALLOWED_HOSTS`` are required.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from corsheaders.defaults import default_headers as default_cors_headers
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from oclo.defaults import *  # noqa: F403

BASE_DIR = Path(__file__).resolve().parent.parent

OCLO_TEXT_ENGINE = os.environ.get("OCLO_TEXT_ENGINE", OCLO_TEXT_ENGINE)  # noqa: F405
# One index per machine: on local disk (not a network share), beside the code by default.
OCLO_TEXT_INDEX_DIR = Path(os.environ.get("OCLO_TEXT_INDEX_DIR", BASE_DIR / "var" / "text-index"))
if os.environ.get("OCLO_SEARCH_SNAPSHOT_DIR"):
    # On local disk too: the workers map its files.
    OCLO_SEARCH_SNAPSHOT_DIR = Path(os.environ["OCLO_SEARCH_SNAPSHOT_DIR"])


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEVELOPMENT_SECRET_KEY = "oclo-development-only-secret-key-do-not-use-in-production"

DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", DEVELOPMENT_SECRET_KEY)
if not DEBUG and SECRET_KEY == DEVELOPMENT_SECRET_KEY:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be set to a secret value when DJANGO_DEBUG is false."
    )

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "corsheaders",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "taxonomies",
    "descriptors",
    "catalogue",
    "recognition",
]

MIDDLEWARE = [
    # First: a request refused for load must cost nothing else.
    "oclo.middleware.LoadSheddingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "oclo.replicas.ReadYourWritesMiddleware",
    "oclo.middleware.RejectNulMiddleware",
    "oclo.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "oclo.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires: it answers a locked-out sign-in.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "oclo.urls"
WSGI_APPLICATION = "oclo.wsgi.application"

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
                "django.template.context_processors.i18n",
            ],
        },
    },
]


def database(url: str) -> dict:
    parsed = dj_database_url.parse(
        url,
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        # A kept connection is checked before a request uses it: after the database restarts,
        # the first request reconnects instead of failing.
        conn_health_checks=True,
    )
    if parsed["ENGINE"].endswith("postgresql"):
        # A database that does not answer is an error page within seconds (503, see
        # oclo.views), not a request that hangs until the proxy gives up.
        timeout = OCLO_DATABASE_CONNECT_TIMEOUT  # noqa: F405
        parsed.setdefault("OPTIONS", {})["connect_timeout"] = timeout
    return parsed


DATABASES = {
    "default": database(os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"))
}
# Read replicas (PostgreSQL streaming replicas of the primary): web requests read from them,
# except a client that wrote in the last OCLO_READ_YOUR_WRITES_SECONDS (oclo.replicas).
for number, url in enumerate(env_list("DATABASE_REPLICA_URLS"), start=1):
    # In tests a replica opens the primary's test database on its own server (MIRROR):
    # streaming replication brings it there.
    DATABASES[f"replica{number}"] = {**database(url), "TEST": {"MIRROR": "default"}}
OCLO_REPLICA_DATABASES = [alias for alias in DATABASES if alias != "default"]
if OCLO_REPLICA_DATABASES:
    DATABASE_ROUTERS = ["oclo.replicas.PrimaryReplicaRouter"]
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The web process and the task worker write to the same file: readers must not block the
    # writer (WAL), and a writer waits for the other instead of failing at once.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Long jobs (spreadsheet imports) run outside the web process, in `python manage.py task_worker`
# (django-tasks with its database queue: no broker to run).
TASKS = {
    "default": {
        "BACKEND": os.environ.get("OCLO_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# One cache for every process: the API throttle counts there (a per-process cache would give
# each gunicorn worker its own budget). CACHE_URL, e.g. redis://127.0.0.1:6379/3, selects
# Django's Redis cache; without it each process has its own memory (development, tests).
CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "oclo"),
        },
        # Beside the shared cache, each process keeps the API answers asked most, up to 256.
        # Their keys hold the data's version: a copy goes stale only when the database is
        # restored to an earlier state, and a restore needs the app restarted anyway.
        "local": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "oclo-local",
            "OPTIONS": {"MAX_ENTRIES": 256},
        },
    }
elif CACHE_URL:
    raise ImproperlyConfigured(f"CACHE_URL must be a redis:// address, not {CACHE_URL!r}.")
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The summaries of records in API search answers (``catalogue.api.search_pages``): one per
# record, language, host and day, kept apart so that they cannot push the answers out. A
# shared cache holds every one asked for that day; each process's own memory holds the 5,000
# read last (1.4 KB each).
CACHES["summaries"] = (
    {**CACHES["default"], "KEY_PREFIX": f"{CACHES['default']['KEY_PREFIX']}-summaries"}
    if CACHE_URL
    else {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "oclo-summaries",
        "OPTIONS": {"MAX_ENTRIES": 5000},
    }
)
if CACHES["default"]["BACKEND"].endswith("RedisCache"):
    # Sessions read from the shared cache (written through to the database): a signed-in
    # request costs no query for the session. Not with a per-process cache: a sign-out in one
    # process would leave the session alive in the others' copies.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

OCLO_NUM_PROXIES = int(os.environ.get("OCLO_NUM_PROXIES", OCLO_NUM_PROXIES))  # noqa: F405
OCLO_MAX_CONCURRENT_REQUESTS = int(
    os.environ.get("OCLO_MAX_CONCURRENT_REQUESTS", OCLO_MAX_CONCURRENT_REQUESTS)  # noqa: F405
)
OCLO_BUSY_WAIT_SECONDS = float(
    os.environ.get("OCLO_BUSY_WAIT_SECONDS", OCLO_BUSY_WAIT_SECONDS)  # noqa: F405
)
OCLO_MAX_QUEUE_SECONDS = float(
    os.environ.get("OCLO_MAX_QUEUE_SECONDS", OCLO_MAX_QUEUE_SECONDS)  # noqa: F405
)

AUTHENTICATION_BACKENDS = [
    "oclo.auth.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# django-axes: failed sign-ins are counted per account and per address (in the database, so
# across processes); either reaching the limit locks sign-in for the cool-off time.
AXES_FAILURE_LIMIT = OCLO_LOGIN_FAILURE_LIMIT  # noqa: F405
AXES_COOLOFF_TIME = timedelta(minutes=OCLO_LOGIN_COOLOFF_MINUTES)  # noqa: F405
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "oclo.auth.client_address"
AXES_LOCKOUT_CALLABLE = "oclo.auth.login_locked_response"
AXES_VERBOSE = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# The languages of the ECCOE partner countries. Public pages take the language from the URL
# prefix (/it/, /fr/...; English has none); unprefixed pages, the API and the admin from the
# language cookie or Accept-Language (``oclo.middleware.LanguageMiddleware``).
LANGUAGES = [
    ("en", _("English")),
    ("it", _("Italian")),
    ("fr", _("French")),
    ("es", _("Spanish")),
    ("de", _("German")),
    ("nl", _("Dutch")),
    ("lt", _("Lithuanian")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["oclo.formats"]
TIME_ZONE = "Europe/Brussels"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

LOGIN_URL = "admin:login"

REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["catalogue.api.parsers.StorableJSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_SCHEMA_CLASS": "catalogue.api.schema.ErrorDocumentingSchema",
    "EXCEPTION_HANDLER": "catalogue.api.errors.api_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "catalogue.api.throttles.AnonymousRateThrottle",
        "catalogue.api.throttles.TokenRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("OCLO_API_ANON_RATE", "600/minute"),
        "token": os.environ.get("OCLO_API_TOKEN_RATE", "1200/minute"),
    },
    # The same reading of X-Forwarded-For as ``oclo.auth.client_address``.
    "NUM_PROXIES": OCLO_NUM_PROXIES,
    "UNAUTHENTICATED_USER": None,
}
OCLO_BASE_URL = os.environ.get("OCLO_BASE_URL", OCLO_BASE_URL).rstrip("/")  # noqa: F405
OCLO_DATASET_TITLE = os.environ.get("OCLO_DATASET_TITLE", OCLO_DATASET_TITLE)  # noqa: F405
OCLO_DATASET_PUBLISHER_NAME = os.environ.get(
    "OCLO_DATASET_PUBLISHER_NAME",
    OCLO_DATASET_PUBLISHER_NAME,  # noqa: F405
)
OCLO_DATASET_PUBLISHER_URL = os.environ.get(
    "OCLO_DATASET_PUBLISHER_URL",
    OCLO_DATASET_PUBLISHER_URL,  # noqa: F405
)
OCLO_DATASET_CONTACT_EMAIL = os.environ.get(
    "OCLO_DATASET_CONTACT_EMAIL",
    OCLO_DATASET_CONTACT_EMAIL,  # noqa: F405
)
OCLO_DATASET_LICENCE = os.environ.get("OCLO_DATASET_LICENCE", OCLO_DATASET_LICENCE)  # noqa: F405

SPECTACULAR_SETTINGS = {
    "TITLE": "OCLO API",
    "DESCRIPTION": "Open catalogue of micro-credentials: learning opportunities described with "
    "the ECCOE descriptors, EU Annex I elements and ELM vocabularies. Published records are "
    "open data, readable without an account. Errors are JSON in every format: "
    '`{"detail": ...}` (schema `Error`), or field errors for rejected input (schema '
    "`FieldErrors`, status 400); a method a path does not offer gets 405 with an `Error`.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from the sidecar package: nothing is loaded from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "PREPROCESSING_HOOKS": ["catalogue.api.schema.without_format_suffixes"],
    "PATH_CONVERTER_OVERRIDES": {"id": int},
    "ENUM_NAME_OVERRIDES": {
        "AgreementStatusEnum": "recognition.models.Agreement.Status",
        "OpportunityStatusEnum": "descriptors.models.LearningOpportunity.Status",
        "EditionStatusEnum": "descriptors.models.Edition.Status",
    },
}
# Read endpoints are open data: any origin may read them from a browser.
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
# A page's script revalidates what it holds and follows the pages of a list as any client does:
# it may send the validators, and read them and the paging links back.
CORS_ALLOW_HEADERS = (*default_cors_headers, "if-none-match", "if-modified-since")
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Link", "Retry-After"]

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}
