"""Shared fixtures: the real 2022 plan, loaded from the fixture file the product ships."""

from pathlib import Path

import pytest

from projects.planfile import read_plan_file
from projects.services.catalogue import plan_load

ROOT = Path(__file__).resolve().parents[1]
PLAN_2022 = ROOT / "fixtures" / "plan_2022.json"
SEED_TEXT = ROOT / "fixtures" / "source" / "sanmenxia-gazette-2022-06.txt"


@pytest.fixture
def plan_2022(db):
    return plan_load(checked=read_plan_file(PLAN_2022)).plan
