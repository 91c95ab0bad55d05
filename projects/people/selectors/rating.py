"""Reads of the year-end rating: each project's counts and 满意+基本满意 rate, and who is flagged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from projects.models import Project
from projects.people import rules
from projects.people.models import Deputy, Rating, RatingCast, RatingTally


def state(rating: Rating, *, at: datetime) -> rules.WindowState:
    return rules.window_state(rules.Window(rating.opens_at, rating.closes_at), at=at)


@dataclass(frozen=True)
class ProjectResult:
    project: Project
    satisfied: int
    basically: int
    unsatisfied: int
    rate: Decimal | None
    flagged: bool

    @property
    def total(self) -> int:
        return self.satisfied + self.basically + self.unsatisfied


@dataclass(frozen=True)
class Result:
    rating: Rating
    rows: list[ProjectResult]
    rated: int
    deputies: int

    @property
    def flagged(self) -> list[ProjectResult]:
        return [r for r in self.rows if r.flagged]


def rating_result(rating: Rating) -> Result:
    tallies = {t.project_id: t for t in RatingTally.objects.filter(rating=rating)}
    rows = []
    for project in Project.objects.filter(plan=rating.plan_id).order_by("number"):
        t = tallies.get(project.pk)
        s, b, u = (t.satisfied, t.basically, t.unsatisfied) if t else (0, 0, 0)
        rate = rules.satisfaction_rate(satisfied=s, basically=b, unsatisfied=u)
        rows.append(ProjectResult(project, s, b, u, rate, rules.below_threshold(rate, threshold=rating.threshold)))
    return Result(
        rating=rating,
        rows=rows,
        rated=RatingCast.objects.filter(rating=rating).count(),
        deputies=Deputy.objects.filter(session=rating.session_id).count(),
    )


def has_rated(*, rating: Rating, deputy: Deputy) -> bool:
    return RatingCast.objects.filter(rating=rating, deputy=deputy).exists()
