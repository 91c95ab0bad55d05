"""The dashboard pages as each role sees them: figures, narratives, history, charts and access."""

import json
import re
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from projects.models import Evidence, Indicator, Project, Role, Task, Unit
from projects.selectors import dashboards as sel
from tests.dashboards.conftest import JUNE, NOW, make_user, report

pytestmark = pytest.mark.django_db


def page(client, user, url, **params):
    client.force_login(user)
    return client.get(url, params)


def test_home_is_the_overview_for_the_office_and_leaders(client, office, leader, plan_2022):
    report("1.1.1", "湖滨区政府", JUNE, value=Decimal(30000))
    with time_machine.travel(NOW):
        response = page(client, office, reverse("home"))
    assert response.status_code == 200
    assert response.templates[0].name == "dashboards/overview.html"
    assert response.context["month"] == JUNE  # the latest month that has ended on 10 July
    data = sel.overview(plan=plan_2022, month=JUNE)
    html = response.content.decode()
    assert f'id="overall-completion">{data.overall.completion:.2f}%<' in html
    assert f'id="reporting-rate">{data.reporting.rate:.2f}%<' in html
    with time_machine.travel(NOW):
        html = page(client, leader, reverse("home")).content.decode()
    # The leader's two projects come first, under their own heading.
    assert html.index("我分管的民生实事") < html.index('data-project="6"') < html.index('data-project="10"')
    assert html.index('data-project="10"') < html.index("其他民生实事") < html.index('data-project="1"')


def test_a_unit_user_lands_on_its_reporting_month_which_leads_to_its_own_unit(client, county_user):
    client.force_login(county_user)
    response = client.get(reverse("home"), follow=True)
    assert response.redirect_chain[0][0] == reverse("report_index")
    assert response.status_code == 200 and response.context["unit"] == county_user.unit
    assert reverse("unit_detail", args=[county_user.unit_id]) in response.content.decode()


def test_an_account_without_a_unit_is_told_whom_to_ask(client, plan_2022):
    client.force_login(make_user("no-unit", Role.UNIT))
    assert "请联系市政府督查室" in client.get(reverse("home")).content.decode()


def test_month_and_plan_selectors(client, office, plan_2022):
    url = reverse("overview")
    assert page(client, office, url, month="2022-03").context["month"] == date(2022, 3, 1)
    with time_machine.travel(NOW):
        # Not a month of the plan, or not a month at all: the default.
        assert page(client, office, url, month="2025-03").context["month"] == JUNE
        assert page(client, office, url, month="junk").context["month"] == JUNE
        assert page(client, office, url, plan="999999").context["plan"] == plan_2022
    html = page(client, office, url, month="2022-03").content.decode()
    assert '<option value="2022-03" selected>' in html


def test_the_overview_counts_and_links(client, office, plan_2022):
    html = page(client, office, reverse("overview"), month="2022-06").content.decode()
    data = sel.overview(plan=plan_2022, month=JUNE)
    assert f'id="city-red">{data.overall.red}<' in html
    assert f'id="unit-overdue">{data.unit_items.overdue}<' in html
    for name in ("county_view", "lagging_list", "overdue_list", "missing_list"):
        assert reverse(name) in html
    assert reverse("bulletin_download", args=["docx"]) in html
    assert reverse("bulletin_download", args=["xlsx"]) in html


def test_project_page_shows_figures_allocations_narratives_evidence_and_history(client, office, plan_2022):
    sub = report(
        "2.1.1",
        "湖滨区政府",
        JUNE,
        value=Decimal(1234),
        progress_text="已开工 12 个小区",
        problems_text="资金到位慢",
        next_steps_text="7 月底前全部开工",
    )
    Evidence.objects.create(
        submission=sub,
        file="evidence/2022-06/ab/abc",
        original_name="开工现场.jpg",
        content_type="image/jpeg",
        size=10,
        sha256="ab" * 32,
        uploaded_by=office,
    )
    sub.value = Decimal(1500)
    sub.save()  # a correction: the history shows both
    project = Project.objects.get(plan=plan_2022, number=2)
    html = page(client, office, reverse("project_detail", args=[project.pk]), month="2022-06").content.decode()
    for text in ("已开工 12 个小区", "资金到位慢", "7 月底前全部开工", "开工现场.jpg", "1,234", "1,500"):
        assert text in html
    # Task texts, verbatim, lead to the task pages.
    first_task = project.tasks.order_by("number").first()
    assert reverse("task_detail", args=[first_task.pk]) in html
    assert "修改" in html and "新建" in html


def test_allocations_show_beside_the_figures(client, office, plan_2022):
    from projects.services.catalogue import allocations_set

    indicator = Indicator.objects.get(code="10.1.1")
    ids = dict(Unit.objects.values_list("name", "id"))
    allocations_set(
        indicator=indicator,
        targets={ids["渑池县政府"]: Decimal(10), ids["陕州区政府"]: Decimal(10), ids["灵宝市政府"]: Decimal(15)},
    )
    report("10.1.1", "渑池县政府", JUNE, value=Decimal(5))
    html = page(client, office, reverse("indicator_detail", args=[indicator.pk]), month="2022-06").content.decode()
    assert re.search(r"15\s*个", html)
    assert "50.00%" in html  # 5 of 10


def test_charts_are_json_data_blocks_drawn_by_a_static_script(client, office, plan_2022):
    report("2.1.1", "湖滨区政府", JUNE, value=Decimal(1234))
    task = Task.objects.get(project__plan=plan_2022, project__number=2, number=1)
    html = page(client, office, reverse("task_detail", args=[task.pk]), month="2022-06").content.decode()
    # No script runs inline: only sources and JSON data blocks.
    for attrs in re.findall(r"<script\b([^>]*)>", html):
        assert "src=" in attrs or 'type="application/json"' in attrs
    assert "/static/plotly/plotly.min.js" in html and "/static/js/tracker.js" in html
    block = re.search(r'<script id="curve-figure" type="application/json">(.*?)</script>', html, re.S).group(1)
    figure = json.loads(block)
    actual, expected = figure["data"]
    assert actual["name"] == "累计完成" and expected["name"] == "序时进度"
    assert len(actual["x"]) == 12
    assert actual["y"][5] == pytest.approx(1234 / 8885 * 100, abs=0.01)
    assert actual["y"][6] is None  # July is after the as-of month
    assert 'data-plotly-figure="curve-figure"' in html
    assert task.text in html  # the task's own sentence, verbatim


def test_indicator_page_draws_counts_in_their_own_unit(client, office, plan_2022):
    report("1.1.1", "湖滨区政府", JUNE, value=Decimal(30000))
    indicator = Indicator.objects.get(code="1.1.1")
    html = page(client, office, reverse("indicator_detail", args=[indicator.pk]), month="2022-06").content.decode()
    figure = json.loads(re.search(r'<script id="curve-figure" type="application/json">(.*?)</script>', html, re.S)[1])
    assert figure["data"][0]["y"][5] == 30000
    assert figure["data"][1]["y"][11] == 60000
    assert figure["layout"]["yaxis"]["ticksuffix"] == " 人次"


def test_county_view_heat_map_and_ranking(client, office, plan_2022):
    report("3.1.3", "渑池县政府", JUNE, numerator=Decimal(30), denominator=Decimal(100))
    response = page(client, office, reverse("county_view"), month="2022-06")
    html = response.content.decode()
    heat = response.context["heatmap"]
    units = [r.unit.name for r in heat.rows]
    assert "渑池县政府" in units and "湖滨区政府" in units
    column = [c.code for c in heat.columns].index("3.1.3")
    cell = heat.rows[units.index("渑池县政府")].cells[column]
    assert (cell.text, cell.light) == ("50", "green")  # 30 % against 60 %: on schedule
    # The columns say what they are: the code and the name, in the page itself, not on hover.
    table = html[html.index('id="heatmap-table"') :]
    name = Indicator.objects.get(code="3.1.3").name
    assert f'<span class="dash-heat-code">3.1.3</span><span class="dash-heat-name">{name[:11]}' in table
    assert '<th scope="row" class="dash-heat-unit">渑池县政府</th>' in table
    ranking = response.context["view"].ranking
    assert ranking[0].unit.name == "渑池县政府"
    assert html.index("渑池县政府") < html.index("湖滨区政府")
    other = page(client, office, reverse("county_view"), month="2022-06", group="other").context["view"]
    assert all(u.kind not in ("county", "committee") for u in other.units)


def test_unit_page_lists_what_it_owes(client, county_user, plan_2022):
    report("1.1.1", "湖滨区政府", date(2022, 3, 1), value=Decimal(100))
    response = page(client, county_user, reverse("unit_detail", args=[county_user.unit_id]), month="2022-06")
    assert response.status_code == 200
    html = response.content.decode()
    assert "1.1.1 技能培训" in html
    owes = response.context["owes"]
    assert len(owes) == county_user.unit.progress.filter(month=JUNE).count()
    # A unit user does not get links to the city's pages.
    assert reverse("indicator_detail", args=[Indicator.objects.get(code="1.1.1").pk]) not in html


# --- access ----------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client, plan_2022):
    for name, args in [("overview", []), ("county_view", []), ("lagging_list", []), ("unit_detail", [1])]:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_county_sees_its_own_page_and_nothing_else(client, county_user, plan_2022):
    client.force_login(county_user)
    other = Unit.objects.get(name="陕州区政府")
    project = Project.objects.get(plan=plan_2022, number=1)
    task = project.tasks.first()
    indicator = task.indicators.first()
    assert client.get(reverse("unit_detail", args=[county_user.unit_id])).status_code == 200
    for url in [
        reverse("overview"),
        reverse("unit_detail", args=[other.pk]),
        reverse("project_detail", args=[project.pk]),
        reverse("task_detail", args=[task.pk]),  # it reports 1.1, but does not lead its review
        reverse("indicator_detail", args=[indicator.pk]),
        reverse("county_view"),
        reverse("lagging_list"),
        reverse("overdue_list"),
        reverse("missing_list") + "?_export=csv",
        reverse("bulletin_download", args=["docx"]),
    ]:
        assert client.get(url).status_code == 404, url


def test_a_lead_department_sees_the_tasks_it_leads(client, department_user, plan_2022):
    client.force_login(department_user)
    led = Task.objects.get(project__plan=plan_2022, project__number=2, number=1)  # 老旧小区: 市住房城乡建设局
    not_led = Task.objects.get(project__plan=plan_2022, project__number=1, number=1)
    assert client.get(reverse("task_detail", args=[led.pk])).status_code == 200
    assert client.get(reverse("indicator_detail", args=[led.indicators.first().pk])).status_code == 200
    assert client.get(reverse("task_detail", args=[not_led.pk])).status_code == 404
    assert client.get(reverse("project_detail", args=[led.project_id])).status_code == 404


def test_unknown_objects_are_404(client, office):
    client.force_login(office)
    for name in ("project_detail", "task_detail", "indicator_detail", "unit_detail"):
        assert client.get(reverse(name, args=[999999])).status_code == 404
    assert client.get(reverse("bulletin_download", args=["pdf"])).status_code == 404


def test_pages_showing_demo_figures_say_so(client, office, plan_2022):
    pages = [reverse("overview"), reverse("county_view"), reverse("lagging_list"), reverse("alert_list")]
    for url in pages:
        assert "tracker-demo-banner" not in page(client, office, url, month="2022-06").content.decode()
    report("1.1.1", "湖滨区政府", JUNE, value=Decimal(100), is_demo=True)  # what seed_demo writes
    for url in pages:
        assert "tracker-demo-banner" in page(client, office, url, month="2022-06").content.decode(), url
    # The month before the first demo figure is real data only.
    assert "tracker-demo-banner" not in page(client, office, reverse("overview"), month="2022-05").content.decode()


def test_a_reviewer_sees_only_what_was_sent_in_a_tasks_history(client, office, department_user, plan_2022):
    """A county's draft is its own business: the lead department's task page does not list it in the
    change history, the office's does; once sent, the reviewer sees it."""
    from projects.models import SubmissionStatus

    draft = report("2.1.1", "湖滨区政府", JUNE, status=SubmissionStatus.DRAFT, value=Decimal(7777))
    task = Task.objects.get(project__plan=plan_2022, project__number=2, number=1)
    url = reverse("task_detail", args=[task.pk])

    def history(user) -> str:
        html = page(client, user, url, month="2022-06").content.decode()
        return html[html.index("dash-history") :]

    assert "7,777" not in history(department_user)
    assert "7,777" in history(office)
    draft.status = SubmissionStatus.SUBMITTED
    draft.save()
    sent = history(department_user)
    assert sent.count("7,777") == 1  # the sent state, not the draft before it
