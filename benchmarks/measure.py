"""Measure the pages, the bulletin, the API's progress endpoint and the alert scan against their
SQL floors, in one database.

Run by ``benchmarks/run.py`` in a fresh process per database and scale, with
DJANGO_SETTINGS_MODULE=tracker.settings.bench and DATABASE_URL set; prints one JSON document.

For each target: the median server-side time of ``repeat`` runs after a warm-up (pages through
Django's test client, in process: middleware, view, queries, templates, no network), the number
of SQL queries, the peak of Python allocations (tracemalloc, in a separate run, since tracing
slows the code down) and the peak resident memory of the process during the call (VmHWM, reset
before each call through /proc/self/clear_refs). The floor is measured the same way, in the same
process, right after its page.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings.bench")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.db.models import Q  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from benchmarks import floors  # noqa: E402
from projects import calendar  # noqa: E402
from projects.api.models import ApiClient  # noqa: E402
from projects.api.selectors import ITEM_ORDER, progress_row  # noqa: E402
from projects.api.services import api_client_issue_token  # noqa: E402
from projects.models import Alert, AlertScope, Plan, PlanKind, Project, Role, User  # noqa: E402
from projects.selectors import dashboards as sel  # noqa: E402
from projects.services.alerts import alerts_scan, scan_month  # noqa: E402
from projects.tables.dashboards import INDICATOR_ORDER  # noqa: E402

# The month each scale is looked at: late in the plan, so the floors have most of the history to read.
MONTHS = {"S": date(2022, 12, 1), "T": date(2022, 10, 1), "M": date(2024, 6, 1), "L": date(2024, 6, 1)}
PAGE_SIZE = 50  # DashboardTable.Meta.per_page
API_PAGE_SIZE = 100  # projects.api.views.ApiPagination.page_size


# --- memory ------------------------------------------------------------------------------------


def _status_kb(field: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_peak_rss() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def measure_memory(call: Callable[[], Any]) -> dict[str, float | None]:
    """Peak resident memory of the process during ``call`` and the peak of Python allocations."""
    gc.collect()
    can_reset = _reset_peak_rss()
    before = _status_kb("VmRSS")
    call()
    peak = _status_kb("VmHWM") if can_reset else None
    gc.collect()
    tracemalloc.start()
    call()
    _current, traced = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "rss_peak_mb": round(peak / 1024, 1) if peak else None,
        "rss_before_mb": round(before / 1024, 1) if before else None,
        "traced_peak_mb": round(traced / 1024 / 1024, 2),
    }


@contextmanager
def counting() -> Iterator[dict[str, int]]:
    """Counts every SQL statement run inside (CaptureQueriesContext keeps only the last 9,000)."""
    counter = {"queries": 0}

    def wrapper(execute, sql, params, many, context):
        counter["queries"] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield counter


def steady_queries(call: Callable[[], Any]) -> int:
    """The statements of one call, the smaller count of two calls in a row: the session's idle
    clock (projects/security/sessions.py) rewrites the session at most once a minute, and two
    calls a second apart cannot both include it."""
    counts = []
    for _ in range(2):
        with counting() as counted:
            call()
        counts.append(counted["queries"])
    return min(counts)


def measure(call: Callable[[], Any], *, repeat: int) -> dict[str, Any]:
    call()  # warm-up: caches, connections, imports
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return {
        "median_s": statistics.median(times),
        "min_s": min(times),
        "max_s": max(times),
        "runs": repeat,
        "queries": steady_queries(call),
        **measure_memory(call),
    }


# --- targets -----------------------------------------------------------------------------------


def _office_client() -> Client:
    user, _ = User.objects.get_or_create(username="bench-office", defaults={"role": Role.OFFICE})
    client = Client()
    client.force_login(user)
    return client


def _api_token() -> str:
    """A read-scope API client for the bench (made again on every run: only its hash is stored)."""
    ApiClient.objects.filter(name="bench").delete()
    client = ApiClient(
        name="bench", expires_at=timezone.now() + timedelta(days=1), rate_limit=1_000_000, allowed_addresses="127.0.0.1"
    )
    return api_client_issue_token(client=client, actor=None)


def _page(client: Client, url: str, **headers: str) -> Callable[[], int]:
    def call() -> int:
        response = client.get(url, **headers)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        body = b"".join(response.streaming_content) if response.streaming else response.content
        return len(body)

    return call


ALERT_TABLES = ("projects_alert", "projects_message", "projects_delivery")
# Emptied between the scan's runs, children first (the bench databases hold no alerts of their own,
# and nothing of the supervision loop). TRUNCATE needs every table that refers to one it empties: the
# loop's answers, files, instructions and history refer to the notices the scan issues.
SCAN_OUTPUT = (
    "projects_message",
    "projects_delivery",
    "projects_supervisionfile",
    "projects_supervisionevent",
    "projects_answer",
    "projects_instructionreply",
    "projects_instruction",
    "projects_supervisionnotice",
    "projects_alert",
)


def _empty_alert_tables() -> None:
    """Remove what a scan wrote, so that the next run starts from the same database.

    On PostgreSQL with TRUNCATE: a DELETE of a province's alerts and messages (and the VACUUM
    it needs) writes much WAL, and flushing that then lands on the next
    cycle's commits (measured at L: the scan's 180 commits took 2 s in all after a TRUNCATE,
    21 to 32 s after a DELETE and VACUUM). Fresh statistics follow, as autovacuum's ANALYZE
    would give them."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Inside an outer transaction (the test of this module) the scan's deferred foreign-key
            # checks are still pending, and TRUNCATE refuses a table with pending trigger events.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            # CASCADE: the loop's answers and instructions refer to notices, and TRUNCATE refuses a
            # referenced table even when nothing refers to its rows. A bench database has no answers
            # or instructions (generate_load writes none), so nothing else goes.
            cursor.execute(f"TRUNCATE {', '.join(SCAN_OUTPUT)} CASCADE")
        else:
            for table in SCAN_OUTPUT:
                cursor.execute(f"DELETE FROM {table}")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in ALERT_TABLES:
                cursor.execute(f"ANALYZE {table}")


def _data_calls(plan: Plan, project: Project, month: date) -> dict[str, Callable[[], Any]]:
    """What each page computes before rendering: the selectors its view calls, nothing else. The
    fair match for the floor, which only computes numbers."""
    scope = Q(indicator__task__project=project)
    office = User(username="bench-office", role=Role.OFFICE)  # the project page's reader

    def project_page() -> None:
        sel.scope_standing(plan=plan, month=month, scope=scope)
        sel.task_rows(plan=plan, month=month, project=project)
        sel.city_rows(plan=plan, month=month, scope=scope)
        sel.unit_rows(plan=plan, month=month, scope=scope)
        sel.submission_history(scope=scope, user=office)
        sel.progress_curve(plan=plan, month=month, scope=scope)

    def api_progress() -> None:
        units, _city = sel.month_progress(plan=plan, month=month)
        rows = sel.unit_item_rows(units).order_by(*ITEM_ORDER)
        rows.count()
        [progress_row(r) for r in rows[:API_PAGE_SIZE]]

    def lagging_list() -> None:
        units, city = sel.month_progress(plan=plan, month=month)
        rows = sel.item_rows(units=sel.lagging(units), city=sel.lagging(city)).order_by(*INDICATOR_ORDER)
        rows.count()
        list(rows[:PAGE_SIZE])

    return {
        "overview": lambda: sel.overview(plan=plan, month=month),
        "project": project_page,
        "county": lambda: sel.county_view(plan=plan, month=month),
        "lagging": lagging_list,
        "bulletin": lambda: sel.bulletin_data(plan=plan, month=month),
        "api_progress": api_progress,
    }


def _floor(floor: floors.Floor) -> Callable[[], list]:
    def call() -> list:
        with connection.cursor() as cursor:
            cursor.execute(floor.sql, floor.params)
            return cursor.fetchall()

    return call


def _max_diff(pairs: list[tuple[Any, Any]]) -> float | None:
    diffs = [abs(float(a or 0) - float(b or 0)) for a, b in pairs]
    return round(max(diffs), 4) if diffs else None


def measured_plan(scale: str) -> Plan:
    """The plan the pages are measured on: the first city's 重点民生实事 plan of the measured
    month's year (scale S: the real 2022 plan), among every plan of the portfolio."""
    return Plan.objects.filter(year=MONTHS[scale].year, kind=PlanKind.LIVELIHOOD).order_by("pk").first()


def page_urls(plan: Plan, month: date) -> dict[str, str]:
    """The pages measured, as the supervision office opens them for ``plan`` and ``month``."""
    project = plan.projects.order_by("number").first()
    query = f"?plan={plan.pk}&month={month:%Y-%m}"
    return {
        "overview": f"/dashboards/{query}",
        "project": f"/dashboards/projects/{project.pk}/{query}",
        "county": f"/dashboards/units/{query}",
        "lagging": f"/dashboards/lagging/{query}",
        "bulletin": f"/dashboards/bulletin.docx{query}",
    }


def page_queries(plan: Plan, month: date) -> dict[str, int]:
    """The SQL statements of each page, after a warm-up (the measurement's query count)."""
    client = _office_client()
    counts = {}
    for name, url in page_urls(plan, month).items():
        call = _page(client, url)
        call()
        counts[name] = steady_queries(call)
    return counts


def run(scale: str, repeat: int, scan_repeat: int, only: set[str] | None, plan: Plan | None = None) -> dict[str, Any]:
    """Every target (or ``only`` those) on ``plan`` (``measured_plan`` by default)."""
    plan = plan or measured_plan(scale)
    month = MONTHS[scale]
    as_of = calendar.month_end(month)
    project = plan.projects.order_by("number").first()
    dialect = floors.Dialect.of(connection)
    client = _office_client()
    urls = page_urls(plan, month)
    results: dict[str, Any] = {"load_before": os.getloadavg()}
    _empty_alert_tables()

    def wanted(name: str) -> bool:
        return only is None or name in only

    pages = {
        "overview": (urls["overview"], floors.overview(dialect, plan_id=plan.pk, month=month, as_of=as_of)),
        "project": (
            urls["project"],
            floors.project(
                dialect, plan_id=plan.pk, project_id=project.pk, plan_start=plan.start, month=month, as_of=as_of
            ),
        ),
        "county": (urls["county"], floors.county(dialect, plan_id=plan.pk, month=month, as_of=as_of)),
        "lagging": (
            urls["lagging"],
            floors.lagging(dialect, plan_id=plan.pk, month=month, as_of=as_of, page_size=PAGE_SIZE),
        ),
        "bulletin": (urls["bulletin"], floors.bulletin(dialect, plan_id=plan.pk, month=month, as_of=as_of)),
        # The API as another system calls it: a read-scope token, the first page of 100.
        "api_progress": (
            f"/api/v1/progress/units/?plan={plan.pk}&month={month:%Y-%m}",
            floors.api_progress(dialect, plan_id=plan.pk, month=month, as_of=as_of, page_size=API_PAGE_SIZE),
        ),
    }
    data = _data_calls(plan, project, month)
    api_headers = {"HTTP_AUTHORIZATION": f"Bearer {_api_token()}"} if wanted("api_progress") else {}
    for name, (url, floor) in pages.items():
        if not wanted(name):
            continue
        headers = api_headers if name.startswith("api_") else {}
        page = measure(_page(client, url, **headers), repeat=repeat)
        rows = _floor(floor)()
        results[name] = {
            "page": page,
            "data": measure(data[name], repeat=repeat),
            "floor": measure(_floor(floor), repeat=repeat),
            "floor_rows": len(rows),
        }
        if name == "overview":
            standings = {r.project.pk: r.standing for r in sel.overview(plan=plan, month=month).projects}
            results[name]["agreement"] = {
                "what": "project completion and expected progress, page vs floor (max abs difference, points)",
                "completion": _max_diff([(standings[r[1]].completion, r[2]) for r in rows if r[0] == "project"]),
                "expected": _max_diff([(standings[r[1]].expected, r[3]) for r in rows if r[0] == "project"]),
                "projects_with_other_red_yellow_overdue_counts": sum(
                    1
                    for r in rows
                    if r[0] == "project"
                    and (standings[r[1]].red, standings[r[1]].yellow, standings[r[1]].overdue) != tuple(r[4:7])
                ),
            }
        if name == "api_progress":
            answer = client.get(url, **headers).json()
            page_rows = {(r["indicator_id"], r["unit_id"]): r for r in answer["results"]}
            codes = {r["indicator_id"]: r["code"] for r in answer["results"]}
            floor_rows = {
                (code, unit_id): (completion, light) for *_k, unit_id, code, completion, _e, light, _r, _l, _t in rows
            }
            pairs = [
                (r["completion"], floor_rows.get((codes[key[0]], key[1]), (None,))[0]) for key, r in page_rows.items()
            ]
            results[name]["agreement"] = {
                "what": "first page of units' items, API vs floor: count, items, completion (max abs diff, points)",
                "count": answer["count"],
                "floor_count": rows[0][-1] if rows else 0,
                "items_only_in_one": len({(codes[i], u) for i, u in page_rows} ^ set(floor_rows)),
                "completion": _max_diff(pairs),
                "other_lights": sum(
                    1
                    for key, r in page_rows.items()
                    if (r["light"] or None) != floor_rows.get((codes[key[0]], key[1]), (0, 0))[1]
                ),
            }
        if name == "county":
            ranking = {r.unit.pk: r.score for r in sel.county_view(plan=plan, month=month).ranking}
            scores = {unit_id: score for unit_id, *_rest, score in rows}
            results[name]["agreement"] = {
                "what": "counties' ranking scores, page vs floor (max abs difference, points)",
                "score": _max_diff([(ranking.get(u), s) for u, s in scores.items()]),
            }
    if wanted("public"):
        results["public"] = _public(plan, month, dialect, repeat)
    if wanted("scan"):
        results["scan"] = _scan(plan, month, dialect, scan_repeat)
        _empty_alert_tables()
    # Other work on the machine shows here (the bench does not stop other processes).
    results["load_after"] = os.getloadavg()
    portfolio = {"plans": Plan.objects.count(), "plans_of_the_year": Plan.objects.filter(year=plan.year).count()}
    return {
        "scale": scale, "vendor": connection.vendor, "plan": plan.pk, "plan_kind": plan.kind,
        "month": f"{month:%Y-%m}", **portfolio, **results,
    }  # fmt: skip


def _public(plan: Plan, month: date, dialect: floors.Dialect, repeat: int) -> dict[str, Any]:
    """The public progress page, as a reader without an account gets it: the plan published with
    ``month`` closed (in a transaction rolled back afterwards, so the data stays as generated), the
    snapshot built once, then the page answered from the cache."""
    from projects.models import MonthClosure
    from projects.people.models import Publication
    from projects.people.selectors.public import public_snapshots
    from projects.people.services.public import public_refresh

    office, _ = User.objects.get_or_create(username="bench-office", defaults={"role": Role.OFFICE})
    with transaction.atomic():
        MonthClosure.objects.get_or_create(plan=plan, month=month, defaults={"closed_by": office})
        Publication.objects.get_or_create(plan=plan, defaults={"published_at": timezone.now(), "published_by": office})
        build = measure(lambda: public_refresh(plan=plan), repeat=1)
        result = {
            "page": measure(_page(Client(), "/public/"), repeat=repeat),
            "data": measure(public_snapshots, repeat=repeat),
            "floor": measure(_floor(floors.public(dialect)), repeat=repeat),
            "floor_rows": len(_floor(floors.public(dialect))()),
            "build": build,
        }
        transaction.set_rollback(True)
    return result


def _scan(plan: Plan, month: date, dialect: floors.Dialect, repeat: int) -> dict[str, Any]:
    """The daily scan of every plan, as of a day after the month's figures were due.

    "first": the scan that finds everything (opens every alert, writes its messages and
    deliveries); "rescan": the next day's scan, which finds the same conditions and changes
    nothing. Both run as in production, each plan in its own transaction; then what they wrote is
    deleted, so every cycle starts from the same database: a warm-up (whose peak RSS is the
    scan's), ``repeat`` timed cycles, one counting queries and alerts, one under tracemalloc."""
    as_of = plan.due_date(month) + timedelta(days=5)
    due = scan_month(plan=plan, as_of=as_of)
    floor = floors.scan(dialect, month=month, scan_day=as_of, due=due)

    def cycle(*, traced: bool = False, capture: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if traced:
            tracemalloc.start()
        with counting() as first_queries:
            start = time.perf_counter()
            out["summary"] = alerts_scan(as_of=as_of).summary()
            out["first"] = time.perf_counter() - start
        if traced:
            out["traced_peak_mb"] = round(tracemalloc.get_traced_memory()[1] / 1024 / 1024, 2)
            tracemalloc.stop()
        # A day passes between two scans: the database's statistics (autovacuum's ANALYZE) then
        # know the alerts table holds thousands of rows.
        with connection.cursor() as cursor:
            for table in ALERT_TABLES:
                cursor.execute(f"ANALYZE {table}")
        with counting() as rescan_queries:
            start = time.perf_counter()
            alerts_scan(as_of=as_of)
            out["rescan"] = time.perf_counter() - start
        if capture:
            out["first_queries"] = first_queries["queries"]
            out["rescan_queries"] = rescan_queries["queries"]
            out["opened"] = {
                (a.kind, a.indicator_id, None if a.scope == AlertScope.CITY else a.unit_id)
                for a in Alert.objects.filter(resolved_at__isnull=True).only("kind", "indicator_id", "unit_id", "scope")
            }
        _empty_alert_tables()
        return out

    gc.collect()
    can_reset = _reset_peak_rss()
    before = _status_kb("VmRSS")
    cycle()
    peak = _status_kb("VmHWM") if can_reset else None
    timed = [cycle() for _ in range(repeat)]
    counted = cycle(capture=True)
    traced = cycle(traced=True)

    def stats(key: str) -> dict[str, Any]:
        times = [c[key] for c in timed]
        return {
            "median_s": statistics.median(times),
            "min_s": min(times),
            "max_s": max(times),
            "runs": repeat,
            "queries": counted[f"{key}_queries"],
        }

    result = {
        "first": {
            **stats("first"),
            "rss_peak_mb": round(peak / 1024, 1) if peak else None,
            "rss_before_mb": round(before / 1024, 1) if before else None,
            "traced_peak_mb": traced["traced_peak_mb"],
        },
        "rescan": stats("rescan"),
        "summary": counted["summary"],
    }
    rows = _floor(floor)()
    found = {(kind, indicator_id, unit_id) for kind, _severity, indicator_id, unit_id in rows}
    opened = counted["opened"]
    result["floor"] = measure(_floor(floor), repeat=repeat)
    result["floor_rows"] = len(rows)
    result["agreement"] = {
        "what": "alerts opened by the scan vs the floor's findings (kind, indicator, unit)",
        "scan": len(opened),
        "floor": len(found),
        "only_in_scan": len(opened - found),
        "only_in_floor": len(found - opened),
    }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", required=True, choices=sorted(MONTHS))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--scan-repeat", type=int, default=3)
    parser.add_argument(
        "--only", help="comma-separated targets (overview,project,county,lagging,bulletin,api_progress,scan)"
    )
    args = parser.parse_args()
    only = set(args.only.split(",")) if args.only else None
    print(json.dumps(run(args.scale, args.repeat, args.scan_repeat, only), default=str))


if __name__ == "__main__":
    main()
