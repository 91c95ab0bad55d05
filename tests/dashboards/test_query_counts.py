"""Every dashboard page runs the same number of SQL queries whatever the data: three months of
figures (April to June) of the real plan, then twelve months with twenty more indicators and four
more counties; the pages show June.

The counts include the two queries of every logged-in request (session, user) and, on HTML
pages, the unread count of the inbox badge and whether the figures include demo data (the ribbon).
"""

from datetime import date, datetime, timedelta
from datetime import timezone as tz

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from projects.models import (
    Alert,
    AlertKind,
    AlertScope,
    Assignment,
    Indicator,
    Project,
    Submission,
    Task,
    Unit,
    UnitProgress,
)
from tests.alerts.factories import AlertFactory
from tests.dashboards.conftest import add_synthetic, fill_months, plan_months_until, split_evenly

pytestmark = pytest.mark.django_db

APRIL, MAY, JUNE = date(2022, 4, 1), date(2022, 5, 1), date(2022, 6, 1)

# page -> queries
# Every page reads the plan's months once (its indicators' windows: 2022-01 to 2024-12).
PAGES = {
    "overview": 9,  # plans, months, projects, project standings, reporting and unit items, demo data?
    "project": 15,  # project, months, leaders, standing, tasks (2), indicators, units (2), history, curve
    "task": 13,  # task, months, its units, standing, indicators, units (2), history, curve
    # indicator, months, parts, city row, units (2), history, curve, its close-outs and instructions
    "indicator": 14,
    "county": 9,  # plans, months, units, progress rows, indicators
    "unit": 13,  # unit, plans, months, owed items (3), ranking (3)
    "lagging": 10,  # plans, months, filter choices (2), count, page, demo data?
    # plans, months, the filtered rows, the export's audit record (lock the chain, insert, move the head)
    "lagging_csv": 8,
    "lagging_xlsx": 8,
    "overdue": 10,
    "missing": 10,
    "missing_csv": 8,
    # plans, months, overview (3), tasks (2), ranking (3), late units (2), red list, the audit record
    # (3), the supervision loop (notices, instructions' replies, close-outs)
    "bulletin_docx": 21,
    "bulletin_xlsx": 21,
}


def urls(plan):
    project = Project.objects.get(plan=plan, number=2)
    task = Task.objects.get(project=project, number=1)
    indicator = Indicator.objects.get(code="2.1.1")
    hubin = Unit.objects.get(name="湖滨区政府")
    month = {"month": "2022-06"}
    return {
        "overview": (reverse("overview"), month),
        "project": (reverse("project_detail", args=[project.pk]), month),
        "task": (reverse("task_detail", args=[task.pk]), month),
        "indicator": (reverse("indicator_detail", args=[indicator.pk]), month),
        "county": (reverse("county_view"), month),
        "unit": (reverse("unit_detail", args=[hubin.pk]), month),
        "lagging": (reverse("lagging_list"), month),
        "lagging_csv": (reverse("lagging_list"), {**month, "_export": "csv"}),
        "lagging_xlsx": (reverse("lagging_list"), {**month, "_export": "xlsx"}),
        "overdue": (reverse("overdue_list"), month),
        "missing": (reverse("missing_list"), month),
        "missing_csv": (reverse("missing_list"), {**month, "_export": "csv"}),
        "bulletin_docx": (reverse("bulletin_download", args=["docx"]), month),
        "bulletin_xlsx": (reverse("bulletin_download", args=["xlsx"]), month),
    }


def measure(client, plan) -> dict[str, int]:
    counts = {}
    for name, (url, params) in urls(plan).items():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, params)
            assert response.status_code == 200, name
            if hasattr(response, "streaming_content"):
                b"".join(response.streaming_content)
        counts[name] = len(queries)
    return counts


@pytest.fixture
def still_clock():
    """The clock stands still: the session's idle clock (projects/security/sessions.py) rewrites
    the session once a minute, three more queries on whichever page comes a minute later (a slow
    or busy machine's run otherwise counts them on some page or other)."""
    with time_machine.travel(datetime(2022, 7, 3, 10, tzinfo=tz(timedelta(hours=8))), tick=False):
        yield


def test_pages_run_a_fixed_number_of_queries(client, office, plan_2022, django_assert_num_queries, still_clock):
    client.force_login(office)
    split_evenly(plan_2022)
    fill_months(plan_2022, [APRIL, MAY, JUNE])
    small = measure(client, plan_2022)
    rows_small = UnitProgress.objects.count(), Submission.objects.count()

    add_synthetic(plan_2022, indicators=20, units=4)
    Submission.objects.all().delete()
    fill_months(plan_2022, plan_months_until(plan_2022, date(2022, 12, 1)))
    large = measure(client, plan_2022)
    rows_large = UnitProgress.objects.count(), Submission.objects.count()

    assert rows_large[0] > rows_small[0] * 1.3 and rows_large[1] > rows_small[1] * 4
    assert small == large
    assert small == PAGES
    # And django's own assertion, on the larger data, for the overview.
    url, params = urls(plan_2022)["overview"]
    with django_assert_num_queries(PAGES["overview"]):
        client.get(url, params)


# The alerts list: plans, the filter's choices (projects, units), count, page and the demo ribbon's
# question; an export: plans
# and all the filtered rows.
ALERT_PAGES = {"alerts": 10, "alerts_csv": 8, "alerts_xlsx": 8}  # an export's audit record: 3


def alert_counts(client) -> dict[str, int]:
    counts = {}
    for name, params in [("alerts", {}), ("alerts_csv", {"_export": "csv"}), ("alerts_xlsx", {"_export": "xlsx"})]:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("alert_list"), {"status": "all", **params}).status_code == 200
        counts[name] = len(queries)
    return counts


def test_the_alerts_list_runs_a_fixed_number_of_queries(client, office, plan_2022):
    client.force_login(office)
    AlertFactory(code="1.1.1", unit_name="湖滨区政府")
    AlertFactory(code="2.3.1", unit_name="市住房城乡建设局", scope=AlertScope.CITY)
    small = alert_counts(client)

    # Many alerts of many indicators, units, kinds and months, open and resolved.
    assignments = (
        Assignment.objects.filter(indicator__task__project__plan=plan_2022)
        .exclude(indicator__code__in=["1.1.1", "2.3.1"])
        .select_related("indicator", "unit")[:120]
    )
    for i, a in enumerate(assignments):
        AlertFactory(
            indicator=a.indicator,
            unit=a.unit,
            kind=[AlertKind.LAGGING, AlertKind.OVERDUE, AlertKind.MISSING][i % 3],
            month=date(2022, 1 + i % 9, 1),
            resolved_at=timezone.now() if i % 4 == 0 else None,
        )
    assert Alert.objects.count() > 100
    assert alert_counts(client) == small == ALERT_PAGES


def test_demo_figures_do_not_change_a_pages_query_count(client, office, plan_2022, still_clock):
    """The ribbon asks once whether the figures include demo data, whatever the answer (the
    benchmark's S, with demo figures, and M, without, ran different counts when it asked twice)."""
    client.force_login(office)
    split_evenly(plan_2022)
    fill_months(plan_2022, [APRIL, MAY, JUNE])
    overview = reverse("overview")
    assert "演示数据</strong>" not in client.get(overview, {"month": "2022-06"}).content.decode()
    real = measure(client, plan_2022)

    Submission.objects.update(is_demo=True)

    assert "演示数据</strong>" in client.get(overview, {"month": "2022-06"}).content.decode()
    assert measure(client, plan_2022) == real == PAGES
