"""A unit's month page names the plans it reports in and, with several, groups its rows by plan."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.portfolio import load_work_report_2022
from tests.reporting.conftest import JUNE

pytestmark = pytest.mark.django_db


def _month(client, user) -> str:
    client.force_login(user)
    return client.get(reverse("report_month", args=[JUNE])).content.decode()


def _groups(html: str) -> list[tuple[str, list[str]]]:
    """Each plan heading of the table with the indicator codes listed under it."""
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    parts = re.split(r'<th scope="rowgroup"[^>]*>(.*?)</th>', body)
    codes = r'<td class="text-nowrap d-none d-sm-table-cell">([\d.]+)</td>'
    return [(parts[i].strip(), re.findall(codes, parts[i + 1])) for i in range(1, len(parts), 2)]


def test_a_unit_of_one_plan_sees_the_plan_named_and_no_group_headings(client, clock, renshe):
    html = _month(client, renshe)
    header = html.split("</h1>")[1].split("</div>")[0]
    assert "重点民生实事 · " in header and "（三政办〔2022〕6号）" in header
    assert "政府工作报告" not in header
    assert _groups(html) == []


def test_a_unit_of_two_plans_sees_both_named_and_its_rows_grouped_by_plan(client, clock, renshe):
    work_report = load_work_report_2022()
    html = _month(client, renshe)
    header = html.split("</h1>")[1].split("</div>")[0]
    assert "（三政办〔2022〕6号）" in header
    assert f"政府工作报告目标任务 · {work_report.title}（政府工作报告）" in header
    groups = _groups(html)
    # 市人力资源社会保障局 reports two livelihood indicators and 1.10.1 城镇新增就业 of the work report.
    assert [title.endswith("（三政办〔2022〕6号）") for title, _ in groups] == [True, False]
    assert len(groups[0][1]) == 2
    assert groups[1] == (f"政府工作报告目标任务 · {work_report.title}（政府工作报告）", ["1.10.1"])
