"""Check fixtures/plan_2022_measures.json against the gazette text of 三政办〔2022〕16号.

The file is in the format proposed for issue 14 (docs/plan-format.md), which the loader does not
accept yet: these tests read the JSON directly. Pure Python: no Django, no database.
"""

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

FIXTURE = FIXTURES / "plan_2022_measures.json"
EXTRACT = SOURCES / "measures-2022-16.txt"
READINGS = SOURCES / "measures-2022-16-readings.md"

TITLE = "三门峡市稳经济支持企业发展若干措施"
GROUP = "市政府有关部门"
NUMERALS = "一二三四五六七八九十"


def chinese(n):
    """1 → 一, 13 → 十三, 20 → 二十, 38 → 三十八 (the measures' own numbering)."""
    if n <= 10:
        return NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else NUMERALS[tens - 1]) + "十" + (NUMERALS[ones - 1] if ones else "")


@pytest.fixture(scope="module")
def data():
    return read_strict(FIXTURE)


@pytest.fixture(scope="module")
def seed():
    return normalise(GAZETTE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def measures_text(seed):
    """From the measures' title (after the notice) to the end of the gazette."""
    return seed[seed.index(TITLE + "为高效统筹") :]


def all_tasks(data):
    return [task for _, task in tasks(data)]


def by_code(data):
    return {ind["code"]: ind for ind in indicators(data)}


def test_numerals():
    assert [chinese(n) for n in (1, 10, 11, 19, 20, 21, 30, 38)] == [
        "一",
        "十",
        "十一",
        "十九",
        "二十",
        "二十一",
        "三十",
        "三十八",
    ]


# --- structure -------------------------------------------------------------


def test_extended_format_allows_everything_in_the_file(data):
    assert extension_problems(data) == []


def test_plan_header(data, seed):
    plan = data["plan"]
    assert data["format"] == 2
    assert plan["kind"] == "measures"
    assert (plan["year"], plan["document"], plan["title"]) == (2022, "三政办〔2022〕16号", TITLE)
    assert plan["issuing_body"] == "三门峡市人民政府办公室"
    assert (plan["issued_on"], plan["start"], plan["default_deadline"]) == ("2022-06-05", "2022-06-05", "2022-12-31")
    assert plan["due_day"] == 5
    assert plan["validity_text"] == "本措施自印发之日起执行，有效期至2022年12月31日"
    assert "三政办〔2022〕16号" in seed
    assert "三门峡市人民政府办公室2022年6月5日" + TITLE + "为高效统筹" in seed
    assert "第6号(总第195号)" in seed


def test_counts(data):
    assert [len(p["tasks"]) for p in data["projects"]] == [1, 9, 6, 1, 9, 3, 9]
    assert len(all_tasks(data)) == 38
    assert sum(1 for _ in indicators(data)) == 45
    assert len(data["units"]) == 42
    assert data["unit_groups"] == [{"name": GROUP, "members": []}]


def test_numbering_and_codes(data):
    assert [p["number"] for p in data["projects"]] == list(range(1, 8))
    for project, task in tasks(data):
        assert [t["number"] for t in project["tasks"]] == list(range(1, len(project["tasks"]) + 1))
        prefix = f"{project['number']}.{task['number']}."
        assert [i["code"] for i in task["indicators"]] == [
            prefix + str(n) for n in range(1, len(task["indicators"]) + 1)
        ]


# --- verbatim text ---------------------------------------------------------


def test_the_measures_are_the_text_piece_by_piece(data, measures_text):
    """Parts, numbers, texts and 责任单位 lines, in order, give the document back: nothing left out."""
    paren_open, paren_close = "[（(]", "[）)]"  # the gazette mixes full- and half-width brackets
    pattern = re.escape(TITLE) + "为高效统筹.*?制定如下措施。"
    number = 0
    for project in data["projects"]:
        pattern += re.escape(NUMERALS[project["number"] - 1] + "、" + project["title"])
        for task in project["tasks"]:
            number += 1
            pattern += paren_open + chinese(number) + paren_close + re.escape(task["text"])
            if "lead_units_text" in task:
                pattern += paren_open + re.escape("责任单位：" + task["lead_units_text"]) + paren_close
    pattern += re.escape(data["plan"]["validity_text"]) + "，已出台文件明确截止时间的，按照原文件执行。.*"
    assert re.fullmatch(pattern, measures_text)


def test_extract_is_the_gazette(data):
    lines = GAZETTE.read_text(encoding="utf-8").splitlines(keepends=True)
    extract = EXTRACT.read_text(encoding="utf-8")
    assert extract == "".join(lines[501:])
    text = normalise(extract)
    assert data["plan"]["validity_text"] in text
    for task in all_tasks(data):
        assert task["text"] in text


def test_no_extraction_spaces_left(data):
    texts = []
    for project, task in tasks(data):
        texts += [project["title"], task["text"], task.get("lead_units_text", ""), task.get("validity_text", "")]
        for ind in task["indicators"]:
            texts += [ind["name"], ind["source_text"], ind["deadline_text"]]
    assert [t for t in texts if re.search(r"\s", t)] == []


def test_each_measure_is_tracked_by_its_heading(data):
    for task in all_tasks(data):
        first = task["indicators"][0]
        heading = task["text"][: task["text"].index("。")]
        assert (first["name"], first["source_text"]) == (heading, heading)
        assert (first["kind"], first["aggregation"], first["frequency"]) == ("qualitative", "each", "monthly")
        assert first["reporting_units"] == task["lead_units"]
        for ind in task["indicators"]:
            assert ind["source_text"] in task["text"], ind["code"]


def test_deadlines_and_validity(data):
    for project, task in tasks(data):
        where = (project["number"], task["number"])
        for ind in task["indicators"]:
            expected = {
                "2.1.1": ("2024-12-31", "至2024年12月31日"),
                "5.1.2": ("2022-12-31", "本年度"),
                "5.1.3": ("2022-12-31", "本年度"),
                "7.6.2": ("2022-06-30", "2022年6月月底前"),
            }.get(ind["code"], ("2022-12-31", "有效期至2022年12月31日"))
            assert (ind["deadline"], ind["deadline_text"]) == expected, ind["code"]
            if ind["deadline_text"] != "有效期至2022年12月31日":
                assert ind["deadline_text"] in task["text"], ind["code"]
        validity = {key: task[key] for key in ("valid_from", "valid_until", "validity_text") if key in task}
        assert validity == {
            (2, 1): {
                "valid_from": "2022-01-01",
                "valid_until": "2024-12-31",
                "validity_text": "自2022年4月1日至2022年12月31日…自2022年1月1日至2024年12月31日",
            },
            (2, 3): {"valid_from": "2022-01-01", "validity_text": "自2022年起"},
        }.get(where, {}), where


# --- the figures, worked out by hand ---------------------------------------

FIGURES = [
    # code, kind, unit, target, direction, frequency, reporting units
    ("2.6.2", "growth", "%", -10, "at_most", "yearly", ["移动三门峡分公司"]),
    ("2.6.3", "growth", "%", -10, "at_most", "yearly", ["联通三门峡分公司"]),
    ("2.6.4", "growth", "%", -10, "at_most", "yearly", ["电信三门峡分公司"]),
    ("5.1.2", "rate", "%", 40, "at_least", "yearly", ["市财政局"]),
    ("5.1.3", "rate", "%", 60, "at_least", "yearly", ["市财政局"]),
    ("6.2.2", "amount", "万元", 520, "at_least", "monthly", ["市财政局"]),
]


@pytest.mark.parametrize("code,kind,unit,target,direction,frequency,reporters", FIGURES)
def test_figure(data, code, kind, unit, target, direction, frequency, reporters):
    ind = by_code(data)[code]
    assert (ind["kind"], ind["unit"], ind["target"], ind["direction"]) == (kind, unit, target, direction)
    assert (ind["frequency"], ind["reporting_units"], ind["aggregation"]) == (frequency, reporters, "lead")


def test_only_these_figures(data):
    measured = {i["code"] for i in indicators(data) if i["kind"] != "qualitative"}
    assert measured == {code for code, *_ in FIGURES}
    assert [i["code"] for i in indicators(data) if i["kind"] == "qualitative" and not i["code"].endswith(".1")] == [
        "7.6.2"
    ]
    assert {c: i["rate_basis"] for c, i in by_code(data).items() if i["kind"] == "rate"} == {
        "5.1.2": "ratio",
        "5.1.3": "ratio",
    }


def test_targets_findable_in_source_text(data):
    for ind in indicators(data):
        if ind["target"] is None:
            assert ind["kind"] == "qualitative", ind["code"]
            continue
        # a fall is written as a positive number after 降
        if ind["target"] < 0:
            assert "降" in ind["source_text"], ind["code"]
        assert round(abs(float(ind["target"])), 6) in numbers_in(ind["source_text"]), ind["code"]


# --- units -----------------------------------------------------------------

ABBREVIATED = {"市场监管局": "市市场监管局", "人行三门峡中心支行": "人行三门峡市中心支行"}


def expected_units(text):
    """The reading of a 责任单位 line (see the readings): 市 written once per list, groups and counties."""
    names = []
    for part in re.split(r"[，、]", text.replace("各县〔市、区〕政府", "@")):
        if part == "@":
            names += COUNTIES
        elif part in ("市政府各有关部门", "市政府有关部门"):
            names.append(GROUP)
        elif part in ABBREVIATED:
            names.append(ABBREVIATED[part])
        else:
            names.append(part if part.startswith(("市", "三门峡", "人行", "移动", "联通", "电信")) else "市" + part)
    return names


def test_unit_lists_match_texts(data):
    for task in all_tasks(data):
        assert task["cooperating_units"] == []
        if "lead_units_text" in task:
            assert task["lead_units"] == expected_units(task["lead_units_text"]), task["text"][:12]
    last = all_tasks(data)[-1]
    assert "lead_units_text" not in last
    assert last["lead_units"] == [GROUP, *COUNTIES]
    assert [t for t in all_tasks(data) if "lead_units_text" not in t] == [last]


def test_explicit_unit_lists(data):
    listed = all_tasks(data)
    assert listed[1]["lead_units"] == ["市税务局", "市科技局", "市财政局", *COUNTIES]
    assert listed[6]["lead_units"] == ["移动三门峡分公司", "联通三门峡分公司", "电信三门峡分公司"]
    assert listed[15]["lead_units"] == [
        "市发展改革委",
        "市市场监管局",
        "市法院",
        "人行三门峡市中心支行",
        GROUP,
        *COUNTIES,
    ]
    assert listed[34]["lead_units"][-7:] == ["人行三门峡市中心支行", *COUNTIES]
    assert len(listed[34]["lead_units"]) == 15 + 6


def test_units_are_shared_with_the_2022_plan_or_named_in_the_readings(data):
    old = {u["name"]: u["kind"] for u in read_strict(PLAN_2022)["units"]}
    new = new_units_in_readings(READINGS)
    assert new == {
        "市事管局": "department",
        "市公积金管理中心": "department",
        "市法院": "other",
        "市水利局": "department",
    }
    assert not set(new) & set(old)
    for unit in data["units"]:
        assert unit["kind"] == {**old, **new}[unit["name"]], unit["name"]
    names = [u["name"] for u in data["units"]]
    assert len(names) == len(set(names))
    used = {name for task in all_tasks(data) for name in task["lead_units"]}
    assert used - {GROUP} == set(names)


def test_readings_table_names_every_measure(data):
    rows = re.findall(
        r"^\| （([一二三四五六七八九十]+)） \| (\d+\.\d+) \| ([^|]+) \|", READINGS.read_text(encoding="utf-8"), re.M
    )
    expected = [
        (chinese(n), f"{p['number']}.{t['number']}", t["indicators"][0]["name"])
        for n, (p, t) in enumerate(tasks(data), start=1)
    ]
    assert [(label, code, name.strip()) for label, code, name in rows] == expected
