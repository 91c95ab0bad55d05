"""The benchmark machinery works (speed itself is measured by `make bench`, never asserted here).

A tiny province (one synthetic city, twelve months) goes through the same measurement as scales
S, M and L, on whichever database the suite runs: every page answers, every target has a time, a
query count and memory figures, and each hand-written SQL floor finds the same numbers as the
product (the floors are only a fair yardstick if they compute what the pages show).
"""

from io import StringIO

import pytest
from django.core.management import call_command

from benchmarks import measure, run
from projects.models import Assignment, Plan, Submission, UnitProgress, User
from projects.services.load_generation import Scale, generate_province

TINY = Scale(cities=1, months=12)


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


def test_every_target_is_measured_and_the_floors_agree_with_the_pages(tiny_plan):
    result = measure.run("T", repeat=1, scan_repeat=1, only=None, plan=tiny_plan)
    api = result["api_progress"]["agreement"]
    assert api["count"] == api["floor_count"] > 0
    assert api["items_only_in_one"] == 0 and api["completion"] < 0.01 and api["other_lights"] == 0

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


def test_scale_s_is_the_real_plan_with_demo_figures(empty_catalogue):
    call_command("generate_load", "--scale", "S", stdout=StringIO())

    plan = Plan.objects.get()
    assert plan.document == "三政办〔2022〕6号"
    assert Submission.objects.filter(month__year=2022).values("month").distinct().count() == 12
    assert User.objects.filter(username__startswith=f"simp{plan.pk}-").exists()
