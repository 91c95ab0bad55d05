"""Settings for the test suite: fast hashing, local mail and cache, eager Celery by default."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = "tests-only-not-a-secret"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Tests that need a real worker and broker override these (tests/integration).
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
CELERY_TASK_EAGER_PROPAGATES = True
AXES_ENABLED = env.bool("AXES_ENABLED", default=False)
