"""The people's side's tests: a congress session with four deputies, the office, a vote and a
rating, on a pinned day (10 October 2022, 10:00 Beijing time)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from projects.models import Plan, Role, Submission, SubmissionStatus, Unit
from projects.people.models import Candidate, CongressSession, Deputy, Rating, RatingTally, Vote
from projects.services.progress import progress_refresh
from tests.account_factories import account
from tests.reporting.conftest import private_media  # noqa: F401 - a fixture

NOW = dt.datetime(2022, 10, 10, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
DAY = dt.timedelta(days=1)
DEPUTY_NAMES = ("王建华", "李秀英", "张国强", "刘芳")


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def office(plan_2022):
    return account(Role.OFFICE, username="duchashi")


@pytest.fixture
def session(db):
    return CongressSession.objects.create(name="三门峡市第八届人民代表大会第三次会议", year=2023)


@pytest.fixture
def deputies(session):
    return [
        Deputy.objects.create(
            user=account(Role.DEPUTY, username=f"daibiao{n}", first_name=name), session=session, name=name
        )
        for n, name in enumerate(DEPUTY_NAMES, start=1)
    ]


def units(*names: str) -> list[Unit]:
    return list(Unit.objects.filter(name__in=names))


@pytest.fixture
def vote(session, office, clock):
    """Choose 2 of 3 candidates; open from yesterday to tomorrow."""
    vote = Vote.objects.create(
        session=session, title="2023 年民生实事票决", plan_year=2023, choose=2, opens_at=NOW - DAY,
        closes_at=NOW + DAY, created_by=office,
    )  # fmt: skip
    for number, (title, cost, lead) in enumerate(
        [("口袋公园", "1200", "市城管局"), ("老旧小区", "18000", "市住房城乡建设局"), ("幼儿园", "9000", "市教育局")],
        start=1,
    ):
        candidate = Candidate.objects.create(
            vote=vote, number=number, title=title, description=f"{title}建设", estimated_cost=Decimal(cost)
        )
        candidate.lead_units.set(units(lead))
    return vote


@pytest.fixture
def rating(session, office, plan_2022, clock):
    rating = Rating.objects.create(
        session=session, plan=plan_2022, opens_at=NOW - DAY, closes_at=NOW + DAY, threshold=Decimal(80),
        created_by=office,
    )  # fmt: skip
    RatingTally.objects.bulk_create([RatingTally(rating=rating, project=p) for p in plan_2022.projects.all()])
    return rating


def approved(plan: Plan, code: str, unit: str, month: dt.date, value: str, status=SubmissionStatus.APPROVED):
    sub = Submission.objects.create(
        indicator=plan and _indicator(plan, code), unit=Unit.objects.get(name=unit), month=month, status=status,
        value=Decimal(value),
    )  # fmt: skip
    progress_refresh(indicator_id=sub.indicator_id, unit_id=sub.unit_id)
    return sub


def _indicator(plan: Plan, code: str):
    from projects.models import Indicator

    return Indicator.objects.get(task__project__plan=plan, code=code)
