"""The benchmark machinery works (speed itself is measured by `make bench`, never asserted here).

A tiny province (one synthetic city and its portfolio of one year: a livelihood plan, a work
report and special measures) goes through the same measurement as scales S, M and L, on whichever
database the suite runs: every page answers, every target has a time, a query count and memory
figures, and each hand-written SQL floor finds the same numbers as the product (the floors are
only a fair yardstick if they compute what the pages show). A page's query count does not change
when the database grows from one city's portfolio to several cities over several years.
"""

from io import StringIO

import pytest
from django.core.management import call_command

from benchmarks import measure, run
from projects.models import Assignment, Plan, PlanKind, Project, Submission, Unit, UnitProgress, User
from projects.services.load_generation import Scale, generate_province

TINY = Scale(cities=1, years=1)


@pytest.fixture
def tiny_plan(db) -> Plan:
    generate_province(scale=TINY, seed=7)
    return Plan.objects.get(document="豫模拟〔2022〕1号")


def test_generated_city_has_its_figures_people_and_progress(tiny_plan):
    assignments = Assignment.objects.filter(indicator__task__project__plan=tiny_plan).count()
    submissions = Submission.objects.filter(indicator__task__project__plan=tiny_plan).count()
    # Every unit reports every month but about one month in twenty-five.
    assert 0.9 * 12 * assignments < submissions < 12 * assignments
    assert UnitProgress.objects.filter(indicator__task__project__plan=tiny_plan).count() == 12 * assignments
    assert User.objects.filter(username__startswith="sim1-").count() == 14  # 13 units and a leader


def test_each_city_holds_plans_of_three_kinds_a_year_over_shared_units(db):
    generate_province(scale=Scale(cities=1, years=2), seed=7)

    plans = Plan.objects.filter(document__contains="模拟")
    assert sorted(plans.values_list("year", "kind")) == sorted(
        (year, kind) for year in (2022, 2023) for kind in (PlanKind.LIVELIHOOD, PlanKind.WORK_REPORT, PlanKind.MEASURES)
    )
    # Per year: 61 livelihood indicators, the work report's 12 targets and 9 tasks, 12 measures.
    indicators = {p.kind: sum(t.indicators.count() for pr in p.projects.all() for t in pr.tasks.all()) for p in plans}
    assert indicators == {PlanKind.LIVELIHOOD: 61, PlanKind.WORK_REPORT: 21, PlanKind.MEASURES: 12}
    # One city's 13 units report to every plan of both years.
    county = Unit.objects.get(name="模拟1市第1县政府")
    assert Plan.objects.filter(projects__tasks__indicators__assignments__unit=county).distinct().count() == 4
    assert Unit.objects.filter(name__startswith="模拟1市").count() == 13
    # The leader's portfolio spans every plan of the city.
    leader = User.objects.get(username="sim1-leader")
    assert leader.portfolio.count() == Project.objects.filter(plan__in=plans).count() == 2 * (10 + 4 + 4)


def test_page_query_counts_do_not_grow_with_the_portfolio(db):
    """What `make bench` checks from S to L, on a small scale: the first city's plans answer with
    as many statements when the database holds three cities over two years as when it holds the
    first city's year alone."""
    generate_province(scale=TINY, seed=7)
    month = measure.MONTHS["T"]
    first_city = list(Plan.objects.filter(year=2022).order_by("pk"))
    alone = {p.kind: measure.page_queries(p, month) for p in first_city}

    generate_province(scale=Scale(cities=2, years=2), seed=7, first_city=2)  # cities 2 and 3, 2022 and 2023
    assert Plan.objects.filter(document__contains="模拟").count() == 3 + 2 * 2 * 3

    assert {p.kind: measure.page_queries(p, month) for p in first_city} == alone
    assert measure.measured_plan("T") == first_city[0]


def test_every_target_is_measured_and_the_floors_agree_with_the_pages(tiny_plan):
    result = measure.run("T", repeat=1, scan_repeat=1, only=None, plan=tiny_plan)

    for target in run.PAGES:
        for part in ("page", "data", "floor"):
            figures = result[target][part]
            assert figures["median_s"] > 0
            assert figures["queries"] >= 1
            assert figures["traced_peak_mb"] is not None
    assert result["overview"]["agreement"]["completion"] < 0.01
    assert result["overview"]["agreement"]["expected"] < 0.01
    assert result["overview"]["agreement"]["projects_with_other_red_yellow_overdue_counts"] == 0
    assert result["county"]["agreement"]["score"] < 0.01
    scan = result["scan"]["agreement"]
    assert scan["scan"] > 0
    assert scan["only_in_scan"] == scan["only_in_floor"] == 0


def test_query_counts_that_differ_between_scales_are_reported():
    def row(scale, queries):
        return {"scale": scale, "db": "sqlite", "key": "overview", "queries": queries, "ms": 10.0,
                "ratio": 0.5, "data_ratio": 0.4, "rss_mb": 100}  # fmt: skip

    same = run.checks([row("S", 7), row("M", 7)])
    differ = run.checks([row("S", 7), row("M", 9)])

    assert [c["met"] for c in same if c["target"].startswith("query count")] == [True]
    assert [c["met"] for c in differ if c["target"].startswith("query count")] == [False]


def test_scale_s_is_the_real_plan_with_demo_figures_beside_the_citys_other_plans(empty_catalogue):
    call_command("generate_load", "--scale", "S", stdout=StringIO())

    plan = Plan.objects.get(kind=PlanKind.LIVELIHOOD)
    assert plan.document == "三政办〔2022〕6号"
    assert sorted(Plan.objects.values_list("year", "kind")) == sorted(
        [(2022, PlanKind.LIVELIHOOD), (2022, PlanKind.WORK_REPORT), (2022, PlanKind.MEASURES)]
    )
    assert measure.measured_plan("S") == plan
    for each in Plan.objects.all():
        months = Submission.objects.filter(indicator__task__project__plan=each).values("month").distinct()
        assert months.count() == 12
    # The other plans are reported by the real plan's units: no unit was added.
    assert Unit.objects.filter(name__startswith="模拟").count() == 0
    assert User.objects.filter(username__startswith=f"simp{plan.pk}-").exists()
