"""factory_boy factories for tests. Catalogue rows come from the real 2022 plan (``plan_2022``);
these make the people and the figures."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

import factory
from django.test import override_settings

from projects.models import Indicator, Role, Submission, SubmissionStatus, Unit, User


class UserFactory(factory.django.DjangoModelFactory):
    """A unit user; pass ``unit=`` (a Unit or, through ``unit__name``, its name)."""

    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.LazyAttribute(lambda u: f"{u.unit.name if u.unit else ''}填报员")
    email = factory.LazyAttribute(lambda u: f"{u.username}@tracker.example")
    role = Role.UNIT
    unit = None
    password = factory.django.Password("Pass-word-123")


class OfficeUserFactory(UserFactory):
    username = factory.Sequence(lambda n: f"office{n}")
    first_name = "督查室"
    role = Role.OFFICE


class LeaderFactory(UserFactory):
    username = factory.Sequence(lambda n: f"leader{n}")
    first_name = "分管副市长"
    role = Role.LEADER


def unit_user(name: str, **kwargs) -> User:
    """The (one) test user of a unit of the plan, by the unit's name."""
    unit = Unit.objects.get(name=name)
    return UserFactory(username=kwargs.pop("username", f"u{unit.pk}"), unit=unit, **kwargs)


class SubmissionFactory(factory.django.DjangoModelFactory):
    """A submission of a real indicator; pass ``indicator`` (or ``code``) and ``unit``."""

    class Meta:
        model = Submission

    class Params:
        code = "1.1.1"

    indicator = factory.LazyAttribute(lambda o: Indicator.objects.get(code=o.code))
    unit = factory.LazyAttribute(lambda o: Unit.objects.get(name="湖滨区政府"))
    month = dt.date(2022, 6, 1)
    status = SubmissionStatus.DRAFT
    version = 1


@contextmanager
def pin_clock(day: dt.date | str) -> Iterator[None]:
    """The one clock (``projects.clock``) pinned to ``day`` the way `make run` pins the demo's: the
    ``TRACKER_TODAY`` setting, which pages, jobs and a worker running in this process all read.
    Mechanics that measure real time (delivery retries) keep the real time; to move those too,
    travel in time with time_machine instead."""
    with override_settings(TRACKER_TODAY=str(day)):
        yield
