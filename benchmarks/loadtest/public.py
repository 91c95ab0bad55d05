"""`make loadtest-public`: many anonymous readers of the public progress page (issue 15) at once,
against gunicorn and PostgreSQL on loopback, driven by locust (headless).

    python benchmarks/loadtest/public.py                   # 200 readers for 60 s
    python benchmarks/loadtest/public.py --readers 500 --run-time 2m

Steps: a fresh PostgreSQL database bench_public_<checkout hash> with the 2022 plan and its demo
figures (``generate_load --scale S``), the plan published with its months closed up to August and a
photo approved (public_setup.py); gunicorn on 127.0.0.1:8108 (5 sync workers, as docs/deploy runs
it; each worker keeps its own copy of the page in Django's cache); locust's readers for the run
time. Everything started here is stopped here, by process id.

Targets: zero failed requests (a 200, no cookie, the page's links present); p95 of the public and
plan pages under 200 ms. Results: printed, and written to benchmarks/results/loadtest-public.json
and .md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks.loadtest.run import BIN, RESULTS, LoadDatabase, _stop, _wait_http, log, request_stats  # noqa: E402
from benchmarks.run import CHECKOUT, machine  # noqa: E402

WORK = ROOT / "var" / "bench" / "loadtest-public"
PORT = 8108
PAGES = ("public page", "plan page")
P95_LIMIT_MS = 200


class PublicDatabase(LoadDatabase):
    @property
    def name(self) -> str:
        return f"bench_public_{CHECKOUT}"


def summarize(timings: list, args: argparse.Namespace) -> dict:
    stats, names = request_stats(timings)
    groups = {name: stats((name,)) for name in (*PAGES, "feed", "photo")}
    groups["public and plan pages"] = stats(PAGES)
    groups["all requests"] = stats(names)
    failed = groups["all requests"]["failures"]
    pages_p95 = groups["public and plan pages"]["p95_ms"]
    targets = [
        ("zero failed requests", failed == 0, f"{failed} failed"),
        (f"p95 of the public and plan pages < {P95_LIMIT_MS} ms", (pages_p95 or 1e9) < P95_LIMIT_MS, f"{pages_p95} ms"),
    ]
    return {
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "setup": {
            "readers": args.readers,
            "spawn_rate": args.spawn_rate,
            "run_time": args.run_time,
            "think_s": [args.think_min, args.think_max],
            "gunicorn": f"{args.workers} sync workers",
            "database": "PostgreSQL on the Unix socket",
        },
        "machine": machine(),
        "load_average": {"before": args.load_before, "after": os.getloadavg()},
        "groups": groups,
        "targets": [{"target": t, "met": met, "value": v} for t, met, v in targets],
    }


def markdown(result: dict) -> str:
    s = result["setup"]
    lines = [
        "# Public page load test",
        "",
        f"Run finished {result['finished_at']}: {s['readers']} anonymous readers (spawned {s['spawn_rate']}/s, "
        f"{s['think_s'][0]}–{s['think_s'][1]} s between pages) for {s['run_time']}; gunicorn {s['gunicorn']}, "
        f"{s['database']}. Load average before {tuple(round(x, 2) for x in result['load_average']['before'])}, "
        f"after {tuple(round(x, 2) for x in result['load_average']['after'])}. See docs/performance.md.",
        "",
        "| requests | count | failures | p50 ms | p95 ms | p99 ms | max ms | per s |",
        "|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for name, g in result["groups"].items():
        lines.append(
            f"| {name} | {g['requests']} | {g['failures']} | {g['p50_ms']} | {g['p95_ms']} | {g['p99_ms']} "
            f"| {g['max_ms']} | {g['per_s']} |"
        )
    lines += ["", "| target | met | value |", "|---|---|---|"]
    lines += [f"| {t['target']} | {'yes' if t['met'] else '**no**'} | {t['value']} |" for t in result["targets"]]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--readers", type=int, default=200)
    parser.add_argument("--spawn-rate", type=float, default=20, help="readers starting per second")
    parser.add_argument("--run-time", default="60s")
    parser.add_argument("--think-min", type=float, default=0.5, help="seconds a reader takes between two pages")
    parser.add_argument("--think-max", type=float, default=2)
    parser.add_argument("--workers", type=int, default=5, help="gunicorn sync workers (docs/deploy: 2 x cores + 1)")
    parser.add_argument("--results", default=str(RESULTS))
    args = parser.parse_args()
    args.load_before = os.getloadavg()
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    db = PublicDatabase("S", 0)
    log(f"fresh database {db.name}: the 2022 plan and its demo figures, published")
    db.drop()
    db.manage("migrate", "--noinput", "-v0")
    db.manage("generate_load", "--scale", "S", capture=True)
    env = {
        **db.env(),
        "LOADTEST_PUBLIC": str(WORK / "public.json"),
        "LOADTEST_SENT": str(WORK / "timings.json"),
        "LOADTEST_THINK_MIN": str(args.think_min),
        "LOADTEST_THINK_MAX": str(args.think_max),
    }
    subprocess.run(
        [sys.executable, "benchmarks/loadtest/public_setup.py", "--out", str(WORK / "public.json")],
        cwd=ROOT, env=env, check=True,
    )  # fmt: skip
    db.analyze()
    web = None
    try:
        web = subprocess.Popen(
            [str(BIN / "gunicorn"), "tracker.wsgi:application", "--bind", f"127.0.0.1:{PORT}", "--workers",
             str(args.workers), "--timeout", "60", "--no-control-socket"],
            cwd=ROOT, env=env, stdout=(WORK / "gunicorn.log").open("w"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        _wait_http(f"http://127.0.0.1:{PORT}/public/", 60)
        log(f"gunicorn (pid {web.pid}) is up; {args.readers} readers for {args.run_time}")
        subprocess.run(
            [str(BIN / "locust"), "-f", "benchmarks/loadtest/public_locustfile.py", "--headless", "-u",
             str(args.readers), "-r", str(args.spawn_rate), "--run-time", args.run_time, "--host",
             f"http://127.0.0.1:{PORT}", "--only-summary", "--loglevel", "WARNING"],
            cwd=ROOT, env=env, check=False,
        )  # fmt: skip
    finally:
        _stop(web, "gunicorn")
    timings = json.loads((WORK / "timings.json").read_text())["timings"]
    result = summarize(timings, args)
    report = markdown(result)
    print()
    print(report)
    if args.results:
        folder = Path(args.results)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "loadtest-public.json").write_text(json.dumps(result, indent=1, ensure_ascii=False, default=str))
        (folder / "loadtest-public.md").write_text(report)
        print(f"results written to {folder / 'loadtest-public.json'} and .md")
    if not result["targets"][0]["met"]:
        raise SystemExit("public load test failed: " + result["targets"][0]["value"])


if __name__ == "__main__":
    os.chdir(ROOT)
    main()
