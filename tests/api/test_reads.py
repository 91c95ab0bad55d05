"""What the read endpoints answer: the contracts' shapes (export_plan, export_figures, scan --json),
figures worked out by hand, the filters and the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from projects.api.models import ApiScope
from projects.models import Submission, SubmissionStatus
from projects.selectors.alerts import alerts_export, open_alerts
from projects.selectors.catalogue import plan_export
from projects.selectors.reporting import figures_export
from projects.services.alerts import alerts_scan
from projects.services.progress import progress_refresh
from tests.reporting.conftest import JUNE, indicator, unit

from .helpers import get, make_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader(plan_2022, clock):
    return make_client("省督查平台")[1]


def report(code: str, unit_name: str, value: int, status=SubmissionStatus.SUBMITTED, month=JUNE) -> Submission:
    sub = Submission.objects.create(
        indicator=indicator(code), unit=unit(unit_name), month=month, status=status, value=Decimal(value)
    )
    progress_refresh(indicator_id=sub.indicator_id, unit_id=sub.unit_id)
    return sub


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def by_code(rows: list[dict]) -> dict[str, dict]:
    return {r["code"]: r for r in rows}


def test_the_plan_is_export_plans_document(reader, plan_2022):
    answer = get(reader, f"/api/v1/plans/{plan_2022.pk}/").json()
    assert answer == {"id": plan_2022.pk, **plan_export(plan=plan_2022)}
    assert get(reader, "/api/v1/plans/0/").status_code == 404


def test_indicators_carry_export_plans_fields_and_filter_by_unit_and_kind(reader, plan_2022):
    rows = results(get(reader, "/api/v1/indicators/", plan=plan_2022.pk, page_size=500))
    assert len(rows) == 64
    training = by_code(rows)["1.1.1"]
    exported = plan_export(plan=plan_2022)["projects"][0]["tasks"][0]["indicators"][0]
    assert {k: training[k] for k in exported} == exported
    assert (training["target"], training["unit"], training["deadline"]) == (60000, "人次", "2022-12-31")
    own = results(get(reader, "/api/v1/indicators/", unit=unit("三门峡供电公司").pk))
    assert {r["code"] for r in own} == {"10.4.1", "10.4.2"}
    milestones = results(get(reader, "/api/v1/indicators/", plan=plan_2022.pk, kind="milestone", page_size=500))
    assert milestones and {r["kind"] for r in milestones} == {"milestone"}


def test_the_citys_progress_of_a_month_worked_out_by_hand(reader, plan_2022):
    # 技能培训 1.1.1: 60000 people-times in the year; 湖滨区 12000 and 陕州区 6000 by the end of June.
    report("1.1.1", "湖滨区政府", 12000)
    report("1.1.1", "陕州区政府", 6000)
    rows = by_code(results(get(reader, "/api/v1/progress/city/", plan=plan_2022.pk, month="2022-06", page_size=500)))
    training = rows["1.1.1"]
    # 18000 / 60000 = 30 %; six of twelve months gone = 50 % expected; 20 points behind: yellow.
    assert {k: training[k] for k in ("level", "unit", "unit_id", "value", "target", "completion", "expected", "light")} == {
        "level": "city", "unit": "全市", "unit_id": None, "value": 18000, "target": 60000, "completion": 30,
        "expected": 50, "light": "yellow",
    }  # fmt: skip
    yellow = results(get(reader, "/api/v1/progress/city/", plan=plan_2022.pk, month="2022-06", light="yellow"))
    assert "1.1.1" in by_code(yellow) and {r["light"] for r in yellow} == {"yellow"}


def test_a_units_progress_of_a_month(reader, plan_2022):
    report("1.1.1", "湖滨区政府", 12000)
    rows = results(
        get(
            reader,
            "/api/v1/progress/units/",
            plan=plan_2022.pk,
            month="2022-06",
            unit=unit("湖滨区政府").pk,
            page_size=500,
        )
    )
    assert {r["unit"] for r in rows} == {"湖滨区政府"}
    training = by_code(rows)["1.1.1"]
    # An additive target the office has not split: the unit has no light of its own.
    assert (training["value"], training["reported"], training["late"], training["light"]) == (12000, True, False, None)
    assert by_code(rows)["2.2.1"]["reported"] is False


def test_the_month_defaults_to_the_reporting_month(reader, plan_2022):
    # 3 July 2022: June's figures are due on the 5th, so the reporting month is May.
    rows = results(get(reader, "/api/v1/progress/city/", plan=plan_2022.pk, page_size=1))
    assert rows[0]["month"] == "2022-05"


def test_figures_are_export_figures_rows_with_ids_and_versions(reader, plan_2022):
    sub = report("1.1.1", "湖滨区政府", 12000)
    report("2.2.1", "湖滨区政府", 5, status=SubmissionStatus.DRAFT)
    rows = results(get(reader, "/api/v1/figures/", plan=plan_2022.pk, month="2022-06"))
    contract = figures_export(plan=plan_2022, month=JUNE)
    assert [{k: r[k] for k in contract[0]} for r in rows] == contract
    assert (rows[0]["id"], rows[0]["version"], rows[0]["indicator_id"]) == (sub.pk, 1, indicator("1.1.1").pk)
    drafts = results(get(reader, "/api/v1/figures/", plan=plan_2022.pk, month="2022-06", status="draft"))
    assert [r["indicator_id"] for r in drafts] == [indicator("2.2.1").pk]


def test_alerts_are_scan_json_rows_with_ids(reader, plan_2022):
    alerts_scan(as_of=dt.date(2022, 7, 6), plan=plan_2022)
    contract = alerts_export(alerts=open_alerts(plan_ids=[plan_2022.pk]))
    assert len(contract) > 100
    rows = []
    url = f"/api/v1/alerts/?plan={plan_2022.pk}&page_size=100"
    while url:
        page = get(reader, url.replace("http://testserver", "")).json()
        rows += page["results"]
        url = page["next"]
    assert [{k: r[k] for k in contract[0]} for r in rows] == contract
    missing = results(get(reader, "/api/v1/alerts/", kind="missing", unit=unit("卢氏县政府").pk, page_size=500))
    assert missing and {(r["kind"], r["unit"]) for r in missing} == {("missing", "卢氏县政府")}


def test_the_bulletins_figures(reader, plan_2022):
    report("1.1.1", "湖滨区政府", 12000)
    answer = get(reader, "/api/v1/bulletin/", plan=plan_2022.pk, month="2022-06").json()
    assert answer["month"] == "2022-06" and len(answer["projects"]) == 10 and len(answer["tasks"]) == 25
    # June: 231 figures owed by the units; one reported, on time.
    reporting = answer["reporting"]
    assert (reporting["due"], reporting["reported"], reporting["late"]) == ("2022-07-05", 1, 0)
    assert reporting["missing"] == reporting["expected"] - 1
    assert {r["unit"] for r in answer["ranking"]} >= {"湖滨区政府", "卢氏县政府"}


def test_a_bad_parameter_gets_a_message(reader, plan_2022):
    answer = get(reader, "/api/v1/progress/city/", plan=plan_2022.pk, month="2022-13")
    assert answer.status_code == 400
    assert answer.json()["errors"] == [
        {"indicator": None, "field": "month", "message": "月份格式应为 YYYY-MM，如 2022-06"}
    ]
    assert get(reader, "/api/v1/plans/", colour="red").json()["errors"][0]["field"] == "colour"
    assert get(reader, "/api/v1/plans/", page_size=501).status_code == 400


def test_pages(reader, plan_2022):
    first = get(reader, "/api/v1/units/", page_size=50).json()
    assert (first["count"], len(first["results"])) == (68, 50)
    second = get(reader, first["next"].replace("http://testserver", "")).json()
    assert len(second["results"]) == 18 and second["next"] is None
    assert not {u["id"] for u in first["results"]} & {u["id"] for u in second["results"]}


def test_a_write_client_reads_its_own_unit_only(plan_2022, clock):
    _c, token = make_client("湖滨区统计系统", scope=ApiScope.WRITE, units=("湖滨区政府",))
    report("1.1.1", "湖滨区政府", 12000)
    report("1.1.1", "陕州区政府", 6000)
    rows = results(get(token, "/api/v1/figures/", plan=plan_2022.pk, month="2022-06"))
    assert [r["unit"] for r in rows] == ["湖滨区政府"]
    assert (
        get(token, "/api/v1/figures/", plan=plan_2022.pk, month="2022-06", unit=unit("陕州区政府").pk).status_code
        == 404
    )
