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

    # The admin's login sends to the site's login page (password, then a second factor if enrolled).
    watched.goto(live_server.url + reverse("admin:login") + "?next=" + reverse("admin:index"))
    page.fill("#id_auth-username", office.username)
    page.fill("#id_auth-password", PASSWORD)
    page.click("form.tracker-login-form button[type=submit]")
    page.wait_for_url(live_server.url + reverse("admin:index"))

    # The user form and the group form: the two-box selectors are built by admin JS.
    watched.goto(live_server.url + reverse("admin:projects_user_change", args=[unit_user.pk]))
    page.wait_for_selector("#id_groups_from")
    watched.goto(live_server.url + reverse("admin:auth_group_add"))
    page.fill("#id_permissions_input", "indicator")
    assert page.locator("#id_permissions_from option").count() > 0

    # Inlines: "add another" rows are inserted by admin JS.
    watched.goto(live_server.url + reverse("admin:projects_plan_change", args=[plan_id]))
    before = page.locator(".inline-related tbody tr.form-row").count()
    page.locator(".add-row a").first.click()
    assert page.locator(".inline-related tbody tr.form-row").count() > before

    watched.goto(live_server.url + reverse("admin:projects_indicator_changelist") + "?q=培训")
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


# --- every main page, as the office and as a county ----------------------------------------------


def _reporting_data():
    """A county's June: one figure sent with a photo, one returned; an alert with its notice and
    the county's inbox message about it."""
    from datetime import date
    from decimal import Decimal

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from projects.models import (
        Alert,
        Event,
        Evidence,
        Indicator,
        Message,
        Severity,
        Submission,
        SupervisionNotice,
        Unit,
    )  # fmt: skip
    from projects.services.progress import progress_refresh
    from tests.reporting.test_permissions import PNG

    june, hubin = date(2022, 6, 1), Unit.objects.get(name="湖滨区政府")
    county = UserFactory(username="hubin-csp", unit=hubin)
    sent = Submission.objects.create(
        indicator=Indicator.objects.get(code="1.1.1"), unit=hubin, month=june, status="submitted",
        value=Decimal(3000), progress_text="第一行\n第二行",
    )  # fmt: skip
    Submission.objects.create(indicator=Indicator.objects.get(code="1.1.2"), unit=hubin, month=june,
                              status="returned", value=Decimal(100), review_comment="请核实")  # fmt: skip
    for s in Submission.objects.all():
        progress_refresh(indicator_id=s.indicator_id, unit_id=s.unit_id)
    Evidence.objects.create(
        submission=sent, file=SimpleUploadedFile("现场.png", PNG), original_name="现场.png",
        content_type="image/png", size=len(PNG), sha256="1" * 64, uploaded_by=county,
    )  # fmt: skip
    now, indicator = timezone.now(), Indicator.objects.get(code="1.1.1")
    alert = Alert.objects.create(
        plan=indicator.task.project.plan, kind="lagging", indicator=indicator, unit=hubin, month=june,
        severity=Severity.RED, expected=Decimal(50), actual=Decimal(5), opened_at=now, updated_at=now,
        checked_on=date(2022, 7, 3), red_since=date(2022, 5, 1),
    )  # fmt: skip
    notice = SupervisionNotice.objects.create(
        plan=alert.plan, number=1, code="督办〔2022〕1号", alert=alert, task=indicator.task, indicator=indicator,
        unit=hubin, problem="进度滞后", deadline=date(2022, 8, 5), issued_at=now,
    )  # fmt: skip
    Message.objects.create(recipient=county, kind=Event.NOTICE, subject="【督办通知单】督办〔2022〕1号", body="请整改",
                           dedupe_key="csp:1", created=now, notice=notice)  # fmt: skip
    return county, sent, notice


@pytest.mark.browser
def test_the_main_pages_satisfy_the_policy_as_the_office_and_a_county(
    live_server, plan_2022, office, browser, settings, tmp_path
):
    from projects.models import Indicator, Unit

    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    county, sent, notice = _reporting_data()
    task, hubin = Indicator.objects.get(code="1.1.1").task, Unit.objects.get(name="湖滨区政府")
    june = "2022-06"
    as_office = [
        reverse("home"),
        reverse("overview") + f"?month={june}",
        reverse("project_detail", args=[task.project_id]),
        reverse("task_detail", args=[task.pk]),
        reverse("indicator_detail", args=[sent.indicator_id]),
        reverse("county_view"),
        reverse("unit_detail", args=[hubin.pk]),
        reverse("lagging_list"),
        reverse("overdue_list"),
        reverse("missing_list"),
        reverse("review_list") + "?status=",
        reverse("submission_detail", args=[sent.pk]),
        reverse("report_month", args=[june]),
        reverse("report_month", args=[june]) + f"?unit={hubin.pk}",
        reverse("inbox"),
        reverse("notice_detail", args=[notice.pk]),
    ]
    as_county = [
        reverse("report_month", args=[june]),
        reverse("report_edit", args=[june, Indicator.objects.get(code="1.1.2").pk]),
        reverse("report_edit", args=[june, Indicator.objects.get(code="3.1.3").pk]),
        reverse("submission_detail", args=[sent.pk]),
        reverse("unit_detail", args=[hubin.pk]),
        reverse("inbox"),
        reverse("notice_detail", args=[notice.pk]),
        reverse("password_change"),
    ]
    for user, paths in [(office, as_office), (county, as_county)]:
        watched = Watched(browser)
        page = watched.page
        page.goto(live_server.url + reverse("login"))
        page.fill("input[name='auth-username']", user.username)
        page.fill("input[name='auth-password']", PASSWORD)
        with page.expect_navigation():
            page.click("form[action$='/accounts/login/'] button[type=submit]")
        for path in paths:
            watched.goto(live_server.url + path)
            if page.locator("[data-plotly-figure]").count():
                # Charts are drawn after load; their styles are where a policy would bite.
                page.wait_for_selector("[data-plotly-figure] .main-svg", timeout=20_000)
        watched.collect()
        assert watched.violations == [], user.username
        assert watched.errors == [], user.username
        page.context.close()
