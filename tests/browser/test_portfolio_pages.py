"""Three plans in 2022, seen in Chromium (issue 14): the office's overview of each plan, 湖滨区政府's
September month page with its rows grouped by plan and one template per plan, each plan's template
and bulletin rendered through LibreOffice. Screenshots in artifacts/screenshots/portfolio-*.png."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path
from urllib.parse import quote

import pytest
import time_machine
from openpyxl import load_workbook

from projects.clock import DEMO_TODAY
from projects.models import Plan
from projects.services import excel
from projects.services.bulletin import bulletin_docx_build
from tests.browser.conftest import SCREENSHOTS, log_in, screenshot
from tests.browser.demo import DEMO_NOW, demo
from tests.factories import pin_clock
from tests.plan_helpers import load_fixture
from tests.portfolio import MEASURES_DOCUMENT, WORK_REPORT_DOCUMENT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEPTEMBER = DEMO_TODAY.replace(month=9, day=1)
SOFFICE = shutil.which("soffice")
KINDS = {"livelihood": "重点民生实事", "work_report": "政府工作报告目标任务", "measures": "专项工作措施"}


def rendered(tmp_path: Path, name: str, data: bytes, suffix: str) -> Path:
    """The first page of a Word or Excel file as LibreOffice prints it, as a PNG beside the screenshots."""
    source = tmp_path / f"{name}{suffix}"
    source.write_bytes(data)
    subprocess.run(
        [SOFFICE, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    target = SCREENSHOTS / name
    subprocess.run(
        ["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile", str(tmp_path / f"{name}.pdf"), str(target)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return target.with_suffix(".png")


def test_each_plan_seen_by_the_office_and_a_county(page, live_server, plan_2022, tmp_path):
    load_fixture(WORK_REPORT_DOCUMENT)
    load_fixture(MEASURES_DOCUMENT)
    with time_machine.travel(DEMO_NOW, tick=True), pin_clock(DEMO_TODAY):
        demo(plan_2022)
        plans = list(Plan.objects.order_by("pk"))
        assert [p.kind for p in plans] == ["livelihood", "work_report", "measures"]
        base = live_server.url
        log_in(page, live_server, username="duchashi")
        for plan in plans:
            page.goto(f"{base}/dashboards/?plan={plan.pk}&month=2022-09")
            assert page.locator("h1").inner_text().strip() == f"{KINDS[plan.kind]}总览"
            screenshot(page, f"portfolio-overview-{plan.kind}")

        page.context.clear_cookies()
        log_in(page, live_server, username="hubin")
        page.goto(f"{base}/report/2022-09/")
        groups = page.locator("th[scope=rowgroup]").all_inner_texts()
        assert [g.split(" · ")[0] for g in groups] == list(KINDS.values())
        buttons = page.locator("a.tracker-template-plan")
        assert buttons.count() == 3
        screenshot(page, "portfolio-hubin-month")
        page.locator("#excel-import").scroll_into_view_if_needed()
        screenshot(page, "portfolio-hubin-month-excel", full_page=False)

        for plan in plans:
            # Fetched with the page's session (a click would start a download, which Chromium
            # reports as an aborted navigation).
            href = page.locator(f"a.tracker-template-plan[href*='plan={plan.pk}']").get_attribute("href")
            response = page.context.request.get(base + href)
            assert response.ok
            assert quote(plan.document) in response.headers["content-disposition"]
            data = response.body()
            title = load_workbook(io.BytesIO(data))[excel.MAIN_SHEET]["A1"].value
            assert title == f"2022年9月 {KINDS[plan.kind]}月报 · 湖滨区政府 · {plan.title}（{plan.document}）"
            if SOFFICE:
                rendered(tmp_path, f"portfolio-template-{plan.kind}", data, ".xlsx")
                rendered(
                    tmp_path,
                    f"portfolio-bulletin-{plan.kind}",
                    bulletin_docx_build(plan=plan, month=SEPTEMBER),
                    ".docx",
                )
