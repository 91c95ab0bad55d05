"""The progress tables: city totals from unit figures, carried forward, and the same on rebuild."""

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from projects.models import CityProgress, Indicator, Submission, SubmissionStatus, Unit, UnitProgress
from projects.services.catalogue import allocations_set
from projects.services.progress import progress_refresh

pytestmark = pytest.mark.django_db


def report(code, unit_name, month, status=SubmissionStatus.SUBMITTED, **figures):
    indicator = Indicator.objects.get(code=code)
    unit = Unit.objects.get(name=unit_name)
    sub, _ = Submission.objects.update_or_create(
        indicator=indicator, unit=unit, month=month, defaults={"status": status, **figures}
    )
    progress_refresh(indicator_id=indicator.pk, unit_id=unit.pk)
    return sub


def city(code, month):
    return CityProgress.objects.get(indicator__code=code, month=month)


def test_every_indicator_has_rows_for_every_month_from_the_start(plan_2022):
    assert CityProgress.objects.filter(indicator__code="1.1.1").count() == 12
    # Due in three years: followed until then.
    assert CityProgress.objects.filter(indicator__code="6.1.5").count() == 36
    assert UnitProgress.objects.filter(indicator__code="1.1.1").count() == 6 * 12


def test_city_total_is_the_sum_of_the_counties_carried_forward(plan_2022):
    report("1.1.1", "湖滨区政府", date(2022, 5, 1), value=Decimal(6000))
    report("1.1.1", "灵宝市政府", date(2022, 5, 1), value=Decimal(9000))
    report("1.1.1", "灵宝市政府", date(2022, 6, 1), value=Decimal(12000))
    june = city("1.1.1", date(2022, 6, 1))
    # 湖滨区 did not report in June: its May figure still counts.
    assert june.value == 18000
    assert june.completion == Decimal("30.00")
    assert june.expected == Decimal("50.00")
    assert june.light == "yellow"
    assert (june.units_expected, june.units_reported) == (6, 1)
    hubin_june = UnitProgress.objects.get(indicator__code="1.1.1", unit__name="湖滨区政府", month=date(2022, 6, 1))
    assert (hubin_june.value, hubin_june.reported) == (6000, False)
    # Without a split of the city target a county has no target, hence no light of its own.
    assert hubin_june.light == ""


def test_drafts_and_returned_figures_do_not_count(plan_2022):
    report("1.1.1", "湖滨区政府", date(2022, 3, 1), status=SubmissionStatus.DRAFT, value=Decimal(50000))
    report("1.1.1", "陕州区政府", date(2022, 3, 1), status=SubmissionStatus.RETURNED, value=Decimal(50000))
    assert city("1.1.1", date(2022, 3, 1)).value is None


def test_city_rate_is_summed_numerators_over_summed_denominators(plan_2022):
    report("3.1.3", "湖滨区政府", date(2022, 6, 1), numerator=Decimal(90), denominator=Decimal(100))
    report("3.1.3", "卢氏县政府", date(2022, 6, 1), numerator=Decimal(10), denominator=Decimal(100))
    june = city("3.1.3", date(2022, 6, 1))
    assert (june.numerator, june.denominator) == (100, 200)
    assert june.value == 50  # not the average of 90 % and 10 % weighted equally by accident
    # 50 % against a 60 % target is 83.33 % complete.
    assert june.completion == Decimal("83.33")
    # A county's own rate is measured against the same level.
    assert (
        UnitProgress.objects.get(indicator__code="3.1.3", unit__name="卢氏县政府", month=date(2022, 6, 1)).light
        == "red"
    )


def test_lead_reported_figure_is_the_city_figure(plan_2022):
    report("10.4.1", "三门峡供电公司", date(2022, 9, 1), value=Decimal(80))
    september = city("10.4.1", date(2022, 9, 1))
    assert september.value == 80
    assert september.completion == 80 and september.expected == 75 and september.light == "green"


def test_split_targets_give_counties_their_own_lights(plan_2022):
    indicator = Indicator.objects.get(code="10.1.1")
    ids = dict(Unit.objects.filter(name__in=["渑池县政府", "陕州区政府", "灵宝市政府"]).values_list("name", "id"))
    allocations_set(
        indicator=indicator,
        targets={ids["渑池县政府"]: Decimal(10), ids["陕州区政府"]: Decimal(10), ids["灵宝市政府"]: Decimal(15)},
    )
    report("10.1.1", "渑池县政府", date(2022, 6, 1), value=Decimal(5))
    row = UnitProgress.objects.get(indicator=indicator, unit__name="渑池县政府", month=date(2022, 6, 1))
    assert (row.target, row.completion, row.light) == (10, 50, "green")
    assert UnitProgress.objects.get(indicator=indicator, unit__name="陕州区政府", month=date(2022, 6, 1)).light == "red"


def test_overdue_and_not_started(plan_2022):
    report("6.1.1", "湖滨区政府", date(2022, 4, 1), value=Decimal(100))
    assert city("6.1.1", date(2022, 4, 1)).overdue is False
    may = city("6.1.1", date(2022, 5, 1))
    assert may.overdue is True and may.light == "red"
    # The bridge has no stage reported three months after the plan's start (2022-04-01): red.
    assert city("2.5.1", date(2022, 3, 1)).not_started is False
    bridge = city("2.5.1", date(2022, 4, 1))
    assert bridge.not_started is True and bridge.light == "red"


def snapshot():
    fields = ["indicator_id", "month", "value", "numerator", "denominator", "stage", "target", "expected",
              "completion", "light", "overdue", "not_started"]  # fmt: skip
    return (
        sorted(map(str, UnitProgress.objects.values_list(*fields, "unit_id", "reported", "late", "submission_id"))),
        sorted(
            map(str, CityProgress.objects.values_list(*fields, "units_expected", "units_reported", "units_on_time"))
        ),
    )


def test_rebuild_gives_the_same_rows_as_the_live_updates(plan_2022):
    report("1.1.1", "湖滨区政府", date(2022, 5, 1), value=Decimal(6000))
    report("1.1.1", "灵宝市政府", date(2022, 6, 1), value=Decimal(9000), late=True)
    report("3.1.3", "卢氏县政府", date(2022, 6, 1), numerator=Decimal(10), denominator=Decimal(100))
    report("2.5.1", "市住房城乡建设局", date(2022, 7, 1), stage=2)
    live = snapshot()
    call_command("rebuild_progress", "--year", "2022", stdout=StringIO())
    assert snapshot() == live
