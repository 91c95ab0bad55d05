"""Browser tests: Debian's Chromium, driven by Playwright, against pytest-django's live server.

Chromium comes from Debian (`make test` installs it through .ci/system-deps). Never run
`playwright install`: it downloads a browser from outside, which these machines cannot reach.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path(os.environ.get("TRACKER_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox refuses to start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # No calls home: a test must see only the requests our pages make.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1"}
DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 390, "height": 844}
# Test passwords: long enough for the validators, never used outside tests.
PASSWORD = "browser-test-Passw0rd"


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip(
            f"BROWSER TESTS SKIPPED: no Chromium at {CHROMIUM}. `make test` installs it "
            "(apt-get install chromium, see .ci/system-deps); never `playwright install`."
        )
    from playwright.sync_api import sync_playwright

    # While Playwright's sync API is open it keeps an asyncio loop running in this thread, which
    # Django's ORM takes for an async context (SynchronousOnlyOperation) in every later test; the
    # code is plain synchronous code, so the check is lifted for as long as the browser lives.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class Traffic:
    """What the page did over the network and in its console during one test."""

    requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def foreign_requests(self) -> list[str]:
        return [
            url
            for url in self.requests
            if urlsplit(url).scheme not in ("data", "blob", "about") and urlsplit(url).hostname not in LOCAL_HOSTS
        ]


def _new_page(browser, traffic: Traffic, *, viewport: dict[str, int], locale: str):
    # The offices' browsers ask for Chinese; English comes from the switch in the page.
    context = browser.new_context(viewport=viewport, locale=locale, extra_http_headers={"Accept-Language": locale})
    # 20 s: on two cores, with two test processes each running a live server, Chromium and
    # PostgreSQL, an approval's POST once took over 10 s to answer (the test passed alone in 33 s).
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.on("request", lambda request: traffic.requests.append(request.url))
    page.on(
        "requestfailed",
        lambda request: _abandoned(request) or traffic.failed.append(f"{request.url} {request.failure}"),
    )
    page.on(
        "response",
        lambda response: response.status >= 400 and traffic.failed.append(f"{response.url} HTTP {response.status}"),
    )
    page.on("console", lambda message: message.type == "error" and traffic.errors.append(message.text))
    page.on("pageerror", lambda error: traffic.errors.append(str(error)))
    return page


def _abandoned(request) -> bool:
    """Chromium asks for the favicon after a page has loaded and drops the request when the test
    moves on at once (a click right after a login): not a failure of ours."""
    return request.failure == "net::ERR_ABORTED" and urlsplit(request.url).path.endswith("/favicon.svg")


@pytest.fixture
def traffic() -> Traffic:
    return Traffic()


@pytest.fixture
def page(browser, live_server, traffic: Traffic):
    """A desktop-sized page in a fresh browser context (no cookies), Chinese browser locale.

    After the test: no request left the machine, no asset failed to load, no script error."""
    page = _new_page(browser, traffic, viewport=DESKTOP, locale="zh-CN")
    yield page
    page.context.close()
    _check_traffic(traffic)


@pytest.fixture
def phone_page(browser, live_server, traffic: Traffic):
    """Like ``page`` at a phone's size (390 x 844, an iPhone 12-14 in CSS pixels)."""
    page = _new_page(browser, traffic, viewport=PHONE, locale="zh-CN")
    yield page
    page.context.close()
    _check_traffic(traffic)


def _check_traffic(traffic: Traffic) -> None:
    assert not traffic.foreign_requests(), f"requests left the machine: {traffic.foreign_requests()}"
    assert not traffic.failed, f"requests failed: {traffic.failed}"
    assert not traffic.errors, f"errors in the browser console: {traffic.errors}"


def screenshot(page, name: str, *, full_page: bool = True) -> Path:
    """Save a screenshot as artifacts/screenshots/<name>.png and return its path."""
    if not re.fullmatch(r"[\w-]+", name):
        raise ValueError(f"screenshot name {name!r}: letters, digits, - and _ only")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def log_in(page, live_server, *, username: str, password: str = PASSWORD, next_path: str = "/") -> None:
    """Log in through the real login form, as a person would, and wait for the next page."""
    page.goto(f"{live_server.url}/accounts/login/?next={next_path}")
    page.fill("input[name='auth-username']", username)
    page.fill("input[name='auth-password']", password)
    with page.expect_navigation():
        page.click("form[action$='/accounts/login/'] button[type=submit]")
    assert "/accounts/login/" not in page.url, f"login as {username} failed: still on {page.url}"


@pytest.fixture
def make_user(transactional_db):
    """Create a user of a role, with PASSWORD: ``make_user("office")``, ``make_user("unit", unit=u)``."""
    from projects.models import User

    def make(role: str, *, username: str | None = None, unit=None, **extra) -> User:
        user = User(username=username or f"{role}-user", role=role, unit=unit, **extra)
        user.set_password(PASSWORD)
        user.save()
        return user

    return make
