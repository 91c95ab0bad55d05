"""The county's form in a real browser: typed as people type, the rate previewed by reporting.js,
saved, and the page clean (no script errors, nothing loaded from outside)."""

import datetime as dt

import pytest

from projects.models import Submission, SubmissionStatus, Unit
from tests.browser.conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

JUNE = dt.date(2022, 6, 1)


def test_a_county_submits_a_rate_in_the_browser(page, live_server, make_user, plan_2022):
    hubin = make_user("unit", username="hubin", unit=Unit.objects.get(name="湖滨区政府"))
    log_in(page, live_server, username=hubin.username, next_path="/report/2022-06/")
    assert "湖滨区政府 · 2022年6月月报" in page.inner_text("h1")

    with page.expect_navigation():
        page.locator("tr", has_text="孕早中期产前筛查率").get_by_role("link", name="填报", exact=True).click()
    page.fill("input[name=numerator]", "４５")
    page.fill("input[name=denominator]", "1,000")
    assert page.inner_text("[data-rate-preview]") == "= 4.50%"
    page.fill("textarea[name=progress_text]", "孕早期建档即开展筛查")
    with page.expect_navigation():
        page.click("button[value=submit]")
    assert "已提交：孕早中期产前筛查率" in page.inner_text(".tracker-messages")
    screenshot(page, "reporting-month-after-submit")
    saved = Submission.objects.get(indicator__code="3.1.3", unit__name="湖滨区政府", month=JUNE)
    assert (saved.numerator, saved.denominator, saved.status) == (45, 1000, SubmissionStatus.SUBMITTED)


def test_the_month_selector_goes_to_the_chosen_month(page, live_server, make_user, plan_2022):
    make_user("unit", username="lushi", unit=Unit.objects.get(name="卢氏县政府"))
    log_in(page, live_server, username="lushi", next_path="/report/2022-06/")
    with page.expect_navigation():
        page.select_option("#month-select", "2022-03")
    assert page.url.endswith("/report/2022-03/")
    assert "2022年3月" in page.inner_text("h1")
