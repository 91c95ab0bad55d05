"""Settings for benchmarks and the load test (``make bench``, ``make loadtest``): production's
behaviour (DEBUG off, real password hashing, django-axes, CSP, persistent connections) without
its HTTPS-only parts, so that an in-process client and locust can talk plain HTTP on loopback.

The database comes from DATABASE_URL like everywhere else; the runners set it."""

from .base import *  # noqa: F403
from .base import AUDIT_HMAC_KEYS, DATABASES, SALT_KEY, env

DEBUG = False
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="bench-only-not-a-secret-" + "x" * 40)
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
AUDIT_HMAC_KEYS = AUDIT_HMAC_KEYS or ["bench-only-audit-key-not-a-secret"]
SALT_KEY = SALT_KEY or ["bench-only-field-encryption-key-not-a-secret"]
# As in production: a gunicorn worker keeps its connection between requests.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Nothing leaves the machine: alert e-mails stay in memory, Celery tasks run in the caller.
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="WARNING")},
}
