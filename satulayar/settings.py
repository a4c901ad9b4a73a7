"""Satu Layar settings: every value comes from the environment, with defaults that run the demo."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from satulayar.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("SATULAYAR_DATA_DIR", str(Path.cwd() / "var"))).resolve()

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG and env_bool("SATULAYAR_REQUIRE_SECRET_KEY", False):
        raise ImproperlyConfigured("SECRET_KEY must be set in production (SATULAYAR_REQUIRE_SECRET_KEY=1).")
    SECRET_KEY = "insecure-demo-key-set-SECRET_KEY-in-production"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

SATULAYAR_CITY = env_str("SATULAYAR_CITY", "banjarmasin")

# Phone check-in: a position less accurate than this is refused; selfies are deleted after this many days.
ATTENDANCE_MAX_ACCURACY_M = env_int("ATTENDANCE_MAX_ACCURACY_M", 100)
ATTENDANCE_SELFIE_RETENTION_DAYS = env_int("ATTENDANCE_SELFIE_RETENTION_DAYS", 30)
ATTENDANCE_FUTURE_TOLERANCE_MINUTES = env_int("ATTENDANCE_FUTURE_TOLERANCE_MINUTES", 5)
ATTENDANCE_ADMS_MAX_BODY_BYTES = env_int("ATTENDANCE_ADMS_MAX_BODY_BYTES", 16 * 1024 * 1024)
VISITS_PUBLIC_TICKETS_PER_HOUR = env_int("VISITS_PUBLIC_TICKETS_PER_HOUR", 5)  # per client address and kelurahan
EVENTS_STREAM_SECONDS = env_int("EVENTS_STREAM_SECONDS", 300)  # a live stream ends after this; browsers reconnect

INSTALLED_APPS = [
    "satulayar.core.admin_site.SatuLayarAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "huey.contrib.djhuey",
    "ninja",  # serves the API docs' Swagger UI from its own static files (no CDN)
    "satulayar.core",
    "satulayar.audit",
    "satulayar.org",
    "satulayar.attendance",
    "satulayar.visits",
    "satulayar.inspections",
    "satulayar.cctv",
    "satulayar.integrations",
    "satulayar.dashboard",
    "satulayar.opendata",
    "satulayar.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "satulayar.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "satulayar.audit.context.AuditContextMiddleware",
    "satulayar.core.middleware.CityTimezoneMiddleware",
]

ROOT_URLCONF = "satulayar.urls"
ASGI_APPLICATION = "satulayar.asgi.application"
WSGI_APPLICATION = "satulayar.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "satulayar.core.context_processors.satulayar",
            ],
        },
    },
]


def _database() -> dict:
    url = env_str("DATABASE_URL")
    if url:
        try:
            # Under ASGI every request runs in its own thread with its own connection: a connection kept for reuse
            # is never reused, and 200 open screens ran PostgreSQL out of connections (bench.live). PostgreSQL gets
            # a pool per process instead: requests beyond its size wait for a connection rather than fail.
            config = dj_database_url.parse(url, conn_max_age=0)
        except ValueError as exc:
            raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {exc}") from None
        if config["ENGINE"].endswith("sqlite3"):
            config.setdefault("OPTIONS", {}).update(SQLITE_OPTIONS)
        elif pool_size := env_int("DB_POOL_SIZE", 10):
            config.setdefault("OPTIONS", {})["pool"] = {"min_size": 1, "max_size": pool_size, "timeout": 30}
        return config
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DATA_DIR / "satulayar.sqlite3",
        "OPTIONS": SQLITE_OPTIONS,
        # Tests use a WAL file like production, not Django's in-memory shared cache, whose table locks can
        # deadlock a live-server write against a concurrent read. One file per process: runs may overlap.
        "TEST": {"NAME": str(DATA_DIR / f"test_satulayar_{os.getpid()}.sqlite3")},
    }


# WAL lets readers (the dashboard) run while a writer (ingest) commits; IMMEDIATE avoids
# "database is locked" when two writers upgrade a read transaction at the same time.
SQLITE_OPTIONS = {
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000; "
                    "PRAGMA cache_size=-65536;",
    "transaction_mode": "IMMEDIATE",
}
DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
HUEY = {
    "name": "satulayar",
    "immediate": env_bool("HUEY_IMMEDIATE", False),
    "consumer": {"workers": env_int("WORKER_THREADS", 2), "worker_type": "thread"},
}
if REDIS_URL:
    HUEY.update({"huey_class": "huey.RedisHuey", "url": REDIS_URL})
else:
    HUEY.update({"huey_class": "huey.SqliteHuey", "filename": str(DATA_DIR / "huey.sqlite3")})

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["satulayar.formats"]
USE_I18N = True
# Off: ids and values in links, forms and data attributes must stay plain (a grouped id 5.772 is another
# number to a script). Shown numbers go through the `angka` filter, which groups them the Indonesian way.
USE_THOUSAND_SEPARATOR = False
USE_TZ = True
TIME_ZONE = env_str("TIME_ZONE", "Asia/Makassar")

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise serves from the apps' folders until collectstatic
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- cctv ---
# The poller: seconds a grab may take, grabs at once, consecutive failures before a camera is offline,
# frames a new people count must hold before it is stored. History: frames older than the retention or beyond
# the size cap (oldest first) are deleted; per-frame counts are kept for CCTV_COUNT_RETENTION_DAYS, hourly
# rollups for good. The demo's simulated cameras listen on 127.0.0.1:CCTV_SIMULATOR_PORT.
CCTV_GRAB_TIMEOUT_S = env_int("CCTV_GRAB_TIMEOUT_S", 5)
CCTV_POLL_CONCURRENCY = env_int("CCTV_POLL_CONCURRENCY", 8)
CCTV_OFFLINE_AFTER_FAILURES = env_int("CCTV_OFFLINE_AFTER_FAILURES", 2)
CCTV_COUNT_HOLD_FRAMES = env_int("CCTV_COUNT_HOLD_FRAMES", 3)
CCTV_RETENTION_HOURS = env_int("CCTV_RETENTION_HOURS", 24)
CCTV_HISTORY_MAX_MB = env_int("CCTV_HISTORY_MAX_MB", 500)
CCTV_COUNT_RETENTION_DAYS = env_int("CCTV_COUNT_RETENTION_DAYS", 30)
CCTV_SIMULATOR_PORT = env_int("CCTV_SIMULATOR_PORT", 8765)
CCTV_DEMO_POLLER = env_bool("CCTV_DEMO_POLLER", True)

# --- dashboard / opendata ---
# Seconds an alert webhook (HTTP POST JSON) may take; the open-data page hides counts from 1 to
# OPENDATA_MIN_COUNT - 1 (and medians or IKM over fewer tickets or respondents).
DASHBOARD_WEBHOOK_TIMEOUT_SECONDS = env_int("DASHBOARD_WEBHOOK_TIMEOUT_SECONDS", 5)
OPENDATA_MIN_COUNT = env_int("OPENDATA_MIN_COUNT", 5)

# --- integrations ---
# Connector secrets are encrypted with a key derived from this (SECRET_KEY when empty).
INTEGRATIONS_SECRET_KEY = env_str("INTEGRATIONS_SECRET_KEY")
INTEGRATIONS_HTTP_TIMEOUT = env_int("INTEGRATIONS_HTTP_TIMEOUT", 15)
INTEGRATIONS_MAX_PAYLOAD_BYTES = env_int("INTEGRATIONS_MAX_PAYLOAD_BYTES", 5 * 1024 * 1024)
INTEGRATIONS_MAX_UPLOAD_BYTES = env_int("INTEGRATIONS_MAX_UPLOAD_BYTES", 50 * 1024 * 1024)
INTEGRATIONS_WEBHOOK_MAX_BYTES = env_int("INTEGRATIONS_WEBHOOK_MAX_BYTES", 256 * 1024)
INTEGRATIONS_WEBHOOK_TOLERANCE_SECONDS = env_int("INTEGRATIONS_WEBHOOK_TOLERANCE_SECONDS", 300)
INTEGRATIONS_RETRY_BASE_SECONDS = env_int("INTEGRATIONS_RETRY_BASE_SECONDS", 60)
INTEGRATIONS_SQL_MAX_ROWS = env_int("INTEGRATIONS_SQL_MAX_ROWS", 100_000)
# The demo's department apps listen on this port and the next two; its rain gauges push to this Satu Layar.
INTEGRATIONS_DEMO_PORT = env_int("INTEGRATIONS_DEMO_PORT", 8761)
INTEGRATIONS_DEMO_WEBHOOK_BASE = env_str("INTEGRATIONS_DEMO_WEBHOOK_BASE", "http://127.0.0.1:8000")

# --- scale ---
# An ingest call that stores more punches than this refreshes their daily statuses (and unit-day rollups) in a
# background job; smaller ones (a phone check-in, a device's few lines) show their status at once.
ATTENDANCE_STATUS_SYNC_MAX_ROWS = env_int("ATTENDANCE_STATUS_SYNC_MAX_ROWS", 50)
