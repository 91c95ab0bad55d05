"""Check fixtures/plan_2022.json against the source text of 三政办〔2022〕6号.

Pure Python: no Django, no database.
"""

import json
import re
from pathlib import Path

import pytest

pytestmark = []

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "fixtures" / "plan_2022.json"
# The gazette text the plan was encoded from, kept in the repository so CI checks it too.
SEED = ROOT / "fixtures" / "source" / "sanmenxia-gazette-2022-06.txt"

COUNTIES = ["湖滨区政府", "陕州区政府", "义马市政府", "灵宝市政府", "渑池县政府", "卢氏县政府"]
PLAN_HEADING = "2022年三门峡市重点民生实事工作方案"
PLAN_END = "三门峡市人民政府办公室关于印发三门峡市稳经济"


def normalise(text):
    """Drop every whitespace character (PDF extraction spaces and line wraps)."""
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def data():
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def seed():
    return normalise(SEED.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def plan_text(seed):
    anchor = "2022年4月4日" + PLAN_HEADING
    start = seed.index(anchor, seed.index("三政办〔2022〕6号")) + len("2022年4月4日")
    return seed[start : seed.index(PLAN_END, start)]


def tasks(data):
    for project in data["projects"]:
        for task in project["tasks"]:
            yield project, task


def indicators(data):
    for _, task in tasks(data):
        yield from task["indicators"]


def by_code(data):
    return {ind["code"]: ind for ind in indicators(data)}


def task_of(data, project_no, task_no):
    return data["projects"][project_no - 1]["tasks"][task_no - 1]


def numbers_in(text):
    """Every figure stated in text, with 万 multiplying counts (not 万元)."""
    found = set()
    for m in re.finditer(r"(\d+(?:\.\d+)?)(万(?!元))?", text):
        value = float(m.group(1))
        if m.group(2):
            value *= 10000
        found.add(round(value, 6))
    if re.search(r"[一]座", text):
        found.add(1.0)
    if "全覆盖" in text:
        found.add(100.0)
    return found


# --- structure -------------------------------------------------------------


def test_top_level_keys(data):
    assert set(data) == {"format", "plan", "units", "projects"}
    assert data["format"] == 1


def test_plan_header(data):
    plan = data["plan"]
    assert plan["year"] == 2022
    assert plan["document"] == "三政办〔2022〕6号"
    assert plan["title"] == PLAN_HEADING
    assert plan["issuing_body"] == "三门峡市人民政府办公室"
    assert plan["issued_on"] == "2022-04-04"
    assert plan["start"] == "2022-01-01"
    assert plan["default_deadline"] == "2022-12-31"
    assert plan["due_day"] == 5
    assert plan["notes"]


def test_plan_header_in_seed(data, seed):
    assert normalise(data["plan"]["document"]) in seed
    assert "三门峡市人民政府办公室2022年4月4日" + PLAN_HEADING in seed
    assert "第6号(总第195号)" in seed


PLAN_KEYS = {"year", "document", "title", "issuing_body", "issued_on", "start", "default_deadline"}
PLAN_OPTIONAL = {"due_day", "source", "notes"}
TASK_KEYS = {
    "number",
    "text",
    "lead_units",
    "cooperating_units",
    "lead_units_text",
    "cooperating_units_text",
    "indicators",
}
IND_KEYS = {
    "code",
    "name",
    "kind",
    "unit",
    "target",
    "direction",
    "deadline",
    "deadline_text",
    "parent",
    "aggregation",
    "reporting_units",
    "source_text",
}
IND_OPTIONAL = {"stock_target", "baseline", "rate_basis", "planned_start", "stages", "monthly_plan", "allocations"}


def test_keys_follow_format(data):
    assert PLAN_KEYS <= set(data["plan"]) <= PLAN_KEYS | PLAN_OPTIONAL
    for unit in data["units"]:
        assert set(unit) == {"name", "kind"}
    for project in data["projects"]:
        assert set(project) == {"number", "title", "tasks"}
    for _, task in tasks(data):
        assert set(task) == TASK_KEYS
        for ind in task["indicators"]:
            assert IND_KEYS <= set(ind) <= IND_KEYS | IND_OPTIONAL, ind["code"]
            assert ind["kind"] in {"count", "amount", "rate", "milestone"}
            assert ind["aggregation"] in {"sum", "rate", "lead"}


def test_counts(data):
    assert len(data["projects"]) == 10
    assert [len(p["tasks"]) for p in data["projects"]] == [1, 7, 3, 2, 1, 2, 1, 3, 1, 4]
    assert sum(1 for _ in tasks(data)) == 25
    assert sum(1 for _ in indicators(data)) == 64


def test_numbering_and_codes(data):
    assert [p["number"] for p in data["projects"]] == list(range(1, 11))
    codes = []
    for project, task in tasks(data):
        assert [t["number"] for t in project["tasks"]] == list(range(1, len(project["tasks"]) + 1))
        for n, ind in enumerate(task["indicators"], start=1):
            assert ind["code"] == f"{project['number']}.{task['number']}.{n}"
            codes.append(ind["code"])
    assert len(codes) == len(set(codes)) == 64


# --- verbatim text ---------------------------------------------------------


def test_project_titles_in_seed(data, plan_text):
    numerals = "一二三四五六七八九十"
    for project in data["projects"]:
        title = project["title"]
        assert title == normalise(title)
        heading = numerals[project["number"] - 1] + "、" + title
        assert plan_text.count(heading) == 1, heading


def test_task_texts_in_seed(data, plan_text):
    for _project, task in tasks(data):
        text = task["text"]
        assert text == normalise(text), text
        assert not text.startswith("主要任务")
        assert text in plan_text, text
        # the text is complete: it runs from the 主要任务 label up to the 责任单位 line
        assert re.search("主要任务[一二三四五六七]?：" + re.escape(text) + "责任单位：", plan_text), text


def test_unit_texts_in_seed(data, plan_text):
    for _, task in tasks(data):
        block = task["text"] + "责任单位：" + task["lead_units_text"] + "配合单位：" + task["cooperating_units_text"]
        assert block in plan_text, task["text"][:20]
        assert task["lead_units_text"] == normalise(task["lead_units_text"])
        assert task["cooperating_units_text"] == normalise(task["cooperating_units_text"])


def test_no_extraction_spaces_left(data):
    for _, task in tasks(data):
        for key in ("text", "lead_units_text", "cooperating_units_text"):
            assert not re.search(r"\s", task[key])
    for ind in indicators(data):
        assert not re.search(r"\s", ind["source_text"])
        assert not re.search(r"\s", ind["deadline_text"])


def test_source_texts_in_task_and_seed(data, plan_text):
    for _, task in tasks(data):
        for ind in task["indicators"]:
            assert ind["source_text"] in task["text"], ind["code"]
            assert ind["source_text"] in plan_text, ind["code"]


def test_targets_findable_in_source_text(data):
    for ind in indicators(data):
        if ind["target"] is None:
            assert ind["kind"] == "milestone", ind["code"]
            continue
        assert round(float(ind["target"]), 6) in numbers_in(ind["source_text"]), ind["code"]


def test_stock_targets_in_task_text(data):
    for _, task in tasks(data):
        for ind in task["indicators"]:
            if "stock_target" in ind:
                assert f"全市不低于{ind['stock_target']}" in task["text"], ind["code"]


def test_deadline_text_in_task_text(data):
    dates = {
        "全年": "2022-12-31",
        "年底前": "2022-12-31",
        "全年（未写明期限，按年底计）": "2022-12-31",
        "4月月底前": "2022-04-30",
        "6月月底前": "2022-06-30",
        "9月月底前": "2022-09-30",
        "三年内": "2024-12-31",
    }
    for _, task in tasks(data):
        for ind in task["indicators"]:
            assert ind["deadline"] == dates[ind["deadline_text"]], ind["code"]
            if ind["deadline_text"] != "全年（未写明期限，按年底计）":
                assert ind["deadline_text"] in task["text"], ind["code"]


# --- explicit values -------------------------------------------------------

EXPECTED = [
    # code, name, kind, unit, target, deadline_text, deadline, aggregation
    ("1.1.1", "技能培训", "count", "人次", 60000, "全年", "2022-12-31", "sum"),
    ("1.1.2", "新增技能人才", "count", "人", 40000, "全年", "2022-12-31", "sum"),
    ("1.1.3", "新增高技能人才", "count", "人", 15000, "全年", "2022-12-31", "sum"),
    ("2.1.1", "城镇老旧小区开工改造", "count", "户", 8885, "全年", "2022-12-31", "sum"),
    ("2.3.1", "市区新建改造供热管网", "count", "公里", 3, "全年（未写明期限，按年底计）", "2022-12-31", "lead"),
    ("2.3.4", "城镇老旧燃气管网改造", "count", "公里", 12.5, "全年（未写明期限，按年底计）", "2022-12-31", "sum"),
    ("2.4.1", "城市运行管理服务平台建设", "milestone", "", None, "全年（未写明期限，按年底计）", "2022-12-31", "lead"),
    (
        "2.5.1",
        "大岭路与和平路交叉路口过街天桥",
        "milestone",
        "座",
        1,
        "全年（未写明期限，按年底计）",
        "2022-12-31",
        "lead",
    ),
    (
        "3.1.1",
        "农村及城市低保适龄妇女宫颈癌筛查",
        "count",
        "人",
        16700,
        "全年（未写明期限，按年底计）",
        "2022-12-31",
        "sum",
    ),
    ("3.1.3", "孕早中期产前筛查率", "rate", "%", 60, "年底前", "2022-12-31", "rate"),
    ("3.2.1", "残疾儿童和孤独症儿童康复救助", "count", "人", 800, "全年", "2022-12-31", "sum"),
    ("3.3.2", "心理健康咨询", "count", "人次", 210, "全年", "2022-12-31", "sum"),
    ("4.1.3", "新增公办学位", "count", "个", 3000, "全年", "2022-12-31", "sum"),
    ("5.1.1", "政府采购百场戏", "count", "场", 300, "全年（未写明期限，按年底计）", "2022-12-31", "sum"),
    ("6.1.1", "发放拖欠群众的过渡安置费", "amount", "万元", 1177, "4月月底前", "2022-04-30", "sum"),
    ("6.1.2", "过渡安置费发放涉及群众", "count", "户", 248, "4月月底前", "2022-04-30", "sum"),
    ("6.1.3", "已竣工安置房交付入住", "count", "户", 383, "6月月底前", "2022-06-30", "sum"),
    ("6.1.4", "已开工未建成安置房制定安置计划", "milestone", "", None, "9月月底前", "2022-09-30", "lead"),
    ("6.1.5", "房屋征收安置全部安置到位", "milestone", "", None, "三年内", "2024-12-31", "lead"),
    ("6.2.2", "不动产登记历史遗留问题全部解决", "milestone", "", None, "三年内", "2024-12-31", "lead"),
    (
        "7.1.4",
        "智慧养老服务平台老年人入网人数",
        "count",
        "人",
        200000,
        "全年（未写明期限，按年底计）",
        "2022-12-31",
        "sum",
    ),
    (
        "8.1.1",
        "普通门诊和5种门诊慢特病异地就医直接结算县（市、区）覆盖率",
        "rate",
        "%",
        100,
        "全年（未写明期限，按年底计）",
        "2022-12-31",
        "lead",
    ),
    ("8.2.2", "分厅上线事项数量", "count", "个", 200, "年底前", "2022-12-31", "lead"),
    ("8.3.1", "电子社保卡签发量", "count", "张", 1300000, "年底前", "2022-12-31", "sum"),
    ("9.1.1", "新增脱贫人口小额信贷", "amount", "亿元", 6, "全年", "2022-12-31", "sum"),
    ("9.1.2", "总贷款余额户贷率", "rate", "%", 30, "全年", "2022-12-31", "rate"),
    ("10.2.1", "新（改）建农村公路", "count", "公里", 200, "全年", "2022-12-31", "sum"),
    ("10.3.1", "设立村级寄递物流综合服务站的行政村比例", "rate", "%", 60, "年底前", "2022-12-31", "rate"),
    ("10.3.2", "设立村级寄递物流综合服务站的行政村", "count", "个", 734, "年底前", "2022-12-31", "sum"),
    ("10.4.2", "新建改造10千伏及以下线路", "count", "千米", 150, "全年", "2022-12-31", "lead"),
]


@pytest.mark.parametrize("code,name,kind,unit,target,deadline_text,deadline,aggregation", EXPECTED)
def test_explicit_indicator(data, code, name, kind, unit, target, deadline_text, deadline, aggregation):
    ind = by_code(data)[code]
    assert ind["name"] == name
    assert ind["kind"] == kind
    assert ind["unit"] == unit
    assert ind["target"] == target
    assert ind["deadline_text"] == deadline_text
    assert ind["deadline"] == deadline
    assert ind["aggregation"] == aggregation
    assert ind["direction"] == "at_least"


def test_explicit_extras(data):
    codes = by_code(data)
    assert codes["1.1.3"]["parent"] == "1.1.2"
    assert [i["code"] for i in indicators(data) if i["parent"]] == ["1.1.3"]
    assert {c: codes[c]["stock_target"] for c in ("7.1.1", "7.1.2", "7.1.3")} == {
        "7.1.1": 12,
        "7.1.2": 600,
        "7.1.3": 167,
    }
    assert codes["2.7.1"]["stages"] == [
        {"label": "前期准备", "percent": 30},
        {"label": "完成招标", "percent": 60},
        {"label": "开工建设", "percent": 100},
    ]
    level = {"8.1.1", "8.2.1", "8.2.3", "8.2.4", "8.3.3", "8.3.4"}
    for ind in indicators(data):
        if ind["kind"] == "rate":
            assert ind["unit"] == "%"
            assert ind["rate_basis"] == ("level" if ind["code"] in level else "ratio"), ind["code"]
            if ind["rate_basis"] == "ratio":
                assert ind["aggregation"] == "rate", ind["code"]
        else:
            assert "rate_basis" not in ind
        assert "allocations" not in ind
        assert ind["direction"] == "at_least"


def test_explicit_reporting_units(data):
    codes = by_code(data)
    assert codes["1.1.1"]["reporting_units"] == COUNTIES
    assert codes["2.3.1"]["reporting_units"] == ["市住房城乡建设局"]
    assert codes["2.3.4"]["reporting_units"] == ["市住房城乡建设局", "义马市政府", "渑池县政府"]
    assert codes["4.1.1"]["reporting_units"] == [
        "渑池县政府",
        "湖滨区政府",
        "陕州区政府",
        "灵宝市政府",
        "卢氏县政府",
        "城乡一体化示范区管委会",
    ]
    assert codes["6.2.1"]["reporting_units"] == ["市自然资源规划局"]
    assert codes["8.2.1"]["reporting_units"] == ["市政务和大数据局"]
    assert codes["10.1.1"]["reporting_units"] == ["渑池县政府", "陕州区政府", "灵宝市政府"]
    assert codes["10.4.1"]["reporting_units"] == ["三门峡供电公司"]


# --- units -----------------------------------------------------------------


def test_task_1_1_units(data):
    task = task_of(data, 1, 1)
    assert task["lead_units"] == ["市人力资源社会保障局", *COUNTIES]
    coop = task["cooperating_units"]
    assert len(coop) == 37
    assert coop[0] == "市委组织部"
    assert coop[-2:] == ["三门峡职业技术学院", "三门峡社会管理学院"]
    # the line wrap inside "市总工会" is joined
    assert "市总工会" in coop
    assert "市总工会" in task["cooperating_units_text"]


def test_task_2_units(data):
    assert task_of(data, 2, 1)["lead_units"] == ["市住房城乡建设局", *COUNTIES]
    assert task_of(data, 2, 1)["lead_units_text"].startswith("市住房城乡建设局（市百城办）")
    t23 = task_of(data, 2, 3)
    assert t23["lead_units"] == ["市住房城乡建设局", "义马市政府", "渑池县政府"]
    assert t23["cooperating_units"] == [
        "市发展改革委",
        "市自然资源规划局",
        "三联热力公司",
        "法电供热公司",
        "中裕燃气公司",
        "湖滨区政府",
    ]
    assert t23["cooperating_units"][-1] == "湖滨区政府"
    assert task_of(data, 2, 5)["lead_units"] == ["市住房城乡建设局"]
    assert task_of(data, 2, 7)["cooperating_units"][-1] == "市商务中心区建设指挥部办公室"


def test_task_4_and_10_units(data):
    assert task_of(data, 4, 1)["lead_units"] == [
        "市教育局",
        "渑池县政府",
        "湖滨区政府",
        "陕州区政府",
        "灵宝市政府",
        "卢氏县政府",
        "城乡一体化示范区管委会",
    ]
    assert task_of(data, 4, 2)["lead_units"] == ["市教育局", "市城建集团", "市文旅集团"]
    assert task_of(data, 10, 1)["lead_units"] == ["市交通运输局", "渑池县政府", "陕州区政府", "灵宝市政府"]
    assert task_of(data, 10, 4)["lead_units"] == ["三门峡供电公司", *COUNTIES]
    assert task_of(data, 9, 1)["cooperating_units"][-1] == "各金融机构"


def test_unit_lists_match_texts(data):
    """Each list is the text split on 、/，, 各县（市、区）政府 expanded, （市百城办） dropped."""
    for _, task in tasks(data):
        for key in ("lead_units", "cooperating_units"):
            raw = task[key + "_text"].rstrip("。").replace("（市百城办）", "")
            expected = []
            for part in re.split(r"[，、]", raw.replace("各县（市、区）政府", "@")):
                expected.extend(COUNTIES if part == "@" else [part])
            assert task[key] == expected, (task["text"][:20], key)


def test_units_listed_once(data):
    names = [u["name"] for u in data["units"]]
    assert len(names) == len(set(names))
    used = set()
    for _, task in tasks(data):
        used.update(task["lead_units"], task["cooperating_units"])
        for ind in task["indicators"]:
            used.update(ind["reporting_units"])
    assert used == set(names)
    assert "市百城办" not in names
    assert "各县（市、区）政府" not in names


def test_unit_kinds(data):
    kinds = {u["name"]: u["kind"] for u in data["units"]}
    assert set(kinds.values()) <= {"department", "county", "committee", "company", "party_mass", "other"}
    assert [u["name"] for u in data["units"] if u["kind"] == "county"] == COUNTIES
    assert {n for n, k in kinds.items() if k == "committee"} == {
        "城乡一体化示范区管委会",
        "市旧城改造指挥部办公室",
        "市商务中心区建设指挥部办公室",
    }
    assert {n for n, k in kinds.items() if k == "party_mass"} == {
        "市委组织部",
        "市委宣传部",
        "市委编办",
        "市委政法委",
        "市总工会",
        "团市委",
        "市妇联",
        "市残联",
    }
    assert {n for n, k in kinds.items() if k == "other"} == {
        "人行三门峡市中心支行",
        "三门峡银保监分局",
        "三门峡职业技术学院",
        "三门峡社会管理学院",
        "各金融机构",
    }
    assert {n for n, k in kinds.items() if k == "company"} == {
        "三门峡供电公司",
        "河南有线三门峡分公司",
        "移动三门峡分公司",
        "联通三门峡分公司",
        "电信三门峡分公司",
        "铁塔三门峡市分公司",
        "市城建集团",
        "市文旅集团",
        "中裕燃气公司",
        "三联热力公司",
        "法电供热公司",
        "市邮政公司",
    }
    for name in ("市税务局", "市通管办", "市公路事业发展中心", "市供销社", "市医保局", "市金融局"):
        assert kinds[name] == "department", name


def test_reporting_units_are_lead_units(data):
    for _, task in tasks(data):
        for ind in task["indicators"]:
            assert ind["reporting_units"], ind["code"]
            assert len(ind["reporting_units"]) == len(set(ind["reporting_units"]))
            for unit in ind["reporting_units"]:
                assert unit in task["lead_units"], (ind["code"], unit)
            if ind["aggregation"] == "lead":
                assert len(ind["reporting_units"]) == 1, ind["code"]
