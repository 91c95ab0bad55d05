"""export_plan prints the contract shape, and every figure in it comes from the seed text."""

import json
import re
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.conftest import SEED_TEXT

pytestmark = pytest.mark.django_db


def export(year=2022):
    out = StringIO()
    call_command("export_plan", str(year), "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def test_contract_shape(plan_2022):
    data = export()
    # Fields are added to the contract, never removed: "kind" came with issue 14.
    assert list(data) == ["year", "document", "kind", "projects"]
    assert (data["year"], data["document"], data["kind"]) == (2022, "三政办〔2022〕6号", "livelihood")
    assert [p["number"] for p in data["projects"]] == list(range(1, 11))
    task = data["projects"][0]["tasks"][0]
    assert list(task) == ["number", "text", "lead_units", "cooperating_units", "indicators"]
    first = task["indicators"][0]
    assert first == {
        "name": "技能培训",
        "target": 60000,
        "unit": "人次",
        "kind": "count",
        "direction": "at_least",
        "deadline": "2022-12-31",
        "deadline_text": "全年",
        "parent": None,
        "reporting_units": ["湖滨区政府", "陕州区政府", "义马市政府", "灵宝市政府", "渑池县政府", "卢氏县政府"],
    }
    assert task["indicators"][2]["parent"] == "新增技能人才"
    loans = data["projects"][8]["tasks"][0]["indicators"][0]
    assert (loans["target"], loans["unit"]) == (6, "亿元")
    assert sum(len(t["indicators"]) for p in data["projects"] for t in p["tasks"]) == 64


def spellings(target: Decimal) -> set[str]:
    """How the gazette may write a number: 60000 as 60000 or 6万, 1300000 as 130万."""
    out = {format(target.normalize(), "f")}
    if target >= 10000:
        out.add(format((target / 10000).normalize(), "f") + "万")
    return out


def test_every_figure_is_in_the_seed(plan_2022):
    seed = re.sub(r"\s+", "", SEED_TEXT.read_text(encoding="utf-8"))
    plan_text = seed[seed.index("2022年三门峡市重点民生实事工作方案") :]
    words = {"一座": Decimal(1), "全覆盖": Decimal(100)}
    for project in export()["projects"]:
        assert project["title"] in plan_text
        for task in project["tasks"]:
            assert task["text"] in plan_text
            for ind in task["indicators"]:
                if ind["target"] is None:
                    continue
                target = Decimal(str(ind["target"]))
                found = any(s + ind["unit"] in task["text"] or s in task["text"] for s in spellings(target))
                found = found or any(w in task["text"] and v == target for w, v in words.items())
                assert found, (ind["name"], ind["target"], ind["unit"])


def test_unknown_year_is_a_clear_error(plan_2022):
    with pytest.raises(CommandError, match="没有 2031 年的方案"):
        export(2031)
