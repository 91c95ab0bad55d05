"""Loading a plan file: the 2022 plan goes in whole, twice changes nothing, broken files change nothing."""

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from projects.models import Assignment, Indicator, Plan, Project, Task, TaskUnit, Unit
from tests.conftest import PLAN_2022, load_plan_2022

pytestmark = pytest.mark.usefixtures("empty_catalogue")

COUNTIES = ["湖滨区政府", "陕州区政府", "义马市政府", "灵宝市政府", "渑池县政府", "卢氏县政府"]


@pytest.fixture
def reloaded(empty_catalogue):
    """The 2022 plan loaded into an empty catalogue by this test."""
    return load_plan_2022()


def table_snapshot():
    """Every catalogue row, as plain values, to compare before and after."""
    return {
        model.__name__: sorted(map(str, model.objects.values_list()))
        for model in (Plan, Unit, Project, Task, TaskUnit, Indicator, Assignment)
    }


def load(path, stdout=None):
    call_command("load_plan", str(path), stdout=stdout or StringIO(), stderr=StringIO())


def test_the_2022_plan_loads_whole():
    load(PLAN_2022)
    plan = Plan.objects.get()
    assert (plan.year, plan.document, plan.issued_on.isoformat()) == (2022, "三政办〔2022〕6号", "2022-04-04")
    assert Project.objects.count() == 10
    assert Task.objects.count() == 25
    assert Indicator.objects.count() == 64
    assert [t.project.number for t in Task.objects.select_related("project")].count(2) == 7


@pytest.mark.parametrize(
    ("code", "target", "unit", "deadline", "deadline_text"),
    [
        ("1.1.1", "60000", "人次", "2022-12-31", "全年"),
        ("1.1.3", "15000", "人", "2022-12-31", "全年"),
        ("2.1.1", "8885", "户", "2022-12-31", "全年"),
        ("2.3.4", "12.5", "公里", "2022-12-31", None),
        ("6.1.1", "1177", "万元", "2022-04-30", "4月月底前"),
        ("6.1.3", "383", "户", "2022-06-30", "6月月底前"),
        ("6.1.4", None, "", "2022-09-30", "9月月底前"),
        ("6.1.5", None, "", "2024-12-31", "三年内"),
        ("9.1.1", "6", "亿元", "2022-12-31", "全年"),
        ("3.1.3", "60", "%", "2022-12-31", "年底前"),
        ("8.3.1", "1300000", "张", "2022-12-31", "年底前"),
        ("10.3.2", "734", "个", "2022-12-31", "年底前"),
        ("10.4.2", "150", "千米", "2022-12-31", "全年"),
    ],
)
@pytest.mark.usefixtures("reloaded")
def test_targets_units_and_deadlines(code, target, unit, deadline, deadline_text):
    ind = Indicator.objects.get(code=code)
    assert ind.target == (Decimal(target) if target else None)
    assert ind.unit_of_measure == unit
    assert ind.deadline.isoformat() == deadline
    if deadline_text:
        assert ind.deadline_text == deadline_text


def test_parts_and_stocks(reloaded):
    high_skill = Indicator.objects.get(code="1.1.3")
    assert high_skill.parent.code == "1.1.2"
    assert Indicator.objects.get(code="7.1.3").stock_target == 167


def units_of(task_code, role):
    project, number = map(int, task_code.split("."))
    return list(
        TaskUnit.objects.filter(task__project__number=project, task__number=number, role=role)
        .order_by("position")
        .values_list("unit__name", flat=True)
    )


def test_lead_and_cooperating_units_as_written(reloaded):
    assert units_of("1.1", "lead") == ["市人力资源社会保障局", *COUNTIES]
    assert len(units_of("1.1", "cooperating")) == 37
    assert units_of("2.3", "lead") == ["市住房城乡建设局", "义马市政府", "渑池县政府"]
    assert units_of("2.3", "cooperating")[-1] == "湖滨区政府"
    assert units_of("4.1", "lead") == [
        "市教育局",
        "渑池县政府",
        "湖滨区政府",
        "陕州区政府",
        "灵宝市政府",
        "卢氏县政府",
        "城乡一体化示范区管委会",
    ]
    assert units_of("10.1", "lead") == ["市交通运输局", "渑池县政府", "陕州区政府", "灵宝市政府"]
    assert "三门峡供电公司" in units_of("2.1", "cooperating")
    assert Unit.objects.get(name="团市委").kind == "party_mass"
    assert Unit.objects.get(name="三门峡供电公司").kind == "company"
    assert Unit.objects.filter(kind="county").count() == 6


def test_reporting_units_follow_who_holds_the_figure(reloaded):
    def reporters(code):
        return list(Assignment.objects.filter(indicator__code=code).values_list("unit__name", flat=True))

    assert reporters("1.1.1") == COUNTIES
    assert reporters("2.4.1") == ["市城管局"]
    assert reporters("10.1.1") == ["渑池县政府", "陕州区政府", "灵宝市政府"]
    assert "义马市政府" not in reporters("4.1.1")


def test_loading_twice_changes_nothing():
    load(PLAN_2022)
    before = table_snapshot()
    out = StringIO()
    load(PLAN_2022, stdout=out)
    assert table_snapshot() == before
    assert "未作改动" in out.getvalue()


def broken_plan():
    data = json.loads(PLAN_2022.read_text(encoding="utf-8"))
    first = data["projects"][0]["tasks"][0]
    first["indicators"][0]["target"] = "六万"
    first["lead_units"].append("不存在的局")
    data["projects"][1]["tasks"][2]["indicators"][0]["deadline"] = "2022-02-30"
    data["projects"][3]["tasks"][0]["indicators"][0]["allocations"] = {"渑池县政府": 1, "湖滨区政府": 1}
    return data


def test_a_broken_file_changes_nothing_and_says_where(tmp_path):
    load(PLAN_2022)
    before = table_snapshot()
    data = json.loads(PLAN_2022.read_text(encoding="utf-8"))
    data["projects"][0]["title"] = "改过的标题"  # a valid change that must not land either
    data["projects"][1]["tasks"][0]["indicators"][0]["target"] = "很多"
    data["projects"][2]["tasks"][0]["lead_units"].append("不存在的局")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError, match="未导入任何数据"):
        call_command("load_plan", str(bad), stdout=StringIO(), stderr=err)
    assert table_snapshot() == before
    # The structural problem is reported with its place in the file.
    assert "projects[1].tasks[0].indicators[0].target" in err.getvalue()


def test_every_meaning_problem_is_reported_at_once(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(broken_plan(), ensure_ascii=False).replace('"六万"', "60000"), encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("load_plan", str(bad), stdout=StringIO(), stderr=err)
    messages = err.getvalue()
    assert "projects[0].tasks[0].lead_units[7]" in messages and "不存在的局" in messages
    assert "projects[1].tasks[2].indicators[0].deadline" in messages and "2022-02-30" in messages
    assert "projects[3].tasks[0].indicators[0].allocations" in messages and "不一致" in messages
    assert Plan.objects.count() == 0


def test_not_json_is_refused_with_line_and_column(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": 1,\n "plan": }', encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("load_plan", str(bad), stdout=StringIO(), stderr=err)
    assert "第 2 行" in err.getvalue()


def test_a_reload_keeps_ids_and_applies_edits(tmp_path):
    load(PLAN_2022)
    ids = dict(Indicator.objects.values_list("code", "id"))
    data = json.loads(PLAN_2022.read_text(encoding="utf-8"))
    data["projects"][4]["tasks"][0]["indicators"][0]["target"] = 320
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    load(edited)
    assert dict(Indicator.objects.values_list("code", "id")) == ids
    assert Indicator.objects.get(code="5.1.1").target == 320


def test_a_plan_has_a_kind_livelihood_by_default(tmp_path):
    load(PLAN_2022)
    plan = Plan.objects.get()
    assert (plan.kind, plan.get_kind_display()) == ("livelihood", "重点民生实事")
    data = json.loads(PLAN_2022.read_text(encoding="utf-8"))
    data["format"], data["plan"]["kind"] = 2, "work_report"
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    load(path)
    plan.refresh_from_db()
    assert plan.get_kind_display() == "政府工作报告目标任务"


def test_a_kind_needs_format_2_and_one_of_the_four(tmp_path):
    data = json.loads(PLAN_2022.read_text(encoding="utf-8"))
    data["plan"]["kind"] = "work_report"
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("load_plan", str(path), stdout=StringIO(), stderr=err)
    assert 'plan.kind: 使用扩展字段的文件应写 "format": 2' in err.getvalue()
    data["format"], data["plan"]["kind"] = 2, "民生"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("load_plan", str(path), stdout=StringIO(), stderr=err)
    assert "plan.kind: 取值 \"民生\" 不在允许范围内（livelihood、work_report、measures、other）" in err.getvalue()
    assert Plan.objects.count() == 0
