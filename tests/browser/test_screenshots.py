"""Screenshots of the main pages with the demo of `make run` (figures up to September 2022, the clock
pinned to 6 October) in artifacts/screenshots/, on a desktop, on a phone, in English and printed
(Chromium's PDF of the overview, A4); each page is also checked for what a screenshot would show
wrong: a horizontal scrollbar, an untranslated Chinese label in English, an empty table, a chart
wider than the printed page.

With ``TRACKER_README_SCREENSHOTS=1`` the test also rewrites the README's pictures in
docs/screenshots/ (see docs/screenshots/README.md).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import time_machine

from projects.clock import DEMO_TODAY
from projects.models import Indicator, Project, Task, Unit
from tests.browser.conftest import SCREENSHOTS, log_in, screenshot
from tests.browser.demo import DEMO_NOW, demo, log_out
from tests.factories import pin_clock

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

README_DIR = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
README_VIEWPORT = {"width": 1280, "height": 900}
HAN = re.compile(r"[\u4e00-\u9fff]")


def visit(page, url: str, name: str, *, full_page: bool = True) -> None:
    page.goto(url)
    # Nothing sticks out sideways (a table too wide scrolls inside its own box).
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{name}: the page is {overflow}px wider than the window"
    screenshot(page, name, full_page=full_page)


# A4 portrait less the print style sheet's 12 mm margins, in CSS pixels (96 per inch): about 703.
PRINTABLE_WIDTH = (210 - 2 * 12) / 25.4 * 96


def check_print(page, url: str, name: str, *, charts: bool = True) -> None:
    page.emulate_media(media="print")
    try:
        page.goto(url)
        if charts:
            page.wait_for_selector(".tracker-chart .main-svg")
        assert not page.locator(".tracker-navbar").is_visible(), f"{name}: the navigation is printed"
        assert not page.locator(".dash-selectors").is_visible(), f"{name}: the selectors are printed"
        if charts:
            widths = page.eval_on_selector_all(
                ".tracker-chart .main-svg", "els => els.map(e => e.getBoundingClientRect().width)"
            )
            assert widths and max(widths) <= PRINTABLE_WIDTH, f"{name}: a chart {max(widths):.0f}px wide is cut"
        lights = page.eval_on_selector_all(
            ".tracker-light-red, .tracker-light-yellow, .tracker-light-green",
            "els => els.map(e => [getComputedStyle(e).printColorAdjust, getComputedStyle(e).backgroundColor])",
        )
        assert lights and all(adjust == "exact" and colour != "rgba(0, 0, 0, 0)" for adjust, colour in lights), name
    finally:
        page.emulate_media(media="screen")


def readme_picture(page, url: str, name: str, *, full_page: bool) -> None:
    page.set_viewport_size(README_VIEWPORT)
    page.goto(url)
    page.screenshot(path=str(README_DIR / f"{name}.png"), full_page=full_page)
    assert (README_DIR / f"{name}.png").stat().st_size < 300_000, f"{name}.png is too big for the README"


def test_screenshots_of_the_main_pages(page, phone_page, live_server, plan_2022):
    with time_machine.travel(DEMO_NOW, tick=True), pin_clock(DEMO_TODAY):
        demo(plan_2022)
        base = live_server.url
        project = Project.objects.get(plan=plan_2022, number=2)
        task = Task.objects.get(project=project, number=2)
        indicator = Indicator.objects.get(code="2.2.1")
        hubin = Unit.objects.get(name="湖滨区政府")
        pages = {
            "overview": "/",
            "project": f"/dashboards/projects/{project.pk}/",
            "task": f"/dashboards/tasks/{task.pk}/",
            "indicator": f"/dashboards/indicators/{indicator.pk}/",
            "county-view": "/dashboards/units/",
            "unit": f"/dashboards/units/{hubin.pk}/",
            "alerts-list": "/dashboards/alerts/",
            "lagging-list": "/dashboards/lagging/",
        }

        log_in(page, live_server, username="duchashi")
        for name, path in pages.items():
            visit(page, base + path, name)
            # As of the end of September: on 6 October its figures were due (the alerts list shows
            # every month by default).
            months = page.locator("#id-month, #id_month")
            assert months.count() == 1 and months.input_value() in ("2022-09", ""), name
        assert page.locator("table tbody tr").count() > 5  # the lagging list is not empty

        # The same pages in English: no Chinese left in the interface, only in the data (names of
        # projects, units and indicators, which are the plan's own words).
        with page.expect_navigation():
            page.click("form.tracker-language button[value=en]")
        for name in ("overview", "alerts-list", "county-view"):
            visit(page, base + pages[name], f"{name}-en")
            labels = page.eval_on_selector_all(
                "nav .nav-link, h1, .card-header, .dash-card-title, th, label, .btn, .breadcrumb-item",
                "els => els.map(e => e.innerText.trim())",
            )
            # The plan's own words, and the switch back, which names Chinese in Chinese.
            # The heat map's column heads carry the indicators' names, cut short, and its rows the units'.
            data = (
                {p.title for p in plan_2022.projects.all()}
                | {i.name[:6] for i in Indicator.objects.filter(task__project__plan=plan_2022)}
                | set(Unit.objects.values_list("name", flat=True))
                | {"简体中文"}
            )
            chinese = [text for text in labels if HAN.search(text) and not any(d in text for d in data)]
            assert chinese == [], f"{name} in English still says: {chinese[:10]}"
        with page.expect_navigation():
            page.click("form.tracker-language button[value=zh-hans]")

        # Printed for a meeting: no navigation, the lights in their colours, every chart within the
        # A4 page's printable width; the overview as Chromium prints it to PDF.
        for name in ("overview", "project", "task", "indicator", "county-view"):
            # The county view's heat map is a table (names in its column heads), not a chart.
            check_print(page, base + pages[name], name, charts=name != "county-view")
        page.emulate_media(media="print")
        page.goto(base + pages["overview"])
        page.wait_for_selector(".tracker-chart .main-svg")
        page.pdf(path=str(SCREENSHOTS / "overview-print.pdf"), format="A4", print_background=False)
        page.emulate_media(media="screen")

        if os.environ.get("TRACKER_README_SCREENSHOTS"):
            README_DIR.mkdir(parents=True, exist_ok=True)
            # September, the reporting month on the demo's day. The whole overview and county view; the
            # project page's first screen (its tables run on).
            for name, full_page in [("overview", True), ("project", False), ("county-view", True)]:
                readme_picture(page, f"{base}{pages[name]}?month=2022-09", name, full_page=full_page)
            page.set_viewport_size({"width": 1280, "height": 860})
        log_out(page)

        # A county lands on its oldest month with a figure owed or returned.
        log_in(page, live_server, username="hubin")
        assert "/report/2022-" in page.url
        landing = page.inner_text("main")
        assert "未填报" in landing or "已退回" in landing
        visit(page, page.url, "reporting-month")
        visit(page, base + "/report/2022-09/", "reporting-month-september")
        # Its still-to-do list: every open month with something owed, oldest first.
        visit(page, base + "/todo/", "todo-county")
        months = page.eval_on_selector_all(".tracker-todo-month", "els => els.map(e => e.id)")
        assert months and months == sorted(months), months
        assert page.locator(".tracker-todo-missing, .tracker-todo-returned, .tracker-todo-draft").count() > 0
        log_out(page)

        log_in(page, live_server, username="zhujian", next_path="/review/")
        visit(page, page.url, "review-list")
        visit(page, base + "/review/queue/", "review-queue")
        log_out(page)

        # The leader's inbox holds what was written for him (summaries, the digest, the bulletin), no
        # county's letter; every link of the newest summary opens its page.
        log_in(page, live_server, username="fushizhang", next_path="/inbox/")
        visit(page, page.url, "inbox", full_page=False)  # its first screen
        assert "你单位承担的" not in page.inner_text("main")
        kinds = set(page.eval_on_selector_all("article.tracker-message", "els => els.map(e => e.dataset.kind)"))
        assert kinds and kinds <= {"portfolio", "digest", "bulletin"}, kinds
        links = page.eval_on_selector_all(
            "article.tracker-message >> nth=0 >> .tracker-message-links a", "els => els.map(e => e.href)"
        )
        assert links
        for link in links:
            assert page.goto(link).ok, link

        log_in(phone_page, live_server, username="duchashi")
        visit(phone_page, base + "/", "overview-phone")
        log_out(phone_page)
        log_in(phone_page, live_server, username="hubin")
        visit(phone_page, phone_page.url, "reporting-month-phone")
        visit(phone_page, base + "/todo/", "todo-phone")
