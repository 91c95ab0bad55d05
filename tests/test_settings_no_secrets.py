"""No secret in the repository: every tracked file is searched for what a leaked secret looks like.

A Django secret key with a real-looking value, a private key, a password in a settings file, in
an environment file or in a connection URL, a group robot's access token, and files that hold
secrets by their nature (.env, keys, certificates, database files). The production secret lives
only in /etc/tracker/tracker.env (docs/deploy.md); tests use values that say they are not secrets.
"""

from __future__ import annotations

import math
import re
import subprocess
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Values that may stand where a secret would: test values that say so, and placeholders.
PLACEHOLDERS = re.compile(
    r"(?i)^(tests?-only|change|changeme|change-this|example|placeholder|xxx|\.\.\.|<|\$\{|%\()|^(pass|password|secret)$"
)

SECRET_KEY = re.compile(r"""SECRET_KEY\s*[=:]\s*(?:env\.str\([^)]*default=)?["']([^"']+)["']""")
PRIVATE_KEY = re.compile(r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY( BLOCK)?-----")
URL_PASSWORD = re.compile(r"\b[a-z][a-z0-9+.-]*://[^/\s:@'\"]*:([^@\s/'\"]+)@")
ASSIGNED_PASSWORD = re.compile(
    r"""(?i)\b(?:password|passwd|pwd|secret|api_key|access_token|token)\b["']?\s*[=:]\s*["']([^"'\s]{6,})["']"""
)
ENV_PASSWORD = re.compile(r"(?im)^\s*[A-Z0-9_]*(?:PASSWORD|SECRET|TOKEN)[A-Z0-9_]*\s*=\s*(\S+)\s*$")
ROBOT_TOKEN = re.compile(r"(?i)(?:webhook/send\?key=[0-9a-f]{8}-[0-9a-f-]{27}|robot/send\?access_token=[0-9a-f]{40,})")
SECRET_FILES = re.compile(
    r"(^|/)(\.env(\.[^/]*)?|[^/]*\.(pem|key|p12|pfx|jks|keystore|sqlite3|dump)|id_(rsa|ed25519|ecdsa)|tracker\.env)$"
)
# Example files are meant to be committed: their secrets are empty or placeholders (checked below).
EXAMPLE = re.compile(r"\.example$")


def tracked_files() -> list[Path]:
    """The files git tracks; in a checkout without git, every file but the virtualenv and var/."""
    try:
        names = subprocess.run(
            ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, timeout=60
        ).stdout.split(b"\0")
        return [ROOT / n.decode() for n in names if n]
    except (OSError, subprocess.CalledProcessError):
        skip = {".venv", "var", ".git", "artifacts", "node_modules", ".pytest_cache", ".ruff_cache"}
        return [p for p in ROOT.rglob("*") if p.is_file() and not skip & set(p.relative_to(ROOT).parts)]


def entropy(text: str) -> float:
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def looks_random(value: str) -> bool:
    """A generated secret: long, varied; not words joined by dashes (tests-only-not-a-secret)."""
    if PLACEHOLDERS.search(value) or len(value) < 16:
        return False
    classes = sum(bool(re.search(p, value)) for p in (r"[a-z]", r"[A-Z]", r"\d", r"[^A-Za-z0-9]"))
    return entropy(value) >= 3.5 and classes >= 3


def findings(path: Path, text: str) -> list[str]:
    """What in ``text`` looks like a committed secret."""
    name = str(path.relative_to(ROOT)) if path.is_absolute() else str(path)
    found = []
    in_tests = name.startswith(("tests/", "benchmarks/"))
    for match in SECRET_KEY.finditer(text):
        if looks_random(match.group(1)):
            found.append(f"{name}: a secret key with a real-looking value")
    if PRIVATE_KEY.search(text):
        found.append(f"{name}: a private key")
    for match in URL_PASSWORD.finditer(text):
        if not PLACEHOLDERS.search(match.group(1)) and not in_tests:
            found.append(f"{name}: a password in a URL ({match.group(0)[:40]}…)")
    if not in_tests:
        for match in ASSIGNED_PASSWORD.finditer(text):
            if looks_random(match.group(1)):
                found.append(f"{name}: an assigned password or token")
    if name.endswith((".env", ".example", ".conf", ".ini", ".cfg", ".service")):
        for match in ENV_PASSWORD.finditer(text):
            value = match.group(1).strip("'\"")
            # A number or a switch is a policy (TRACKER_PASSWORD_MAX_AGE_DAYS=90), not a secret.
            if value and not PLACEHOLDERS.search(value) and not re.fullmatch(r"\d+|true|false", value):
                found.append(f"{name}: {match.group(0).strip()[:40]}…")
    if ROBOT_TOKEN.search(text):
        found.append(f"{name}: a group robot's access token")
    return found


def test_no_tracked_file_holds_a_secret():
    files = tracked_files()
    assert len(files) > 100, "the search found too few files to mean anything"
    problems = []
    for path in files:
        relative = str(path.relative_to(ROOT))
        if SECRET_FILES.search(relative) and not EXAMPLE.search(relative):
            problems.append(f"{relative}: a file of a kind that holds secrets")
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, FileNotFoundError, IsADirectoryError):
            continue  # binary files (images, fonts, compiled catalogues)
        problems += findings(path, text)
    assert problems == []


# The search itself, on samples (written in pieces so that this file does not hold them whole).
KEY = "-----BEGIN " + "RSA PRIVATE KEY-----\nMIIEow...\n-----END RSA PRIVATE KEY-----"
GENERATED = "k9#Qv2$Lz8!rT4@wX1^pM7&nB3*yF6(s"


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("tracker/settings/local.py", f'SECRET_KEY = "{GENERATED}"'),
        ("tracker/settings/local.py", f'SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="{GENERATED}")'),
        ("docs/deploy.md", KEY),
        ("docs/deploy.md", "DATABASE_URL=postgres://tracker:" + "s3cr3t-Pa55@db1:5432/tracker"),
        ("docs/deploy/tracker.env.example", "DJANGO_EMAIL_HOST_PASSWORD=" + "Mail-Pa55word-2022"),
        ("projects/services/notifications.py", 'token = "' + GENERATED + '"'),
        (
            "docs/alerts.md",
            "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=" + "693a91f6-7d3e-4bc4-97a0-0ec2f1fa5aaa",
        ),
        ("docs/alerts.md", "https://oapi.dingtalk.com/robot/send?access_token=" + "ab12" * 16),
    ],
)
def test_the_search_finds_what_it_looks_for(name, text):
    assert findings(Path(name), text)


@pytest.mark.parametrize(
    "text",
    [
        'SECRET_KEY = "tests-only-not-a-secret"  # noqa: S105',
        "DJANGO_SECRET_KEY=",
        "DATABASE_URL=postgres://tracker:CHANGE-THIS-PASSWORD@10.41.0.11:5432/tracker",
        "CELERY_BROKER_URL=redis://:CHANGE-THIS-PASSWORD@10.41.0.12:6379/0",
        'password = forms.CharField(widget=forms.PasswordInput, label=_("密码"))',
    ],
)
def test_the_search_lets_placeholders_and_test_values_through(text):
    assert findings(Path("docs/deploy/tracker.env.example"), text) == []


def test_secret_files_are_recognised_by_name():
    for name in [".env", "deploy/.env.production", "tracker.env", "var/tracker.sqlite3", "tls/tracker.key", "id_rsa"]:
        assert SECRET_FILES.search(name), name
    for name in ["docs/deploy/tracker.env.example", "docs/deploy.md", "projects/models/accounts.py"]:
        assert not SECRET_FILES.search(name) or EXAMPLE.search(name), name
