"""The frame's parts together on a sample page: demo ribbon, messages, lights, table, chart."""

from __future__ import annotations

import pytest

from tests.browser.conftest import log_in, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def ui_kit_urls(settings):
    settings.ROOT_URLCONF = "tests.browser.ui_kit_urls"


def test_sample_page_shows_demo_ribbon_messages_table_and_a_local_plotly_chart(
    page, live_server, make_user, ui_kit_urls, traffic
):
    make_user("office", username="duchashi", first_name="督查室")
    log_in(page, live_server, username="duchashi", next_path="/ui-kit/")

    assert "演示数据" in page.locator(".tracker-demo-banner").inner_text()
    assert page.locator(".alert-success").inner_text().strip() == "已保存 3 月份数据。"
    assert page.locator(".alert-danger").count() == 1
    # Lights say their colour in words; the unrated row says so too.
    assert page.locator(".tracker-table .tracker-light").all_inner_texts() == ["绿灯", "黄灯", "红灯", "绿灯", "绿灯"]
    assert "共 8 条" in page.locator(".tracker-table-footer").inner_text()
    # plotly.js came from the plotly package, through our static files, and drew the chart.
    page.wait_for_selector("#chart .main-svg")
    assert any(url.endswith("/static/plotly/plotly.min.js") for url in traffic.requests)
    screenshot(page, "ui-kit")

    with page.expect_navigation():
        page.click(".tracker-table .pagination a[rel=next]")
    assert page.locator(".tracker-table .tracker-light").all_inner_texts() == ["红灯", "黄灯", "未评价"]

    with page.expect_navigation():
        page.click("form.tracker-language button[value=en]")
    assert page.locator(".tracker-demo-banner strong").inner_text().strip() == "Demo data"
    assert page.locator(".tracker-table .tracker-light").all_inner_texts() == ["Red", "Yellow", "Not rated"]
    assert "8 items" in page.locator(".tracker-table-footer").inner_text()


def test_data_attributes_do_their_job_without_inline_script(page, live_server, make_user, ui_kit_urls, traffic):
    make_user("office", username="duchashi")
    log_in(page, live_server, username="duchashi", next_path="/ui-kit/")
    # With JavaScript the month form needs no button: choosing a month submits it.
    assert not page.locator("#month-form button").is_visible()
    with page.expect_navigation():
        page.select_option("#month-form select", "2022-04")
    assert "month=2022-04" in page.url
    assert "截至 2022-04" in page.locator(".tracker-page-header").inner_text()

    # data-confirm: cancelling the question keeps the form from being sent, accepting sends it.
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click("#remind-form button")
    assert "remind=1" not in page.url
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.click("#remind-form button")
    assert "remind=1" in page.url and "已催办" in page.locator(".tracker-page-header").inner_text()
    assert len([url for url in traffic.requests if "remind=1" in url]) == 1  # the cancelled one never left


def test_sample_page_on_a_phone(phone_page, live_server, make_user, ui_kit_urls):
    make_user("office", username="duchashi", first_name="督查室")
    log_in(phone_page, live_server, username="duchashi", next_path="/ui-kit/")
    phone_page.wait_for_selector("#chart .main-svg")
    # The table scrolls inside its box; the page itself does not scroll sideways.
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone_page, "ui-kit-phone")
