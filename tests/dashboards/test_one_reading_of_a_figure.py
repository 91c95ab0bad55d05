"""One way to read a figure: last month's figure says its month, one sign for behind schedule on
every page, export and the bulletin, milestones by their stage, exported numbers as numbers rounded
as shown with the unit of measure beside them, and export names that match their rows."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from projects.services.bulletin import bulletin_xlsx_build
from tests.alerts.factories import AlertFactory
from tests.dashboards.conftest import make_user, report

pytestmark = pytest.mark.django_db


def sheet_rows(content: bytes, title: str | None = None) -> list[list]:
    book = load_workbook(io.BytesIO(content))
    sheet = book[title] if title else book.active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def by_header(rows: list[list]) -> list[dict]:
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def two_places(value) -> bool:
    return Decimal(str(value)).as_tuple().exponent >= -2


def test_exported_figures_are_numbers_rounded_as_shown_with_their_unit(client, office, plan_2022):
    # 6.1.1 (1,177 万元 by the end of April) at 1,000: 84.96 %, overdue from May. Its gap of 15.04
    # points is a difference the database works out in floating point.
    report("6.1.1", "湖滨区政府", date(2022, 4, 1), value=Decimal(1000))
    client.force_login(office)
    response = client.get(reverse("overdue_list"), {"month": "2022-05", "_export": "xlsx"})
    rows = by_header(sheet_rows(response.content))
    city = next(r for r in rows if r["编号"] == "6.1.1" and r["单位"] == "全市")
    assert (city["累计完成"], city["计量单位"], city["目标"]) == (1000, "万元", 1177)
    assert (city["完成率"], city["序时进度"], city["落后序时（百分点）"]) == (84.96, 100, 15.04)
    assert city["月份"] == "2022-05"
    assert city["期限"] == "4月月底前（2022年4月30日）"
    numbers = [r[k] for r in rows for k in ("完成率", "序时进度", "落后序时（百分点）") if r[k] is not None]
    assert numbers and all(isinstance(v, int | float) and two_places(v) for v in numbers)


def test_a_milestone_shows_its_stage_in_the_lists(client, office, plan_2022):
    # 2.5.1, the footbridge, 开工建设 (30 %) by September against 75 %: red.
    report("2.5.1", "市住房城乡建设局", date(2022, 9, 1), stage=2)
    client.force_login(office)
    page = client.get(reverse("lagging_list"), {"month": "2022-09", "kind": "milestone"})
    row = next(r for r in page.context["table"].rows if r.record["code"] == "2.5.1" and r.record["level"] == "unit")
    assert row.get_cell("value") == "开工建设"
    exported = by_header(sheet_rows(client.get(reverse("lagging_list"), {"month": "2022-09", "_export": "xlsx"}).content))
    assert next(r for r in exported if r["编号"] == "2.5.1" and r["单位"] != "全市")["累计完成"] == "开工建设"


def test_the_alerts_export_is_named_after_the_months_it_holds(client, office, plan_2022):
    AlertFactory(code="1.1.1", unit_name="湖滨区政府", month=date(2022, 6, 1))
    AlertFactory(code="2.1.1", unit_name="湖滨区政府", month=date(2022, 8, 1))
    client.force_login(office)
    every = client.get(reverse("alert_list"), {"_export": "xlsx"})
    assert "alerts-2022-all-months.xlsx" in every["Content-Disposition"]
    assert load_workbook(io.BytesIO(every.content)).active.title == "预警 全部月份"
    assert {r["依据月份"] for r in by_header(sheet_rows(every.content))} == {"2022-06", "2022-08"}
    june = client.get(reverse("alert_list"), {"_export": "xlsx", "month": "2022-06"})
    assert "alerts-2022-06.xlsx" in june["Content-Disposition"]
    assert {r["依据月份"] for r in by_header(sheet_rows(june.content))} == {"2022-06"}


def test_the_review_export_holds_numbers_with_their_unit(client, office, plan_2022):
    report("1.1.1", "湖滨区政府", date(2022, 6, 1), value=Decimal(7012))
    report("3.1.3", "湖滨区政府", date(2022, 6, 1), numerator=Decimal(90), denominator=Decimal(97))
    client.force_login(office)
    rows = by_header(sheet_rows(client.get(reverse("review_export"), {"month": "2022-06"}).content))
    training = next(r for r in rows if r["指标编号"] == "1.1.1")
    assert (training["累计完成"], training["计量单位"]) == (7012, "人次")
    screening = next(r for r in rows if r["指标编号"] == "3.1.3")
    # A ratio: its parts, and its level in % as the pages round it (90/97 = 92.78 %).
    assert (screening["分子"], screening["分母"], screening["累计完成"], screening["计量单位"]) == (90, 97, 92.78, "%")


def test_last_months_figure_is_last_months_or_says_which_month_it_is(client, plan_2022):
    hubin = make_user("hubin-reader", "unit", "湖滨区政府")
    report("1.1.1", "湖滨区政府", date(2022, 8, 1), value=Decimal(30000))
    report("1.1.1", "湖滨区政府", date(2022, 9, 1), value=Decimal(36000))
    client.force_login(hubin)
    october = client.get(reverse("report_month", args=[date(2022, 10, 1)])).context["page"]
    row = next(r for r in october.rows if r.indicator.code == "1.1.1")
    assert row.previous_text == "36,000 人次"  # September's: last month's
    december = client.get(reverse("report_month", args=[date(2022, 12, 1)])).context["page"]
    row = next(r for r in december.rows if r.indicator.code == "1.1.1")
    assert row.previous_text == "36,000 人次（2022年9月）"  # nothing since: the month it is of


def test_one_sign_for_behind_schedule_on_the_overview_and_in_the_bulletin(client, office, plan_2022):
    # Project 1 in June: 1.1.1 at 6,000 of 60,000 (10 %), the others nothing, against 50 %.
    report("1.1.1", "湖滨区政府", date(2022, 6, 1), value=Decimal(6000))
    client.force_login(office)
    page = client.get(reverse("overview"), {"month": "2022-06"})
    project_1 = next(r for r in page.context["data"].projects if r.project.number == 1)
    gap = project_1.standing.gap
    assert gap > 0  # behind
    html = page.content.decode()
    assert "落后序时（百分点）" in html and f"+{gap:.2f}" in html
    plan = page.context["plan"]
    workbook = sheet_rows(bulletin_xlsx_build(plan=plan, month=date(2022, 6, 1)), "民生实事")
    row = next(r for r in by_header(workbook) if r["序号"] == 1)
    assert Decimal(str(row["落后序时（百分点）"])) == gap  # the same number, the same sign
    assert "快于序时（百分点）" not in workbook[0]


def test_a_milestones_alert_shows_its_stage_in_the_alerts_list(client, office, plan_2022):
    from projects.services.alerts import PROGRESS_KINDS, alerts_scan

    report("2.5.1", "市住房城乡建设局", date(2022, 9, 1), stage=2)
    alerts_scan(as_of=date(2022, 10, 6), kinds=PROGRESS_KINDS)
    client.force_login(office)
    page = client.get(reverse("alert_list"))
    row = next(r for r in page.context["table"].rows if r.record.indicator.code == "2.5.1")
    assert row.get_cell("actual") == "开工建设（30.00%）"
    exported = by_header(sheet_rows(client.get(reverse("alert_list"), {"_export": "xlsx"}).content))
    bridge = next(r for r in exported if r["编号"] == "2.5.1")
    assert (bridge["节点阶段"], bridge["完成率"]) == ("开工建设", 30)
