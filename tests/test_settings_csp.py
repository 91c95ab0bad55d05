"""Content-Security-Policy and security headers: sent on every page, satisfied by the pages.

The policy (tracker/settings/base.py) allows no inline script and no inline style except the
two hashes that plotly.js needs; the browser tests load the admin and a plotly chart in Chromium
under the real header and fail on any violation."""

import os
import re
import shutil
from pathlib import Path

import pytest
from django.urls import reverse

from tests.account_factories import PASSWORD, OfficeAdminFactory, UserFactory

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

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
        response = client.post(reverse("login"), {"username": "somebody", "password": "wrong"})
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


# --- in a real browser --------------------------------------------------------------------

WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + (e.sample || ""));
});
"""


@pytest.fixture
def browser():
    """Chromium. Request it after every fixture that writes to the database: while Playwright's
    sync API runs, Django sees an event loop in this thread and refuses the ORM."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"SKIPPED LOUDLY: Chromium not found at {CHROMIUM}; `make test` installs it as root")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield chromium
        chromium.close()


class Watched:
    """A browser page that remembers every CSP violation and console error on it."""

    def __init__(self, browser):
        self.page = browser.new_page()
        self.page.add_init_script(WATCH_VIOLATIONS)
        self.violations: list[str] = []
        self.errors: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("response", self._response)

    def _console(self, message):
        # Failed loads are reported with their address by _response.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.errors.append(message.text)

    def _response(self, response):
        # No favicon yet: the browser asks for one on its own.
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            self.errors.append(f"{response.status} {response.url}")

    def collect(self):
        self.violations += [f"{self.page.url}: {v}" for v in self.page.evaluate("window.__cspViolations || []")]

    def goto(self, url):
        self.collect()
        response = self.page.goto(url)
        assert response.ok, (url, response.status)
        assert "Content-Security-Policy" in {k.title(): v for k, v in response.headers.items()}
        return response


@pytest.fixture
def office():
    return OfficeAdminFactory()


@pytest.fixture
def unit_user():
    return UserFactory()


@pytest.mark.browser
def test_the_django_admin_works_under_the_policy(live_server, plan_2022, office, unit_user, browser):
    plan_id = plan_2022.pk
    watched = Watched(browser)
    page = watched.page

    watched.goto(live_server.url + reverse("admin:login"))
    page.fill("#id_username", office.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + reverse("admin:index"))

    # The user form: the two-box selectors for groups and permissions are built by admin JS.
    watched.goto(live_server.url + reverse("admin:projects_user_change", args=[unit_user.pk]))
    page.wait_for_selector("#id_groups_from")
    page.fill("#id_user_permissions_input", "indicator")
    assert page.locator("#id_user_permissions_from option").count() > 0

    # Inlines: "add another" rows are inserted by admin JS.
    watched.goto(live_server.url + reverse("admin:projects_plan_change", args=[plan_id]))
    before = page.locator(".inline-related tbody tr.form-row").count()
    page.locator(".add-row a").first.click()
    assert page.locator(".inline-related tbody tr.form-row").count() > before

    watched.goto(live_server.url + reverse("admin:projects_indicator_changelist") + "?q=培训")
    watched.goto(live_server.url + reverse("admin:auth_group_add"))
    watched.goto(live_server.url + reverse("admin:projects_user_history", args=[unit_user.pk]))
    watched.collect()
    assert watched.violations == []
    assert watched.errors == []


@pytest.mark.browser
@pytest.mark.urls("tests.csp_urls")
def test_a_plotly_chart_draws_under_the_policy_with_its_layout(browser, live_server):
    watched = Watched(browser)
    page = watched.page
    watched.goto(live_server.url + "/chart/")
    page.wait_for_function("window.chartDrawn === true", timeout=30_000)
    # Blocked styles would leave plotly's layers stacked instead of laid over one another.
    assert page.evaluate("getComputedStyle(document.querySelector('.main-svg')).position") == "absolute"
    assert page.evaluate("getComputedStyle(document.querySelector('.modebar')).position") == "absolute"
    assert page.locator(".hoverlayer .hovertext").count() == 1
    watched.collect()
    assert watched.violations == []
    assert watched.errors == []


def test_the_browser_tests_do_not_need_an_outside_network():
    # The chart page is served by the app itself: no CDN, as on a government intranet.
    from tests import csp_urls

    assert "http" not in csp_urls.PAGE
    assert csp_urls.PLOTLY_JS.exists()
    assert os.path.getsize(csp_urls.PLOTLY_JS) > 1_000_000
