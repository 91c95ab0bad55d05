"""The public progress page under many readers at once, for locust (run by
``benchmarks/loadtest/public.py``; docs/performance.md).

Anonymous readers (no account, no cookie, as citizens on their phones): each opens the public page,
then the plan's page, now and then the Atom feed or the approved photo, with a second or two
between pages. Every response time is written to LOADTEST_SENT (JSON) at the end.
"""

from __future__ import annotations

import json
import os
import random
import time
from pathlib import Path

from locust import HttpUser, between, events, task

PUBLIC = json.loads(Path(os.environ["LOADTEST_PUBLIC"]).read_text())
SENT_PATH = Path(os.environ["LOADTEST_SENT"])
THINK = (float(os.environ.get("LOADTEST_THINK_MIN", "0.5")), float(os.environ.get("LOADTEST_THINK_MAX", "2")))
timings: list[tuple[str, float, float, bool]] = []  # name, start (epoch s), response ms, ok


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception, start_time=None, **kwargs):
    timings.append((name, start_time or time.time(), response_time, exception is None))


@events.quitting.add_listener
def _dump(environment, **kwargs):
    SENT_PATH.write_text(json.dumps({"timings": timings}))


class PublicReader(HttpUser):
    wait_time = between(*THINK)

    def _get(self, url: str, name: str, *, needle: str | None = None) -> None:
        with self.client.get(url, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{name} answered {response.status_code}")
            elif "Set-Cookie" in response.headers:
                response.failure(f"{name} set a cookie: a cached public page must not")
            elif needle is not None and needle not in response.text:
                response.failure(f"{name} lacks {needle!r}")

    @task(4)
    def index(self) -> None:
        # The public page shows every published plan's projects, with the approved photo.
        self._get("/public/", "public page", needle=f"/public/photos/{PUBLIC['photo']}/")

    @task(4)
    def plan(self) -> None:
        self._get(f"/public/plans/{PUBLIC['plan']}/", "plan page", needle=f"/public/photos/{PUBLIC['photo']}/")

    @task(1)
    def feed_or_photo(self) -> None:
        if random.random() < 0.5:
            self._get("/public/feed/", "feed")
        else:
            self._get(f"/public/photos/{PUBLIC['photo']}/", "photo")
