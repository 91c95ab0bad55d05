"""The deployment files of docs/deploy/ are valid and run what exists in this checkout."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "docs" / "deploy"
UNITS = ["tracker-web.service", "tracker-worker.service", "tracker-beat.service"]


def test_the_units_start_the_three_processes_from_the_release():
    exec_start = {
        u: re.search(r"^ExecStart=(.+?)(?<!\\)$", (DEPLOY / u).read_text(), re.M | re.S).group(1) for u in UNITS
    }
    assert "gunicorn tracker.wsgi:application" in exec_start["tracker-web.service"]
    assert "celery --app tracker worker" in exec_start["tracker-worker.service"]
    assert "celery --app tracker beat" in exec_start["tracker-beat.service"]
    for unit in UNITS:
        text = (DEPLOY / unit).read_text()
        assert "EnvironmentFile=/etc/tracker/tracker.env" in text
        assert "User=tracker" in text


def test_the_web_socket_is_where_nginx_looks_for_it():
    web = (DEPLOY / "tracker-web.service").read_text()
    nginx = (DEPLOY / "nginx.conf").read_text()
    socket = re.search(r"--bind unix:(\S+)", web).group(1)
    assert f"server unix:{socket}" in nginx


def test_nginx_lets_through_what_the_app_accepts():
    from django.conf import settings

    limit = re.search(r"client_max_body_size (\d+)m;", (DEPLOY / "nginx.conf").read_text()).group(1)
    assert int(limit) * 1024 * 1024 > settings.EVIDENCE_MAX_BYTES


def test_systemd_accepts_the_units(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if not analyze:
        pytest.skip("SKIPPED LOUDLY: systemd-analyze not installed; the unit files were not verified")
    env_file = tmp_path / "tracker.env"
    env_file.write_text("")
    for unit in UNITS:
        text = (DEPLOY / unit).read_text()
        # The release layout of docs/deploy.md, pointed at this checkout and its interpreter.
        text = text.replace("/srv/tracker/current/.venv/bin", str(Path(sys.executable).parent))
        text = text.replace("/srv/tracker/current", str(ROOT))
        text = text.replace("/etc/tracker/tracker.env", str(env_file))
        (tmp_path / unit).write_text(text)
    result = subprocess.run(
        [analyze, "verify", *[str(tmp_path / u) for u in UNITS]], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == ""
