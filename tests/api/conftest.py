"""Fixtures of the API's tests: the reporting tests' clock (3 July 2022, June being reported) and
people."""

from tests.reporting.conftest import clock, hubin, office, private_media, zhujian  # noqa: F401 - fixtures
