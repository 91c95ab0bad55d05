"""Pages and the bulletin name the plan's kind: a work report's overview is not called 重点民生实事."""

from __future__ import annotations

import re
from datetime import date

import pytest
import time_machine
from django.urls import reverse

from projects.services.bulletin import bulletin_filename, bulletin_title
from tests.dashboards.conftest import NOW
from tests.portfolio import load_work_report_2022

pytestmark = pytest.mark.django_db


def _h1(html: str) -> str:
    return re.search(r"<h1>(.*?)</h1>", html, re.S).group(1).strip()


def _overview(client, office, plan) -> str:
    client.force_login(office)
    with time_machine.travel(NOW, tick=False):
        return client.get(reverse("overview"), {"plan": plan.pk, "month": "2022-06"}).content.decode()


def test_the_livelihood_overview_keeps_its_words(client, office, plan_2022):
    load_work_report_2022()
    html = _overview(client, office, plan_2022)
    assert _h1(html) == "重点民生实事总览"
    # The 2022 plan has 10 projects, every one measured.
    assert "10 项民生实事的平均" in html
    assert "各项民生实事进展" in html


def test_the_work_report_overview_names_its_kind_and_its_items(client, office, plan_2022):
    work_report = load_work_report_2022()
    html = _overview(client, office, work_report)
    assert _h1(html) == "政府工作报告目标任务总览"
    assert "各项目标任务进展" in html
    assert "民生实事" not in html.split('id="overall-measured"')[1].split("</div>")[0]
    assert "重点民生实事总览" not in html


def test_the_bulletin_is_titled_by_the_plans_kind(plan_2022):
    work_report = load_work_report_2022()
    june = date(2022, 6, 1)
    assert bulletin_title(plan=plan_2022, month=june) == "2022年重点民生实事进展通报（截至2022年6月底）"
    assert bulletin_title(plan=work_report, month=june) == "2022年政府工作报告目标任务进展通报（截至2022年6月底）"
    assert bulletin_filename(plan=work_report, month=june, fmt="docx") == (
        "2022年政府工作报告目标任务进展通报（截至2022年6月底）.docx"
    )
