"""The page frame in a real browser: login, Chinese and English, a phone, nothing from outside."""

from __future__ import annotations

import pytest

from tests.browser.conftest import log_in, screenshot

pytestmark = pytest.mark.browser

NAVY = "rgb(31, 58, 95)"  # --tracker-navy in static/css/tracker.css


def computed(page, selector: str, prop: str) -> str:
    return page.eval_on_selector(selector, "(el, prop) => getComputedStyle(el).getPropertyValue(prop)", prop)


def test_office_sees_home_in_chinese_switches_to_english_and_logs_out(page, live_server, make_user, plan_2022):
    make_user("office", username="duchashi", first_name="督查室")

    log_in(page, live_server, username="duchashi")

    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator(".navbar-brand").inner_text().strip() == "重点民生实事跟踪系统"
    # The office's home page is the overview of the plan.
    assert "重点民生实事总览" in page.locator("h1").inner_text()
    assert "2022年三门峡市重点民生实事工作方案" in page.locator("main").inner_text()
    assert page.locator("nav .nav-link.active").inner_text().strip() == "首页"
    # Bootstrap and our stylesheet are applied, not just linked.
    assert computed(page, ".navbar", "display") == "flex"
    assert computed(page, ".navbar", "background-color") == NAVY
    assert computed(page, ".tracker-light-red >> nth=0", "background-color") == "rgb(192, 57, 43)"
    screenshot(page, "home-office-zh")

    with page.expect_navigation():
        page.click("form.tracker-language button[value=en]")

    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator(".navbar-brand").inner_text().strip() == "Livelihood Tracker"  # short: one line
    assert "Key livelihood projects: overview" in page.locator("h1").inner_text()
    assert page.locator("nav .nav-link.active").inner_text().strip() == "Home"
    assert page.locator(".tracker-light-red").first.inner_text().strip() == "Red"
    screenshot(page, "home-office-en")

    with page.expect_navigation():
        page.click("nav form[action$='/accounts/logout/'] button")

    assert "/accounts/login/" in page.url
    assert page.locator("h1").inner_text().strip() == "Log in"
    # The session is gone: the home page sends us back to the login form.
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url


def test_failed_login_says_why_and_keeps_the_username(page, live_server, make_user):
    make_user("unit", username="hubin")

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name='auth-username']", "hubin")
    page.fill("input[name='auth-password']", "not-the-password")
    with page.expect_navigation():
        page.click("form[action$='/accounts/login/'] button[type=submit]")

    alert = page.locator(".tracker-login .alert-danger")
    assert "请输入一个正确的" in alert.inner_text()
    assert page.input_value("input[name='auth-username']") == "hubin"
    screenshot(page, "login-failed")


def test_phone_width_collapses_the_navbar_into_a_menu(phone_page, live_server, make_user):
    make_user("leader", username="fushizhang", first_name="分管副市长")
    log_in(phone_page, live_server, username="fushizhang")

    toggler = phone_page.locator(".navbar-toggler")
    logout = phone_page.locator("nav form[action$='/accounts/logout/'] button")
    assert toggler.is_visible()
    assert not logout.is_visible()
    # Nothing is wider than the screen (no sideways scrolling on a phone).
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone_page, "home-phone")

    toggler.click()
    phone_page.wait_for_selector("#tracker-nav.show")  # Bootstrap's collapse animation has ended
    assert logout.is_visible()
    assert phone_page.locator(".tracker-language").is_visible()
    screenshot(phone_page, "home-phone-menu", full_page=False)


def test_login_page_on_a_phone(phone_page, live_server):
    phone_page.goto(f"{live_server.url}/accounts/login/")
    assert phone_page.locator("input[name='auth-username']").is_visible()
    # No menu to open before login: the language switch is in view.
    assert phone_page.locator(".tracker-language").is_visible()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone_page, "login-phone", full_page=False)


def test_every_request_stays_on_this_machine(page, live_server, make_user, traffic):
    make_user("unit", username="hubin")

    page.goto(f"{live_server.url}/accounts/login/")
    screenshot(page, "login")
    log_in(page, live_server, username="hubin")

    loaded = {url.split("?")[0].rsplit("/static/", 1)[-1] for url in traffic.requests if "/static/" in url}
    # The check below means something only if the pages did load their assets.
    assert {
        "vendor/bootstrap/css/bootstrap.min.css",
        "vendor/bootstrap/js/bootstrap.bundle.min.js",
        "vendor/htmx/htmx.min.js",
        "css/tracker.css",
        "js/tracker.js",
    } <= loaded
    assert traffic.foreign_requests() == []
    # Scripts ran: htmx and Bootstrap are there, and tracker.js marked the page.
    assert page.evaluate("typeof htmx === 'object' && typeof bootstrap === 'object'")
    assert page.evaluate("document.documentElement.classList.contains('js')")
