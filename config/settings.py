"""Django settings: every value comes from an environment variable (docs/configuration.md)."""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_int, env_list, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent

ENVIRONMENT = env_str("CONFIANCE_ENV", "development")
if ENVIRONMENT not in {"development", "demo", "test", "production"}:
    raise ImproperlyConfigured(
        f"CONFIANCE_ENV={ENVIRONMENT!r}: expected development, demo, test or production."
    )
PRODUCTION = ENVIRONMENT == "production"
DEMO_MODE = env_bool("CONFIANCE_DEMO", ENVIRONMENT == "demo") and not PRODUCTION

DEBUG = env_bool("CONFIANCE_DEBUG", False) and not PRODUCTION

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
    # A fixed key is acceptable only outside production, where nothing real is protected.
    SECRET_KEY = SECRET_KEY or "confiance-insecure-development-key-never-used-in-production-0123456789"
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
    "confiance.core",
    "confiance.accounts",
    "confiance.territory",
    "confiance.privacy",
    "confiance.reports",
    "confiance.operations",
    "confiance.analytics",
    "confiance.devices",
    "confiance.portal",
    "confiance.console",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "confiance.accounts.middleware.SecondFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
    DATA_DIR = Path(env_str("CONFIANCE_DATA_DIR", str(BASE_DIR / "var")))
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
            "TEST": {"NAME": env_str("CONFIANCE_TEST_SQLITE", "") or None},
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
# Two-factor authentication is mandatory for sensitive roles; only demo mode may relax it.
CONFIANCE_2FA_RELAXED = DEMO_MODE and env_bool("CONFIANCE_DEMO_RELAX_2FA", True)
OTP_TOTP_ISSUER = env_str("CONFIANCE_OTP_ISSUER", "Confiance")
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
CONFIANCE_MQTT_SHARE_GROUP = env_str("CONFIANCE_MQTT_SHARE_GROUP", "confiance")
CONFIANCE_MQTT_CLIENT_ID = env_str("CONFIANCE_MQTT_CLIENT_ID", "")
CONFIANCE_MQTT_SESSION_EXPIRY = env_int("CONFIANCE_MQTT_SESSION_EXPIRY", 7 * 24 * 3600, minimum=60,
                                        maximum=4_294_967_294)
CONFIANCE_MQTT_BATCH_SIZE = env_int("CONFIANCE_MQTT_BATCH_SIZE", 1000, minimum=1, maximum=5000)
CONFIANCE_MQTT_BATCH_MS = env_int("CONFIANCE_MQTT_BATCH_MS", 50, minimum=0, maximum=10_000)
CONFIANCE_MQTT_RECEIVE_MAXIMUM = env_int("CONFIANCE_MQTT_RECEIVE_MAXIMUM", 2000, minimum=1, maximum=65535)

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

# --- API.
CONFIANCE_API_PAGE_SIZE = env_int("CONFIANCE_API_PAGE_SIZE", 50, minimum=1, maximum=1000)
NINJA_PAGINATION_PER_PAGE = CONFIANCE_API_PAGE_SIZE
NINJA_PAGINATION_MAX_PER_PAGE_SIZE = 1000

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
