"""Fixtures of the reporting tests: the clock, the people, and a client logged in as each."""

import datetime as dt

import pytest
import time_machine

from projects.models import Indicator, Unit
from tests.factories import LeaderFactory, OfficeUserFactory, unit_user

# Three days into July: June's figures are being reported (due on the 5th).
REPORTING_JUNE = dt.datetime(2022, 7, 3, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
JUNE = dt.date(2022, 6, 1)
MAY = dt.date(2022, 5, 1)


@pytest.fixture
def clock():
    with time_machine.travel(REPORTING_JUNE, tick=False) as traveller:
        yield traveller


@pytest.fixture
def hubin(plan_2022):
    return unit_user("湖滨区政府", username="hubin")


@pytest.fixture
def shanzhou(plan_2022):
    return unit_user("陕州区政府", username="shanzhou")


@pytest.fixture
def renshe(plan_2022):
    """市人力资源社会保障局: lead department of task 1.1 (skills training), reviews the counties."""
    return unit_user("市人力资源社会保障局", username="renshe")


@pytest.fixture
def zhujian(plan_2022):
    return unit_user("市住房城乡建设局", username="zhujian")


@pytest.fixture
def office(plan_2022):
    return OfficeUserFactory(username="duchashi")


@pytest.fixture
def leader(plan_2022):
    return LeaderFactory(username="fushizhang")


@pytest.fixture
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


def indicator(code: str) -> Indicator:
    return Indicator.objects.get(code=code)


def unit(name: str) -> Unit:
    return Unit.objects.get(name=name)
