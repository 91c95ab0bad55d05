"""``export_figures``: the exchange shape the supervision office relies on (a contract)."""

import datetime as dt
import json
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command

from projects.services.reporting import FigureInput, submission_save

from .conftest import JUNE, MAY, indicator

pytestmark = pytest.mark.django_db
KEYS = {
    "project", "task", "indicator", "unit", "month", "value", "numerator", "denominator", "stage", "status",
    "submitted_at", "late",
}  # fmt: skip


def export(*args) -> list[dict]:
    out = StringIO()
    call_command("export_figures", "2022", *args, stdout=out)
    return json.loads(out.getvalue())


def save(user, code, submit=True, month=JUNE, **figure):
    return submission_save(
        user=user, indicator_id=indicator(code).pk, month=month, figure=FigureInput(**figure), version=0, submit=submit
    )


def test_every_submission_of_the_month_in_the_contract_shape(hubin, zhujian):
    cst = dt.timezone(dt.timedelta(hours=8))
    with time_machine.travel(dt.datetime(2022, 7, 3, 9, 30, 15, 123456, tzinfo=cst), tick=False):
        save(hubin, "1.1.1", value=Decimal(12000))
        save(hubin, "3.1.3", numerator=Decimal(45), denominator=Decimal("60.5"))
        save(zhujian, "2.5.1", submit=False, stage=2)
        save(hubin, "1.1.2", month=MAY, value=Decimal(1))  # another month: not exported
    with time_machine.travel(dt.datetime(2022, 7, 8, 18, 0, tzinfo=cst), tick=False):
        save(hubin, "2.1.1", value=Decimal("12.5"))

    rows = export("--month", "2022-06", "--format", "json")
    assert all(set(r) == KEYS for r in rows)
    by_indicator = {r["indicator"]: r for r in rows}
    assert set(by_indicator) == {
        "技能培训",
        "孕早中期产前筛查率",
        "大岭路与和平路交叉路口过街天桥",
        "城镇老旧小区开工改造",
    }
    assert by_indicator["技能培训"] == {
        "project": 1,
        "task": 1,
        "indicator": "技能培训",
        "unit": "湖滨区政府",
        "month": "2022-06",
        "value": 12000,
        "numerator": None,
        "denominator": None,
        "stage": None,
        "status": "submitted",
        "submitted_at": "2022-07-03T09:30:15+08:00",
        "late": False,
    }
    rate = by_indicator["孕早中期产前筛查率"]
    assert (rate["numerator"], rate["denominator"], rate["value"]) == (45, 60.5, None)
    bridge = by_indicator["大岭路与和平路交叉路口过街天桥"]
    assert (bridge["status"], bridge["stage"], bridge["submitted_at"], bridge["unit"]) == (
        "draft", 2, None, "市住房城乡建设局"
    )  # fmt: skip
    late = by_indicator["城镇老旧小区开工改造"]
    assert (late["value"], late["late"], late["submitted_at"]) == (12.5, True, "2022-07-08T18:00:00+08:00")
    # Plain JSON numbers, names as in export_plan.
    plan = json.loads(_plan_json())
    names = {i["name"] for p in plan["projects"] for t in p["tasks"] for i in t["indicators"]}
    assert set(by_indicator) <= names
    assert [(r["project"], r["task"]) for r in rows] == sorted((r["project"], r["task"]) for r in rows)


def _plan_json() -> str:
    out = StringIO()
    call_command("export_plan", "2022", stdout=out)
    return out.getvalue()


def test_an_empty_month_is_an_empty_list(plan_2022):
    assert export("--month", "2022-03") == []


def test_a_bad_month_or_year_is_refused(plan_2022):
    with pytest.raises(CommandError, match="YYYY-MM"):
        export("--month", "2022-6")
    with pytest.raises(CommandError, match="没有 2031 年的方案"):
        call_command("export_figures", "2031", "--month", "2031-01", stdout=StringIO())
