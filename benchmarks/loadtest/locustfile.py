"""The month-end rush, for locust (run by ``benchmarks/loadtest/run.py``; see docs/performance.md).

Reporters: each logs in as one reporting unit and submits that unit's figures for the month, one
form at a time as a person would (open the form, type, send), then corrects its first figure once
(the form carries the version it was based on). Readers: office staff reloading the overview
meanwhile. When every reporter is done, the run stops.

Every acknowledged figure is written to LOADTEST_SENT (JSON) at the end, with every response
time, so that ``check.py`` can compare the database with what the users were told was saved.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import gevent
from locust import HttpUser, between, events, task

PEOPLE = json.loads(Path(os.environ["LOADTEST_USERS"]).read_text())
MONTH = PEOPLE["month"]
PASSWORD = PEOPLE["password"]
SENT_PATH = Path(os.environ["LOADTEST_SENT"])
THINK = (float(os.environ.get("LOADTEST_THINK_MIN", "1")), float(os.environ.get("LOADTEST_THINK_MAX", "3")))

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION = re.compile(r'name="version" value="(\d+)"')

reporters_left = list(reversed(PEOPLE["reporters"]))
readers_left = list(reversed(PEOPLE["readers"]))
# (username, indicator id) -> the figure the server acknowledged last, and how many saves it took.
sent: dict[str, dict] = {}
timings: list[tuple[str, float, float, bool]] = []  # name, start (epoch s), response ms, ok
done_reporters = 0


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception, start_time=None, **kwargs):
    timings.append((name, start_time or time.time(), response_time, exception is None))


@events.quitting.add_listener
def _dump(environment, **kwargs):
    SENT_PATH.write_text(json.dumps({"sent": sent, "timings": timings}))


def _token(html: str, pattern: re.Pattern) -> str | None:
    match = pattern.search(html)
    return match.group(1) if match else None


class Person(HttpUser):
    abstract = True

    def login(self, username: str) -> bool:
        page = self.client.get("/accounts/login/", name="login form")
        token = _token(page.text, CSRF)
        with self.client.post(
            "/accounts/login/",
            # The login page's password step (django-two-factor-auth's wizard).
            data={
                "login_view-current_step": "auth",
                "auth-username": username,
                "auth-password": PASSWORD,
                "csrfmiddlewaretoken": token,
            },
            allow_redirects=False,
            name="login",
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"login of {username} answered {response.status_code}")
                return False
        return True


class Reporter(Person):
    """One reporting unit's person sending the month's figures."""

    fixed_count = len(PEOPLE["reporters"])
    wait_time = between(*THINK)

    def on_start(self) -> None:
        self.me = reporters_left.pop()
        self.todo = list(zip(self.me["indicators"], self.me["values"], strict=True))
        self.corrected = self.finished = False
        if not self.login(self.me["username"]):
            self._finish()

    def _finish(self) -> None:
        # The user stays (idle) rather than stopping: locust would spawn a new one in its place.
        global done_reporters
        self.finished = True
        done_reporters += 1
        if done_reporters == Reporter.fixed_count:
            # Everyone has reported: let the readers' last requests finish, then stop.
            gevent.spawn_later(2, self.environment.runner.quit)

    def _send(self, indicator_id: int, value: int, name: str) -> None:
        url = f"/report/{MONTH}/indicator/{indicator_id}/"
        form = self.client.get(url, name="figure form")
        token, version = _token(form.text, CSRF), _token(form.text, VERSION)
        if form.status_code != 200 or token is None or version is None:
            return
        data = {
            "csrfmiddlewaretoken": token,
            "version": version,
            "value": str(value),
            "progress_text": f"压测：{self.me['username']} 报送 {value}",
            "action": "submit",
        }
        with self.client.post(url, data=data, allow_redirects=False, name=name, catch_response=True) as response:
            if response.status_code == 302 and f"/report/{MONTH}/" in response.headers.get("Location", ""):
                key = f"{self.me['username']}:{indicator_id}"
                saves = sent.get(key, {}).get("saves", 0) + 1
                sent[key] = {
                    "unit_id": self.me["unit_id"],
                    "indicator_id": indicator_id,
                    "value": value,
                    "saves": saves,
                }
            else:
                response.failure(f"{name} of {indicator_id} answered {response.status_code}")

    @task
    def report(self) -> None:
        if self.finished:
            gevent.sleep(5)
        elif self.todo:
            indicator_id, value = self.todo.pop(0)
            self._send(indicator_id, value, "submit")
        elif not self.corrected:
            # A second look at the first figure: one more than before (a cumulative figure grows).
            first = self.me["indicators"][0]
            previous = sent.get(f"{self.me['username']}:{first}", {}).get("value", 10)
            self.corrected = True
            self._send(first, previous + 1, "correct")
        else:
            self._finish()


class Reader(Person):
    """Office staff watching the overview while the figures come in."""

    fixed_count = len(PEOPLE["readers"])
    wait_time = between(1, 2)

    def on_start(self) -> None:
        self.login(readers_left.pop())

    @task
    def overview(self) -> None:
        with self.client.get("/dashboards/", name="overview", catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"overview answered {response.status_code}")
