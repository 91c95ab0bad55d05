"""PostgreSQL: the second pass of `make test` really runs on it, and a backup restores whole.

The backup test runs the commands of docs/deploy.md ("Backups" and "Restore"): pg_dump in
custom format, then createdb and pg_restore into a fresh database, and compares the totals."""

import io
import os
import shutil
import subprocess
from datetime import date

import psycopg
import pytest
from django.db import connection

from projects.models import (
    Alert,
    Assignment,
    Delivery,
    Indicator,
    Message,
    Project,
    Submission,
    SupervisionNotice,
    Task,
    TaskUnit,
    Unit,
    UnitProgress,
)

# What must survive a backup, as SQL over the tables: the catalogue, the figures with their
# history and progress, the alerts with what they sent.
TOTALS = {
    "units": f"SELECT count(*) FROM {Unit._meta.db_table}",
    "projects": f"SELECT count(*) FROM {Project._meta.db_table}",
    "tasks": f"SELECT count(*) FROM {Task._meta.db_table}",
    "task units": f"SELECT count(*) FROM {TaskUnit._meta.db_table}",
    "indicators": f"SELECT count(*) FROM {Indicator._meta.db_table}",
    "assignments": f"SELECT count(*) FROM {Assignment._meta.db_table}",
    "sum of indicator targets": f"SELECT sum(target) FROM {Indicator._meta.db_table}",
    "sum of assignment targets": f"SELECT sum(target) FROM {Assignment._meta.db_table}",
    "longest task text": f"SELECT max(length(text)) FROM {Task._meta.db_table}",
    "submissions": f"SELECT count(*) FROM {Submission._meta.db_table}",
    "submissions by status": f"SELECT string_agg(status || ':' || n, ',' ORDER BY status) FROM "
    f"(SELECT status, count(*) n FROM {Submission._meta.db_table} GROUP BY status) s",
    "sum of figures": f"SELECT sum(value) FROM {Submission._meta.db_table}",
    "submission history": f"SELECT count(*) FROM {Submission.history.model._meta.db_table}",
    "unit progress rows": f"SELECT count(*) FROM {UnitProgress._meta.db_table}",
    "open alerts": f"SELECT count(*) FROM {Alert._meta.db_table} WHERE resolved_at IS NULL",
    "red alerts": f"SELECT count(*) FROM {Alert._meta.db_table} WHERE severity = 'red'",
    "supervision notices": f"SELECT count(*) FROM {SupervisionNotice._meta.db_table}",
    "inbox messages": f"SELECT count(*) FROM {Message._meta.db_table}",
    "deliveries": f"SELECT count(*) FROM {Delivery._meta.db_table}",
}


def totals(cursor) -> dict:
    result = {}
    for name, sql in TOTALS.items():
        cursor.execute(sql)
        result[name] = cursor.fetchone()[0]
    return result


def on_postgresql() -> bool:
    return connection.vendor == "postgresql"


@pytest.mark.django_db
def test_the_postgresql_pass_really_runs_on_postgresql():
    if not os.environ.get("TRACKER_EXPECT_POSTGRES"):
        pytest.skip("only in the PostgreSQL pass of `make test` (.ci/postgres sets TRACKER_EXPECT_POSTGRES)")
    assert on_postgresql(), f"expected PostgreSQL, the tests run on {connection.vendor}"


def pg_env() -> dict:
    """libpq's environment for the command-line tools, from the connection the tests use."""
    db = connection.settings_dict
    env = dict(os.environ)
    for variable, key in [("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD")]:
        if db.get(key):
            env[variable] = str(db[key])
    return env


def run(*command: str) -> None:
    result = subprocess.run(command, env=pg_env(), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{' '.join(command)}: {result.stderr}"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)  # committed, so that pg_dump (another session) sees it
def test_a_backup_restored_into_a_fresh_database_has_the_same_totals(plan_2022, tmp_path):
    if not on_postgresql():
        pytest.skip(
            "SKIPPED LOUDLY: backup/restore needs PostgreSQL; it runs in the PostgreSQL pass of "
            "`make test` (DATABASE_URL=postgres://...)"
        )
    missing = [tool for tool in ("pg_dump", "pg_restore", "createdb", "dropdb") if not shutil.which(tool)]
    if missing:
        pytest.skip(f"SKIPPED LOUDLY: {', '.join(missing)} not installed (Debian package postgresql-client)")

    # A plan in use: the demo figures up to September, and the scans of October on them.
    from django.core.management import call_command

    from projects.services.alerts import alerts_scan

    call_command("create_demo_accounts", stdout=io.StringIO())
    call_command("seed_demo", "--as-of", "2022-09-30", stdout=io.StringIO())
    alerts_scan(as_of=date(2022, 10, 10))
    alerts_scan(as_of=date(2022, 11, 10))  # still red a month on: supervision notices

    with connection.cursor() as cursor:
        before = totals(cursor)
    assert before["projects"] == 10
    assert before["tasks"] == 25
    assert before["sum of indicator targets"] > 0
    assert before["submissions"] > 100 and before["submission history"] >= before["submissions"]
    assert before["open alerts"] > 0 and before["supervision notices"] > 0 and before["inbox messages"] > 0

    source = connection.settings_dict["NAME"]
    fresh = f"{source}_restored"
    dump = tmp_path / "tracker.dump"
    run("pg_dump", "--format=custom", f"--file={dump}", source)
    run("dropdb", "--if-exists", fresh)
    run("createdb", fresh)
    try:
        run("pg_restore", "--no-owner", "--exit-on-error", f"--dbname={fresh}", str(dump))
        env = pg_env()
        with (
            psycopg.connect(
                dbname=fresh,
                host=env.get("PGHOST"),
                port=env.get("PGPORT"),
                user=env.get("PGUSER"),
                password=env.get("PGPASSWORD"),
            ) as restored,
            restored.cursor() as cursor,
        ):
            after = totals(cursor)
    finally:
        run("dropdb", "--if-exists", fresh)
    assert after == before
