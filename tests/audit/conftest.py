import pytest
from django.utils import translation

from tests.alerts.conftest import people, roads  # noqa: F401 - fixtures
from tests.reporting.conftest import clock, hubin, office, private_media  # noqa: F401 - fixtures

from .helpers import empty_audit_trail


@pytest.fixture(autouse=True)
def _chinese():
    """Messages in the source language, whatever an earlier test's request activated."""
    with translation.override("zh-hans"):
        yield


@pytest.fixture(autouse=True)
def _empty_audit_trail(db):
    """Each test starts its own chain: the records of the test database's set-up (the plan's load)
    are not its own, and would be younger than the records a test writes in 2022."""
    empty_audit_trail()
