"""Lists of lagging, overdue and missing items: filters, sorting, pagination and exports."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from projects.exports import safe_cell
from projects.models import Assignment, CityProgress, Indicator, Project, Unit, UnitKind, UnitProgress
from projects.services.progress import progress_refresh
from projects.tables.dashboards import ItemTable
from tests.dashboards.conftest import JUNE, report

pytestmark = pytest.mark.django_db

LAGGING = ("yellow", "red")


def rows(client, name, **params):
    response = client.get(reverse(name), {"month": "2022-06", **params})
    assert response.status_code == 200
    return response, list(response.context["table"].rows)


def export(client, name, fmt, **params):
    response = client.get(reverse(name), {"month": "2022-06", "_export": fmt, **params})
    assert response.status_code == 200
    if fmt == "csv":
        text = response.content.decode("utf-8")
        assert text.startswith("\ufeff")  # Excel on an office PC reads it as UTF-8
        return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def lagging_counts(month=JUNE, **unit_filter):
    units = UnitProgress.objects.filter(month=month, light__in=LAGGING, **unit_filter).count()
    city = CityProgress.objects.filter(month=month, light__in=LAGGING).count()
    return units, city


def test_lagging_lists_units_and_the_city_together(client, office, plan_2022):
    report("1.1.1", "湖滨区政府", JUNE, value=Decimal(15000))  # city 25 % against 50 %: yellow
    client.force_login(office)
    units, city = lagging_counts()
    response, table_rows = rows(client, "lagging_list")
    assert response.context["table"].paginator.count == units + city
    assert {r.record["item_light"] for r in table_rows} <= set(LAGGING)
    codes = {(r.record["code"], r.record["level"]) for r in table_rows}
    assert ("1.1.1", "city") in codes
    # Most behind first.
    gaps = [r.record["gap"] for r in table_rows]
    assert gaps == sorted(gaps, reverse=True)


@pytest.mark.parametrize(
    ("params", "check"),
    [
        ({"light": "red"}, lambda r: r["item_light"] == "red"),
        ({"level": "city"}, lambda r: r["level"] == "city"),
        ({"level": "unit"}, lambda r: r["level"] == "unit"),
        ({"kind": "milestone"}, lambda r: r["indicator_kind"] == "milestone"),
    ],
)
def test_lagging_filters(client, office, plan_2022, params, check):
    client.force_login(office)
    _response, table_rows = rows(client, "lagging_list", **params)
    assert table_rows and all(check(r.record) for r in table_rows)


def test_filter_by_project_and_unit(client, office, plan_2022):
    client.force_login(office)
    project = Project.objects.get(plan=plan_2022, number=6)
    _r, table_rows = rows(client, "lagging_list", project=project.pk)
    assert table_rows and {r.record["project_number"] for r in table_rows} == {6}
    unit = Unit.objects.get(name="市住房城乡建设局")
    _r, table_rows = rows(client, "lagging_list", unit=unit.pk)
    # A chosen unit: its own items only, none of the city's.
    assert table_rows and {r.record["unit_name"] for r in table_rows} == {"市住房城乡建设局"}
    assert UnitProgress.objects.filter(month=JUNE, unit=unit, light__in=LAGGING).count() == len(table_rows)


def test_another_month(client, office, plan_2022):
    client.force_login(office)
    response, table_rows = rows(client, "lagging_list", month="2022-02")
    units, city = lagging_counts(month=date(2022, 2, 1))
    assert response.context["table"].paginator.count == units + city
    assert {r.record["item_month"] for r in table_rows} == {date(2022, 2, 1)}


def test_sorting_and_pagination(client, office, plan_2022):
    client.force_login(office)
    response, table_rows = rows(client, "lagging_list", sort="code")
    total = response.context["table"].paginator.count
    assert total > 50  # with nothing reported, every milestone and split item lags by June
    assert len(table_rows) == total  # rows of the whole table; the page shows 50
    assert len(response.context["table"].page.object_list) == 50
    keys = [(r.record["project_number"], r.record["task_number"], r.record["position"]) for r in table_rows]
    assert keys == sorted(keys)
    seen = []
    for number in range(1, response.context["table"].paginator.num_pages + 1):
        other = client.get(reverse("lagging_list"), {"month": "2022-06", "sort": "-gap", "page": number})
        seen += [(r.record["code"], r.record["unit_name"]) for r in other.context["table"].page.object_list]
    # However many items tie on the gap, the pages hold every item exactly once.
    assert len(seen) == len(set(seen)) == total


def test_exports_carry_exactly_the_filtered_rows(client, office, plan_2022):
    client.force_login(office)
    _response, table_rows = rows(client, "lagging_list", light="red", sort="code")
    expected_codes = [r.record["code"] for r in table_rows]
    for fmt in ("csv", "xlsx"):
        data = export(client, "lagging_list", fmt, light="red", sort="code")
        header, body = data[0], data[1:]
        assert header[:4] == ["编号", "指标", "民生实事", "单位"]
        assert [row[0] for row in body] == expected_codes
        assert {row[header.index("亮灯")] for row in body} == {"红灯"}
    # XLSX keeps figures as numbers.
    data = export(client, "lagging_list", "xlsx", light="red", sort="code")
    completion = data[0].index("完成率")
    assert all(isinstance(row[completion], (int, float)) or row[completion] is None for row in data[1:])


def test_exported_text_is_never_a_formula(client, office, plan_2022):
    # A unit name typed into the admin that a spreadsheet would run.
    evil = Unit.objects.create(name='=HYPERLINK("http://x","点我")', kind=UnitKind.COUNTY)
    indicator = Indicator.objects.get(code="6.1.4")  # a milestone: red without a stage by June
    Assignment.objects.create(indicator=indicator, unit=evil)
    progress_refresh(indicator_id=indicator.pk)
    client.force_login(office)
    for fmt in ("csv", "xlsx"):
        data = export(client, "lagging_list", fmt, unit=evil.pk)
        names = {row[3] for row in data[1:]}
        assert names == {"'" + evil.name}


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1+2", "@SUM(A1)", "\t=1", "\r=1"])
def test_safe_cell_escapes_formula_starts(text):
    assert safe_cell(text) == "'" + text


def test_safe_cell_keeps_numbers_and_plain_text():
    assert safe_cell(-12.5) == -12.5
    assert safe_cell(Decimal("-3")) == Decimal("-3")
    assert safe_cell("湖滨区政府") == "湖滨区政府"
    assert safe_cell(None) is None


def test_overdue_list(client, office, plan_2022):
    report("6.1.1", "湖滨区政府", date(2022, 4, 1), value=Decimal(10))
    client.force_login(office)
    response, table_rows = rows(client, "overdue_list")
    expected = UnitProgress.objects.filter(month=JUNE, overdue=True).count()
    expected += CityProgress.objects.filter(month=JUNE, overdue=True).count()
    assert response.context["table"].paginator.count == expected
    assert {r.record["code"] for r in table_rows} >= {"6.1.1", "6.1.2"}  # due in April, undone
    assert all(r.record["item_overdue"] for r in table_rows)


def test_missing_list(client, office, plan_2022):
    report("1.1.1", "湖滨区政府", JUNE, value=Decimal(1))
    report("1.1.1", "陕州区政府", JUNE, value=Decimal(1), late=True)
    client.force_login(office)
    response, table_rows = rows(client, "missing_list")
    unreported = UnitProgress.objects.filter(month=JUNE, reported=False).count()
    # 6.1.1 and 6.1.2 were due at the end of April, six counties each: nothing is owed for them in
    # June (their rows carry the April figure forward), so 12 rows fewer than the unreported ones.
    assert response.context["table"].paginator.count == unreported - 12
    pairs = {(r.record["code"], r.record["unit_name"]) for r in table_rows}
    assert ("1.1.1", "湖滨区政府") not in pairs and ("1.1.1", "义马市政府") in pairs
    assert not {code for code, _unit in pairs} & {"6.1.1", "6.1.2"}
    assert ("6.1.3", "湖滨区政府") in pairs  # due at the end of June: owed for June
    _r, late_rows = rows(client, "missing_list", status="late")
    assert [(r.record["code"], r.record["unit_name"]) for r in late_rows] == [("1.1.1", "陕州区政府")]
    _r, either = rows(client, "missing_list", status="any")
    assert len(either) == len(table_rows) + 1
    data = export(client, "missing_list", "csv", status="late")
    assert data[1][data[0].index("报送情况")] == "逾期报送"


def test_item_table_without_http(plan_2022):
    # Tables are plain objects: built and read without a request (as django-oscar tests them).
    from projects.selectors.dashboards import item_rows, lagging, month_progress

    units, city = month_progress(plan=plan_2022, month=JUNE)
    table = ItemTable(item_rows(units=lagging(units), city=lagging(city)))
    values = list(table.as_values())
    assert values[0][0] == "编号"
    assert len(values) - 1 == sum(lagging_counts())
