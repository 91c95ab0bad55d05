"""Settings for a developer's machine and `make run`: debug on, mail to the console."""

import secrets

from .base import *  # noqa: F403
from .base import AUDIT_HMAC_KEYS, SALT_KEY, VAR_DIR, env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])


def _local_secret_key() -> str:
    """A per-checkout key kept out of the repository, made on first use."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="") or _local_secret_key()
EMAIL_BACKEND = env.str("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
# A fixed development key, so that a developer's audit trail stays checkable across restarts.
AUDIT_HMAC_KEYS = AUDIT_HMAC_KEYS or ["local-development-audit-key-not-a-secret"]
SALT_KEY = SALT_KEY or ["local-development-field-encryption-key-not-a-secret"]
