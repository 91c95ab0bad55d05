"""Production settings: refuse to start half-configured; pass Django's deploy check; HTTPS only."""

import importlib
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from tracker.proxy import client_ip

ROOT = Path(__file__).resolve().parents[1]
ENV_EXAMPLE = ROOT / "docs" / "deploy" / "tracker.env.example"
HOST = "minsheng.example.gov.cn"


def env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines, as systemd's EnvironmentFile reads them."""
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def production_env(tmp_path, **overrides):
    """The environment file of docs/deploy.md as shipped, with a secret key filled in and the
    machine's directories moved under tmp_path."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "TRACKER_"))}
    env |= env_file(ENV_EXAMPLE)
    env |= {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": f"{HOST},10.41.0.21",
        "TRACKER_AUDIT_HMAC_KEYS": secrets.token_urlsafe(32),
        "TRACKER_FIELD_ENCRYPTION_KEYS": secrets.token_urlsafe(32),
        "TRACKER_VAR_DIR": str(tmp_path / "var"),
        # Never the example's database machine: a test talks to nothing but this machine.
        "DATABASE_URL": f"sqlite:///{tmp_path / 'production.sqlite3'}",
        "CELERY_BROKER_URL": "redis://127.0.0.1:9/0",
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "TRACKER_MEDIA_ROOT": str(tmp_path / "media"),
        "TRACKER_STATIC_ROOT": str(tmp_path / "static"),
    }
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def import_production(monkeypatch, env):
    for key in [k for k in os.environ if k.startswith("DJANGO_")]:
        monkeypatch.delenv(key)
    for key, value in env.items():
        if key.startswith(("DJANGO_", "TRACKER_")):
            monkeypatch.setenv(key, value)
    sys.modules.pop("tracker.settings.production", None)
    try:
        return importlib.import_module("tracker.settings.production")
    finally:
        sys.modules.pop("tracker.settings.production", None)


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("DJANGO_SECRET_KEY", "DJANGO_SECRET_KEY is not set: production needs a long random secret key"),
        ("DJANGO_ALLOWED_HOSTS", "DJANGO_ALLOWED_HOSTS is not set: production needs the host names"),
        ("TRACKER_AUDIT_HMAC_KEYS", "TRACKER_AUDIT_HMAC_KEYS is not set: production needs a random key"),
        ("TRACKER_FIELD_ENCRYPTION_KEYS", "TRACKER_FIELD_ENCRYPTION_KEYS is not set: production needs a random key"),
    ],
)
def test_production_refuses_to_start_without_its_secret_or_hosts(monkeypatch, tmp_path, missing, message):
    with pytest.raises(ImproperlyConfigured) as refused:
        import_production(monkeypatch, production_env(tmp_path, **{missing: None}))
    assert message in str(refused.value)
    assert "docs/deploy.md" in str(refused.value)


@pytest.mark.parametrize("variable", ["TRACKER_AUDIT_HMAC_KEYS", "TRACKER_FIELD_ENCRYPTION_KEYS"])
def test_production_refuses_a_short_key(monkeypatch, tmp_path, variable):
    with pytest.raises(ImproperlyConfigured, match=f"{variable}: each key needs at least 32 random characters"):
        import_production(monkeypatch, production_env(tmp_path, **{variable: "short-key"}))


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DJANGO_SECRET_KEY", "   ", "DJANGO_SECRET_KEY is not set"),
        ("DJANGO_SECRET_KEY", "changeme", "DJANGO_SECRET_KEY is too weak"),
        ("DJANGO_SECRET_KEY", "a" * 60, "DJANGO_SECRET_KEY is too weak"),
        ("DJANGO_ALLOWED_HOSTS", " , ", "DJANGO_ALLOWED_HOSTS names no host"),
    ],
)
def test_production_refuses_a_blank_or_weak_value(monkeypatch, tmp_path, variable, value, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        import_production(monkeypatch, production_env(tmp_path, **{variable: value}))


def test_production_reads_hosts_and_shared_media_from_the_environment(monkeypatch, tmp_path):
    production = import_production(monkeypatch, production_env(tmp_path))
    assert production.ALLOWED_HOSTS == [HOST, "10.41.0.21"]
    assert production.DEBUG is False
    assert str(production.MEDIA_ROOT) == str(tmp_path / "media")
    # Evidence is on the share as well (every web machine reads it, the backup of the share takes it).
    assert str(production.PRIVATE_MEDIA_ROOT) == str(tmp_path / "media" / "private")


def test_the_example_environment_file_does_not_start_until_its_secret_is_set(tmp_path):
    assert env_file(ENV_EXAMPLE)["DJANGO_SECRET_KEY"] == ""
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=production_env(tmp_path, DJANGO_SECRET_KEY=""),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured: DJANGO_SECRET_KEY is not set" in result.stderr


def test_check_deploy_prints_no_warnings(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."
    assert "WARNING" not in result.stderr


# Requests through the production settings, as gunicorn would pass them on from nginx.
REQUESTS = """
import json, django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)  # the login page keeps its steps in the session table
from django.test import Client
c = Client()
out = {}
r = c.get("/accounts/login/", HTTP_HOST="%(host)s")
out["plain"] = [r.status_code, r.get("Location")]
r = c.get("/accounts/login/", HTTP_HOST="%(host)s", HTTP_X_FORWARDED_PROTO="https")
out["https"] = [r.status_code, dict(r.headers), {k: dict(v) for k, v in r.cookies.items()}]
r = c.get("/accounts/login/", HTTP_HOST="evil.example.com", HTTP_X_FORWARDED_PROTO="https")
out["other_host"] = [r.status_code]
print(json.dumps(out))
"""


def test_production_answers_only_over_https_for_its_own_hosts_with_strict_headers(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", REQUESTS % {"host": HOST}],
        cwd=ROOT,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["plain"] == [301, f"https://{HOST}/accounts/login/"]
    status, headers, cookies = out["https"]
    assert status == 200
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert cookies["csrftoken"]["secure"] is True
    assert out["other_host"] == [400]


def test_the_client_address_is_the_one_nginx_saw_not_what_the_client_claims():
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.41.0.5", HTTP_X_REAL_IP="61.163.2.9", HTTP_X_FORWARDED_FOR="1.2.3.4, 61.163.2.9"
    )
    assert client_ip(request) == "61.163.2.9"
    assert client_ip(RequestFactory().get("/", REMOTE_ADDR="10.41.0.5")) == "10.41.0.5"
