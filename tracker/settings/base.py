"""Settings shared by every environment; values that differ come from the environment."""

from pathlib import Path

import environ
import plotly
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = Path(environ.Env().str("TRACKER_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tables2",
    "django_filters",
    "django_celery_beat",
    "simple_history",
    "axes",
    "csp",
    # The second factor: TOTP devices, one-time recovery codes, and the login and enrolment pages.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "two_factor",
    "projects",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "tracker.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Acts recorded in the audit trail while a page is answered carry its user and address.
    "projects.audit.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Idle and absolute session limits, the second factor and password expiry; no-store.
    "projects.security.sessions.AccessPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, so that it sees the outcome of authentication (django-axes' requirement).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tracker.urls"
WSGI_APPLICATION = "tracker.wsgi.application"

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
                "projects.context_processors.inbox",
            ],
        },
    },
]

# SQLite is the embedded default; production sets DATABASE_URL=postgres://...
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'tracker.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers (dashboards) proceed while a unit saves its figures.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", "timeout": 20}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "projects.User"

AUTHENTICATION_BACKENDS = [
    # django-axes must come first so that a locked-out login never reaches the password check.
    "axes.backends.AxesStandaloneBackend",
    # Django's model backend, with the three administrators kept apart (projects/security/roles.py).
    "projects.security.backends.RoleBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "tracker.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "tracker.passwords.CharacterClassesValidator"},
    # Records each new password; refuses the last TRACKER_PASSWORD_REUSE_COUNT.
    {"NAME": "projects.security.passwords.PasswordHistoryValidator"},
]
# Password expiry and reuse: off unless set (docs/deploy/tracker.env.example sets both).
TRACKER_PASSWORD_MAX_AGE_DAYS = env.int("TRACKER_PASSWORD_MAX_AGE_DAYS", default=0)
TRACKER_PASSWORD_REUSE_COUNT = env.int("TRACKER_PASSWORD_REUSE_COUNT", default=0)

LOGIN_URL = "login"
# The second factor (projects/security/views.py): required for the administrators and the office
# where this is on (production); unit users and leaders may enrol.
TRACKER_TWO_FACTOR_REQUIRED = env.bool("TRACKER_TWO_FACTOR_REQUIRED", default=False)
# The admin's login page sends to ours (which asks for the second factor).
TWO_FACTOR_PATCH_ADMIN = True
# A login's password step is valid for this long while the code is typed.
TWO_FACTOR_LOGIN_TIMEOUT = 300
OTP_TOTP_ISSUER = "重点民生实事跟踪系统"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "projects" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # plotly.js from the installed plotly package, so the chart library and the Python figures
    # always match: templates use {% static 'plotly/plotly.min.js' %}.
    ("plotly", Path(plotly.__file__).parent / "package_data"),
]
STATIC_ROOT = VAR_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = VAR_DIR / "media"
# Evidence files live outside MEDIA_ROOT: only a permission-checked view serves them, never a URL.
PRIVATE_MEDIA_ROOT = Path(env.str("TRACKER_PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private")))

# Evidence files: images and PDF, checked by content, at most this many bytes each.
EVIDENCE_MAX_BYTES = env.int("TRACKER_EVIDENCE_MAX_BYTES", default=10 * 1024 * 1024)
# ... and at most this many files and bytes per figure (one unit's figure of one month).
EVIDENCE_MAX_FILES_PER_FIGURE = env.int("TRACKER_EVIDENCE_MAX_FILES_PER_FIGURE", default=10)
EVIDENCE_MAX_BYTES_PER_FIGURE = env.int("TRACKER_EVIDENCE_MAX_BYTES_PER_FIGURE", default=30 * 1024 * 1024)
# Uploaded Excel files: a workbook of one unit's month is small; bigger is refused unread.
UPLOAD_XLSX_MAX_BYTES = env.int("TRACKER_UPLOAD_XLSX_MAX_BYTES", default=5 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

EMAIL_BACKEND = env.str("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env.str("DJANGO_EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("DJANGO_EMAIL_PORT", default=25)
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="tracker@localhost")

# The one clock (projects/clock.py): empty for the real date in TIME_ZONE; YYYY-MM-DD, or "demo"
# for the demo's day, pins it (`make run` pins the demo's; never set in production).
TRACKER_TODAY = env.str("TRACKER_TODAY", default="")

# Alerts and their delivery (projects/services/notifications.py). Links in e-mails and robot
# messages point here, so it must be the address people open the tracker at.
TRACKER_BASE_URL = env.str("TRACKER_BASE_URL", default="http://127.0.0.1:8000")
# A failed e-mail or webhook is tried again after 1, 2, 4 … minutes (capped), at most this many times.
ALERTS_DELIVERY_MAX_ATTEMPTS = env.int("ALERTS_DELIVERY_MAX_ATTEMPTS", default=6)
ALERTS_DELIVERY_BACKOFF_SECONDS = env.int("ALERTS_DELIVERY_BACKOFF_SECONDS", default=60)
ALERTS_DELIVERY_BACKOFF_MAX_SECONDS = env.int("ALERTS_DELIVERY_BACKOFF_MAX_SECONDS", default=6 * 60 * 60)
# A delivery still "sending" this long after its claim was interrupted: marked failed, never resent.
ALERTS_DELIVERY_STUCK_SECONDS = env.int("ALERTS_DELIVERY_STUCK_SECONDS", default=15 * 60)
ALERTS_WEBHOOK_TIMEOUT_SECONDS = env.int("ALERTS_WEBHOOK_TIMEOUT_SECONDS", default=10)
EMAIL_TIMEOUT = env.int("DJANGO_EMAIL_TIMEOUT", default=30)

# Sessions (projects/security/sessions.py): ended after 30 minutes without use and 8 hours after
# login whatever the use; optionally one per account. The cookie ends with the browser.
TRACKER_SESSION_IDLE_SECONDS = env.int("TRACKER_SESSION_IDLE_SECONDS", default=30 * 60)
TRACKER_SESSION_MAX_SECONDS = env.int("TRACKER_SESSION_MAX_SECONDS", default=8 * 60 * 60)
TRACKER_SESSION_ONE_PER_USER = env.bool("TRACKER_SESSION_ONE_PER_USER", default=False)
SESSION_COOKIE_AGE = TRACKER_SESSION_MAX_SECONDS
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True

# django-axes (projects/security/lockout.py): an account is locked after 5 failures from any
# address, an address after 20 failures across accounts; the security administrator unlocks.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
TRACKER_LOCKOUT_ADDRESS_LIMIT = env.int("TRACKER_LOCKOUT_ADDRESS_LIMIT", default=20)
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HANDLER = "projects.security.lockout.LockoutHandler"
AXES_RESET_ON_SUCCESS = True
# The lockout answer is a page in the user's language that says what was locked and for how long.
AXES_LOCKOUT_CALLABLE = "projects.security.lockout.lockout_response"
# Audit: AccessLog keeps each login and logout; this keeps each failed login too (AccessAttempt
# only counts failures and is cleared on success).
AXES_ENABLE_ACCESS_FAILURE_LOG = True

# The audit trail (projects/audit, docs/security.md). Its hash chain is keyed: someone with rights
# on the database but not this key cannot rewrite a record and the chain after it unnoticed. The
# first key signs; older ones after it keep old records checkable. Production refuses to start
# without one; the test and local settings carry a fixed development key.
AUDIT_HMAC_KEYS = env.list("TRACKER_AUDIT_HMAC_KEYS", default=[])
# Records are kept at least 180 days (MLPS level 3); only older ones may be purged.
AUDIT_RETENTION_MIN_DAYS = 180
AUDIT_RETENTION_DAYS = env.int("TRACKER_AUDIT_RETENTION_DAYS", default=AUDIT_RETENTION_MIN_DAYS)
if AUDIT_RETENTION_DAYS < AUDIT_RETENTION_MIN_DAYS:
    raise ImproperlyConfigured(
        f"TRACKER_AUDIT_RETENTION_DAYS={AUDIT_RETENTION_DAYS}: audit records must be kept at least "
        f"{AUDIT_RETENTION_MIN_DAYS} days."
    )

# Fields encrypted at rest (projects/encryption.py): django-fernet-encrypted-fields derives its
# keys from SECRET_KEY (and SECRET_KEY_FALLBACKS) with each of these; the first encrypts, all
# decrypt (rotation). Production refuses to start without one; test and local carry a fixed
# development key. Losing it (or SECRET_KEY) makes the phone numbers and robot secrets unreadable.
SALT_KEY = env.list("TRACKER_FIELD_ENCRYPTION_KEYS", default=[])

# Celery: Redis is the broker; JSON only, so a task's arguments are ids, not pickled objects.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="redis://127.0.0.1:6390/0")
CELERY_RESULT_BACKEND = None
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True  # a worker killed mid-task leaves the task for another worker
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5-responsive.html"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
}
AXES_VERBOSE = False

# Content-Security-Policy on every response, in every environment, so that tests and `make run`
# see what production enforces. No inline scripts anywhere: page code lives in static files.
# style-src carries two hashes instead of 'unsafe-inline', for plotly.js (checked in Chromium,
# tests/test_settings_csp.py): plotly creates empty <style> elements and fills them through the
# CSSOM (which CSP does not govern), so allowing the hash of the empty string lets its layout
# rules apply; the second is the fixed stylesheet of maplibre that the plotly.js 4.1.1 bundle
# (plotly 7.1.0) injects on load. A plotly upgrade that changes it fails that test.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [
            SELF,
            "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",  # "" (plotly's empty <style>)
            "'sha256-ji27qzEtxXZW+7dun6UwjHXJ18e6WAin1VvNtkzIE/o='",  # maplibre CSS in plotly.js
        ],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
    },
}
