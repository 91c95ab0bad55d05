"""`make test` and `make run` wait for Debian's package lock instead of failing (.ci/apt-get).

A stand-in for apt-get (TRACKER_APT_GET) answers as apt-get does while another install holds the
lock ("Could not get lock …", status 100), then succeeds: the wrapper waits and tries again; any
other failure is apt-get's own, returned at once."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCKED = (
    "E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 1234 (unattended-upgr)\n"
    "E: Unable to acquire the dpkg frontend lock (/var/lib/dpkg/lock-frontend), is another process using it?"
)


def stand_in(tmp_path: Path, answers: list[tuple[int, str]]) -> Path:
    """An apt-get that gives these (status, stderr) answers in turn and logs its arguments."""
    script = tmp_path / "apt-get"
    lines = ["#!/usr/bin/env bash", f'n=$(cat "{tmp_path}/calls" 2>/dev/null || echo 0)', "n=$((n + 1))",
             f'echo "$n" > "{tmp_path}/calls"', f'echo "$*" >> "{tmp_path}/args"', 'case "$n" in']  # fmt: skip
    for i, (status, err) in enumerate(answers, start=1):
        lines.append(f"  {i}) printf '%s\\n' {err!r} >&2; exit {status};;")
    lines += ["  *) exit 0;;", "esac"]
    script.write_text("\n".join(lines) + "\n")
    script.chmod(0o755)
    return script


def run(tmp_path: Path, answers: list[tuple[int, str]], wait: int = 60) -> subprocess.CompletedProcess:
    env = {**os.environ, "TRACKER_APT_GET": str(stand_in(tmp_path, answers)), "TRACKER_APT_LOCK_PAUSE": "0",
           "TRACKER_APT_LOCK_WAIT": str(wait)}  # fmt: skip
    return subprocess.run(
        ["bash", str(ROOT / ".ci" / "apt-get"), "install", "-y", "chromium"], env=env, capture_output=True, text=True
    )


def calls(tmp_path: Path) -> int:
    return int((tmp_path / "calls").read_text())


def test_it_waits_while_another_install_holds_the_lock(tmp_path):
    done = run(tmp_path, [(100, LOCKED), (100, LOCKED)])
    assert done.returncode == 0 and calls(tmp_path) == 3
    assert "held by another install; trying again" in done.stderr
    # apt itself waits for the dpkg lock too.
    assert "-o DPkg::Lock::Timeout=60 install -y chromium" in (tmp_path / "args").read_text()


def test_any_other_failure_is_apt_gets_own(tmp_path):
    done = run(tmp_path, [(100, "E: Unable to locate package chromum")])
    assert done.returncode == 100 and calls(tmp_path) == 1
    assert "Unable to locate package" in done.stderr


def test_it_gives_up_when_the_lock_is_never_released(tmp_path):
    done = run(tmp_path, [(100, LOCKED)] * 1000, wait=0)
    assert done.returncode == 100 and "giving up" in done.stderr


def test_the_makefile_and_system_deps_install_through_it():
    makefile = (ROOT / "Makefile").read_text()
    system_deps = (ROOT / ".ci" / "system-deps").read_text()
    assert "$(SUDO) apt-get" not in makefile and "$(APT_GET) install" in makefile
    assert '"${apt_get[@]}" install' in system_deps and "$sudo apt-get" not in system_deps
