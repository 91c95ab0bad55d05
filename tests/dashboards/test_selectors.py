"""The dashboards' figures: how projects, the plan, the reporting rate and the ranking are measured."""

from datetime import date
from decimal import Decimal

import pytest

from projects import calendar, rules
from projects.models import CityProgress, Indicator, Project, Unit, UnitProgress
from projects.selectors import dashboards as sel
from projects.services.catalogue import allocations_set
from tests.dashboards.conftest import JUNE, report

pytestmark = pytest.mark.django_db

COUNTIES = ["湖滨区政府", "陕州区政府", "义马市政府", "灵宝市政府", "渑池县政府", "卢氏县政府"]


def project_row(data, number):
    return next(r for r in data.projects if r.project.number == number)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2022, 7, 10), date(2022, 6, 1)),
        # June is not over on its last day: its figures describe the state at its end.
        (date(2022, 6, 30), date(2022, 5, 1)),
        # June has ended, but its figures are due on 5 July: May is the latest month reported.
        (date(2022, 7, 1), date(2022, 5, 1)),
        # On the due day itself June's figures are still on time; the day after, June is due.
        (date(2022, 7, 5), date(2022, 5, 1)),
        (date(2022, 7, 6), date(2022, 6, 1)),
        # Before the plan, its first month; long after, the month of its default deadline (its
        # 三年内 items run on to 2024, looked at by choosing those months).
        (date(2021, 11, 3), date(2022, 1, 1)),
        (date(2025, 3, 1), date(2022, 12, 1)),
    ],
)
def test_default_month_is_the_latest_month_whose_figures_were_due(plan_2022, today, expected):
    assert sel.default_month(plan=plan_2022, today=today) == expected


def test_plan_months_and_parse_month(plan_2022):
    # 6.1.5 and 6.1.6 (三年内) run to the end of 2024: three years of months.
    months = sel.plan_months(plan_2022)
    assert months[0] == date(2022, 1, 1) and months[-1] == date(2024, 12, 1) and len(months) == 36
    assert calendar.month_or_none("2022-06") == JUNE
    assert calendar.month_or_none("2022-13") is None
    assert calendar.month_or_none("June") is None
    assert calendar.month_or_none(None) is None


def test_project_completion_is_the_mean_of_capped_indicator_completions_without_parts(plan_2022):
    # Project 1: 1.1.1 (60000 人次), 1.1.2 (40000 人) and its part 1.1.3 (15000 人, "含").
    report("1.1.1", "湖滨区政府", JUNE, value=Decimal(30000))  # 50 %
    report("1.1.2", "湖滨区政府", JUNE, value=Decimal(60000))  # 150 %, counts as 100
    report("1.1.3", "湖滨区政府", JUNE, value=Decimal(0))  # a part: left out of the mean
    data = sel.overview(plan=plan_2022, month=JUNE)
    one = project_row(data, 1).standing
    assert one.completion == Decimal("75.00")
    assert one.expected == Decimal("50.00")
    assert one.indicators == 2 and one.items == 3
    assert one.light == "green"
    # The part still counts as an item: its light is red (0 % against 50 %).
    assert one.red == 1


def test_an_indicator_without_figures_counts_as_nothing_done(plan_2022):
    report("1.1.1", "湖滨区政府", JUNE, value=Decimal(30000))  # 50 %; 1.1.2 has no figure
    one = project_row(sel.overview(plan=plan_2022, month=JUNE), 1).standing
    assert one.completion == Decimal("25.00")
    assert one.gap == Decimal("25.00")
    assert one.light == "yellow"


def test_overall_is_the_mean_of_the_projects(plan_2022):
    report("1.1.1", "湖滨区政府", JUNE, value=Decimal(30000))
    report("1.1.2", "湖滨区政府", JUNE, value=Decimal(60000))
    data = sel.overview(plan=plan_2022, month=JUNE)
    completions = [r.standing.completion for r in data.projects]
    expecteds = [r.standing.expected for r in data.projects]
    assert len(completions) == 10
    assert data.overall.completion == sel.pct(sum(completions) / 10)
    assert data.overall.expected == sel.pct(sum(expecteds) / 10)
    assert data.overall.items == CityProgress.objects.filter(month=JUNE).count()
    assert data.overall.red == CityProgress.objects.filter(month=JUNE, light="red").count()


def test_lights_follow_the_plans_bands(plan_2022):
    report("1.1.1", "湖滨区政府", JUNE, value=Decimal(30000))  # project 1: 25 % against 50 %
    assert project_row(sel.overview(plan=plan_2022, month=JUNE), 1).standing.light == "yellow"
    plan_2022.yellow_gap, plan_2022.red_gap = Decimal(26), Decimal(40)
    plan_2022.save()
    assert project_row(sel.overview(plan=plan_2022, month=JUNE), 1).standing.light == "green"
    plan_2022.yellow_gap, plan_2022.red_gap = Decimal(5), Decimal(20)
    plan_2022.save()
    assert project_row(sel.overview(plan=plan_2022, month=JUNE), 1).standing.light == "red"


def test_project_light_is_red_once_its_deadline_has_passed_undone(plan_2022):
    # Project 6's indicators due in 2022 are all behind; but 6.1.5 and 6.2.2 run to 2024, so the
    # project as a whole is not overdue in December 2022: its light comes from the gap.
    december = date(2022, 12, 1)
    six = project_row(sel.overview(plan=plan_2022, month=december), 6).standing
    assert six.deadline == date(2024, 12, 31)
    assert six.overdue >= 3
    assert six.light == rules.light(
        expected=six.expected, completion=six.completion, deadline=six.deadline, as_of=date(2022, 12, 31)
    )


def test_reporting_rate_counts_this_months_figures_and_the_late_ones(plan_2022):
    report("1.1.1", "湖滨区政府", JUNE, value=Decimal(1))
    report("1.1.1", "陕州区政府", JUNE, value=Decimal(1), late=True)
    report("1.1.1", "义马市政府", date(2022, 5, 1), value=Decimal(1))  # May: not June's report
    # Not expected in June: 6.1.1 and 6.1.2, due at the end of April, six counties each.
    expected = UnitProgress.objects.filter(month=JUNE).count() - 12
    r = sel.overview(plan=plan_2022, month=JUNE).reporting
    assert (r.expected, r.reported, r.on_time, r.late, r.missing) == (expected, 2, 1, 1, expected - 2)
    assert r.rate == sel.pct(Decimal(200) / expected)
    assert r.on_time_rate == sel.pct(Decimal(100) / expected)
    assert r.due == date(2022, 7, 5)


def test_a_leaders_portfolio_comes_first(plan_2022, leader, office):
    data = sel.overview(plan=plan_2022, month=JUNE, user=leader)
    assert [r.project.number for r in data.projects][:3] == [6, 10, 1]
    assert [r.project.number for r in data.mine] == [6, 10]
    assert data.has_portfolio
    plain = sel.overview(plan=plan_2022, month=JUNE, user=office)
    assert [r.project.number for r in plain.projects] == list(range(1, 11))
    assert not plain.has_portfolio


def test_task_rows_and_curves(plan_2022):
    report("2.1.1", "湖滨区政府", date(2022, 3, 1), value=Decimal("888.5"))  # 10 % of 8885 户
    report("2.1.1", "湖滨区政府", JUNE, value=Decimal("4442.5"))  # 50 %
    project = Project.objects.get(plan=plan_2022, number=2)
    tasks = sel.task_rows(plan=plan_2022, month=JUNE, project=project)
    assert [t.task.number for t in tasks] == [1, 2, 3, 4, 5, 6, 7]
    assert tasks[0].standing.completion == Decimal("50.00")
    curve = sel.progress_curve(plan=plan_2022, month=JUNE, scope=sel.Q(indicator__task=tasks[0].task))
    assert [p.month.month for p in curve] == list(range(1, 13))
    assert [p.actual for p in curve[:6]] == [0, 0, 10, 10, 10, 50]
    assert all(p.actual is None for p in curve[6:])  # after the as-of month: not known yet
    assert curve[5].expected == 50 and curve[11].expected == 100
    indicator = Indicator.objects.get(code="2.1.1")
    points = sel.indicator_curve(indicator=indicator, plan=plan_2022, month=JUNE)
    assert points[5].actual == Decimal("4442.5") and points[5].expected == Decimal("4442.5")
    assert points[11].expected == Decimal(8885)


def split(code, targets):
    indicator = Indicator.objects.get(code=code)
    ids = dict(Unit.objects.values_list("name", "id"))
    allocations_set(indicator=indicator, targets={ids[name]: Decimal(t) for name, t in targets.items()})


def test_ranking_by_weighted_score(plan_2022):
    # 10.1.1 (35 个) is split among its three counties; 3.1.3 (a rate, 60 %) applies to every county.
    split("10.1.1", {"渑池县政府": 10, "陕州区政府": 10, "灵宝市政府": 15})
    report("10.1.1", "渑池县政府", JUNE, value=Decimal(10))  # 100 %
    report("10.1.1", "灵宝市政府", JUNE, value=Decimal(30))  # 200 %, capped at 100
    report("3.1.3", "渑池县政府", JUNE, numerator=Decimal(30), denominator=Decimal(100))  # 50 %
    report("3.1.3", "灵宝市政府", JUNE, numerator=Decimal(30), denominator=Decimal(100))  # 50 %
    view = sel.county_view(plan=plan_2022, month=JUNE)
    ranking = {r.unit.name: r for r in view.ranking}
    rated = UnitProgress.objects.filter(unit__name="渑池县政府", month=JUNE, indicator__parent__isnull=True).exclude(
        light=""
    )
    assert ranking["渑池县政府"].rated == rated.count()
    # Every rated item weighs 1, capped at 100, an unreported one counts 0.
    expected_score = rules.weighted_score(completions=[(p.completion, Decimal(1)) for p in rated])
    assert ranking["渑池县政府"].score == expected_score
    assert ranking["渑池县政府"].score == ranking["灵宝市政府"].score  # 200 % counts as 100 %
    assert ranking["渑池县政府"].rank == ranking["灵宝市政府"].rank == 1
    assert ranking["陕州区政府"].rank == 3  # a tie takes two places
    assert view.ranking[0].unit.name in {"渑池县政府", "灵宝市政府"}
    assert {u.name for u in view.units} >= set(COUNTIES)
    assert all(u.kind in ("county", "committee") for u in view.units)


def test_units_without_a_target_of_their_own_are_not_ranked(plan_2022):
    # The development zone reports only additive figures of task 4.1, which are not split.
    view = sel.county_view(plan=plan_2022, month=JUNE, group="county")
    unrated = [r for r in view.ranking if r.rated == 0]
    assert [r.unit.name for r in unrated] == ["城乡一体化示范区管委会"]
    assert all(r.score is None and r.rank is None for r in unrated)
    # They come after every ranked unit.
    positions = [i for i, r in enumerate(view.ranking) if r.score is None]
    assert positions == list(range(len(view.ranking) - len(unrated), len(view.ranking)))


def test_what_a_unit_owes(plan_2022):
    report("1.1.1", "湖滨区政府", date(2022, 3, 1), value=Decimal(100))
    report("1.1.1", "湖滨区政府", date(2022, 5, 1), value=Decimal(300))
    hubin = Unit.objects.get(name="湖滨区政府")
    after_due = date(2022, 7, 6)  # June's figures were due on 5 July
    owes = {
        o.progress.indicator.code: o for o in sel.unit_owes(plan=plan_2022, unit=hubin, month=JUNE, today=after_due)
    }
    assert set(owes) == set(
        UnitProgress.objects.filter(unit=hubin, month=JUNE).values_list("indicator__code", flat=True)
    )
    item = owes["1.1.1"]
    assert item.last_reported == date(2022, 5, 1)
    assert [m.month for m in item.missing_months] == [1, 2, 4, 6]
    assert item.progress.value == 300  # carried forward from May
    assert [m.month for m in owes["1.1.2"].missing_months] == [1, 2, 3, 4, 5, 6]


def test_a_month_still_open_for_reporting_is_not_owed(plan_2022):
    hubin = Unit.objects.get(name="湖滨区政府")
    on_due_day = date(2022, 7, 5)
    owes = {
        o.progress.indicator.code: o for o in sel.unit_owes(plan=plan_2022, unit=hubin, month=JUNE, today=on_due_day)
    }
    assert [m.month for m in owes["1.1.2"].missing_months] == [1, 2, 3, 4, 5]


def test_late_units_and_the_red_list(plan_2022):
    report("6.1.1", "湖滨区政府", JUNE, value=Decimal(10), late=True)  # after its April deadline: not owed
    report("6.1.3", "湖滨区政府", JUNE, value=Decimal(10), late=True)  # due at the end of June: late
    late = {u.unit.name: u for u in sel.late_units(plan=plan_2022, month=JUNE)}
    hubin = late["湖滨区政府"]
    assert hubin.late == 1 and hubin.missing == hubin.expected - 1
    red = sel.red_items(plan=plan_2022, month=JUNE)
    assert red and all(r["item_light"] == "red" for r in red)
    levels = {r["level"] for r in red}
    assert levels == {"city", "unit"}  # 6.1.1 is overdue citywide; 6.1.4 (a milestone) is red for its unit
    city_red = CityProgress.objects.filter(month=JUNE, light="red").count()
    assert sum(r["level"] == "city" for r in red) == city_red


def test_ahead_and_behind_in_the_bulletin(plan_2022):
    report("2.1.1", "湖滨区政府", JUNE, value=Decimal(8885))  # task 2.1: 100 % against 50 %
    report("1.1.1", "湖滨区政府", JUNE, value=Decimal(6000))  # task 1.1: 5 % against 50 %
    data = sel.bulletin_data(plan=plan_2022, month=JUNE)
    ahead = [t.task.code for t in data.tasks_ahead]
    behind = [t.task.code for t in data.tasks_behind]
    assert ahead[0] == "2.1"
    assert "1.1" in behind and "1.1" not in ahead
    # Nothing done is never "ahead", even where nothing is expected yet.
    january = sel.bulletin_data(plan=plan_2022, month=date(2022, 1, 1))
    assert all(t.standing.completion > 0 for t in january.tasks_ahead)
    # Most behind first.
    gaps = [t.standing.gap for t in data.tasks_behind]
    assert gaps == sorted(gaps, reverse=True)


def test_default_month_is_the_latest_month_with_reports(plan_2022):
    from projects.models import Indicator, Submission, Unit
    from projects.services.progress import progress_refresh

    indicator = Indicator.objects.get(code="1.1.1")
    hubin = Unit.objects.get(name="湖滨区政府")
    Submission.objects.create(indicator=indicator, unit=hubin, month=date(2022, 9, 1), value=100, status="submitted")
    progress_refresh(indicator_id=indicator.pk, unit_id=hubin.pk)
    # Before September's due day an early report does not move the dashboards onto September.
    assert sel.default_month(plan=plan_2022, today=date(2022, 10, 3)) == date(2022, 8, 1)
    assert sel.default_month(plan=plan_2022, today=date(2022, 10, 6)) == date(2022, 9, 1)
    # Nor does a figure for a later month, however early: the landing month is the calendar's.
    Submission.objects.create(indicator=indicator, unit=hubin, month=date(2022, 11, 1), value=120, status="submitted")
    progress_refresh(indicator_id=indicator.pk, unit_id=hubin.pk)
    assert sel.default_month(plan=plan_2022, today=date(2022, 10, 6)) == date(2022, 9, 1)
    # Years later, the plan opens on the month of its default deadline.
    assert sel.default_month(plan=plan_2022, today=date(2026, 11, 29)) == date(2022, 12, 1)
