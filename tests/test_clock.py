"""The one clock (projects/clock.py): the real date in Asia/Shanghai, or a pinned day."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from projects import clock
from tests.factories import pin_clock

ROOT = Path(__file__).resolve().parents[1]


def test_unpinned_it_is_the_citys_date_whatever_the_servers_zone():
    # 16:30 UTC on 29 June is half past midnight on the 30th in Beijing.
    with time_machine.travel(datetime(2022, 6, 29, 16, 30, tzinfo=UTC), tick=False):
        assert clock.pinned() is None
        assert clock.today() == date(2022, 6, 30)
        assert clock.now().date() == date(2022, 6, 30) and clock.now().utcoffset().total_seconds() == 8 * 3600


def test_pinned_it_is_the_pinned_day_at_the_real_time_of_day():
    with time_machine.travel(datetime(2026, 12, 3, 2, 15, tzinfo=UTC), tick=False), pin_clock("2022-10-06"):
        assert clock.today() == date(2022, 10, 6)
        now = clock.now()
        assert (now.date(), now.hour, now.minute) == (date(2022, 10, 6), 10, 15)


def test_a_pinned_moment_stands_still_whatever_the_real_time():
    # What the loop's demo plays: 6 August 2022 at 7:30 in Beijing, at two real times a day apart.
    for real in (datetime(2026, 12, 3, 2, 15, tzinfo=UTC), datetime(2026, 12, 4, 15, 59, tzinfo=UTC)):
        with time_machine.travel(real, tick=False), override_settings(TRACKER_TODAY="2022-08-06T07:30"):
            assert clock.today() == date(2022, 8, 6) and clock.pinned() == date(2022, 8, 6)
            assert clock.now().isoformat() == "2022-08-06T07:30:00+08:00" == clock.pinned_moment().isoformat()
    with override_settings(TRACKER_TODAY="2022-08-06"):
        assert clock.pinned_moment() is None


def test_demo_names_the_demos_day():
    with override_settings(TRACKER_TODAY="demo"):
        assert clock.today() == clock.DEMO_TODAY == date(2022, 10, 6)


@pytest.mark.parametrize("value", ["2022-13-01", "yesterday", "06/10/2022", "2022-10-06T25:00"])
def test_a_pin_that_is_not_a_day_stops_rather_than_guesses(value):
    with override_settings(TRACKER_TODAY=value), pytest.raises(ImproperlyConfigured, match="TRACKER_TODAY"):
        clock.today()


def test_the_environment_pins_it_for_every_process_that_loads_the_settings():
    # What `make run` does for the web server, the worker and beat: TRACKER_TODAY in the environment.
    env = {**os.environ, "TRACKER_TODAY": "demo", "DJANGO_SETTINGS_MODULE": "tracker.settings.test"}
    code = "import django; django.setup(); from projects import clock; print(clock.today())"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "2022-10-06"


def test_production_refuses_a_pinned_clock(monkeypatch, tmp_path):
    from tests.test_settings_production import import_production, production_env

    import_production(monkeypatch, production_env(tmp_path))  # starts as shipped
    with pytest.raises(ImproperlyConfigured, match="TRACKER_TODAY pins the clock"):
        import_production(monkeypatch, production_env(tmp_path, TRACKER_TODAY="2022-10-06"))
