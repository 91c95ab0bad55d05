"""The pages satisfy the Content-Security-Policy in a real browser: the admin and a plotly chart
load in Chromium under the real header with no violation (uses the session browser of conftest)."""

import os

import pytest
from django.urls import reverse

from tests.account_factories import PASSWORD, OfficeAdminFactory, UserFactory

# --- in a real browser --------------------------------------------------------------------

WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + (e.sample || ""));
});
"""


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
