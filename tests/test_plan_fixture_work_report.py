"""Check fixtures/plan_2022_work_report.json against the gazette text of the 2022 work report.

The file is in the format proposed for issue 14 (docs/plan-format.md), which the loader does not
accept yet: these tests read the JSON directly. Pure Python: no Django, no database.
"""

import copy
import re

import pytest

from tests.plan_fixture_checks import (
    COUNTIES,
    FIXTURES,
    GAZETTE,
    PLAN_2022,
    SOURCES,
    extension_problems,
    indicators,
    new_units_in_readings,
    normalise,
    numbers_in,
    read_strict,
    tasks,
)

FIXTURE = FIXTURES / "plan_2022_work_report.json"
EXTRACT = SOURCES / "work-report-2022.txt"
READINGS = SOURCES / "work-report-2022-readings.md"

OCCASION = "政府工作报告——2022年5月12日在三门峡市第七届人民代表大会第九次会议上"
TARGETS_OPENING = "今年经济社会发展的主要预期目标是："
GROUP = "市政府有关部门"
STATISTICS, SURVEY_TEAM = "市统计局", "国家统计局三门峡调查队"


@pytest.fixture(scope="module")
def data():
    return read_strict(FIXTURE)


@pytest.fixture(scope="module")
def seed():
    return normalise(GAZETTE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def report(seed):
    """The report alone: from its heading to the next document of the gazette."""
    start = seed.index(OCCASION)
    return seed[start : seed.index("三门峡市人民政府关于嘉奖全市财税系统的通报", start)]


@pytest.fixture(scope="module")
def target_sentence(report):
    start = report.index(TARGETS_OPENING)
    return report[start : report.index("。", start) + 1]


def by_code(data):
    return {ind["code"]: ind for ind in indicators(data)}


def task_of(data, project_no, task_no):
    return data["projects"][project_no - 1]["tasks"][task_no - 1]


# --- structure -------------------------------------------------------------


def test_extended_format_allows_everything_in_the_file(data):
    assert extension_problems(data) == []


def test_the_checker_names_what_the_proposal_refuses(data):
    """The check above can fail: a broken copy gives one problem per break, with its place."""
    broken = copy.deepcopy(data)
    broken["plan"]["kind"] = "民生"
    gdp = broken["projects"][0]["tasks"][0]["indicators"][0]
    gdp["frequency"] = "weekly"
    gdp["unit"] = "亿元"
    gdp["tolerance"] = -1
    del gdp["base_text"]
    task = broken["projects"][1]["tasks"][0]
    task["lead_units"] = ["市政府各有关部门"]
    task["indicators"][0]["target"] = 0
    assert extension_problems(broken) == [
        "plan.kind: 民生",
        "projects[0].tasks[0].indicators[0].frequency: weekly",
        "projects[0].tasks[0].indicators[0].tolerance: a number ≥ 0",
        "projects[0].tasks[0].indicators[0].base_text: base_value and base_text go together",
        "projects[0].tasks[0].indicators[0].unit: growth is in % or 个百分点, not 亿元",
        "projects[1].tasks[0].lead_units: neither a unit nor a group: 市政府各有关部门",
        "projects[1].tasks[0].indicators[0].target: a qualitative item has no target",
        "projects[1].tasks[0].indicators[0].reporting_units: not a lead or cooperating unit of the task: 市政府有关部门",
    ]


def test_plan_header(data):
    plan = data["plan"]
    assert data["format"] == 2
    assert plan["kind"] == "work_report"
    assert plan["year"] == 2022
    assert plan["document"] == "政府工作报告"
    assert plan["title"] == "政府工作报告"
    assert plan["issuing_body"] == "三门峡市人民政府"
    assert plan["issued_on"] == "2022-05-12"
    assert plan["start"] == "2022-01-01"
    assert plan["default_deadline"] == "2022-12-31"
    assert plan["due_day"] == 20
    assert plan["notes"]


def test_plan_header_in_seed(data, seed, report):
    assert "第6号(总第195号)" in seed
    assert normalise(data["plan"]["source"]).endswith(OCCASION)
    assert report.startswith(OCCASION + "三门峡市人民政府市长范付中")
    assert "我代表市人民政府，向大会报告工作" in report


def test_counts(data):
    assert len(data["projects"]) == 10
    assert [len(p["tasks"]) for p in data["projects"]] == [16, 3, 6, 4, 4, 3, 4, 4, 4, 5]
    assert sum(1 for _ in tasks(data)) == 53
    assert all(len(task["indicators"]) == 1 for _, task in tasks(data))
    assert len(data["units"]) == 22
    assert data["unit_groups"] == [{"name": GROUP, "members": []}]


def test_numbering_and_codes(data):
    assert [p["number"] for p in data["projects"]] == list(range(1, 11))
    for project, task in tasks(data):
        assert [t["number"] for t in project["tasks"]] == list(range(1, len(project["tasks"]) + 1))
        assert [i["code"] for i in task["indicators"]] == [f"{project['number']}.{task['number']}.1"]


# --- verbatim text ---------------------------------------------------------


def test_no_extraction_spaces_left(data):
    texts = []
    for project, task in tasks(data):
        texts += [project["title"], project["text"], task["text"]]
        for ind in task["indicators"]:
            texts += [ind["name"], ind["source_text"], ind["deadline_text"], ind.get("base_text", "")]
    assert [t for t in texts if re.search(r"\s", t)] == []


def test_targets_are_the_sentence_clause_by_clause(data, target_sentence):
    """The 16 clauses, joined by the sentence's own 、 and ，, give the sentence back: none left out."""
    project = data["projects"][0]
    assert project["text"] == TARGETS_OPENING
    clauses = [task["text"] for task in project["tasks"]]
    rebuilt = TARGETS_OPENING + "，".join(clauses) + "。"
    # the one place where the report joins two targets with 、 instead of ，
    rebuilt = rebuilt.replace("城镇新增就业3.7万人，城镇调查失业率", "城镇新增就业3.7万人、城镇调查失业率")
    assert rebuilt == target_sentence
    for task in project["tasks"]:
        assert task["indicators"][0]["source_text"] == task["text"]


def test_project_1_title_is_the_section_heading(data, report):
    assert report.count("二、" + data["projects"][0]["title"] + "2022年是党的二十大召开之年") == 1


def test_areas_are_the_report_paragraph_by_paragraph(data, report):
    """Each area (一)…(九) is its heading, its opening text and its tasks, verbatim and complete."""
    section = report[
        report.index("三、2022年重点工作") : report.index("各位代表！", report.index("三、2022年重点工作"))
    ]
    marks = [f"（{n}）" for n in "一二三四五六七八九"]
    starts = [section.index(mark) for mark in marks] + [len(section)]
    for i, project in enumerate(data["projects"][1:]):
        area = section[starts[i] : starts[i + 1]]
        rebuilt = marks[i] + project["title"] + "。" + project["text"] + "".join(t["text"] for t in project["tasks"])
        assert rebuilt == area, project["number"]


def test_each_task_opens_with_the_heading_its_indicator_is_named_after(data):
    for project, task in tasks(data):
        if project["number"] == 1:
            continue
        ind = task["indicators"][0]
        assert ind["name"] == ind["source_text"]
        assert task["text"].startswith(
            ind["source_text"] + ("；" if (project["number"], task["number"]) == (10, 5) else "。")
        )
    assert task_of(data, 2, 1)["indicators"][0]["name"] == "把握“三个坚持”，把投资扩大"
    assert task_of(data, 3, 6)["indicators"][0]["name"] == "全覆盖"
    assert task_of(data, 10, 5)["indicators"][0]["name"] == "支持国防和军队建设，做好国防动员、双拥等工作"


def test_every_quote_is_in_the_extract_and_the_extract_is_the_gazette(data):
    lines = GAZETTE.read_text(encoding="utf-8").splitlines(keepends=True)
    extract = EXTRACT.read_text(encoding="utf-8")
    assert extract == "".join(lines[107:294])
    text = normalise(extract)
    for project, task in tasks(data):
        assert task["text"] in text
        assert project["text"] in text
        for ind in task["indicators"]:
            assert ind["source_text"] in text
            if "base_text" in ind:
                assert ind["base_text"] in text, ind["code"]


def test_base_texts_are_about_2021(data, report, seed):
    review = report[report.index("一、2021年工作回顾") : report.index("二、2022年工作总体要求和主要目标")]
    for ind in indicators(data):
        if "base_text" not in ind:
            continue
        assert ind.get("base_year", 2021) == 2021
        where = review if ind["code"] != "1.16.1" else seed[seed.index("三政〔2022〕2号") :]
        assert where.count(ind["base_text"]) == 1, ind["code"]
        assert round(float(ind["base_value"]), 6) in numbers_in(ind["base_text"]), ind["code"]


def test_targets_findable_in_source_text(data):
    for ind in indicators(data):
        if ind["target"] is None:
            assert ind["kind"] == "qualitative", ind["code"]
            continue
        assert round(float(ind["target"]), 6) in numbers_in(ind["source_text"]), ind["code"]


def test_deadlines(data, target_sentence):
    for project, task in tasks(data):
        ind = task["indicators"][0]
        assert ind["deadline"] == "2022-12-31"
        if project["number"] == 1:
            assert ind["deadline_text"] == "今年" and target_sentence.startswith("今年")
        else:
            assert ind["deadline_text"] == "全年（未写明期限，按年底计）"


# --- the 16 targets, worked out by hand from the sentence ------------------

TARGETS = [
    # code, name, kind, unit, target, direction, tolerance, frequency, reporting unit
    ("1.1.1", "地区生产总值增长", "growth", "%", 8, "at_least", 0, "quarterly", STATISTICS),
    ("1.2.1", "人均GDP增长", "growth", "%", 8, "at_least", 0, "yearly", STATISTICS),
    ("1.3.1", "全员劳动生产率增长", "growth", "%", 8, "at_least", 0, "yearly", STATISTICS),
    ("1.4.1", "常住人口城镇化率提高", "growth", "个百分点", 1.8, "at_least", 0, "yearly", STATISTICS),
    ("1.5.1", "研发投入强度", "rate", "%", 2, "at_least", 0, "yearly", STATISTICS),
    ("1.6.1", "居民人均可支配收入与经济增长协调同步", "qualitative", "", None, "at_least", 0, "quarterly", SURVEY_TEAM),
    ("1.7.1", "规上工业增加值增长", "growth", "%", 8.5, "at_least", 0, "monthly", STATISTICS),
    ("1.8.1", "固定资产投资增长", "growth", "%", 10.8, "at_least", 0, "monthly", STATISTICS),
    ("1.9.1", "社会消费品零售总额增长", "growth", "%", 9, "at_least", 0, "quarterly", STATISTICS),
    ("1.10.1", "城镇新增就业", "count", "人", 37000, "at_least", 0, "monthly", "市人力资源社会保障局"),
    ("1.11.1", "城镇调查失业率", "rate", "%", 5.5, "at_most", 0, "quarterly", SURVEY_TEAM),
    ("1.12.1", "粮食产量", "count", "亿斤", 10, "at_least", 0, "yearly", STATISTICS),
    ("1.13.1", "节能减排相关指标完成省定目标", "qualitative", "", None, "at_least", 0, "yearly", "市发展改革委"),
    ("1.14.1", "居民消费价格涨幅", "growth", "%", 3, "at_most", 0.5, "monthly", SURVEY_TEAM),
    ("1.15.1", "进出口总值保持平稳增长", "qualitative", "", None, "at_least", 0, "monthly", "市商务局"),
    ("1.16.1", "一般公共预算收入增长", "growth", "%", 5, "at_least", 0, "monthly", "市财政局"),
]


@pytest.mark.parametrize("code,name,kind,unit,target,direction,tolerance,frequency,reporter", TARGETS)
def test_target(data, code, name, kind, unit, target, direction, tolerance, frequency, reporter):
    ind = by_code(data)[code]
    assert ind["name"] == name
    assert ind["kind"] == kind
    assert ind["unit"] == unit
    assert ind["target"] == target
    assert ind["direction"] == direction
    assert ind.get("tolerance", 0) == tolerance
    assert ind["frequency"] == frequency
    assert ind["reporting_units"][0] == reporter
    assert ind["aggregation"] == ("each" if code == "1.13.1" else "lead")


def test_target_extras(data):
    codes = by_code(data)
    assert {c: (i["base_value"], i.get("base_unit")) for c, i in codes.items() if "base_value" in i} == {
        "1.1.1": (1582.5, "亿元"),
        "1.5.1": (1.92, "%"),
        "1.10.1": (38700, "人"),
        "1.12.1": (14.6, "亿斤"),
        "1.16.1": (142.5, "亿元"),
    }
    assert {c for c, i in codes.items() if "figure_unit" in i} == {"1.6.1", "1.15.1"}
    assert {c: i["rate_basis"] for c, i in codes.items() if i["kind"] == "rate"} == {
        "1.5.1": "level",
        "1.11.1": "level",
    }
    # 3%左右 is the only 左右 of the sentence, and the only target with a tolerance
    assert [c for c, i in codes.items() if "tolerance" in i] == ["1.14.1"]
    assert [c for c, i in codes.items() if "左右" in i["source_text"]] == ["1.14.1"]
    assert [c for c, i in codes.items() if i["direction"] == "at_most"] == ["1.11.1", "1.14.1"]
    for ind in codes.values():
        if "控制在" in ind["source_text"] or "以内" in ind["source_text"]:
            assert ind["direction"] == "at_most", ind["code"]


def test_tasks_are_qualitative(data):
    for project, task in tasks(data):
        if project["number"] == 1:
            continue
        ind = task["indicators"][0]
        assert (ind["kind"], ind["target"], ind["unit"], ind["aggregation"]) == ("qualitative", None, "", "each")
        assert ind["reporting_units"] == task["lead_units"]
        assert ind["frequency"] == "monthly"


# --- units -----------------------------------------------------------------


def test_target_units(data):
    leads = [task["lead_units"] for task in data["projects"][0]["tasks"]]
    assert leads == [
        ["市发展改革委", STATISTICS],
        [STATISTICS],
        [STATISTICS],
        ["市发展改革委", STATISTICS],
        ["市科技局", STATISTICS],
        [SURVEY_TEAM],
        ["市工业和信息化局", STATISTICS],
        ["市发展改革委", STATISTICS],
        ["市商务局", STATISTICS],
        ["市人力资源社会保障局"],
        ["市人力资源社会保障局", SURVEY_TEAM],
        ["市农业农村局", STATISTICS],
        ["市发展改革委", "市生态环境局"],
        ["市发展改革委", SURVEY_TEAM],
        ["市商务局"],
        ["市财政局", "市税务局"],
    ]
    assert by_code(data)["1.13.1"]["reporting_units"] == ["市发展改革委", "市生态环境局"]
    assert all(task["cooperating_units"] == [] for task in data["projects"][0]["tasks"])


def test_task_units(data):
    extra = {
        (5, 4): ["义马市政府", "灵宝市政府", "渑池县政府", "卢氏县政府"],
        (7, 3): COUNTIES,
    }
    for project, task in tasks(data):
        if project["number"] == 1:
            continue
        assert task["lead_units"] == [GROUP, *extra.get((project["number"], task["number"]), [])]
        coop = (
            ["市总工会", "团市委", "市妇联", "市残联", "市红十字会"]
            if (project["number"], task["number"]) == (10, 5)
            else []
        )
        assert task["cooperating_units"] == coop
    # the counties are there because the text makes them do the work
    assert "支持各县（市）依托" in task_of(data, 5, 4)["text"]
    assert "每个县（市、区）引进落地" in task_of(data, 7, 3)["text"]
    assert "工会、共青团、妇联、残联、红十字会等群团组织" in task_of(data, 10, 5)["text"]


def test_the_report_names_no_responsible_units(data, report):
    assert "责任单位" not in report and "牵头单位" not in report
    assert all("lead_units_text" not in task and "cooperating_units_text" not in task for _, task in tasks(data))
    # the group is the wording of 三政办〔2022〕16号 in the same gazette, not of the report
    assert GROUP not in report


def test_units_are_shared_with_the_2022_plan_or_named_in_the_readings(data):
    old = {u["name"]: u["kind"] for u in read_strict(PLAN_2022)["units"]}
    new = new_units_in_readings(READINGS)
    assert new == {STATISTICS: "department", SURVEY_TEAM: "other", "市红十字会": "party_mass"}
    assert not set(new) & set(old)
    for unit in data["units"]:
        # a shared unit keeps its kind: loading this plan must not change a unit of the other
        assert unit["kind"] == {**old, **new}[unit["name"]], unit["name"]
    names = [u["name"] for u in data["units"]]
    assert len(names) == len(set(names))
    used = set()
    for _, task in tasks(data):
        used.update(task["lead_units"], task["cooperating_units"])
        for ind in task["indicators"]:
            used.update(ind["reporting_units"])
    assert used - {GROUP} == set(names)
    assert set(new) <= used


def test_readings_cover_the_choices(data):
    readings = normalise(READINGS.read_text(encoding="utf-8"))
    for _, task in tasks(data):
        ind = task["indicators"][0]
        if ind["code"].startswith("1."):
            assert ind["code"] in readings and task["text"] in readings, ind["code"]
    for phrase in ("3%左右", "0.5", "due_day", "政府工作报告", "2022-05-12", GROUP, "unsure"):
        assert phrase in readings, phrase
