"""``manage.py scan --as-of YYYY-MM-DD --json``: the alerts that the rules predict, in the shape
other systems rely on (a contract)."""

import json
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from projects import rules
from projects.models import Indicator, Message

from .conftest import ROADS, report

pytestmark = pytest.mark.django_db

KEYS = {"kind", "severity", "project", "task", "indicator", "unit", "month", "expected", "actual"}
SEP30 = date(2022, 9, 30)
SEPTEMBER = date(2022, 9, 1)
# September's figures were due on 5 October: from the 6th the scan judges September.
OCT6 = "2022-10-06"


def scan_json(as_of: str = OCT6, *extra: str) -> list[dict]:
    out = StringIO()
    call_command("scan", "--as-of", as_of, "--json", *extra, stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture
def figures(roads, people):
    """A few units at work by the end of September 2022, some ahead, some behind."""
    report(ROADS, "渑池县政府", SEPTEMBER, value=2)
    report(ROADS, "陕州区政府", SEPTEMBER, value=6)
    report(ROADS, "灵宝市政府", SEPTEMBER, value=12)
    for unit in ("湖滨区政府", "陕州区政府", "灵宝市政府"):
        report("1.1.1", unit, SEPTEMBER, value=10000)
    report("6.1.1", "湖滨区政府", date(2022, 4, 1), value=1177)
    report("6.1.2", "湖滨区政府", date(2022, 4, 1), value=120)
    report("6.1.2", "义马市政府", date(2022, 4, 1), value=80)
    report("2.5.1", "市住房城乡建设局", SEPTEMBER, stage=3)
    report("8.2.1", "市政务和大数据局", SEPTEMBER, value=60)
    report("3.1.3", "湖滨区政府", SEPTEMBER, numerator=90, denominator=100)
    report("3.1.3", "卢氏县政府", SEPTEMBER, numerator=10, denominator=100)


def predicted(code: str, target: Decimal | None = None, **figures) -> tuple[str, str, float, float] | None:
    """What the rules say of a figure as of 30 September: (kind, severity, expected, actual) or None."""
    indicator = Indicator.objects.select_related("task__project__plan").get(code=code)
    plan = indicator.task.project.plan
    a = rules.assess(
        kind=indicator.kind, direction=indicator.direction, target=indicator.target if target is None else target,
        start=plan.start, deadline=indicator.deadline, as_of=SEP30, **figures,
    )  # fmt: skip
    if a.overdue:
        return ("overdue", "red", float(a.expected), float(a.completion or 0))
    if a.light == rules.Light.GREEN:
        return None
    return ("lagging", a.light.value, float(a.expected), float(a.completion or 0))


def entry(rows: list[dict], name: str, unit: str, kinds=("lagging", "overdue")) -> tuple | None:
    found = [r for r in rows if r["indicator"] == name and r["unit"] == unit and r["kind"] in kinds]
    assert len(found) <= 1
    return (found[0]["kind"], found[0]["severity"], found[0]["expected"], found[0]["actual"]) if found else None


def test_the_json_lists_what_the_rules_predict(figures):
    rows = scan_json()
    d = Decimal
    roads = "新增农村客运班线公交化运行行政村"
    assert entry(rows, roads, "渑池县政府") == predicted(ROADS, d(10), value=d(2)) == ("lagging", "red", 75, 20)
    assert entry(rows, roads, "陕州区政府") == predicted(ROADS, d(10), value=d(6)) == ("lagging", "yellow", 75, 60)
    assert entry(rows, roads, "灵宝市政府") is predicted(ROADS, d(15), value=d(12)) is None
    # Unsplit city targets: judged on the sum, addressed to the lead department.
    assert entry(rows, "技能培训", "市人力资源社会保障局") == predicted("1.1.1", value=d(30000))
    assert entry(rows, "发放拖欠群众的过渡安置费", "市住房城乡建设局") is predicted("6.1.1", value=d(1177)) is None
    assert entry(rows, "过渡安置费发放涉及群众", "市住房城乡建设局") == predicted("6.1.2", value=d(200))
    assert predicted("6.1.2", value=d(200))[0] == "overdue"
    # A milestone, a lead-reported level, and rates from numerator and denominator.
    bridge = "大岭路与和平路交叉路口过街天桥"
    assert entry(rows, bridge, "市住房城乡建设局") == predicted("2.5.1", stage=3) == ("lagging", "yellow", 75, 60)
    assert entry(rows, "“豫事办”分厅注册用户普及率", "市政务和大数据局") is predicted("8.2.1", value=d(60)) is None
    screening = "孕早中期产前筛查率"
    assert entry(rows, screening, "湖滨区政府") is predicted("3.1.3", numerator=d(90), denominator=d(100)) is None
    assert entry(rows, screening, "卢氏县政府") == predicted("3.1.3", numerator=d(10), denominator=d(100))
    # And no unit is listed as lagging on a figure it has no target of its own for.
    assert not [
        r for r in rows if r["indicator"] == "技能培训" and r["unit"].endswith("区政府") and r["kind"] != "missing"
    ]


def test_the_json_shape_is_the_contract(figures):
    rows = scan_json()
    assert rows and all(set(row) == KEYS for row in rows)
    for row in rows:
        assert row["kind"] in {"lagging", "overdue", "missing"}
        assert row["severity"] in {"yellow", "red"}
        assert isinstance(row["project"], int) and isinstance(row["task"], int)
        assert isinstance(row["indicator"], str) and isinstance(row["unit"], str)
        assert len(row["month"]) == 7 and row["month"][4] == "-"
        assert isinstance(row["expected"], int | float) and not isinstance(row["expected"], bool)
        # null only for a missing report of a unit without a target of its own.
        assert isinstance(row["actual"], int | float) or (row["actual"] is None and row["kind"] == "missing")
    # Lagging items and missing reports are both of September, the reporting month on 6 October.
    assert {r["month"] for r in rows if r["kind"] != "missing"} == {"2022-09"}
    assert {r["month"] for r in rows if r["kind"] == "missing" and r["indicator"] == "技能培训"} == {"2022-09"}
    # The names are those of export_plan.
    out = StringIO()
    call_command("export_plan", "2022", stdout=out)
    plan = json.loads(out.getvalue())
    names = {
        (p["number"], t["number"], i["name"]) for p in plan["projects"] for t in p["tasks"] for i in t["indicators"]
    }
    assert {(r["project"], r["task"], r["indicator"]) for r in rows} <= names
    # In plan order.
    order = [(r["project"], r["task"]) for r in rows]
    assert order == sorted(order)


def test_the_scan_is_the_same_when_run_again(figures):
    first = scan_json()
    sent = len(mail.outbox)
    assert sent > 0
    assert scan_json() == first
    assert len(mail.outbox) == sent


def test_no_send_records_without_sending(figures):
    scan_json(OCT6, "--no-send")
    assert mail.outbox == []


def test_a_bad_date_is_refused_in_words():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("scan", "--as-of", "30/09/2022", stdout=StringIO())


def test_without_json_it_prints_a_summary(figures):
    out = StringIO()
    call_command("scan", "--as-of", OCT6, stdout=out)
    text = out.getvalue()
    assert text.startswith("截至 2022-10-06：新发预警")
    assert "新增农村客运班线公交化运行行政村 · 渑池县政府 · 2022-09 · 20% / 75%" in text


def test_a_leaders_inbox_leads_to_every_item_of_their_portfolio(figures, people, client):
    rows = scan_json()
    client.force_login(people.leader)
    page = client.get("/inbox/").content.decode()
    # One summary written for the leader, not the units' letters.
    assert page.count('class="card mb-2 tracker-message') == 1 and "【分管项目预警汇总】" in page
    assert "你单位承担的" not in page
    (summary,) = Message.objects.filter(recipient=people.leader)
    projects = {label.split("、")[0]: path for label, path in summary.links if "/dashboards/projects/" in path}
    assert list(projects) == ["二", "六", "十"]
    mine = [r for r in rows if r["project"] in (2, 6, 10) and r["kind"] != "missing"]
    assert mine
    # Each item is one click from the summary: its own link, or its project's page, which lists it.
    shown = {number: client.get(path).content.decode() for number, path in projects.items()}
    numbers = {2: "二", 6: "六", 10: "十"}
    for r in mine:
        linked = any(r["indicator"] in label and r["unit"] in label for label, _path in summary.links)
        assert linked or r["indicator"] in shown[numbers[r["project"]]], r
    assert not any("技能培训" in label for label, _path in summary.links)  # project 1 is not the leader's
