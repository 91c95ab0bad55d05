"""Content-Security-Policy and security headers: sent on every page, satisfied by the pages.

The policy (tracker/settings/base.py) allows no inline script and no inline style except the
two hashes that plotly.js needs; the browser tests load the admin and a plotly chart in Chromium
under the real header and fail on any violation."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from tests.account_factories import OfficeAdminFactory, UserFactory, login_data

ROOT = Path(__file__).resolve().parents[1]

EXPECTED = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "img-src": {"'self'", "data:"},
    "object-src": {"'none'"},
    "frame-ancestors": {"'none'"},
    "form-action": {"'self'"},
    "base-uri": {"'self'"},
}


def policy(response) -> dict[str, set[str]]:
    directives = [d.split() for d in response["Content-Security-Policy"].split(";") if d.strip()]
    return {name: set(values) for name, *values in directives}


def assert_strict_policy(response):
    sent = policy(response)
    for name, values in EXPECTED.items():
        assert sent[name] == values, name
    assert "'unsafe-inline'" not in sent["style-src"]
    assert "'self'" in sent["style-src"]
    assert not any("unsafe" in v for values in sent.values() for v in values)


@pytest.mark.django_db
def test_the_login_page_carries_the_policy(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert_strict_policy(response)


@pytest.mark.django_db
def test_a_logged_in_page_carries_the_policy_and_the_security_headers(client):
    client.force_login(UserFactory())
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert_strict_policy(response)
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_the_admin_and_the_lockout_page_carry_the_policy(client, settings):
    settings.AXES_ENABLED = True
    client.force_login(OfficeAdminFactory())
    assert_strict_policy(client.get(reverse("admin:index")))
    client.logout()
    for _ in range(5):
        response = client.post(reverse("login"), login_data("somebody", "wrong"))
    assert response.status_code == 429
    assert_strict_policy(response)


# What the policy forbids, as it would appear in a template: inline <script> blocks, event
# handler attributes, javascript: URLs, and style attributes or blocks.
FORBIDDEN = {
    "inline <script>": re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.I),
    "event handler attribute": re.compile(r"<[^>]+\son[a-z]+\s*=", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
    "style attribute": re.compile(r"<[^>]+\sstyle\s*=", re.I),
    "<style> block": re.compile(r"<style\b", re.I),
}


def our_templates():
    for folder in [ROOT / "templates", *ROOT.glob("projects/templates")]:
        yield from sorted(folder.rglob("*.html"))


def test_no_template_needs_what_the_policy_forbids():
    found = [
        f"{path.relative_to(ROOT)}: {what}"
        for path in our_templates()
        for what, pattern in FORBIDDEN.items()
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert list(our_templates()), "no templates found"
    assert found == []


def test_the_scan_catches_what_it_looks_for():
    bad = [
        "<script>alert(1)</script>",
        '<button onclick="go()">',
        '<a href="javascript:go()">',
        '<div style="color:red">',
        "<style>p{}</style>",
    ]
    assert [any(p.search(b) for p in FORBIDDEN.values()) for b in bad] == [True] * len(bad)
    assert not any(p.search('<script src="/static/app.js" defer></script>') for p in FORBIDDEN.values())
