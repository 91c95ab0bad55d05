"""`make bench`: the pages, the bulletin, the API's progress endpoint and the alert scan at scales
S, M and L, on SQLite and on PostgreSQL, each against its SQL floor (benchmarks/floors.py), in one
table.

    python benchmarks/run.py                  # S, M and L on both databases (make bench)
    python benchmarks/run.py --scale M        # one scale (make bench SCALE=M)
    python benchmarks/run.py --scale M --db sqlite --regenerate
    python benchmarks/run.py --scale L --only api_progress   # one target (BENCH_ARGS="--only …")

Each scale has its own databases: var/bench/<scale>-<seed>.sqlite3 and the PostgreSQL database
bench_<scale>_<seed>_<checkout hash> (the local cluster, started and given a role as .ci/postgres
does; named per checkout, as .ci/postgres names its test databases, so that two checkouts sharing
the cluster never drop each other's data). Data
generated once is reused while the generator's code is unchanged (a fingerprint is kept beside
it); --regenerate makes it again. New migrations are applied to reused data. Both databases of a
scale are generated at the same time (two processes); measurements run one at a time.

Results: printed, and written to benchmarks/results/<scales>.json and .md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
VAR = ROOT / "var" / "bench"
RESULTS = ROOT / "benchmarks" / "results"
PY = sys.executable
SETTINGS = "tracker.settings.bench"
TARGETS = ["overview", "project", "county", "lagging", "bulletin", "public", "api_progress", "scan"]
PAGES = TARGETS[:-1]
# What a scale's data depends on: a change to any of these files makes the data again.
# Not the rules or the progress computation: after changing those, run with --regenerate (the
# floors' agreement lines show when the stored progress no longer matches the submissions).
GENERATOR_FILES = [
    "projects/services/load_generation.py",
    "projects/services/demo.py",
    "projects/services/bulk.py",
    "projects/management/commands/generate_load.py",
    "fixtures/plan_2022.json",
]
# The checkout's hash, as .ci/postgres computes it (sha1 of the resolved path, 8 digits).
CHECKOUT = hashlib.sha1(str(ROOT).encode() + b"\n").hexdigest()[:8]
# The public progress page answers from the cache within this (issue 15).
PUBLIC_MS = 20
# Scan peak memory allowed at L (the target).
SCAN_MEMORY_LIMIT_MB = 500


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def fingerprint(scale: str, seed: int) -> str:
    digest = hashlib.sha256(f"{scale}-{seed}".encode())
    for name in GENERATOR_FILES:
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()[:16]


# --- databases ---------------------------------------------------------------------------------


class Database:
    vendor = ""

    def __init__(self, scale: str, seed: int) -> None:
        self.scale, self.seed = scale, seed
        self.marker = VAR / f"{self.vendor}-{scale}-{seed}.json"

    @property
    def label(self) -> str:
        return f"{self.vendor} {self.scale}"

    def url(self) -> str:
        raise NotImplementedError

    def exists(self) -> bool:
        raise NotImplementedError

    def drop(self) -> None:
        raise NotImplementedError

    def env(self) -> dict[str, str]:
        return {**os.environ, "DJANGO_SETTINGS_MODULE": SETTINGS, "DATABASE_URL": self.url(), "PYTHONPATH": str(ROOT)}

    def manage(self, *args: str, capture: bool = False) -> subprocess.CompletedProcess:
        return subprocess.run(
            [PY, "manage.py", *args], cwd=ROOT, env=self.env(), check=True, text=True, capture_output=capture
        )

    def prepare(self, *, regenerate: bool) -> dict[str, Any]:
        """Make sure the scale's data is there and migrated; returns what was done and how long it took."""
        wanted = fingerprint(self.scale, self.seed)
        have = json.loads(self.marker.read_text()) if self.marker.exists() else {}
        fresh = regenerate or have.get("fingerprint") != wanted or not self.exists()
        started = time.monotonic()
        if fresh:
            log(f"{self.label}: generating data")
            self.drop()
            self.marker.unlink(missing_ok=True)
            self.manage("migrate", "--noinput", "-v0")
            out = self.manage("generate_load", "--scale", self.scale, "--seed", str(self.seed), capture=True).stdout
            self.analyze()
            info = {
                "fingerprint": wanted,
                "generated_s": round(time.monotonic() - started, 1),
                "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "output": out.strip().splitlines()[-2:],
            }
            self.marker.write_text(json.dumps(info, ensure_ascii=False, indent=1))
            log(f"{self.label}: generated in {info['generated_s']} s: {' / '.join(info['output'])}")
            return {**info, "reused": False}
        if subprocess.run(
            [PY, "manage.py", "migrate", "--check"], cwd=ROOT, env=self.env(), capture_output=True
        ).returncode:
            log(f"{self.label}: applying new migrations to the existing data")
            self.manage("migrate", "--noinput", "-v0")
            self.analyze()
        log(f"{self.label}: reusing data generated at {have.get('generated_at')}")
        return {**have, "reused": True}

    def analyze(self) -> None:
        # Planner statistics: SQLite plans joins blind without them; PostgreSQL's autovacuum may
        # not have run yet on freshly written tables.
        self.manage(
            "shell", "-c", "from django.db import connection; connection.cursor().execute('ANALYZE')", capture=True
        )


class SQLite(Database):
    vendor = "sqlite"

    @property
    def path(self) -> Path:
        return VAR / f"{self.scale}-{self.seed}.sqlite3"

    def url(self) -> str:
        return f"sqlite:///{self.path}"

    def exists(self) -> bool:
        return self.path.exists()

    def drop(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)


class PostgreSQL(Database):
    vendor = "postgresql"
    _url: str | None = None

    @property
    def name(self) -> str:
        return f"bench_{self.scale.lower()}_{self.seed}_{CHECKOUT}"

    def url(self) -> str:
        if self._url is None:
            # .ci/postgres starts the cluster, creates the role and the database, and prints the URL.
            done = subprocess.run(
                ["bash", ".ci/postgres", "printenv", "DATABASE_URL"],
                cwd=ROOT,
                env={**os.environ, "TRACKER_PG_DB": self.name},
                check=True,
                text=True,
                capture_output=True,
            )
            # The last line: starting the cluster may print to standard output before it.
            lines = done.stdout.strip().splitlines()
            self._url = lines[-1] if lines else ""
            if not self._url.startswith("postgres"):
                raise SystemExit(f"PostgreSQL is not available:\n{done.stderr}")
        return self._url

    def _admin(self, sql: str) -> str:
        import psycopg

        url = self.url()
        # postgres://role@:port/socket_dir/dbname: the same server, its maintenance database.
        socket_dir, _, _db = url.split("@:", 1)[1].split("/", 1)[1].rpartition("/")
        port = url.split("@:", 1)[1].split("/", 1)[0]
        role = url.split("://", 1)[1].split("@", 1)[0]
        with psycopg.connect(host=socket_dir, port=port, user=role, dbname="postgres", autocommit=True) as conn:
            cursor = conn.execute(sql)
            row = cursor.fetchone() if cursor.description else None
        return row[0] if row else ""

    def exists(self) -> bool:
        return bool(self._admin(f"SELECT 1 FROM pg_database WHERE datname = '{self.name}'"))

    def drop(self) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        self._admin(f'CREATE DATABASE "{self.name}"')


VENDORS = {"sqlite": SQLite, "postgresql": PostgreSQL}


# --- measuring ---------------------------------------------------------------------------------


def measure(db: Database, *, repeat: int, scan_repeat: int, only: str = "") -> dict[str, Any]:
    log(f"{db.label}: measuring")
    started = time.monotonic()
    done = subprocess.run(
        [PY, "benchmarks/measure.py", "--scale", db.scale, "--repeat", str(repeat), "--scan-repeat", str(scan_repeat)]
        + (["--only", only] if only else []),
        cwd=ROOT,
        env=db.env(),
        text=True,
        capture_output=True,
    )
    if done.returncode:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"measuring {db.label} failed")
    log(f"{db.label}: measured in {time.monotonic() - started:.0f} s")
    return json.loads(done.stdout.strip().splitlines()[-1])


def explain(db: Database, folder: Path | None) -> dict[str, Any]:
    """EXPLAIN of every query of the pages and of one plan's scan; the full plans go to the
    results folder, the queries that read a big table without an index come back."""
    done = subprocess.run(
        [PY, "benchmarks/explain.py", "--scale", db.scale], cwd=ROOT, env=db.env(), text=True, capture_output=True
    )
    if done.returncode:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"EXPLAIN on {db.label} failed")
    if folder is not None:
        (folder / f"explain-{db.scale}-{db.vendor}.txt").write_text(done.stdout)
    flagged = [line for line in done.stdout.splitlines() if "FULL SCAN" in line]
    return {"full_scans": flagged}


def machine() -> dict[str, Any]:
    info: dict[str, Any] = {"python": platform.python_version(), "platform": platform.platform()}
    try:
        cpu = Path("/proc/cpuinfo").read_text()
        info["cpu"] = next(line.split(":", 1)[1].strip() for line in cpu.splitlines() if line.startswith("model name"))
        info["cores"] = os.cpu_count()
        mem = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
        info["ram_gb"] = round(int(mem) / 1024 / 1024, 1)
    except (OSError, StopIteration):
        pass
    import sqlite3

    info["sqlite"] = sqlite3.sqlite_version
    if shutil.which("psql"):
        info["postgresql"] = subprocess.run(["psql", "--version"], capture_output=True, text=True).stdout.strip()
    import django

    info["django"] = django.get_version()
    return info


# --- the table and the targets -----------------------------------------------------------------


def rows(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per scale, database and target (the scan twice: first scan and rescan)."""
    out = []
    for r in results:
        for target in TARGETS:
            if target not in r:
                continue
            entry = r[target]
            floor = entry["floor"]
            parts = (
                [("first", entry["first"]), ("rescan", entry["rescan"])] if target == "scan" else [("", entry["page"])]
            )
            data = entry.get("data")
            for suffix, page in parts:
                out.append(
                    {
                        "data_ms": data["median_s"] * 1000 if data else None,
                        "data_ratio": data["median_s"] / floor["median_s"] if data and floor["median_s"] else None,
                        "scale": r["scale"],
                        "db": r["vendor"],
                        "target": f"{target} ({suffix})" if suffix else target,
                        "key": target + (f"-{suffix}" if suffix else ""),
                        "ms": page["median_s"] * 1000,
                        "queries": page["queries"],
                        "floor_ms": floor["median_s"] * 1000,
                        "ratio": page["median_s"] / floor["median_s"] if floor["median_s"] else None,
                        "rss_mb": page.get("rss_peak_mb"),
                        "traced_mb": page.get("traced_peak_mb"),
                        "floor_rss_mb": floor.get("rss_peak_mb"),
                        "agreement": entry.get("agreement"),
                    }
                )
    return out


def _f(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def table(lines: list[dict[str, Any]]) -> str:
    """time: the whole request (or the scan); data: the selectors alone, before rendering."""
    head = (
        "| scale | db | target | time ms | queries | data ms | floor ms | time/floor | data/floor "
        "| peak RSS MB | traced MB |"
    )
    out = [head, "|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|"]
    for x in lines:
        out.append(
            f"| {x['scale']} | {x['db']} | {x['target']} | {x['ms']:.1f} | {x['queries']} | {_f(x['data_ms'])} "
            f"| {x['floor_ms']:.1f} | {_f(x['ratio'], 2)} | {_f(x['data_ratio'], 2)} | {x['rss_mb'] or '—'} "
            f"| {_f(x['traced_mb'], 2)} |"
        )
    return "\n".join(out)


def checks(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The issue's targets, as far as the scales measured allow."""
    by = {(x["scale"], x["db"], x["key"]): x for x in lines}
    scales = sorted({x["scale"] for x in lines}, key="TSML".index)
    out = []
    for db in sorted({x["db"] for x in lines}):
        for key in sorted({x["key"] for x in lines if x["db"] == db}):
            counts = {s: by[(s, db, key)]["queries"] for s in scales if (s, db, key) in by}
            # Pages only: the scan works plan by plan and writes its alerts in batches, so its
            # count follows the number of plans (reported, not asserted).
            if len(counts) > 1 and key in PAGES:
                out.append(
                    {
                        "target": "query count constant across scales",
                        "db": db,
                        "what": key,
                        "value": " / ".join(f"{s} {n}" for s, n in counts.items()),
                        "met": len(set(counts.values())) == 1,
                    }
                )
            if key == "public":
                # The public page answers from the cache: its own target, at every scale.
                for scale in scales:
                    x = by.get((scale, db, key))
                    if x:
                        out.append(
                            {
                                "target": f"public page from the cache <= {PUBLIC_MS} ms, 1 query",
                                "db": db,
                                "what": f"{key} {scale}",
                                "value": f"{x['ms']:.1f} ms, {x['queries']} queries",
                                "met": x["ms"] <= PUBLIC_MS and x["queries"] == 1,
                            }
                        )
                continue
            large = by.get(("L", db, key))
            if large and large["ratio"] is not None:
                limit = 2 if key.startswith("scan") else 1
                out.append(
                    {
                        "target": f"at L, time <= {limit}x floor",
                        "db": db,
                        "what": key,
                        "value": f"{large['ratio']:.2f}x",
                        "met": large["ratio"] <= limit,
                    }
                )
                if large["data_ratio"] is not None:
                    out.append(
                        {
                            "target": "at L, data (selectors) <= 1x floor",
                            "db": db,
                            "what": key,
                            "value": f"{large['data_ratio']:.2f}x",
                            "met": large["data_ratio"] <= 1,
                        }
                    )
            medium = by.get(("M", db, key))
            if large and medium:
                growth = large["ms"] / medium["ms"]
                limit = 10 if key.startswith("scan") else 2  # L holds ten times M's data
                out.append(
                    {
                        "target": f"growth M -> L <= {limit}x",
                        "db": db,
                        "what": key,
                        "value": f"{growth:.2f}x",
                        "met": growth <= limit,
                    }
                )
            if large and key == "scan-first" and large["rss_mb"]:
                out.append(
                    {
                        "target": f"scan peak RSS at L < {SCAN_MEMORY_LIMIT_MB} MB",
                        "db": db,
                        "what": key,
                        "value": f"{large['rss_mb']} MB",
                        "met": large["rss_mb"] < SCAN_MEMORY_LIMIT_MB,
                    }
                )
    return out


def checks_table(items: list[dict[str, Any]]) -> str:
    out = ["| target | db | what | value | met |", "|---|---|---|---|---|"]
    out += [
        f"| {c['target']} | {c['db']} | {c['what']} | {c['value']} | {'yes' if c['met'] else '**no**'} |" for c in items
    ]
    return "\n".join(out)


def agreement_lines(lines: list[dict[str, Any]]) -> list[str]:
    out = []
    for x in lines:
        a = x["agreement"]
        if not a or x["key"] == "scan-rescan":
            continue
        values = ", ".join(f"{k} {v}" for k, v in a.items() if k != "what")
        out.append(f"- {x['scale']} {x['db']} {x['key']}: {a['what']}: {values}")
    return out


def explain_lines(results: list[dict[str, Any]]) -> list[str]:
    out = []
    for r in results:
        scans = r.get("explain", {}).get("full_scans", [])
        what = "; ".join(scans) if scans else "none (every read of a big table goes through an index)"
        out.append(f"- EXPLAIN {r['scale']} {r['vendor']}: full scans of submissions/progress/alerts: {what}")
    return out


# --- main --------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", default="S,M,L", help="comma-separated scales: S, M, L (T: a tiny smoke test)")
    parser.add_argument("--db", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    parser.add_argument("--seed", type=int, default=2022)
    parser.add_argument("--regenerate", action="store_true", help="generate the data again even if it exists")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each page and floor (after a warm-up)")
    parser.add_argument("--scan-repeat", type=int, default=3, help="timed runs of the scan and its floor")
    parser.add_argument("--only", default="", help=f"comma-separated targets, of: {','.join(TARGETS)} (default: all)")
    parser.add_argument(
        "--results", default=str(RESULTS), help="folder for the JSON and Markdown results ('' for none)"
    )
    args = parser.parse_args()
    scales = [s.strip().upper() for s in args.scale.split(",") if s.strip()]
    aliases = {"sqlite": "sqlite", "postgres": "postgresql", "postgresql": "postgresql", "pg": "postgresql"}
    vendors = [aliases[v.strip().lower()] for v in args.db.split(",") if v.strip()]
    for s in scales:
        if s not in "TSML":
            raise SystemExit(f"unknown scale {s}")
    for target in filter(None, args.only.split(",")):
        if target not in TARGETS:
            raise SystemExit(f"unknown target {target}; targets: {', '.join(TARGETS)}")
    VAR.mkdir(parents=True, exist_ok=True)
    if args.results:
        Path(args.results).mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    results, generation = [], {}
    for scale in scales:
        dbs = [VENDORS[v](scale, args.seed) for v in vendors]
        # Both databases of a scale are generated at once: two cores, two processes.
        with ThreadPoolExecutor(max_workers=len(dbs)) as pool:
            for db, info in zip(dbs, pool.map(lambda d: d.prepare(regenerate=args.regenerate), dbs), strict=True):
                generation[db.label] = info
        for db in dbs:
            results.append(measure(db, repeat=args.repeat, scan_repeat=args.scan_repeat, only=args.only))
            results[-1]["explain"] = explain(db, Path(args.results) if args.results else None)
    elapsed = time.monotonic() - started
    lines = rows(results)
    targets = checks(lines)
    report = "\n\n".join(
        [
            table(lines),
            checks_table(targets) if targets else "(targets need more than one scale, and L)",
            "\n".join(agreement_lines(lines)),
            "\n".join(explain_lines(results)),
        ]
    )
    print()
    print(report)
    print(f"\nbench finished in {elapsed:.0f} s")
    failed_counts = [c for c in targets if c["target"].startswith("query count") and not c["met"]]
    if args.results:
        folder = Path(args.results)
        # A run of some targets only does not overwrite the full run's results.
        name = "-".join(scales) + (f"-{args.only.replace(',', '+')}" if args.only else "")
        document = {
            "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "elapsed_s": round(elapsed),
            "machine": machine(),
            "settings": {"repeat": args.repeat, "scan_repeat": args.scan_repeat, "seed": args.seed},
            "generation": generation,
            "rows": lines,
            "targets": targets,
            "raw": results,
        }
        (folder / f"{name}.json").write_text(json.dumps(document, indent=1, ensure_ascii=False, default=str))
        m = document["machine"]
        header = (
            f"# Benchmark results: scales {', '.join(scales)}\n\n"
            f"Run finished {document['finished_at']} in {round(elapsed)} s on {m.get('cpu')} ({m.get('cores')} cores, "
            f"{m.get('ram_gb')} GB). Median of {args.repeat} runs after a warm-up ({args.scan_repeat} for the scan). "
            "See docs/performance.md.\n"
        )
        (folder / f"{name}.md").write_text(header + "\n" + report + "\n")
        print(f"results written to {folder / name}.json and .md")
    if failed_counts:
        raise SystemExit(
            "query counts differ between scales: " + ", ".join(f"{c['db']} {c['what']}" for c in failed_counts)
        )


if __name__ == "__main__":
    main()
