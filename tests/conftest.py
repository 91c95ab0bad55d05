"""Shared fixtures: the real 2022 plan, loaded from the fixture file the product ships.

The plan is loaded once per test database (``django_db_setup``); each test runs in a transaction
that is rolled back, so every test sees the plan as loaded. Transactional tests (live server,
browser) flush the database afterwards; ``plan_2022`` loads it again where it is missing.
"""

from pathlib import Path

import pytest

from projects.models import Assignment, Plan, Unit
from projects.planfile import read_plan_file
from projects.services.catalogue import plan_load

ROOT = Path(__file__).resolve().parents[1]
PLAN_2022 = ROOT / "fixtures" / "plan_2022.json"
SEED_TEXT = ROOT / "fixtures" / "source" / "sanmenxia-gazette-2022-06.txt"


def load_plan_2022() -> Plan:
    return plan_load(checked=read_plan_file(PLAN_2022)).plan


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_plan_2022()


@pytest.fixture
def plan_2022(db) -> Plan:
    return Plan.objects.filter(year=2022, document="三政办〔2022〕6号").first() or load_plan_2022()


@pytest.fixture
def empty_catalogue(db) -> None:
    """For tests of loading itself: no plan and no unit in the database."""
    Assignment.objects.all().delete()
    Plan.objects.all().delete()
    Unit.objects.all().delete()
