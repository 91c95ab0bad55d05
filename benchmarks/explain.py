"""EXPLAIN every SQL query of the measured pages and of the scan, and flag full scans of the big
tables (submissions, progress, alerts). Run by ``run.py --explain`` (or by hand, with
DJANGO_SETTINGS_MODULE=tracker.settings.bench and DATABASE_URL set):

    python benchmarks/explain.py --scale M > plans.txt

A query that reads a big table without an index reads every plan's rows to show one plan: its
time grows with the province, which is what the indexes are for.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings.bench")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from benchmarks.measure import MONTHS, _office_client, measured_plan, page_urls  # noqa: E402
from projects.services.alerts import alerts_scan  # noqa: E402

BIG = ("projects_submission", "projects_unitprogress", "projects_cityprogress", "projects_alert", "projects_message")
SQLITE_SCAN = re.compile(r"\bSCAN (\w+)(?! USING (?:COVERING )?INDEX)")
PG_SCAN = re.compile(r"Seq Scan on (\w+)")


def explain(sql: str) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
            return "\n".join(str(row[-1]) for row in cursor.fetchall())
        cursor.execute("EXPLAIN " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


def full_scans(plan: str) -> list[str]:
    pattern = SQLITE_SCAN if connection.vendor == "sqlite" else PG_SCAN
    return sorted({t for t in pattern.findall(plan) if t in BIG})


def capture(scale: str) -> dict[str, list[str]]:
    plan = measured_plan(scale)
    client = _office_client()
    urls = page_urls(plan, MONTHS[scale])
    captured: dict[str, list[str]] = {}
    for name, url in urls.items():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
            b"".join(response.streaming_content) if response.streaming else response.content
        captured[name] = [q["sql"] for q in queries.captured_queries]
    return captured


def rescan_plans(scale: str) -> list[tuple[str, str]]:
    """The queries of one plan's daily scan, with their plans, once every plan has been scanned
    (so the alerts table holds a province's open alerts, with statistics), all rolled back."""
    plan = measured_plan(scale)
    as_of = plan.due_date(MONTHS[scale]) + timedelta(days=5)
    with transaction.atomic():
        alerts_scan(as_of=as_of)
        with connection.cursor() as cursor:
            for table in ("projects_alert", "projects_message", "projects_delivery"):
                cursor.execute(f"ANALYZE {table}")
        with CaptureQueriesContext(connection) as queries:
            alerts_scan(as_of=as_of, plan=plan)
        explained = [(q["sql"], explain(q["sql"])) for q in queries.captured_queries if _reads(q["sql"])]
        transaction.set_rollback(True)
    return explained


def _reads(sql: str) -> bool:
    return sql.lstrip().upper().startswith(("SELECT", "WITH"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", required=True, choices=sorted(MONTHS))
    parser.add_argument("--json", action="store_true", help="print the flagged queries as JSON")
    args = parser.parse_args()
    flagged: dict[str, list[dict]] = {}
    targets = {
        name: [(sql, explain(sql)) for sql in queries if _reads(sql)] for name, queries in capture(args.scale).items()
    }
    targets["scan (one plan, after every plan's first scan)"] = rescan_plans(args.scale)
    for target, queries in targets.items():
        if not args.json:
            print(f"\n=== {target}: {len(queries)} reads ({connection.vendor}, scale {args.scale})")
        for number, (sql, plan) in enumerate(queries, start=1):
            scans = full_scans(plan)
            if scans:
                flagged.setdefault(target, []).append({"query": number, "full_scans": scans, "sql": sql[:300]})
            if not args.json:
                mark = f"  FULL SCAN of {', '.join(scans)} ({target})" if scans else ""
                print(f"\n--- query {number}{mark}\n{sql[:400]}\n{plan}")
    if args.json:
        print(json.dumps(flagged))


if __name__ == "__main__":
    main()
