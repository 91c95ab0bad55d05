"""Production: refuses to start without its secret and allowed hosts; HTTPS and strict headers.

Every value comes from the environment file of docs/deploy.md; `python manage.py check --deploy`
with these settings prints no warnings (tests/test_settings_production.py)."""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from tracker.secret_key import secret_key_weakness

from .base import *  # noqa: F403
from .base import DATABASES, VAR_DIR, env

DEBUG = False

_SETUP = "set it in the environment file (/etc/tracker/tracker.env, see docs/deploy.md)"


def _required(name: str, what: str) -> str:
    value = env.str(name, default="").strip()
    if not value:
        raise ImproperlyConfigured(f"{name} is not set: production needs {what}; {_SETUP}.")
    return value


SECRET_KEY = _required("DJANGO_SECRET_KEY", "a long random secret key")
# Django's own deploy check asks for at least 50 characters and 5 different ones; a key that
# passes it by repeating a block or walking the alphabet is refused at start too.
_weakness = secret_key_weakness(SECRET_KEY)
if _weakness:
    raise ImproperlyConfigured(
        f"DJANGO_SECRET_KEY is too weak ({_weakness}): use at least 50 random characters, e.g. the "
        "output of `python -c 'import secrets; print(secrets.token_urlsafe(50))'`; " + _SETUP + "."
    )
_HOSTS = "the host names the site answers to, comma-separated (e.g. minsheng.example.gov.cn)"
ALLOWED_HOSTS = [h.strip() for h in _required("DJANGO_ALLOWED_HOSTS", _HOSTS).split(",") if h.strip()]
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured(f"DJANGO_ALLOWED_HOSTS names no host: production needs {_HOSTS}; {_SETUP}.")
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# The audit trail's hash-chain key(s): the first signs, older ones after it (comma-separated).
AUDIT_HMAC_KEYS = [
    k.strip() for k in _required("TRACKER_AUDIT_HMAC_KEYS", "a random key for the audit trail's hash chain").split(",")
]
if any(len(k) < 32 for k in AUDIT_HMAC_KEYS):
    raise ImproperlyConfigured(
        "TRACKER_AUDIT_HMAC_KEYS: each key needs at least 32 random characters, e.g. the output of "
        "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`; " + _SETUP + "."
    )

# The keys of the fields encrypted at rest (phone numbers, robot secrets): comma-separated, the
# first encrypts, all decrypt.
SALT_KEY = [
    k.strip()
    for k in _required("TRACKER_FIELD_ENCRYPTION_KEYS", "a random key for the fields encrypted at rest").split(",")
    if k.strip()
]
if any(len(k) < 32 for k in SALT_KEY):
    raise ImproperlyConfigured(
        "TRACKER_FIELD_ENCRYPTION_KEYS: each key needs at least 32 random characters, e.g. the output of "
        "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`; " + _SETUP + "."
    )

# A gunicorn worker keeps its PostgreSQL connection between requests, checked before reuse.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# Shared between web machines (NFS in docs/deploy.md): evidence uploaded through one machine
# must be readable through every other.
MEDIA_ROOT = env.path("TRACKER_MEDIA_ROOT", default=str(VAR_DIR / "media"))
# Evidence files too (on the share, so every web machine serves what any other received, and the
# nightly backup of the share takes them): in a folder of their own that no URL maps to (nginx
# never serves /media/; only the permission-checked view reads them).
PRIVATE_MEDIA_ROOT = env.path("TRACKER_PRIVATE_MEDIA_ROOT", default=str(Path(MEDIA_ROOT) / "private"))
STATIC_ROOT = env.path("TRACKER_STATIC_ROOT", default=str(VAR_DIR / "staticfiles"))

# nginx terminates TLS and tells us so; it must overwrite (never pass on) this header.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# A second factor for the administrators and the office (TOTP, with recovery codes).
TRACKER_TWO_FACTOR_REQUIRED = env.bool("TRACKER_TWO_FACTOR_REQUIRED", default=True)
TWO_FACTOR_REMEMBER_COOKIE_SECURE = True

# django-axes behind nginx: REMOTE_ADDR is nginx, so count failures by the address nginx saw.
AXES_CLIENT_IP_CALLABLE = "tracker.proxy.client_ip"

# Real deployments use the real date (projects/clock.py): a pinned clock belongs to the demo and tests.
if env.str("TRACKER_TODAY", default="").strip():
    raise ImproperlyConfigured("TRACKER_TODAY pins the clock for the demo and tests: unset it in production.")
