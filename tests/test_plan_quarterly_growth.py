"""A plan written in the test beside the 2022 plan: a growth target that goes negative and a
quarterly figure, reported by a department through the reporting service, with the clock pinned at
each quarter's end. The lights the office's pages show and the missing-report alerts follow the
quarters (issue 14: "A plan with a growth target that goes negative and a quarterly figure shows the
right lights at each quarter's end"). Every expected number is worked out by hand beside it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.urls import reverse

from projects.models import Alert, AlertKind, CityProgress, Indicator, Plan, Submission, Unit
from projects.services.alerts import alerts_scan
from projects.services.reporting import FigureInput, submission_save
from tests.factories import OfficeUserFactory, pin_clock, unit_user
from tests.plan_helpers import load_data

pytestmark = pytest.mark.django_db

DOCUMENT = "三门峡市测试专项措施"
REPORTER = "市发展改革委"  # a department of the 2022 plan: the new plan shares it


def quarterly_plan() -> dict:
    return {
        "format": 2,
        "plan": {
            "year": 2022,
            "document": DOCUMENT,
            "title": "2022年测试专项措施",
            "issuing_body": "三门峡市人民政府办公室",
            "issued_on": "2022-01-10",
            "start": "2022-01-01",
            "default_deadline": "2022-12-31",
            "due_day": 5,
            "kind": "other",
        },
        "units": [{"name": REPORTER, "kind": "department"}],
        "projects": [
            {
                "number": 1,
                "title": "降低企业成本",
                "tasks": [
                    {
                        "number": 1,
                        "text": "推动宽带资费再降3%，规模以上工业增加值增长8%",
                        "lead_units": [REPORTER],
                        "cooperating_units": [],
                        "lead_units_text": "市发展改革委",
                        "cooperating_units_text": "",
                        "indicators": [
                            {
                                "code": "1.1.1",
                                "name": "宽带资费下降",
                                "kind": "growth",
                                "unit": "%",
                                "target": -3,
                                "direction": "at_most",
                                "deadline": "2022-12-31",
                                "deadline_text": "年底前",
                                "parent": None,
                                "aggregation": "lead",
                                "reporting_units": [REPORTER],
                                "frequency": "quarterly",
                                "source_text": "宽带资费再降3%",
                            },
                            {
                                "code": "1.1.2",
                                "name": "规模以上工业增加值增长",
                                "kind": "growth",
                                "unit": "%",
                                "target": 8,
                                "direction": "at_least",
                                "deadline": "2022-12-31",
                                "deadline_text": "年底前",
                                "parent": None,
                                "aggregation": "lead",
                                "reporting_units": [REPORTER],
                                "frequency": "quarterly",
                                "source_text": "规模以上工业增加值增长8%",
                            },
                        ],
                    }
                ],
            }
        ],
    }


MARCH, JUNE, SEPTEMBER, DECEMBER = (dt.date(2022, m, 1) for m in (3, 6, 9, 12))
# (quarter's month, 1.1.1 资费 (target ≤ −3), 1.1.2 工业 (target ≥ 8)) as the department reports them.
FIGURES = [
    (MARCH, "-1", "8.2"),
    (JUNE, "-2.5", "6.4"),
    (SEPTEMBER, "-3.2", "5.5"),
    (DECEMBER, "0.5", "8"),
]
# The lights at each quarter's end, worked out by hand (bands: yellow from 10 behind, red from 30;
# a growth target is expected in full at every period end, so expected is 100 each time):
#   资费: −1 of −3 = 33.33 (66.67 behind: red); −2.5 = 83.33 (yellow); −3.2 met (green);
#         +0.5 rose instead = 0 (red).
#   工业: 8.2 ≥ 8 (green); 6.4 / 8 = 80 (yellow); 5.5 / 8 = 68.75 (red); 8 met (green).
LIGHTS = {
    "1.1.1": [("33.33", "red"), ("83.33", "yellow"), ("100.00", "green"), ("0.00", "red")],
    "1.1.2": [("100.00", "green"), ("80.00", "yellow"), ("68.75", "red"), ("100.00", "green")],
}


@pytest.fixture
def plan(plan_2022) -> Plan:
    return load_data(quarterly_plan())


def indicator(plan: Plan, code: str) -> Indicator:
    return Indicator.objects.get(task__project__plan=plan, code=code)


def report(plan: Plan, month: dt.date, code: str, value: str) -> Submission:
    """The department submits a quarter's figure on the 3rd of the month after (before the 5th)."""
    user = unit_user(REPORTER, username="fagaiwei")
    ind = indicator(plan, code)
    version = Submission.objects.filter(indicator=ind, month=month).values_list("version", flat=True).first() or 0
    day = (month.replace(day=28) + dt.timedelta(days=10)).replace(day=3)
    with pin_clock(day):
        return submission_save(
            user=user,
            indicator_id=ind.pk,
            month=month,
            figure=FigureInput(value=D(value)),
            version=version,
            submit=True,
            today=day,
        )


def test_lights_at_each_quarters_end(plan, client):
    for month, fee, industry in FIGURES:
        report(plan, month, "1.1.1", fee)
        report(plan, month, "1.1.2", industry)
    for code, expected in LIGHTS.items():
        ind = indicator(plan, code)
        got = [
            (str(row.completion), row.light)
            for row in CityProgress.objects.filter(indicator=ind, month__in=[m for m, *_ in FIGURES]).order_by("month")
        ]
        assert got == expected, code
        # Between quarters a month stands where its quarter stood: May as March, August as June.
        may = CityProgress.objects.get(indicator=ind, month=dt.date(2022, 5, 1))
        assert (str(may.completion), may.light) == expected[0]

    # The office's page of the fee indicator on the day after each quarter's figures were due.
    client.force_login(OfficeUserFactory(username="duchashi"))
    url = reverse("indicator_detail", args=[indicator(plan, "1.1.1").pk])
    for day, light, completion in (
        ("2022-04-06", "red", "33.33"),
        ("2022-07-06", "yellow", "83.33"),
        ("2022-10-06", "green", "100.00"),
        ("2023-01-06", "red", "0.00"),
    ):
        with pin_clock(day):
            page = client.get(url).content.decode()
        card = page.split('id="city-value"', 1)[1].split("本月报送单位", 1)[0]
        assert f"tracker-light-{light}" in card, day
        assert completion.rstrip("0").rstrip(".") in card, day


def test_a_quarterly_figure_cannot_be_reported_for_another_month(plan):
    with pytest.raises(Submission.DoesNotExist):  # the page answers 404
        report(plan, dt.date(2022, 4, 1), "1.1.1", "-1")
    assert not Submission.objects.filter(indicator=indicator(plan, "1.1.1")).exists()


def missing_months(plan: Plan, day: str) -> list[dt.date]:
    with pin_clock(day):
        alerts_scan(plan=plan, as_of=dt.date.fromisoformat(day))
    return sorted(
        Alert.objects.filter(
            kind=AlertKind.MISSING, indicator=indicator(plan, "1.1.1"), resolved_at__isnull=True
        ).values_list("month", flat=True)
    )


def test_missing_reports_follow_the_quarters(plan):
    # The first quarter is due on 5 April: not missing on the 5th, missing from the 6th; nothing is
    # owed for April or May, so on 6 June March is still the only missing period.
    assert missing_months(plan, "2022-04-05") == []
    assert missing_months(plan, "2022-04-06") == [MARCH]
    assert missing_months(plan, "2022-06-06") == [MARCH]
    report(plan, MARCH, "1.1.1", "-1")
    assert missing_months(plan, "2022-06-06") == []
    assert missing_months(plan, "2022-07-06") == [JUNE]
    # The 2022 plan's own figures are untouched by the scan of this plan.
    assert not Unit.objects.get(name=REPORTER).progress.exclude(indicator__task__project__plan=plan).filter(
        reported=True
    ).exists()
