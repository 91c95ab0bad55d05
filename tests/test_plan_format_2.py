"""Plan files of format 2 (docs/plan-format.md): the work report and the 38 measures load; every
problem of a broken file is named with its place, in Chinese; unit groups; shared units are not
changed without --update-units; export_plan prints a plan file that reproduces the plan, and
``export_plan | load_plan -`` changes nothing, for every fixture."""

import copy
import json

import pytest

from projects.models import (
    Assignment,
    Indicator,
    IndicatorGroup,
    Plan,
    Task,
    TaskGroup,
    TaskUnit,
    Unit,
    UnitGroup,
)
from projects.planfile import PlanFileError, check_plan_data
from tests.plan_helpers import PLAN_FILES, catalogue_snapshot, load_data, load_fixture, read, run, write

pytestmark = pytest.mark.usefixtures("empty_catalogue")

WORK_REPORT, MEASURES, LIVELIHOOD = "政府工作报告", "三政办〔2022〕16号", "三政办〔2022〕6号"
GROUP = "市政府有关部门"


def problems_of(data) -> list[str]:
    with pytest.raises(PlanFileError) as caught:
        check_plan_data(json.loads(json.dumps(data, ensure_ascii=False)))
    return caught.value.problems


# --- the fixtures load -----------------------------------------------------------------------


def test_the_work_report_loads_with_its_kinds_frequencies_and_group():
    plan = load_fixture(WORK_REPORT)
    assert (plan.kind, plan.get_kind_display(), plan.due_day) == ("work_report", "政府工作报告目标任务", 20)
    ind = {i.code: i for i in Indicator.objects.filter(task__project__plan=plan)}
    assert len(ind) == 53
    gdp = ind["1.1.1"]
    assert (gdp.kind, gdp.frequency, gdp.target, gdp.base_value, gdp.base_unit) == ("growth", "quarterly", 8, 1582.5, "亿元")
    cpi = ind["1.14.1"]
    assert (cpi.direction, cpi.target, cpi.tolerance) == ("at_most", 3, 0.5)
    assert ind["1.4.1"].unit_of_measure == "个百分点"
    assert ind["1.2.1"].frequency == "yearly"
    assert sum(i.kind == "qualitative" for i in ind.values()) == 37 + 3
    # The group stands where the text names it, with no members: 35 tasks report nothing yet; 5.4
    # and 7.3 name counties beside it, who report.
    group = UnitGroup.objects.get(plan=plan)
    assert (group.name, group.members.count()) == (GROUP, 0)
    assert TaskGroup.objects.filter(group=group).count() == 37
    assert IndicatorGroup.objects.filter(group=group).count() == 37
    assert Indicator.objects.filter(task__project__plan=plan, assignments__isnull=True).count() == 35
    assert ind["7.3.1"].assignments.count() == 6


def test_the_measures_load_with_their_validity_periods():
    plan = load_fixture(MEASURES)
    assert (plan.kind, plan.start.isoformat(), plan.validity_text) == (
        "measures",
        "2022-06-05",
        "本措施自印发之日起执行，有效期至2022年12月31日",
    )
    tax = Task.objects.get(project__plan=plan, project__number=2, number=1)
    assert (tax.valid_from.isoformat(), tax.valid_until.isoformat()) == ("2022-01-01", "2024-12-31")
    tariff = Indicator.objects.get(task__project__plan=plan, code="2.6.2")
    assert (tariff.kind, tariff.target, tariff.direction, tariff.frequency) == ("growth", -10, "at_most", "yearly")
    # A measure of each of its units: 2.1's four departments and six counties report it each.
    assert Indicator.objects.get(task__project__plan=plan, code="2.1.1").assignments.count() == 9


def test_three_plans_share_their_units(capsys):
    for document in (LIVELIHOOD, WORK_REPORT, MEASURES):
        load_fixture(document)
    assert Plan.objects.count() == 3
    # 市财政局 is one unit in all three plans.
    finance = Unit.objects.get(name="市财政局")
    assert Plan.objects.filter(projects__tasks__task_units__unit=finance).distinct().count() == 3


# --- problems, each with its place -----------------------------------------------------------


def test_every_problem_of_a_broken_work_report_is_named():
    broken = copy.deepcopy(read(PLAN_FILES[WORK_REPORT]))
    broken["plan"]["kind"] = "民生"
    gdp = broken["projects"][0]["tasks"][0]["indicators"][0]
    gdp["frequency"] = "weekly"
    gdp["tolerance"] = -1
    assert problems_of(broken) == [
        'plan.kind: 取值 "民生" 不在允许范围内（livelihood、work_report、measures、other）',
        'projects[0].tasks[0].indicators[0].frequency: 取值 "weekly" 不在允许范围内（monthly、quarterly、yearly）',
        "projects[0].tasks[0].indicators[0].tolerance: 数值 -1 超出范围",
    ]
    broken = copy.deepcopy(read(PLAN_FILES[WORK_REPORT]))
    gdp = broken["projects"][0]["tasks"][0]["indicators"][0]
    gdp["unit"] = "亿元"
    gdp["aggregation"] = "sum"
    del gdp["base_text"]
    task = broken["projects"][1]["tasks"][0]
    task["lead_units"] = ["市政府各有关部门"]
    task["indicators"][0]["target"] = 0
    cpi = broken["projects"][0]["tasks"][13]["indicators"][0]
    cpi["reporting_units"] = [GROUP]
    assert problems_of(broken) == [
        "projects[0].tasks[0].indicators[0].unit: 增速类指标的计量单位应为 % 或 个百分点",
        "projects[0].tasks[0].indicators[0].aggregation: 增速不能相加，应为 lead",
        "projects[0].tasks[0].indicators[0].base_text: 有基期数值时须引用其原文（base_text）",
        "projects[0].tasks[13].indicators[0].reporting_units[0]: 报送单位 市政府有关部门 不是本任务的责任或配合单位",
        "projects[0].tasks[13].indicators[0].reporting_units[0]: 牵头单位报送的指标须由一个具体单位报送，不能是单位组 市政府有关部门",
        "projects[1].tasks[0].lead_units[0]: 未在 units 或 unit_groups 中列出的单位：市政府各有关部门",
        "projects[1].tasks[0].indicators[0].target: 定性指标没有目标值，应为 null",
        "projects[1].tasks[0].indicators[0].reporting_units[0]: 报送单位 市政府有关部门 不是本任务的责任或配合单位",
    ]


def test_checks_of_groups_validity_and_monthly_plans():
    broken = copy.deepcopy(read(PLAN_FILES[MEASURES]))
    broken["unit_groups"].append({"name": "市财政局", "members": ["不存在的局"]})
    tax = broken["projects"][1]["tasks"][0]
    tax["valid_until"] = "2021-12-31"
    tax["validity_text"] = "自2022年4月1日至2022年12月31日…原文没有的话"
    tariff = broken["projects"][1]["tasks"][5]["indicators"][1]
    tariff["monthly_plan"] = {"2022-06": 50}
    assert problems_of(broken) == [
        "unit_groups[1].name: 单位组名称与单位同名：市财政局",
        "unit_groups[1].members[0]: 未在 units 中列出的单位：不存在的局",
        "projects[1].tasks[0].valid_until: 有效期止早于有效期起",
        "projects[1].tasks[0].validity_text: 有效期原文不在任务原文中：原文没有的话",
        "projects[1].tasks[5].indicators[1].monthly_plan: 增速按目标值逐期比较，没有月度计划",
        "projects[1].tasks[5].indicators[1].monthly_plan: 2022-06 不是该指标的报送期末（报送频次：yearly）",
        "unit_groups[1]: 单位组 市财政局 未在任何任务中出现",
    ]


def test_a_format_1_file_that_uses_format_2_says_so(tmp_path):
    data = read(PLAN_FILES[LIVELIHOOD])
    data["plan"]["kind"] = "livelihood"
    data["projects"][0]["tasks"][0]["indicators"][0]["frequency"] = "quarterly"
    assert problems_of(data) == [
        'plan.kind: 使用扩展字段的文件应写 "format": 2',
        'projects[0].tasks[0].indicators[0].frequency: 使用扩展字段的文件应写 "format": 2',
    ]
    data["format"] = 2
    check_plan_data(json.loads(json.dumps(data, ensure_ascii=False)))  # fine once it says 2


def test_a_broken_file_loads_nothing(tmp_path):
    broken = copy.deepcopy(read(PLAN_FILES[WORK_REPORT]))
    broken["projects"][0]["tasks"][0]["indicators"][0]["unit"] = "亿元"
    _out, err, exc = run("load_plan", str(write(tmp_path, broken)))
    assert "增速类指标的计量单位应为 % 或 个百分点" in err and "未导入任何数据" in str(exc)
    assert not Plan.objects.exists() and not Unit.objects.exists()


# --- groups and their members ----------------------------------------------------------------


def test_members_of_a_group_report_in_its_place_and_the_file_keeps_the_group():
    data = read(PLAN_FILES[WORK_REPORT])
    data["unit_groups"] = [{"name": GROUP, "members": ["市发展改革委", "市财政局"]}]
    plan = load_data(data)
    investment = Indicator.objects.get(task__project__plan=plan, code="2.1.1")
    assert [a.unit.name for a in investment.assignments.order_by("id")] == ["市发展改革委", "市财政局"]
    assert {a.via_group.name for a in investment.assignments.all()} == {GROUP}
    task = investment.task
    assert [(tu.unit.name, tu.role) for tu in TaskUnit.objects.filter(task=task)] == [
        ("市发展改革委", "lead"),
        ("市财政局", "lead"),
    ]
    # 5.4 names the group and four county governments: the members join them.
    county_task = Indicator.objects.get(task__project__plan=plan, code="5.4.1")
    assert county_task.assignments.count() == 4 + 2
    out, _err, exc = run("export_plan", "2022", "--document", WORK_REPORT)
    assert exc is None
    exported = json.loads(out)
    assert exported["unit_groups"] == [{"name": GROUP, "members": ["市发展改革委", "市财政局"]}]
    assert exported["projects"][1]["tasks"][0]["lead_units"] == [GROUP]
    assert exported["projects"][1]["tasks"][0]["indicators"][0]["reporting_units"] == [GROUP]
    # A member leaves the group: its rows go with it.
    data["unit_groups"] = [{"name": GROUP, "members": ["市财政局"]}]
    load_data(data)
    assert [a.unit.name for a in investment.assignments.all()] == ["市财政局"]


def test_load_plan_tells_the_office_of_a_group_without_members(tmp_path):
    out, _err, exc = run("load_plan", str(PLAN_FILES[WORK_REPORT]))
    assert exc is None
    assert "单位组“市政府有关部门”尚未指定成员单位：由它报送的 37 个指标中 35 个暂无报送单位" in out


# --- units shared between plans --------------------------------------------------------------


def test_a_plan_that_would_change_a_shared_unit_is_refused_unless_told(tmp_path):
    load_fixture(LIVELIHOOD)
    data = read(PLAN_FILES[MEASURES])
    finance = next(u for u in data["units"] if u["name"] == "市财政局")
    finance["kind"] = "other"
    path = write(tmp_path, data)
    before = catalogue_snapshot()
    _out, err, exc = run("load_plan", str(path))
    assert exc is not None
    assert (
        "units[" in err
        and "单位“市财政局”已存在，类别为“市直部门”，文件写作“驻市机构及其他”；其他 1 个方案也使用该单位" in err
    )
    assert "--update-units" in err
    assert catalogue_snapshot() == before
    out, _err, exc = run("load_plan", str(path), "--update-units")
    assert exc is None
    assert "已修改共用单位：" in out and "市财政局" in out
    assert Unit.objects.get(name="市财政局").kind == "other"


def test_a_reload_that_keeps_the_units_says_nothing_changed():
    load_fixture(LIVELIHOOD)
    out, _err, exc = run("load_plan", str(PLAN_FILES[WORK_REPORT]))
    assert exc is None
    assert "已修改共用单位" not in out
    assert "unit: created 3, unchanged 19" in out


# --- export_plan | load_plan -----------------------------------------------------------------


@pytest.mark.parametrize("document", list(PLAN_FILES))
def test_export_then_load_changes_nothing(document):
    load_fixture(document)
    before = catalogue_snapshot()
    exported, _err, exc = run("export_plan", "2022", "--document", document)
    assert exc is None
    out, _err, exc = run("load_plan", "-", stdin=exported.encode("utf-8"))
    assert exc is None, _err
    assert "与数据库中已有内容一致，未作改动" in out
    assert catalogue_snapshot() == before


@pytest.mark.parametrize("document", list(PLAN_FILES))
def test_the_export_reproduces_the_plan_in_an_empty_database(document, empty_catalogue):
    plan = load_fixture(document)
    expected = catalogue_snapshot(plan)
    exported, _err, _exc = run("export_plan", "--document", document)
    Assignment.objects.all().delete()
    Plan.objects.all().delete()
    Unit.objects.all().delete()
    _out, err, exc = run("load_plan", "-", stdin=exported.encode("utf-8"))
    assert exc is None, err
    assert catalogue_snapshot(Plan.objects.get()) == expected


def test_a_plan_edited_beyond_its_file_round_trips_too():
    """What the office sets outside the fixture (allocations, light bands, a group's members, an
    own start, targets to confirm) is in the export and comes back."""
    data = read(PLAN_FILES[WORK_REPORT])
    data["unit_groups"] = [{"name": GROUP, "members": ["市统计局"]}]
    data["plan"]["lights"] = {"yellow_gap": 5, "red_gap": 20.5, "milestone_grace_months": 2}
    gdp = data["projects"][0]["tasks"][0]["indicators"][0]
    gdp["target_confirmed"] = False
    gdp["start"] = "2022-02-01"
    plan = load_data(data)
    assert (plan.yellow_gap, plan.red_gap, plan.milestone_grace_months) == (5, 20.5, 2)
    expected = catalogue_snapshot(plan)
    exported, _err, _exc = run("export_plan", "--document", WORK_REPORT)
    Assignment.objects.all().delete()
    Plan.objects.all().delete()
    Unit.objects.all().delete()
    _out, err, exc = run("load_plan", "-", stdin=exported.encode("utf-8"))
    assert exc is None, err
    assert catalogue_snapshot(Plan.objects.get()) == expected


def test_export_plan_lists_the_plans_when_the_document_is_missing_or_wrong():
    for document in (LIVELIHOOD, WORK_REPORT):
        load_fixture(document)
    _out, _err, exc = run("export_plan", "2022")
    assert "请用 --document 指定" in str(exc)
    assert "2022  --document 三政办〔2022〕6号  （重点民生实事）2022年三门峡市重点民生实事工作方案" in str(exc)
    assert "2022  --document 政府工作报告  （政府工作报告目标任务）政府工作报告" in str(exc)
    _out, _err, exc = run("export_plan", "2022", "--document", "三政办〔2022〕99号")
    assert "2022 年没有文号为 三政办〔2022〕99号 的方案" in str(exc) and "现有方案：" in str(exc)
    assert "--document 政府工作报告" in str(exc)
    # The exchange shape is still there, with the plan's kind added.
    out, _err, exc = run("export_plan", "2022", "--document", WORK_REPORT, "--format", "json")
    assert list(json.loads(out)) == ["year", "document", "kind", "projects"]
