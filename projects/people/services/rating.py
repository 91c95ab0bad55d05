"""Writes of the year-end rating (满意度测评): secret ballots, one per deputy.

A ballot adds one to one of three counts of each project (``RatingTally``) and writes that the
deputy has rated (``RatingCast``); nothing else is written, not in the audit trail either, so no
row says how a deputy rated. The rating's row is locked while a ballot is counted: two tabs of
the same deputy are taken one after the other and the second is refused; the unique constraint
on ``RatingCast`` holds even without the lock."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from projects import clock
from projects.audit.actions import AuditAction
from projects.audit.services import AuditTarget, audit_record, audit_refusals
from projects.models import Plan, User
from projects.people import rules
from projects.people.models import CongressSession, Rating, RatingCast, RatingTally
from projects.people.services.vote import AlreadyCast, _office, deputy_of

CHOICES = ("satisfied", "basically", "unsatisfied")


def rating_create(
    *, user: User, session_id: int, plan_id: int, opens_at: datetime, closes_at: datetime, threshold: Decimal
) -> Rating:
    detail = {"plan": plan_id, "opens_at": opens_at, "closes_at": closes_at, "threshold": threshold}
    with audit_refusals(action=AuditAction.RATING_CREATE, actor=user, detail=detail), transaction.atomic():
        _office(user)
        rating = Rating(
            session=CongressSession.objects.get(pk=session_id), plan=Plan.objects.get(pk=plan_id),
            opens_at=opens_at, closes_at=closes_at, threshold=threshold, created_by=user,
        )  # fmt: skip
        rating.full_clean()
        rating.save()
        RatingTally.objects.bulk_create(
            [RatingTally(rating=rating, project=p) for p in rating.plan.projects.order_by("number")]
        )
        audit_record(action=AuditAction.RATING_CREATE, actor=user, obj=rating, detail=detail)
        return rating


def rating_cast(*, user: User, rating_id: int, choices: Mapping[int, str]) -> None:
    """One deputy's ballot: one of 满意 / 基本满意 / 不满意 for every project of the plan."""
    with audit_refusals(action=AuditAction.RATING_CAST, actor=user, obj=AuditTarget.ref(Rating, rating_id)):
        try:
            with transaction.atomic():
                _rating_cast(user=user, rating_id=rating_id, choices=choices)
        except IntegrityError as exc:
            raise AlreadyCast(_("您已经测评过了，每位代表只能测评一次")) from exc


def _rating_cast(*, user: User, rating_id: int, choices: Mapping[int, str]) -> None:
    deputy = deputy_of(user)
    rating = Rating.objects.select_for_update().get(pk=rating_id, session=deputy.session)
    if rules.window_state(rules.Window(rating.opens_at, rating.closes_at), at=clock.now()) != rules.WindowState.OPEN:
        raise ValidationError(_("不在测评时间内"))
    if RatingCast.objects.filter(rating=rating, deputy=deputy).exists():
        raise AlreadyCast(_("您已经测评过了，每位代表只能测评一次"))
    projects = set(rating.tallies.values_list("project_id", flat=True))
    if set(choices) != projects:
        raise ValidationError(_("请对每个项目都作出评价"))
    if any(choice not in CHOICES for choice in choices.values()):
        raise ValidationError(_("评价只能是满意、基本满意或不满意"))
    RatingCast.objects.create(rating=rating, deputy=deputy)
    for choice in CHOICES:
        chosen = [pk for pk, c in choices.items() if c == choice]
        if chosen:
            RatingTally.objects.filter(rating=rating, project_id__in=chosen).update(**{choice: F(choice) + 1})
    audit_record(action=AuditAction.RATING_CAST, actor=user, obj=rating)
