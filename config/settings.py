"""Django settings: every value comes from an environment variable (docs/configuration.md)."""

import os
import re
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_int, env_list, env_str, env_url, installation_secret

BASE_DIR = Path(__file__).resolve().parent.parent

ENVIRONMENT = env_str("CONFIANCE_ENV", "development")
if ENVIRONMENT not in {"development", "demo", "test", "production"}:
    raise ImproperlyConfigured(
        f"CONFIANCE_ENV={ENVIRONMENT!r}: expected development, demo, test or production."
    )
PRODUCTION = ENVIRONMENT == "production"
DEMO_MODE = env_bool("CONFIANCE_DEMO", ENVIRONMENT == "demo") and not PRODUCTION

DEBUG = env_bool("CONFIANCE_DEBUG", False) and not PRODUCTION

# A lock taken out of the platform's order (confiance/core/transactions.py) fails the write in development and
# tests, where it is a bug to fix; in production it is logged, and the write goes on.
CONFIANCE_LOCK_ORDER_STRICT = env_bool("CONFIANCE_LOCK_ORDER_STRICT", ENVIRONMENT in {"development", "test"})

# The data folder: the SQLite file, and the secrets generated at the first start of an installation.
DATA_DIR = Path(env_str("CONFIANCE_DATA_DIR", str(BASE_DIR / "var")))

SECRET_KEY = env_str("CONFIANCE_SECRET_KEY")
ALLOWED_HOSTS = env_list("CONFIANCE_ALLOWED_HOSTS")
if PRODUCTION:
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "CONFIANCE_SECRET_KEY must be set to a random value of at least 50 characters in production."
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("CONFIANCE_ALLOWED_HOSTS must list the host names served in production.")
else:
    # Development and demo: a random key per installation, generated into the data folder at the first start (a
    # fixed public key would let anyone forge photo links and sessions). Tests keep a fixed key: deterministic.
    if not SECRET_KEY:
        SECRET_KEY = ("confiance-test-key-for-automated-tests-only-never-served-0123456789" if ENVIRONMENT == "test"
                      else installation_secret(DATA_DIR / "secret_key"))
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]", "testserver"]

CSRF_TRUSTED_ORIGINS = env_list("CONFIANCE_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "confiance.core",
    "confiance.accounts",
    "confiance.territory",
    "confiance.addresses",
    "confiance.privacy",
    "confiance.reports",
    "confiance.operations",
    "confiance.analytics",
    "confiance.devices",
    "confiance.prevention",
    "confiance.alerts",
    "confiance.crisis",
    "confiance.portal",
    "confiance.console",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "confiance.core.middleware.BoundedQueryMiddleware",  # no NUL in query strings (issue 14, point 1)
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "confiance.accounts.middleware.SecondFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "confiance" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "confiance.core.context_processors.platform",
                "confiance.console.context_processors.navigation",
                "confiance.crisis.context_processors.crisis_banner",
            ],
        },
    },
]

# --- Database: embedded SQLite by default, anything dj-database-url reads otherwise.
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("CONFIANCE_DB_CONN_MAX_AGE", 60),
                                                  conn_health_checks=True)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"].setdefault("TEST", {})["NAME"] = env_str("CONFIANCE_TEST_DB_NAME", "test_confiance")
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "confiance.core.sqlite",
            "NAME": DATA_DIR / "confiance.sqlite3",
            "OPTIONS": {
                "timeout": env_int("CONFIANCE_SQLITE_BUSY_TIMEOUT", 20, minimum=1),
                "transaction_mode": "IMMEDIATE",
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA busy_timeout=20000;"
                ),
            },
            "TEST": {"NAME": env_str("CONFIANCE_TEST_SQLITE", "") or ":memory:"},
            "CONN_MAX_AGE": env_int("CONFIANCE_DB_CONN_MAX_AGE", 60),
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and authentication.
AUTH_USER_MODEL = "accounts.Agent"
AUTHENTICATION_BACKENDS = ["confiance.accounts.backends.LockoutModelBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "console:home"
LOGOUT_REDIRECT_URL = "portal:home"
CONFIANCE_LOCKOUT_THRESHOLD = env_int("CONFIANCE_LOCKOUT_THRESHOLD", 5, minimum=1)
CONFIANCE_LOCKOUT_MINUTES = env_int("CONFIANCE_LOCKOUT_MINUTES", 15, minimum=1)
# Failed logins, second-factor codes and token presentations are counted for the RSSI (accounts.SecurityEvent): one
# row per (kind, account, address, hour), at most this many new rows an hour (beyond, one overflow row per kind),
# kept this many days (ANSSI: keep security logs; CNIL: 6 months to 1 year for authentication logs).
CONFIANCE_SECURITY_EVENTS_PER_HOUR = env_int("CONFIANCE_SECURITY_EVENTS_PER_HOUR", 5000, minimum=10)
CONFIANCE_SECURITY_EVENT_RETENTION_DAYS = env_int("CONFIANCE_SECURITY_EVENT_RETENTION_DAYS", 365, minimum=30,
                                                  maximum=3650)
# Two-factor authentication is mandatory for sensitive roles; only demo mode may relax it.
CONFIANCE_2FA_RELAXED = DEMO_MODE and env_bool("CONFIANCE_DEMO_RELAX_2FA", True)
OTP_TOTP_ISSUER = env_str("CONFIANCE_OTP_ISSUER", "Confiance")
# Enrolling an authenticator needs a link an administrator issues: single use, valid this many hours at most.
CONFIANCE_2FA_ENROLMENT_LINK_HOURS = env_int("CONFIANCE_2FA_ENROLMENT_LINK_HOURS", 72, minimum=1, maximum=24 * 30)
CONFIANCE_API_TOKEN_MAX_DAYS = env_int("CONFIANCE_API_TOKEN_MAX_DAYS", 365, minimum=1, maximum=3650)

SESSION_COOKIE_AGE = env_int("CONFIANCE_SESSION_HOURS", 10, minimum=1) * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# --- Internationalisation: French first, English available; stored in UTC, shown in Paris time.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "confiance" / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# --- Static files: front-end libraries are installed from the npm registry and served locally.
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("CONFIANCE_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "confiance" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = Path(env_str("CONFIANCE_MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
CONFIANCE_ARCHIVE_DIR = Path(env_str("CONFIANCE_ARCHIVE_DIR", str(BASE_DIR / "var" / "archives")))

# --- Audit journal (ADR 0009): MAC key outside the database, chain heads anchored in an append-only file.
_AUDIT_DATA_DIR = Path(env_str("CONFIANCE_DATA_DIR", str(BASE_DIR / "var")))
CONFIANCE_AUDIT_KEY = env_str("CONFIANCE_AUDIT_KEY", "")
CONFIANCE_AUDIT_RETIRED_KEYS = env_list("CONFIANCE_AUDIT_RETIRED_KEYS")
CONFIANCE_AUDIT_KEY_FILE = Path(env_str("CONFIANCE_AUDIT_KEY_FILE", str(_AUDIT_DATA_DIR / "audit.key")))
CONFIANCE_AUDIT_ANCHOR_FILE = Path(env_str("CONFIANCE_AUDIT_ANCHOR_FILE", str(_AUDIT_DATA_DIR / "audit-heads.log")))
CONFIANCE_AUDIT_ANCHOR_EVERY = env_int("CONFIANCE_AUDIT_ANCHOR_EVERY", 100, minimum=1)
CONFIANCE_AUDIT_ANCHOR_SECONDS = env_int("CONFIANCE_AUDIT_ANCHOR_SECONDS", 10, minimum=0)
CONFIANCE_AUDIT_ANCHOR_SYSLOG = env_str("CONFIANCE_AUDIT_ANCHOR_SYSLOG", "")

# --- Map: tiles come from a configurable URL; layers still show when it is unreachable.
CONFIANCE_TILE_URL = env_str("CONFIANCE_TILE_URL", "")
CONFIANCE_TILE_ATTRIBUTION = env_str("CONFIANCE_TILE_ATTRIBUTION", "")

# --- Geography.
CONFIANCE_H3_RESOLUTION = env_int("CONFIANCE_H3_RESOLUTION", 10, minimum=5, maximum=12)

# --- Live events.
REDIS_URL = env_str("REDIS_URL")
CONFIANCE_SSE_HEARTBEAT_SECONDS = env_int("CONFIANCE_SSE_HEARTBEAT_SECONDS", 15, minimum=1)
# Threads that serve ordinary requests in each process (confiance/core/asgi.py); each keeps its own connection.
CONFIANCE_REQUEST_THREADS = env_int("CONFIANCE_REQUEST_THREADS", 4, minimum=1)
CONFIANCE_SSE_POLL_SECONDS = env_int("CONFIANCE_SSE_POLL_SECONDS", 2, minimum=1)
CONFIANCE_OUTBOX_RETENTION_DAYS = env_int("CONFIANCE_OUTBOX_RETENTION_DAYS", 7, minimum=1)

# --- Devices: the MQTT broker of the ingestion worker (`confiance devices ingest`, docs/devices.md "MQTT").
CONFIANCE_MQTT_URL = env_url("CONFIANCE_MQTT_URL", {"mqtt", "mqtts"})
CONFIANCE_MQTT_TOPIC_PREFIX = env_str("CONFIANCE_MQTT_TOPIC_PREFIX", "confiance/v1").strip("/")
# Frigate's topic prefix (its `mqtt.topic_prefix`): the worker also listens on <prefix>/events and <prefix>/reviews.
# Empty: no video-analytics subscription.
CONFIANCE_FRIGATE_TOPIC_PREFIX = env_str("CONFIANCE_FRIGATE_TOPIC_PREFIX", "frigate").strip("/")
CONFIANCE_MQTT_SHARE_GROUP = env_str("CONFIANCE_MQTT_SHARE_GROUP", "confiance")
CONFIANCE_MQTT_CLIENT_ID = env_str("CONFIANCE_MQTT_CLIENT_ID", "")
CONFIANCE_MQTT_SESSION_EXPIRY = env_int("CONFIANCE_MQTT_SESSION_EXPIRY", 7 * 24 * 3600, minimum=60,
                                        maximum=4_294_967_294)
# Messages per transaction (0: 1,000 on SQLite, whose one writer other requests wait for; 4,000 on PostgreSQL, where a
# batch's costs per device, aggregates, rule states and health, are paid once for more messages: ADR 0021).
CONFIANCE_MQTT_BATCH_SIZE = env_int("CONFIANCE_MQTT_BATCH_SIZE", 0, minimum=0, maximum=5000)
CONFIANCE_MQTT_BATCH_MS = env_int("CONFIANCE_MQTT_BATCH_MS", 50, minimum=0, maximum=10_000)
# Messages in flight before acknowledgement (0: twice the batch size).
CONFIANCE_MQTT_RECEIVE_MAXIMUM = env_int("CONFIANCE_MQTT_RECEIVE_MAXIMUM", 0, minimum=0, maximum=65535)
# Batches the ingestion worker stores at once, each on its own connection (0: two on PostgreSQL, one on SQLite).
CONFIANCE_MQTT_STORE_THREADS = env_int("CONFIANCE_MQTT_STORE_THREADS", 0, minimum=0, maximum=8)

# --- Privacy.
CONFIANCE_RETENTION_BATCH_SIZE = env_int("CONFIANCE_RETENTION_BATCH_SIZE", 500, minimum=1)

# --- Citizen reports.
# Address of the platform as citizens reach it, used in e-mails and Open311 media links.
# By default the address `confiance serve` listens on (PORT, as `make demo PORT=...` sets it).
CONFIANCE_PUBLIC_URL = env_str("CONFIANCE_PUBLIC_URL",
                               f"http://127.0.0.1:{env_int('PORT', 8000, minimum=1, maximum=65535)}")
CONFIANCE_REPORT_PHOTO_MAX_BYTES = env_int("CONFIANCE_REPORT_PHOTO_MAX_MB", 8, minimum=1, maximum=50) * 1024 * 1024
CONFIANCE_REPORT_PHOTO_LINK_DAYS = env_int("CONFIANCE_REPORT_PHOTO_LINK_DAYS", 30, minimum=1)
CONFIANCE_REPORT_PERSONAL_DATA_DAYS = env_int("CONFIANCE_REPORT_PERSONAL_DATA_DAYS", 365, minimum=1)
# Data governance (docs/privacy.md): `confiance serve` runs the retention engine once a day at this hour (Paris) unless
# CONFIANCE_RETENTION_SCHEDULE is off; the access review flags reads outside these working hours (Paris time);
# the RSSI's page lists accounts unused for this many days; `confiance security check` wants a backup this recent.
CONFIANCE_RETENTION_SCHEDULE = env_bool("CONFIANCE_RETENTION_SCHEDULE", True)
CONFIANCE_RETENTION_HOUR = env_int("CONFIANCE_RETENTION_HOUR", 3, minimum=0, maximum=23)
CONFIANCE_WORKING_HOURS_START = env_int("CONFIANCE_WORKING_HOURS_START", 7, minimum=0, maximum=23)
CONFIANCE_WORKING_HOURS_END = env_int("CONFIANCE_WORKING_HOURS_END", 20, minimum=1, maximum=24)
CONFIANCE_INACTIVE_ACCOUNT_DAYS = env_int("CONFIANCE_INACTIVE_ACCOUNT_DAYS", 90, minimum=1)
CONFIANCE_BACKUP_MAX_AGE_HOURS = env_int("CONFIANCE_BACKUP_MAX_AGE_HOURS", 48, minimum=1)

# --- Population alerts.
# The CAP <sender> of the commune's alerts is "mairie-<INSEE>@<this domain>": a domain the commune controls.
CONFIANCE_ALERTS_SENDER_DOMAIN = env_str("CONFIANCE_ALERTS_SENDER_DOMAIN", "alertes.confiance.local")

# --- Police municipale operations.
# Minutes during which the author may still fix a main courante entry; after that, corrections are new entries.
CONFIANCE_LOGBOOK_GRACE_MINUTES = env_int("CONFIANCE_LOGBOOK_GRACE_MINUTES", 15, minimum=0, maximum=24 * 60)
# A unit's position older than this is flagged stale and the unit is not recommended for dispatch.
CONFIANCE_POSITION_STALE_SECONDS = env_int("CONFIANCE_POSITION_STALE_SECONDS", 300, minimum=10)
# Positions recorded longer ago than this are refused (a tracker replaying an old buffer).
CONFIANCE_POSITION_MAX_AGE_HOURS = env_int("CONFIANCE_POSITION_MAX_AGE_HOURS", 24, minimum=1)
# Position history is deleted after this many days (retention engine).
CONFIANCE_POSITION_HISTORY_DAYS = env_int("CONFIANCE_POSITION_HISTORY_DAYS", 30, minimum=1)
# Main courante, interventions: kept 3 years, then exported for the archives and deleted (LEGAL.md).
CONFIANCE_POLICE_FILE_YEARS = env_int("CONFIANCE_POLICE_FILE_YEARS", 3, minimum=1, maximum=3)
# Dispatch: units compared by straight line, then the shortlist by road travel time when a graph is loaded.
CONFIANCE_DISPATCH_SHORTLIST = env_int("CONFIANCE_DISPATCH_SHORTLIST", 8, minimum=1, maximum=100)
# Engage the first recommended unit without the operator's confirmation (off by default).
CONFIANCE_AUTO_DISPATCH = env_bool("CONFIANCE_AUTO_DISPATCH", False)
# --- Prevention: Participation citoyenne, réserve communale (docs/prevention-participation.md).
# A revoked referent's name and contact are deleted this many days after the revocation.
CONFIANCE_REFERENT_RETENTION_DAYS = env_int("CONFIANCE_REFERENT_RETENTION_DAYS", 30, minimum=1, maximum=3650)
# Observations of the referents (and their follow-up) are deleted this many months after they were received.
CONFIANCE_OBSERVATION_RETENTION_MONTHS = env_int("CONFIANCE_OBSERVATION_RETENTION_MONTHS", 12, minimum=1,
                                                 maximum=36)
# A volunteer who left the réserve is deleted (with their answers and hours) this many days after leaving.
CONFIANCE_RESERVE_RETENTION_DAYS = env_int("CONFIANCE_RESERVE_RETENTION_DAYS", 90, minimum=1, maximum=3650)
CONFIANCE_DEMO_OPEN311_KEY = env_str("CONFIANCE_DEMO_OPEN311_KEY", "demo-open311-key") if DEMO_MODE else ""
CONFIANCE_DEMO_REPORTS = env_int("CONFIANCE_DEMO_REPORTS", 320, minimum=0, maximum=100_000)
# The demo GPS tracker's key (OsmAnd / OwnTracks); such a fixed key exists only in demo mode.
CONFIANCE_DEMO_TRACKER_KEY = env_str("CONFIANCE_DEMO_TRACKER_KEY", "demo-tracker-key") if DEMO_MODE else ""
CONFIANCE_DEMO_INTERVENTIONS = env_int("CONFIANCE_DEMO_INTERVENTIONS", 80, minimum=0, maximum=100_000)
CONFIANCE_OPEN311_MAX_PAGE_SIZE = env_int("CONFIANCE_OPEN311_MAX_PAGE_SIZE", 200, minimum=1, maximum=1000)
# Open311 searches answered from a cache while no report has been added or changed since, and at most this many
# seconds (0: never cached). Shared by the processes through Redis when REDIS_URL is set.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}} if REDIS_URL \
    else {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 2000}}}
CONFIANCE_OPEN311_CACHE_SECONDS = env_int("CONFIANCE_OPEN311_CACHE_SECONDS", 30, minimum=0, maximum=3600)
# Uploads: three photos and the form must fit; larger bodies are refused before parsing.
DATA_UPLOAD_MAX_MEMORY_SIZE = 4 * CONFIANCE_REPORT_PHOTO_MAX_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = CONFIANCE_REPORT_PHOTO_MAX_BYTES + 1024 * 1024

# --- Prevention: Opération Tranquillité Vacances. Personal data deleted this many days after the return date (or
# after a cancellation): LEGAL.md asks for "shortly after the return"; at most 30.
CONFIANCE_OTV_PURGE_DAYS = env_int("CONFIANCE_OTV_PURGE_DAYS", 7, minimum=1, maximum=30)

# --- Rate limits (django-ratelimit; docs/configuration.md). Counted in the "ratelimit" cache: Redis when REDIS_URL is
# set (shared by the processes), else each process's memory. A rate is "<count>/<period>" (period: s, m, h, d, or
# e.g. 10m); an empty rate turns that limit off. CONFIANCE_RATE_LIMITS=0 turns every limit off.
CACHES["ratelimit"] = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL} if REDIS_URL \
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ratelimit",
          "OPTIONS": {"MAX_ENTRIES": 100_000}}
RATELIMIT_USE_CACHE = "ratelimit"
RATELIMIT_ENABLE = env_bool("CONFIANCE_RATE_LIMITS", True)
# Behind a reverse proxy, the request header (as in request.META) that carries the client's address.
CONFIANCE_CLIENT_IP_META = env_str("CONFIANCE_CLIENT_IP_META", "")
_RATE_DEFAULTS = {
    "report_form": {"ip": "10/10m", "account": "30/h"},  # the public report form (POST)
    "open311_post": {"ip": "120/m", "account": "1200/m"},  # POST requests.json / .xml; account: the client key
    "tracker": {"ip": "1200/m", "account": "120/m"},  # OsmAnd / OwnTracks positions; account: the unit
    "gateway": {"ip": "600/m", "account": "600/m"},  # devices gateways' batches and NGSI-LD notifications
    "login": {"ip": "30/10m"},  # login form POSTs from one address, whatever the account
    "otv_form": {"ip": "10/10m"},  # the public OTV registration form and private page (POST)
    "address_search": {"ip": "120/m"},  # the address box's search, public (docs/addresses.md)
    "basemap": {"ip": "600/m"},  # the drawn base map's roads and street names, public, fetched as the map moves
    "alerts_subscribe": {"ip": "10/10m"},  # the public alert subscription form and API (POST), the SMS code
    # Participation citoyenne and réserve: a referent's observations (account: the referent), volunteers' answers.
    "referent_page": {"ip": "60/10m", "account": "20/h"},
    "reserve_answer": {"ip": "60/10m"},
}


def _rate_limits() -> dict[str, dict[str, str]]:
    table: dict[str, dict[str, str]] = {}
    for name, scopes in _RATE_DEFAULTS.items():
        table[name] = {}
        for scope, default in scopes.items():
            variable = f"CONFIANCE_RATE_{name.upper()}_{scope.upper()}"
            rate = env_str(variable, default).strip()
            if rate and not re.fullmatch(r"[1-9][0-9]*/[0-9]*[smhd]", rate):
                raise ImproperlyConfigured(f"{variable}={rate!r}: expected <count>/<period>, e.g. 10/m or 30/10m.")
            table[name][scope] = rate
    return table


CONFIANCE_RATE_LIMITS = _rate_limits()
# Login: CONFIANCE_LOCKOUT_THRESHOLD wrong passwords for one account from one address lock that pair (not the
# account: an agent is never locked out from elsewhere) for CONFIANCE_LOCKOUT_MINUTES; unknown accounts alike.
# Photos: at most this many decoded at once per process; a photo waits at most the timeout for its turn.
CONFIANCE_PHOTO_DECODES = env_int("CONFIANCE_PHOTO_DECODES", 2, minimum=1, maximum=64)
CONFIANCE_PHOTO_DECODE_WAIT_SECONDS = env_int("CONFIANCE_PHOTO_DECODE_WAIT_SECONDS", 10, minimum=1, maximum=300)

# --- Hypervision (devices): registry, retention per sensor kind, security sweep.
# Retention in days: raw measurements, per-minute and per-hour aggregates, dead letters; each may be set per sensor
# kind with the suffix _<KIND> (CONFIANCE_DEVICES_MEASUREMENT_DAYS_WATER_LEVEL=730). Minute aggregates never
# outlive hour aggregates (checked below).
_DEVICE_KINDS = ["water_level", "air_quality", "noise", "rain", "temperature", "weather", "smoke", "intrusion",
                 "camera", "other"]
_DEVICE_RETENTION_DEFAULTS = {"MEASUREMENT": 90, "MINUTE": 30, "HOUR": 730, "DEAD_LETTER": 30}
_DEVICE_RETENTION_KIND_DEFAULTS = {("MEASUREMENT", "water_level"): 730, ("MEASUREMENT", "rain"): 730,
                                   ("HOUR", "water_level"): 3650, ("HOUR", "rain"): 3650}


def _device_retention() -> dict[str, dict[str, int]]:
    table: dict[str, dict[str, int]] = {}
    for kind in _DEVICE_KINDS:
        row = {}
        for what, default in _DEVICE_RETENTION_DEFAULTS.items():
            base = env_int(f"CONFIANCE_DEVICES_{what}_DAYS", default, minimum=1, maximum=36500)
            base = _DEVICE_RETENTION_KIND_DEFAULTS.get((what, kind), base) \
                if f"CONFIANCE_DEVICES_{what}_DAYS" not in os.environ else base
            row[what.lower()] = env_int(f"CONFIANCE_DEVICES_{what}_DAYS_{kind.upper()}", base, minimum=1,
                                        maximum=36500)
        if row["minute"] > row["hour"]:
            raise ImproperlyConfigured(f"Devices of kind {kind}: minute aggregates ({row['minute']} days) cannot be "
                                       f"kept longer than hour aggregates ({row['hour']} days).")
        table[kind] = row
    return table


CONFIANCE_DEVICES_RETENTION = _device_retention()
# Video-analytics detections (attention flags, reviewed or not) are deleted after this many days.
CONFIANCE_VIDEO_DETECTION_DAYS = env_int("CONFIANCE_VIDEO_DETECTION_DAYS", 30, minimum=1, maximum=365)
# Security sweep: one open event per kind and subject per window; thresholds of each detection.
CONFIANCE_DEVICES_SECURITY_WINDOW_MINUTES = env_int("CONFIANCE_DEVICES_SECURITY_WINDOW_MINUTES", 60, minimum=1)
CONFIANCE_DEVICES_MASS_SILENCE_MIN = env_int("CONFIANCE_DEVICES_MASS_SILENCE_MIN", 3, minimum=1)
CONFIANCE_DEVICES_MASS_SILENCE_PERCENT = env_int("CONFIANCE_DEVICES_MASS_SILENCE_PERCENT", 30, minimum=1,
                                                 maximum=100)
CONFIANCE_DEVICES_SILENCE_INTERVALS = env_int("CONFIANCE_DEVICES_SILENCE_INTERVALS", 3, minimum=1)
CONFIANCE_DEVICES_FLOOD_MINUTES = env_int("CONFIANCE_DEVICES_FLOOD_MINUTES", 5, minimum=1, maximum=60)
CONFIANCE_DEVICES_FLOOD_FACTOR = env_int("CONFIANCE_DEVICES_FLOOD_FACTOR", 10, minimum=2)
CONFIANCE_DEVICES_FLOOD_MIN_MESSAGES = env_int("CONFIANCE_DEVICES_FLOOD_MIN_MESSAGES", 30, minimum=1)
CONFIANCE_DEVICES_CLOCK_TOLERANCE_SECONDS = env_int("CONFIANCE_DEVICES_CLOCK_TOLERANCE_SECONDS", 120, minimum=1)
# The demo gateway's token (`<prefix>.<secret>`); such a fixed token exists only in demo mode.
CONFIANCE_DEMO_GATEWAY_TOKEN = env_str("CONFIANCE_DEMO_GATEWAY_TOKEN",
                                       "demogw01.demo-gateway-secret") if DEMO_MODE else ""

# --- API.
CONFIANCE_API_PAGE_SIZE = env_int("CONFIANCE_API_PAGE_SIZE", 50, minimum=1, maximum=1000)
NINJA_PAGINATION_PER_PAGE = CONFIANCE_API_PAGE_SIZE
NINJA_PAGINATION_MAX_PER_PAGE_SIZE = 1000

# --- Content-Security-Policy (django-csp), on every page: scripts only from our own static files (no inline
# script, no eval), no plugin, no framing; styles only from our stylesheets (scripts set styles through the DOM,
# which CSP allows). Map tiles come from the configured tile server's origin.
def _tile_origin(url: str) -> str:
    from urllib.parse import urlsplit
    parts = urlsplit(url.replace("{s}", "SUB"))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return ""
    host = "*" + parts.hostname[3:] if "{s}" in url and parts.hostname.startswith("sub.") else parts.hostname
    return f"{parts.scheme}://{host}" + (f":{parts.port}" if parts.port else "")


CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:", *filter(None, [_tile_origin(CONFIANCE_TILE_URL)])],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# --- Security headers (production).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("CONFIANCE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("CONFIANCE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("CONFIANCE_HSTS_PRELOAD", False)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

EMAIL_BACKEND = env_str(
    "CONFIANCE_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION
    else "django.core.mail.backends.filebased.EmailBackend" if DEMO_MODE
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_FILE_PATH = env_str("CONFIANCE_EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))
EMAIL_HOST = env_str("CONFIANCE_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("CONFIANCE_EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = env_str("CONFIANCE_EMAIL_USER")
EMAIL_HOST_PASSWORD = env_str("CONFIANCE_EMAIL_PASSWORD")
EMAIL_USE_TLS = env_bool("CONFIANCE_EMAIL_TLS", False)
DEFAULT_FROM_EMAIL = env_str("CONFIANCE_FROM_EMAIL", "confiance@localhost")
# E-mails leave from a background thread after commit, so a slow mail server never holds a request; the sweep
# (confiance reports_sweep) retries what failed. Tests send them in line, after commit, to see the result.
CONFIANCE_MAIL_IN_BACKGROUND = env_bool("CONFIANCE_MAIL_IN_BACKGROUND", ENVIRONMENT != "test")

# Background tasks (django-tasks): the database backend. `confiance serve` runs one worker thread beside the web
# server (CONFIANCE_TASK_WORKER=embedded, the default) so a single machine needs nothing else; with "external",
# run `confiance db_worker` processes instead. Tests run tasks in line unless they choose the database.
TASKS = {"default": {"BACKEND": env_str(
    "CONFIANCE_TASK_BACKEND",
    "django_tasks.backends.immediate.ImmediateBackend" if ENVIRONMENT == "test" else "django_tasks_db.DatabaseBackend",
)}}
CONFIANCE_TASK_WORKER = env_str("CONFIANCE_TASK_WORKER", "embedded")
# Analytics: largest CSV an analyst may import, and the default Monte Carlo permutations.
CONFIANCE_ANALYTICS_MAX_UPLOAD_MB = env_int("CONFIANCE_ANALYTICS_MAX_UPLOAD_MB", 20, minimum=1, maximum=500)
CONFIANCE_ANALYTICS_PERMUTATIONS = env_int("CONFIANCE_ANALYTICS_PERMUTATIONS", 999, minimum=19, maximum=9999)
CONFIANCE_ANALYTICS_RUN_DAYS = env_int("CONFIANCE_ANALYTICS_RUN_DAYS", 180, minimum=1, maximum=3650)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("CONFIANCE_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
CONFIANCE_2FA_URL = "/comptes/double-authentification/"

# --- Operations (backups, health, metrics): docs/configuration.md, "Operations".
CONFIANCE_DATA_DIR = Path(env_str("CONFIANCE_DATA_DIR", str(BASE_DIR / "var")))
# Web Push of the field page: the VAPID key pair is generated in the data folder on first use (never committed).
CONFIANCE_VAPID_KEY_FILE = Path(env_str("CONFIANCE_VAPID_KEY_FILE", str(CONFIANCE_DATA_DIR / "vapid_private.pem")))
CONFIANCE_VAPID_SUBJECT = env_str("CONFIANCE_VAPID_SUBJECT", "mailto:police-municipale@localhost")
# Push services on the local network (http, private addresses): only for tests and a closed network that runs one.
CONFIANCE_PUSH_ALLOW_LOCAL = env_bool("CONFIANCE_PUSH_ALLOW_LOCAL", False)
# Population alerts' delivery (docs/alerts-delivery.md): the SMS gateway's class, its file (file backend), the SMS
# throttle, how long a claimed message may stay unconfirmed before another worker takes it, attempts before failure.
CONFIANCE_SMS_BACKEND = env_str("CONFIANCE_SMS_BACKEND", "confiance.core.sms.FileSmsBackend")
CONFIANCE_SMS_FILE = Path(env_str("CONFIANCE_SMS_FILE", str(CONFIANCE_DATA_DIR / "sms.log")))
CONFIANCE_SMS_PER_SECOND = env_int("CONFIANCE_SMS_PER_SECOND", 20, minimum=1, maximum=10_000)
CONFIANCE_ALERTS_CLAIM_SECONDS = env_int("CONFIANCE_ALERTS_CLAIM_SECONDS", 300, minimum=1)
CONFIANCE_ALERTS_MAX_ATTEMPTS = env_int("CONFIANCE_ALERTS_MAX_ATTEMPTS", 6, minimum=1, maximum=50)
# `confiance serve` writes a backup archive here soon after start and then every interval (empty: no schedule).
CONFIANCE_BACKUP_DIR = env_str("CONFIANCE_BACKUP_DIR", "")
CONFIANCE_BACKUP_INTERVAL_MINUTES = env_int("CONFIANCE_BACKUP_INTERVAL_MINUTES", 24 * 60, minimum=1)
CONFIANCE_BACKUP_FIRST_DELAY_SECONDS = env_int("CONFIANCE_BACKUP_FIRST_DELAY_SECONDS", 60, minimum=0)
CONFIANCE_BACKUP_KEEP = env_int("CONFIANCE_BACKUP_KEEP", 14, minimum=1)
# /healthz answers 503 past these thresholds; /metrics needs this bearer token (empty: clients of this host only).
CONFIANCE_HEALTH_TASK_MAX_AGE_SECONDS = env_int("CONFIANCE_HEALTH_TASK_MAX_AGE_SECONDS", 300, minimum=1)
CONFIANCE_HEALTH_MAIL_MAX_AGE_SECONDS = env_int("CONFIANCE_HEALTH_MAIL_MAX_AGE_SECONDS", 900, minimum=1)
CONFIANCE_HEALTH_DEAD_LETTER_WINDOW_MINUTES = env_int("CONFIANCE_HEALTH_DEAD_LETTER_WINDOW_MINUTES", 15, minimum=1)
CONFIANCE_HEALTH_DEAD_LETTER_MAX_PERCENT = env_int("CONFIANCE_HEALTH_DEAD_LETTER_MAX_PERCENT", 50, minimum=0,
                                                   maximum=100)
CONFIANCE_HEALTH_DEAD_LETTER_MIN_COUNT = env_int("CONFIANCE_HEALTH_DEAD_LETTER_MIN_COUNT", 20, minimum=1)
CONFIANCE_METRICS_TOKEN = env_str("CONFIANCE_METRICS_TOKEN", "")
MIDDLEWARE.insert(0, "confiance.core.metrics.RequestMetricsMiddleware")
