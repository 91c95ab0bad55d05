"""Settings for the test suite: fast hashing, local mail and cache, eager Celery by default."""

from .base import *  # noqa: F403
from .base import DATABASES, env

DEBUG = False
SECRET_KEY = "tests-only-not-a-secret"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# A worker that a test starts in another process writes its mail to files the test reads.
if env.str("TRACKER_TEST_EMAIL_FILE_PATH", default=""):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = env.str("TRACKER_TEST_EMAIL_FILE_PATH")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "api_rate": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "api-rate"},
}
# Tests that need a real worker and broker override these (tests/integration).
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
CELERY_TASK_EAGER_PROPAGATES = True
AXES_ENABLED = env.bool("AXES_ENABLED", default=False)
AUDIT_HMAC_KEYS = ["tests-only-audit-key-not-a-secret"]
SALT_KEY = ["tests-only-field-encryption-key-not-a-secret"]

# On PostgreSQL the test database is named from the environment (.ci/postgres names it per
# checkout), so two checkouts sharing one cluster never drop each other's test database.
_test_name = env.str("DJANGO_TEST_DATABASE_NAME", default="")
if _test_name and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["TEST"] = {"NAME": _test_name}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The test runner empties its database with TRUNCATE after transactional tests; the audit
    # table refuses that in every other session (projects/migrations/0009_audit_append_only_and_encryption.py).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c tracker.audit_allow_truncate=on"
