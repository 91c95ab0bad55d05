"""The alerts list: open alerts by default, filters, sorting, pagination, exports, and who sees what."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from projects.models import Alert, AlertKind, AlertScope, Project, Role, Severity, Unit
from projects.tables.dashboards import AlertTable
from tests.alerts.factories import AlertFactory
from tests.dashboards.conftest import make_user

pytestmark = pytest.mark.django_db

JUNE, SEPTEMBER = date(2022, 6, 1), date(2022, 9, 1)


@pytest.fixture
def alerts(plan_2022):
    now = timezone.now()
    return {
        "hubin_red": AlertFactory(code="1.1.1", unit_name="湖滨区政府", opened_at=now - timedelta(days=3)),
        "lushi_overdue": AlertFactory(
            code="2.2.1", unit_name="卢氏县政府", kind=AlertKind.OVERDUE, month=JUNE, opened_at=now - timedelta(days=2)
        ),
        "city_yellow": AlertFactory(
            code="2.3.1",
            unit_name="市住房城乡建设局",
            scope=AlertScope.CITY,
            severity=Severity.YELLOW,
            actual=55,
            opened_at=now - timedelta(days=1),
        ),
        "hubin_resolved": AlertFactory(
            code="6.1.1",
            unit_name="湖滨区政府",
            kind=AlertKind.MISSING,
            severity=Severity.YELLOW,
            actual=None,
            resolved_at=now,
        ),
    }


def listed(client, **params) -> list[Alert]:
    response = client.get(reverse("alert_list"), params)
    assert response.status_code == 200
    return [row.record for row in response.context["table"].rows]


def export(client, fmt, **params) -> list[list]:
    response = client.get(reverse("alert_list"), {**params, "_export": fmt})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    if fmt == "csv":
        return list(csv.reader(io.StringIO(response.content.decode("utf-8").lstrip("\ufeff"))))
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_open_alerts_of_every_month_by_default_red_first(client, office, alerts):
    client.force_login(office)
    rows = listed(client)
    assert [a.pk for a in rows] == [alerts[k].pk for k in ("hubin_red", "lushi_overdue", "city_yellow")]
    page = client.get(reverse("alert_list")).content.decode()
    table = page[page.index("<table") :]
    assert "红灯" in table and "黄灯" in table and "已解除" not in table
    assert "全市指标" in table  # the city alert says it is about the city's figure


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"unit": "湖滨区政府"}, ["hubin_red"]),
        ({"project": 2}, ["lushi_overdue", "city_yellow"]),
        ({"severity": "yellow"}, ["city_yellow"]),
        ({"kind": "overdue"}, ["lushi_overdue"]),
        ({"month": "2022-06"}, ["lushi_overdue"]),
        ({"status": "resolved"}, ["hubin_resolved"]),
        ({"status": "all", "unit": "湖滨区政府"}, ["hubin_red", "hubin_resolved"]),
    ],
)
def test_filters(client, office, alerts, plan_2022, params, expected):
    if "unit" in params:
        params["unit"] = Unit.objects.get(name=params["unit"]).pk
    if "project" in params:
        params["project"] = Project.objects.get(plan=plan_2022, number=params["project"]).pk
    client.force_login(office)
    assert {a.pk for a in listed(client, **params)} == {alerts[k].pk for k in expected}


def test_sorting_and_pagination_hold_every_alert_once(client, office, plan_2022):
    counties = ["湖滨区政府", "陕州区政府", "义马市政府", "灵宝市政府", "渑池县政府", "卢氏县政府"]
    for i, code in enumerate(["1.1.1", "1.1.2", "2.1.1", "2.2.1", "6.1.1", "6.1.3", "10.2.1", "10.3.2", "10.3.1"]):
        for name in counties:
            AlertFactory(code=code, unit_name=name, severity=Severity.RED if i % 2 else Severity.YELLOW)
    client.force_login(office)
    response = client.get(reverse("alert_list"), {"sort": "-severity"})
    table = response.context["table"]
    assert table.paginator.count == 54 and table.paginator.num_pages == 2
    severities = [row.record.severity for row in table.page.object_list]
    assert severities == sorted(severities, reverse=True) and severities[0] == "yellow"
    seen = []
    for number in (1, 2):
        page = client.get(reverse("alert_list"), {"sort": "unit", "page": number})
        seen += [row.record.pk for row in page.context["table"].page.object_list]
    assert len(seen) == len(set(seen)) == 54
    units = [Alert.objects.get(pk=pk).unit.position for pk in seen]
    assert units == sorted(units)


def test_exports_carry_exactly_the_filtered_rows_in_the_page_order(client, office, alerts, plan_2022):
    client.force_login(office)
    params = {"status": "all", "project": Project.objects.get(plan=plan_2022, number=2).pk, "sort": "code"}
    on_page = [a.indicator.code for a in listed(client, **params)]
    assert on_page == ["2.2.1", "2.3.1"]
    for fmt in ("csv", "xlsx"):
        header, *body = export(client, fmt, **params)
        assert header[:6] == ["编号", "指标", "民生实事", "单位", "范围", "类型"]
        assert [row[0] for row in body] == on_page
        assert [row[header.index("等级")] for row in body] == ["红灯", "黄灯"]
        assert [row[header.index("范围")] for row in body] == ["单位", "全市"]
        assert body[0][header.index("依据月份")] == "2022-06"
    header, *body = export(client, "xlsx", **params)
    assert body[1][header.index("完成率")] == 55  # a number, not text
    # Without a month chosen the export is not cut down to one month either.
    assert len(export(client, "csv", status="all")) == 1 + 4


def test_the_office_and_leaders_see_every_alert(client, office, leader, alerts):
    for user in (office, leader):
        client.force_login(user)
        assert len(listed(client, status="all")) == 4


def test_a_county_sees_its_own_alerts_only(client, county_user, alerts):
    client.force_login(county_user)
    rows = listed(client, status="all")
    assert {a.pk for a in rows} == {alerts["hubin_red"].pk, alerts["hubin_resolved"].pk}
    page = client.get(reverse("alert_list")).content.decode()
    # No links to the office's pages it may not open, and only its own unit to choose.
    assert f'href="{reverse("overview")}?' not in page and f'href="{reverse("overview")}"' not in page
    assert reverse("indicator_detail", args=[alerts["hubin_red"].indicator_id]) not in page
    assert "卢氏县政府" not in page
    other = Unit.objects.get(name="卢氏县政府")
    assert client.get(reverse("alert_list"), {"unit": other.pk}).status_code == 404
    assert client.get(reverse("alert_list"), {"unit": other.pk, "_export": "csv"}).status_code == 404
    header, *body = export(client, "csv", status="all")
    assert {row[header.index("单位")] for row in body} == {"湖滨区政府"}


def test_a_lead_department_sees_the_city_alert_addressed_to_it(client, department_user, alerts):
    client.force_login(department_user)
    assert [a.pk for a in listed(client)] == [alerts["city_yellow"].pk]


def test_users_without_a_unit_or_a_role_to_read_get_404_and_visitors_log_in(client, plan_2022, alerts):
    assert client.get(reverse("alert_list")).status_code == 302
    client.force_login(make_user("nobody", Role.UNIT))
    assert client.get(reverse("alert_list")).status_code == 404


def test_the_nav_links_the_list(client, office, county_user, plan_2022):
    for user in (office, county_user):
        client.force_login(user)
        assert (
            f'href="{reverse("alert_list")}"'
            in client.get(reverse("unit_detail", args=[county_user.unit_id])).content.decode()
        )


def test_alert_table_without_http(alerts):
    table = AlertTable(Alert.objects.filter(resolved_at__isnull=True).order_by("pk"))
    header, *rows = list(table.as_values())
    assert header[0] == "编号" and len(rows) == 3
    assert rows[0][header.index("状态")] == "未解除"
