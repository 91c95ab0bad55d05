"""Three plans in one year, walked as their users walk them (issue 14, "Done when").

2022 holds the livelihood plan (三政办〔2022〕6号), the targets and tasks of the government work
report and the 38 measures of 三政办〔2022〕16号, loaded from their fixtures as load_plan loads them.
Every page, command, template, the scan's JSON and the bulletin is read for each plan; each plan's
totals are the ones counted by hand from its fixture file below, and the livelihood plan reads
exactly the same with and without the two others loaded and filled with demo figures.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from dataclasses import asdict, dataclass
from urllib.parse import unquote

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from projects.models import Indicator, Plan, Project, Submission, Task, Unit
from projects.selectors import dashboards as sel
from projects.services import excel
from projects.services.bulletin import bulletin_docx_build
from tests.factories import OfficeUserFactory, unit_user
from tests.plan_helpers import load_fixture, run
from tests.portfolio import LIVELIHOOD_DOCUMENT, MEASURES_DOCUMENT, WORK_REPORT_DOCUMENT

pytestmark = pytest.mark.django_db

# Ten days into July: June is reported (due on the 5th; the work report's on the 20th).
NOW = dt.datetime(2022, 7, 10, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
AS_OF = "2022-07-10"
JUNE = dt.date(2022, 6, 1)


@dataclass(frozen=True)
class Counted:
    """A plan's figures counted by hand in its fixture file."""

    kind: str
    kind_label: str  # the kind's name on pages, the bulletin and the template
    projects: int
    tasks: int
    indicators: int
    measured_projects: int  # projects with at least one indicator that is not qualitative
    hubin_june: int  # indicators 湖滨区政府 reports for June 2022


HAND = {
    # 10 projects, 25 tasks, 64 indicators, all with figures; 湖滨区政府 reports 35 of them in June.
    LIVELIHOOD_DOCUMENT: Counted("livelihood", "重点民生实事", 10, 25, 64, 10, 35),
    # The 16 expected targets (project 1, 13 of them with a figure) and 37 tasks in nine parts, one
    # item each; 湖滨区政府 reports 7.3.1 only (the tasks of the counties' governments).
    WORK_REPORT_DOCUMENT: Counted("work_report", "政府工作报告目标任务", 10, 53, 53, 1, 1),
    # Seven parts, 38 measures (45 indicators: 41 qualitative, the figures in parts 2, 5 and 6);
    # 湖滨区政府 is named in 26 of them, all followed from June (the plan is of 5 June).
    MEASURES_DOCUMENT: Counted("measures", "专项工作措施", 7, 38, 45, 3, 26),
}


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def office(plan_2022):
    return OfficeUserFactory(username="duchashi")


def load_others() -> dict[str, Plan]:
    load_fixture(WORK_REPORT_DOCUMENT)
    load_fixture(MEASURES_DOCUMENT)
    return {p.document: p for p in Plan.objects.all()}


def seed(document: str) -> None:
    _out, err, failed = run("seed_demo", "--as-of", AS_OF, "--document", document)
    assert failed is None, err


def docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    parts += ["\t".join(c.text for c in row.cells) for t in doc.tables for row in t.rows]
    return "\n".join(parts)


def command_json(*args: str) -> list[dict]:
    out, err, failed = run(*args)
    assert failed is None, err
    return json.loads(out)


def observe(plan: Plan) -> dict:
    """What the office, the commands and the bulletin say about a plan at the end of June."""
    overview = sel.overview(plan=plan, month=JUNE)
    hubin = Unit.objects.get(name="湖滨区政府")
    return {
        "overall": asdict(overview.overall),
        "projects": [(r.project.number, r.project.title, asdict(r.standing)) for r in overview.projects],
        "reporting": asdict(overview.reporting),
        "scan": command_json("scan", "--as-of", AS_OF, "--document", plan.document, "--json", "--no-send"),
        "figures": command_json("export_figures", "2022", "--month", "2022-06", "--document", plan.document),
        "plan_file": command_json("export_plan", "2022", "--document", plan.document, "--format", "json"),
        "bulletin": docx_text(bulletin_docx_build(plan=plan, month=JUNE)),
        "template": _template_rows(excel.template_build(unit=hubin, month=JUNE, plan=plan)),
    }


def _template_rows(data: bytes) -> list[tuple]:
    ws = load_workbook(io.BytesIO(data))[excel.MAIN_SHEET]
    return [r for r in ws.iter_rows(min_row=excel.HEADER_ROW + 1, values_only=True)]


def without_ids(rows: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if k != "id"} for r in rows]


def test_the_livelihood_plan_reads_the_same_with_and_without_the_two_other_plans(clock, plan_2022):
    seed(LIVELIHOOD_DOCUMENT)
    alone = observe(plan_2022)
    assert len(alone["projects"]) == 10 and alone["scan"] and alone["figures"]
    assert len(alone["template"]) == 35

    plans = load_others()
    seed(WORK_REPORT_DOCUMENT)
    seed(MEASURES_DOCUMENT)
    assert Submission.objects.filter(indicator__task__project__plan=plans[MEASURES_DOCUMENT]).exists()
    beside = observe(plan_2022)

    for key in ("overall", "projects", "reporting", "figures", "plan_file", "bulletin", "template"):
        assert beside[key] == alone[key], key
    assert without_ids(beside["scan"]) == without_ids(alone["scan"])
    assert {r["plan_document"] for r in beside["scan"]} == {LIVELIHOOD_DOCUMENT}


@pytest.fixture
def portfolio(clock, plan_2022) -> dict[str, Plan]:
    plans = load_others()
    for document in plans:
        seed(document)
    return plans


def test_each_plans_catalogue_commands_and_bulletin_count_only_its_own(portfolio):
    every_scan = command_json("scan", "--as-of", AS_OF, "--json", "--no-send")
    titles = {d: set(Project.objects.filter(plan=p).values_list("title", flat=True)) for d, p in portfolio.items()}
    for document, plan in portfolio.items():
        hand = HAND[document]
        assert plan.kind == hand.kind
        assert Project.objects.filter(plan=plan).count() == hand.projects
        assert Task.objects.filter(project__plan=plan).count() == hand.tasks
        assert Indicator.objects.filter(task__project__plan=plan).count() == hand.indicators
        seen = observe(plan)

        overall = seen["overall"]
        assert (overall["groups"], overall["groups_measured"]) == (hand.projects, hand.measured_projects), document
        assert len(seen["projects"]) == hand.projects
        assert len(seen["plan_file"]["projects"]) == hand.projects
        assert sum(len(p["tasks"]) for p in seen["plan_file"]["projects"]) == hand.tasks

        # The alerts JSON: every row names this plan (each plan has open alerts by 10 July); the scan of all plans is the three put together.
        assert {(r["plan_id"], r["plan_document"], r["plan_kind"]) for r in seen["scan"]} == {
            (plan.pk, document, hand.kind)
        }
        assert [r for r in every_scan if r["plan_id"] == plan.pk] == seen["scan"]
        names = set(Indicator.objects.filter(task__project__plan=plan).values_list("name", flat=True))
        assert {r["indicator"] for r in seen["figures"]} <= names
        assert (
            len(seen["figures"]) == Submission.objects.filter(indicator__task__project__plan=plan, month=JUNE).count()
        )

        # The bulletin names its own kind and lists its own projects, none of another plan's.
        text = seen["bulletin"]
        assert f"2022年{hand.kind_label}工作进展情况通报" in text, document
        # Its mean is of the items measured, as the overview says (the work report: project 1 only).
        if hand.measured_projects < hand.projects:
            assert f"中有计量指标的{hand.measured_projects}项总体完成率" in text, document
        else:
            assert f"底，{hand.projects}项民生实事总体完成率" in text
        assert all(title in text for title in titles[document])
        others = set().union(*(t for d, t in titles.items() if d != document)) - titles[document]
        assert not [t for t in others if t in text], document

        # The template: the unit's rows of this plan, each code once, the plan named on top.
        rows = seen["template"]
        assert len(rows) == hand.hubin_june == len({r[0] for r in rows})
        assert {r[0] for r in rows} <= set(
            Indicator.objects.filter(task__project__plan=plan).values_list("code", flat=True)
        )

        out, _err, failed = run("rebuild_progress", "--year", "2022", "--document", document)
        assert failed is None and len(out.splitlines()) == 1 and document in out
    assert len(every_scan) == sum(
        len(command_json("scan", "--as-of", AS_OF, "--document", d, "--json", "--no-send")) for d in portfolio
    )


def _h1(html: str) -> str:
    return re.sub(r"<[^>]+>", "", re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1)).strip()


def test_every_page_of_each_plan_opens_and_names_its_plan(client, portfolio, office):
    client.force_login(office)
    home = client.get("/").content.decode()
    assert all(p.document in home for p in portfolio.values())
    plan_list = client.get(reverse("plan_list")).content.decode()
    assert all(p.title in plan_list for p in portfolio.values())
    hubin = Unit.objects.get(name="湖滨区政府")
    for document, plan in portfolio.items():
        hand = HAND[document]
        query = {"plan": plan.pk, "month": "2022-06"}
        overview = client.get(reverse("overview"), query).content.decode()
        assert _h1(overview) == f"{hand.kind_label}总览"
        measured = overview.split('id="overall-measured"')[1].split("</div>")[0]
        if hand.measured_projects == hand.projects:
            assert f"{hand.projects} 项" in measured and "的平均" in measured
        else:
            assert f"{hand.projects} 项中有计量指标的 {hand.measured_projects} 项的平均" in measured
        pages = [
            reverse("plan_detail", args=[plan.pk]),
            reverse("county_view") + f"?plan={plan.pk}&month=2022-06",
            reverse("unit_detail", args=[hubin.pk]) + f"?plan={plan.pk}&month=2022-06",
            *(reverse(name) + f"?plan={plan.pk}&month=2022-06" for name in
              ("lagging_list", "overdue_list", "missing_list", "alert_list")),
            *(reverse("project_detail", args=[p.pk]) + "?month=2022-06" for p in Project.objects.filter(plan=plan)),
        ]  # fmt: skip
        task = Task.objects.filter(project__plan=plan).order_by("project__number", "number").first()
        indicator = Indicator.objects.filter(task=task).first()
        pages += [reverse("task_detail", args=[task.pk]), reverse("indicator_detail", args=[indicator.pk])]
        for url in pages:
            response = client.get(url)
            assert response.status_code == 200, url
        for fmt in ("docx", "xlsx"):
            response = client.get(reverse("bulletin_download", args=[fmt]), query)
            assert response.status_code == 200
            filename = unquote(response["Content-Disposition"].split("filename*=utf-8''")[1])
            assert filename == f"2022年{hand.kind_label}进展通报（截至2022年6月底）.{fmt}"
        word = b"".join(client.get(reverse("bulletin_download", args=["docx"]), query).streaming_content)
        assert f"2022年{hand.kind_label}工作进展情况通报" in docx_text(word)


def test_a_county_walks_its_month_and_each_plans_template_round_trip(client, portfolio):
    hubin = unit_user("湖滨区政府", username="hubin")
    client.force_login(hubin)
    month = client.get(reverse("report_month", args=[JUNE])).content.decode()
    groups = re.findall(r'<th scope="rowgroup"[^>]*>(.*?)</th>', month)
    assert [g.split(" · ")[0] for g in groups] == [HAND[d].kind_label for d in
                                                   (LIVELIHOOD_DOCUMENT, WORK_REPORT_DOCUMENT, MEASURES_DOCUMENT)]  # fmt: skip
    assert f"共 {sum(h.hubin_june for h in HAND.values())} 项指标" in month
    before = list(Submission.objects.order_by("pk").values())
    for document, plan in portfolio.items():
        response = client.get(reverse("report_template", args=[JUNE]), {"plan": plan.pk})
        assert response.status_code == 200
        assert len(_template_rows(response.content)) == HAND[document].hubin_june
        # Downloaded and sent back untouched (demo drafts and sent figures inside): nothing changes.
        page = client.post(
            reverse("report_import", args=[JUNE]), {"file": SimpleUploadedFile("t.xlsx", response.content)}, follow=True
        ).content.decode()
        assert "文件中没有新的数据" in page and "import-errors" not in page, document
    assert list(Submission.objects.order_by("pk").values()) == before


def _cell(row: str, css: str) -> str:
    """The text of the element of class ``css`` in ``row`` (it holds no element of its own kind)."""
    found = re.search(rf'<(\w+) class="[^"]*\b{css}\b[^"]*">(.*?)</\1>', row, re.S)
    return re.sub(r"<[^>]+>", "", found.group(2)).strip()


def test_the_office_lands_on_the_years_three_plans_side_by_side_each_as_its_overview_says(
    client, portfolio, office
):
    client.force_login(office)
    home = client.get("/").content.decode()
    table = home.split('id="portfolio"', 1)[1].split("</table>", 1)[0]
    assert "2022年度方案（3 个）" in table
    rows = {int(m.group(1)): m.group(2) for m in re.finditer(r'<tr data-plan="(\d+)"[^>]*>(.*?)</tr>', table, re.S)}
    assert set(rows) == {p.pk for p in portfolio.values()}
    # On 10 July the plans due on the 5th stand as of June, the work report (due on the 20th) as of May.
    as_of = {LIVELIHOOD_DOCUMENT: "2022-06-30", MEASURES_DOCUMENT: "2022-06-30", WORK_REPORT_DOCUMENT: "2022-05-31"}
    for document, plan in portfolio.items():
        row = rows[plan.pk]
        assert HAND[document].kind_label in row and f"{plan.title}（{plan.document}）" in row
        assert as_of[document] in row
        # The same figures as the plan's own overview, opened from the row's link.
        link = re.search(r'href="([^"]+)"', row).group(1).replace("&amp;", "&")
        own = client.get(link).content.decode()
        assert f"截至 {as_of[document]}" in own and 'id="portfolio"' not in own
        completion = re.search(r'id="overall-completion">([^<]+)<', own).group(1)
        counts = "/".join(re.search(rf'id="city-{c}">(\d+)<', own).group(1) for c in ("red", "yellow", "overdue"))
        rate = re.search(r'id="reporting-rate">([^<]+)<', own).group(1)
        assert _cell(row, "portfolio-counts") == counts and _cell(row, "portfolio-reporting") == rate
        if "portfolio-completion" in row:
            assert _cell(row, "portfolio-completion") == completion


def test_a_year_of_one_plan_lands_on_its_overview_alone(client, clock, plan_2022, office):
    client.force_login(office)
    home = client.get("/").content.decode()
    assert 'id="portfolio"' not in home and 'id="overall-completion"' in home
