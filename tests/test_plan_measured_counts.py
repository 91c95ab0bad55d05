"""Qualitative tasks are left out of averages, and the pages say how many items are measured
(issue 14 item 3): the office's overview of the 2022 work report, beside the livelihood plan."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.factories import OfficeUserFactory, pin_clock
from tests.plan_helpers import load_fixture, run

pytestmark = pytest.mark.django_db


def text_of(html: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}"[^>]*>(.*?)</div>', html, re.S)
    assert found, element_id
    return re.sub(r"<[^>]+>", "", found.group(1))


def test_the_overview_says_how_many_items_are_measured(client, plan_2022):
    report = load_fixture("政府工作报告")
    _out, err, exc = run("seed_demo", "--document", "政府工作报告", "--as-of", "2022-10-31")
    assert exc is None, err
    client.force_login(OfficeUserFactory(username="duchashi"))
    with pin_clock("2022-10-31"):
        page = client.get(reverse("overview"), {"plan": report.pk, "month": "2022-09"}).content.decode()
    # Ten parts: the 16 main targets (13 with a figure, 3 qualitative: 居民收入与经济增长协调同步,
    # 节能减排, 进出口总值保持平稳增长) and nine parts of 重点工作 (37 qualitative tasks, no figure).
    measured = text_of(page, "overall-measured")
    assert "10 项中有计量指标的 1 项的平均" in measured
    assert "计量指标 13 项（共 53 项" in measured  # 16 + 37 main items
    rows = re.findall(r'class="small text-body-secondary project-measured">([^<]*)<', page)
    assert rows[0] == "13/16 项计量"
    assert rows[1:] == [f"未计量：{n} 项为定性任务或目标待确认" for n in (3, 6, 4, 4, 3, 4, 4, 4, 5)]
    # The livelihood plan's overview, all measured, says what it always said.
    with pin_clock("2022-10-31"):
        page = client.get(reverse("overview"), {"plan": plan_2022.pk, "month": "2022-09"}).content.decode()
    assert "10 项民生实事的平均" in text_of(page, "overall-measured")
