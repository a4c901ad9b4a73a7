"""Satu Layar settings: every value comes from the environment, with defaults that run the demo."""

import ipaddress
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from satulayar.core.limits import limits_check
from satulayar.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("SATULAYAR_DATA_DIR", str(Path.cwd() / "var"))).resolve()

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG and env_bool("SATULAYAR_REQUIRE_SECRET_KEY", False):
        raise ImproperlyConfigured("SECRET_KEY must be set in production (SATULAYAR_REQUIRE_SECRET_KEY=1).")
    SECRET_KEY = "insecure-demo-key-set-SECRET_KEY-in-production"
# Former keys: they still open sessions, signed links and stored secrets (core.vault) while SECRET_KEY rotates.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

SATULAYAR_CITY = env_str("SATULAYAR_CITY", "banjarmasin")

# Phone check-in: a position less accurate than this is refused; selfies are deleted after this many days.
ATTENDANCE_MAX_ACCURACY_M = env_int("ATTENDANCE_MAX_ACCURACY_M", 100)
ATTENDANCE_SELFIE_RETENTION_DAYS = env_int("ATTENDANCE_SELFIE_RETENTION_DAYS", 30)
# Papers of a leave request (surat dokter, surat tugas): one PDF or JPEG at most this many MB.
ATTENDANCE_LEAVE_ATTACHMENT_MAX_MB = env_int("ATTENDANCE_LEAVE_ATTACHMENT_MAX_MB", 2)
if ATTENDANCE_LEAVE_ATTACHMENT_MAX_MB < 1:
    raise ImproperlyConfigured("ATTENDANCE_LEAVE_ATTACHMENT_MAX_MB must be at least 1")
ATTENDANCE_FUTURE_TOLERANCE_MINUTES = env_int("ATTENDANCE_FUTURE_TOLERANCE_MINUTES", 5)
# A fingerprint machine's upload: 16 MiB is ~400.000 ATTLOG lines; Django's 2,5 MB limit would strand a backlog.
ATTENDANCE_ADMS_MAX_BODY_BYTES = env_int("ATTENDANCE_ADMS_MAX_BODY_BYTES", 16 * 1024 * 1024)
ATTENDANCE_LATE_AFTER_S = env_int("ATTENDANCE_LATE_AFTER_S", 120)
# Fingerprint machines kept in step: a device clock this far off (seconds) gets a time-set command; machines whose
# push version is at least this take the handshake's TimeZone in minutes (480), older ones in hours (8); a command
# the machine failed or never answered is sent again up to this many times.
ATTENDANCE_DEVICE_DRIFT_LIMIT_S = env_int("ATTENDANCE_DEVICE_DRIFT_LIMIT_S", 120)
ATTENDANCE_ADMS_TZ_MINUTES_FROM = env_str("ATTENDANCE_ADMS_TZ_MINUTES_FROM", "3.0")
ATTENDANCE_DEVICE_COMMAND_ATTEMPTS = env_int("ATTENDANCE_DEVICE_COMMAND_ATTEMPTS", 3)
# Phone check-in guards: a second check-in within this many seconds is answered with the first; a check-in whose
# position moved faster than this (km/h) since the person's last one, or whose accuracy is exactly the same as on
# this many earlier days, is stored flagged for the inspectorate.
ATTENDANCE_REPEAT_WINDOW_S = env_int("ATTENDANCE_REPEAT_WINDOW_S", 300)
ATTENDANCE_MAX_SPEED_KMH = env_int("ATTENDANCE_MAX_SPEED_KMH", 200)
ATTENDANCE_CONSTANT_ACCURACY_DAYS = env_int("ATTENDANCE_CONSTANT_ACCURACY_DAYS", 3)
VISITS_PUBLIC_TICKETS_PER_HOUR = env_int("VISITS_PUBLIC_TICKETS_PER_HOUR", 5)  # per browser token and kelurahan
VISITS_PUBLIC_TICKETS_PER_ADDRESS_HOUR = env_int("VISITS_PUBLIC_TICKETS_PER_ADDRESS_HOUR", 60)  # a shared address
VISITS_PRIORITY_FAIRNESS = env_int("VISITS_PRIORITY_FAIRNESS", 3)  # priority calls a regular ticket lets pass
VISITS_BOOKING_CAPACITY = env_int("VISITS_BOOKING_CAPACITY", 4)  # per service and hour, unless the office sets one
VISITS_BOOKING_DAYS_AHEAD = env_int("VISITS_BOOKING_DAYS_AHEAD", 14)
EVENTS_STREAM_SECONDS = env_int("EVENTS_STREAM_SECONDS", 300)  # a live stream ends after this; browsers reconnect
# PostgreSQL: live streams wake on LISTEN/NOTIFY; 0 polls the event table (e.g. behind PgBouncer transaction pooling)
EVENTS_LISTEN = env_bool("EVENTS_LISTEN", True)

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
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
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
    "satulayar.integrity",
    "satulayar.opendata",
    "satulayar.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "satulayar.core.security.ApiErrorJsonMiddleware",
    "satulayar.core.limits.RequestSizeLimitMiddleware",
    "satulayar.core.middleware.AsyncFileStreamMiddleware",  # before WhiteNoise: its files stream async under ASGI
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "satulayar.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "satulayar.core.security.IdleTimeoutMiddleware",
    "satulayar.core.security.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "satulayar.audit.context.AuditContextMiddleware",
    "satulayar.core.middleware.CityTimezoneMiddleware",
    "csp.middleware.CSPMiddleware",
    "satulayar.core.security.SecurityHeadersMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
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
                "csp.context_processors.nonce",
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
        options = config.setdefault("OPTIONS", {})
        if config["ENGINE"].endswith("sqlite3"):
            config["ENGINE"] = SQLITE_ENGINE
            options.update(SQLITE_OPTIONS)
            return config
        if pool_size := env_int("DB_POOL_SIZE", 10):
            options["pool"] = {"min_size": 1, "max_size": pool_size, "timeout": 30}
        if env_bool("DB_PREPARED_STATEMENTS", True):
            # Parameters bound by the server, and a query run five times on a connection prepared: the pool keeps
            # the connections, so PostgreSQL stops parsing and planning a punch's two dozen queries anew each time.
            options.update({"server_side_binding": True, "prepare_threshold": 5})
        return config
    return {  # the folder is made when Django starts (core.apps), not when settings are imported
        "ENGINE": SQLITE_ENGINE,
        "NAME": DATA_DIR / "satulayar.sqlite3",
        "OPTIONS": SQLITE_OPTIONS,
        # Tests use a WAL file like production, not Django's in-memory shared cache, whose table locks can
        # deadlock a live-server write against a concurrent read. One file per process: runs may overlap.
        "TEST": {"NAME": str(DATA_DIR / f"test_satulayar_{os.getpid()}.sqlite3")},
    }


SQLITE_ENGINE = "satulayar.core.sqlite"  # Django's, connections reused and writers queued per process
# WAL lets readers (the dashboard) run while a writer (ingest) commits; IMMEDIATE avoids
# "database is locked" when two writers upgrade a read transaction at the same time.
SQLITE_OPTIONS = {
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000; "
                    "PRAGMA cache_size=-65536;",
    "transaction_mode": "IMMEDIATE",
}
DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The unit-day index covers its counters with INCLUDE on PostgreSQL; SQLite builds it on the key alone, as intended.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

REDIS_URL = env_str("REDIS_URL")
# Huey's clock is UTC; periodic tasks read it in the city's zone (core.schedules.city_crontab). A worker killed
# while holding a single-run lock leaves it behind: the consumer flushes the locks when it starts.
HUEY = {
    "name": "satulayar",
    "utc": True,
    "immediate": env_bool("HUEY_IMMEDIATE", False),
    "consumer": {"workers": env_int("WORKER_THREADS", 2), "worker_type": "thread", "flush_locks": True},
}
if REDIS_URL:
    HUEY.update({"huey_class": "huey.RedisHuey", "url": REDIS_URL})
else:
    # Its tables are made when Django starts (core.apps), once the data folder exists.
    HUEY.update({"huey_class": "huey.SqliteHuey", "filename": str(DATA_DIR / "huey.sqlite3"), "create_tables": False})

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
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
# Made when Django starts (core.apps): WhiteNoise serves from the apps' folders until collectstatic.
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
    # Huey's consumer adds its own handler to "huey" unless it has one: with the root's too, every line twice.
    "loggers": {"django.db.backends": {"level": "WARNING"},
                "huey": {"handlers": ["console"], "propagate": False}},
}

# --- outbound requests (camera grabs, connector pulls, alert webhooks; see docs/security-outbound.md) ---
# Link-local and cloud metadata addresses are always refused. Loopback and private ranges are refused unless listed
# in OUTBOUND_ALLOWED_NETWORKS (CIDRs, e.g. a department's server 10.20.0.0/16); OUTBOUND_PRIVATE_FOR names the kinds
# of request (cctv, integrations, alerts) that may reach any private range: by default cameras, on office LANs.
OUTBOUND_ALLOWED_NETWORKS = env_list("OUTBOUND_ALLOWED_NETWORKS")
OUTBOUND_PRIVATE_FOR = env_list("OUTBOUND_PRIVATE_FOR", "cctv")
OUTBOUND_MAX_REDIRECTS = env_int("OUTBOUND_MAX_REDIRECTS", 3)
for _network in OUTBOUND_ALLOWED_NETWORKS:
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError:
        raise ImproperlyConfigured(f"OUTBOUND_ALLOWED_NETWORKS: {_network!r} is not a CIDR network") from None
if _unknown := set(OUTBOUND_PRIVATE_FOR) - {"cctv", "integrations", "alerts"}:
    raise ImproperlyConfigured(f"OUTBOUND_PRIVATE_FOR: unknown {sorted(_unknown)}; use cctv, integrations, alerts")

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
# The demo's two older pull-mode fingerprint machines (ZK simulators) listen on this port and the next.
DEMO_ZK_PORT = env_int("SATULAYAR_DEMO_ZK_PORT", 14370)
CCTV_DEMO_POLLER = env_bool("CCTV_DEMO_POLLER", True)
# The RTSP tests' server runs under the system Python, which has Debian's GStreamer bindings.
SATULAYAR_GST_PYTHON = env_str("SATULAYAR_GST_PYTHON", "/usr/bin/python3")

# --- dashboard / opendata ---
# Seconds an alert webhook (HTTP POST JSON) may take; the open-data page hides counts from 1 to
# OPENDATA_MIN_COUNT - 1 (and medians or IKM over fewer tickets or respondents).
DASHBOARD_WEBHOOK_TIMEOUT_SECONDS = env_int("DASHBOARD_WEBHOOK_TIMEOUT_SECONDS", 5)
# A failed alert webhook (network, 5xx, 408, 429) is tried again after 30 s, 60 s, 120 s … up to this many attempts.
DASHBOARD_WEBHOOK_ATTEMPTS = env_int("DASHBOARD_WEBHOOK_ATTEMPTS", 5)
DASHBOARD_WEBHOOK_RETRY_BASE_SECONDS = env_int("DASHBOARD_WEBHOOK_RETRY_BASE_SECONDS", 30)
OPENDATA_MIN_COUNT = env_int("OPENDATA_MIN_COUNT", 5)

# --- integrations ---
# Former separate key for connector secrets: still opens what it sealed; new secrets are sealed under SECRET_KEY.
INTEGRATIONS_SECRET_KEY = env_str("INTEGRATIONS_SECRET_KEY")
INTEGRATIONS_HTTP_TIMEOUT = env_int("INTEGRATIONS_HTTP_TIMEOUT", 15)
INTEGRATIONS_MAX_PAYLOAD_BYTES = env_int("INTEGRATIONS_MAX_PAYLOAD_BYTES", 5 * 1024 * 1024)
INTEGRATIONS_MAX_UPLOAD_BYTES = env_int("INTEGRATIONS_MAX_UPLOAD_BYTES", 50 * 1024 * 1024)
INTEGRATIONS_WEBHOOK_MAX_BYTES = env_int("INTEGRATIONS_WEBHOOK_MAX_BYTES", 256 * 1024)
INTEGRATIONS_WEBHOOK_TOLERANCE_SECONDS = env_int("INTEGRATIONS_WEBHOOK_TOLERANCE_SECONDS", 300)
INTEGRATIONS_RETRY_BASE_SECONDS = env_int("INTEGRATIONS_RETRY_BASE_SECONDS", 60)
INTEGRATIONS_SQL_MAX_ROWS = env_int("INTEGRATIONS_SQL_MAX_ROWS", 100_000)
INTEGRATIONS_MAX_PAGES = env_int("INTEGRATIONS_MAX_PAGES", 100)  # pages a paginated REST pull follows at most
# SQL connectors open SQLite files only under this folder (default DATA_DIR/sqlite-sumber), never Satu Layar's own.
INTEGRATIONS_SQLITE_DIR = env_str("INTEGRATIONS_SQLITE_DIR")
# The demo's department apps listen on this port and the next two; its rain gauges push to this Satu Layar.
INTEGRATIONS_DEMO_PORT = env_int("INTEGRATIONS_DEMO_PORT", 8761)
INTEGRATIONS_DEMO_WEBHOOK_BASE = env_str("INTEGRATIONS_DEMO_WEBHOOK_BASE", "http://127.0.0.1:8000")

# --- request sizes (core.limits: an oversized request gets a 413 naming its limit, JSON on the API) ---
# A JSON or form body (one sidak photo of INSPECTIONS_PHOTO_MAX_BYTES fits as a data URL); a multipart body with
# files (the hub's CSV/XLSX uploads); ATTENDANCE_ADMS_MAX_BODY_BYTES above is a fingerprint machine's upload.
INSPECTIONS_PHOTO_MAX_BYTES = env_int("INSPECTIONS_PHOTO_MAX_BYTES", 5 * 1024 * 1024)
REQUEST_MAX_BYTES = env_int("REQUEST_MAX_BYTES", 8 * 1024 * 1024)
REQUEST_MAX_UPLOAD_BYTES = env_int("REQUEST_MAX_UPLOAD_BYTES", INTEGRATIONS_MAX_UPLOAD_BYTES + 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = REQUEST_MAX_BYTES
limits_check({name: value for name, value in globals().items() if name.endswith("_BYTES")})

# --- scale ---
# An ingest call that stores more punches than this refreshes their daily statuses (and unit-day rollups) in a
# background job; smaller ones (a phone check-in, a device's few lines) show their status at once.
ATTENDANCE_STATUS_SYNC_MAX_ROWS = env_int("ATTENDANCE_STATUS_SYNC_MAX_ROWS", 50)
# A pending job (core.jobs) claimed by a worker on another host longer ago than this is handed out again.
PENDING_JOB_LEASE_SECONDS = env_int("PENDING_JOB_LEASE_SECONDS", 900)

# --- security (docs/security.md) ---
# Logins: after AXES_FAILURE_LIMIT failures for one username from one address the pair is locked for
# AXES_COOLOFF_MINUTES. A session idle longer than SESSION_IDLE_MINUTES ends; none lives past SESSION_COOKIE_AGE.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "satulayar.core.security.axes_locked_out"
AXES_VERBOSE = False
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30)
SESSION_COOKIE_AGE = env_int("SESSION_MAX_HOURS", 12) * 3600
# Roles that see the whole city (or manage connectors) must pass a TOTP second factor after the password.
# SATULAYAR_OTP_REQUIRED=0 turns the requirement off for a closed demo only; never in a deployment.
SATULAYAR_OTP_REQUIRED = env_bool("SATULAYAR_OTP_REQUIRED", True)
SATULAYAR_OTP_ROLES = ("executive", "hr_admin", "inspector", "integration_admin")
OTP_TOTP_ISSUER = "Satu Layar"

# Content-Security-Policy: scripts only from this site or with the response's nonce; no inline handlers.
# Styles allow inline attributes: Tabler, ECharts and Leaflet position elements with style="…".
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "media-src": [SELF, "blob:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Behind HTTPS (SECURE_COOKIES=1): HSTS, and every plain-HTTP request redirected.
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000) if SESSION_COOKIE_SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", SESSION_COOKIE_SECURE)
if env_bool("SECURE_PROXY_SSL", False):  # a proxy in front terminates TLS and says so in X-Forwarded-Proto
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURITY_PERMISSIONS_POLICY = "geolocation=(self), camera=(self), microphone=(), payment=(), usb=()"
