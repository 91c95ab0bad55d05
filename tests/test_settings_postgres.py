"""PostgreSQL: the second pass of `make test` really runs on it, and a backup restores whole.

The backup test runs the commands of docs/deploy.md ("Backups" and "Restore"): pg_dump in
custom format, then createdb and pg_restore into a fresh database, and compares the totals."""

import os
import shutil
import subprocess

import psycopg
import pytest
from django.db import connection

from projects.models import Assignment, Indicator, Project, Task, TaskUnit, Unit

# What must survive a backup, as SQL over the tables. Add the reporting tables here as they come.
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

    with connection.cursor() as cursor:
        before = totals(cursor)
    assert before["projects"] == 10
    assert before["tasks"] == 25
    assert before["sum of indicator targets"] > 0

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
