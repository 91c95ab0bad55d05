"""Writes of proposals (征集) and the vote (票决).

A vote is cast once per deputy: the vote's row is locked (select_for_update) so that two tabs or a
double click of the same deputy are taken one after the other, the second finds the deputy's
``VoteCast`` and is refused; the unique constraint on ``VoteCast`` holds even without the lock.
The choices only add to the candidates' counts: no row says who chose what."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils.translation import gettext as _

from projects import clock, permissions
from projects.audit.actions import AuditAction
from projects.audit.services import AuditTarget, audit_record, audit_refusals
from projects.models import Unit, User
from projects.people import rules
from projects.people.models import (
    Candidate,
    CongressSession,
    Deputy,
    Proposal,
    ProposalStatus,
    Vote,
    VoteCast,
)


class AlreadyCast(ValidationError):
    """The deputy has voted (or rated) already."""


def _office(user: User) -> None:
    if not permissions.administers(user):
        raise PermissionDenied("only the office")


def deputy_of(user: User) -> Deputy:
    """The deputy an account acts as; refused for any other account."""
    if not (user.is_authenticated and user.is_active and user.is_deputy):
        raise PermissionDenied("not a deputy")
    try:
        return Deputy.objects.select_related("session").get(user=user)
    except Deputy.DoesNotExist as exc:
        raise PermissionDenied("no deputy record") from exc


# --- proposals ------------------------------------------------------------------------------


def proposal_submit(*, title: str, body: str, place: str, contact: str, address: str) -> Proposal:
    """A citizen's proposal from the public form; at most PEOPLE_PROPOSALS_PER_DAY per address a day."""
    key = rules.address_key(address, secret=settings.SECRET_KEY)
    now = clock.now()
    with audit_refusals(action=AuditAction.PROPOSAL_SUBMIT, detail={"title": title[:100]}), transaction.atomic():
        recent = Proposal.objects.filter(address_key=key, submitted_at__gt=now - rules.PROPOSAL_WINDOW).count()
        limit = settings.PEOPLE_PROPOSALS_PER_DAY
        if not rules.proposal_allowed(recent=recent, limit=limit):
            raise ValidationError(
                _("同一网络地址 24 小时内最多提交 %(n)s 条建议，请明天再来。您填写的内容仍在表单中。") % {"n": limit}
            )
        proposal = Proposal(
            title=title.strip(), body=body.strip(), place=place.strip(), contact=contact.strip(),
            submitted_at=now, address_key=key,
        )  # fmt: skip
        proposal.full_clean()
        proposal.save()
        # The record says a proposal came, not who sent it (no contact details).
        audit_record(action=AuditAction.PROPOSAL_SUBMIT, obj=proposal, detail={"title": proposal.title})
        return proposal


def proposal_moderate(
    *, user: User, proposal_id: int, status: str, note: str = "", candidate_id: int | None = None
) -> Proposal:
    """The office accepts a proposal (optionally into a candidate project) or declines it."""
    detail = {"status": status, "note": note, "candidate": candidate_id}
    with (
        audit_refusals(
            action=AuditAction.PROPOSAL_MODERATE, actor=user, obj=AuditTarget.ref(Proposal, proposal_id), detail=detail
        ),
        transaction.atomic(),
    ):
        _office(user)
        proposal = Proposal.objects.select_for_update().get(pk=proposal_id)
        if status not in (ProposalStatus.ACCEPTED, ProposalStatus.DECLINED):
            raise ValidationError(_("请选择采纳或不采纳"))
        proposal.status = status
        proposal.note = note.strip()[:500]
        proposal.candidate = Candidate.objects.get(pk=candidate_id) if candidate_id else None
        if proposal.candidate is not None and status != ProposalStatus.ACCEPTED:
            raise ValidationError(_("未采纳的建议不能转为候选项目"))
        proposal.moderated_by = user
        proposal.moderated_at = clock.now()
        proposal.save()
        audit_record(action=AuditAction.PROPOSAL_MODERATE, actor=user, obj=proposal, detail=detail)
        return proposal


# --- candidates and the vote ----------------------------------------------------------------


def vote_create(
    *, user: User, session_id: int, title: str, plan_year: int, choose: int, opens_at: datetime, closes_at: datetime
) -> Vote:
    detail = {"title": title, "plan_year": plan_year, "choose": choose, "opens_at": opens_at, "closes_at": closes_at}
    with audit_refusals(action=AuditAction.VOTE_CREATE, actor=user, detail=detail), transaction.atomic():
        _office(user)
        vote = Vote(
            session=CongressSession.objects.get(pk=session_id), title=title.strip(), plan_year=plan_year,
            choose=choose, opens_at=opens_at, closes_at=closes_at, created_by=user,
        )  # fmt: skip
        vote.full_clean()
        vote.save()
        audit_record(action=AuditAction.VOTE_CREATE, actor=user, obj=vote, detail=detail)
        return vote


def candidate_save(
    *,
    user: User,
    vote_id: int,
    title: str,
    description: str,
    estimated_cost: Decimal,
    lead_unit_ids: Iterable[int],
    cooperating_unit_ids: Iterable[int] = (),
    proposal_ids: Iterable[int] = (),
) -> Candidate:
    """A candidate project with its estimated cost (万元) and units, from proposals if any (they
    are accepted into it). Only before the vote opens: the ballot does not change under the deputies."""
    lead, cooperating, proposals = list(lead_unit_ids), list(cooperating_unit_ids), list(proposal_ids)
    detail = {"title": title, "estimated_cost": estimated_cost, "lead_units": lead, "proposals": proposals}
    with (
        audit_refusals(
            action=AuditAction.CANDIDATE_SAVE, actor=user, obj=AuditTarget.ref(Vote, vote_id), detail=detail
        ),
        transaction.atomic(),
    ):
        _office(user)
        vote = Vote.objects.select_for_update().get(pk=vote_id)
        if (
            rules.window_state(rules.Window(vote.opens_at, vote.closes_at), at=clock.now())
            != rules.WindowState.UPCOMING
        ):
            raise ValidationError(_("投票已经开始，候选项目不能再改"))
        if not lead:
            raise ValidationError(_("请选择责任单位"))
        number = (vote.candidates.aggregate(n=Max("number"))["n"] or 0) + 1
        candidate = Candidate(
            vote=vote, number=number, title=title.strip(), description=description.strip(),
            estimated_cost=estimated_cost,
        )  # fmt: skip
        candidate.full_clean()
        candidate.save()
        candidate.lead_units.set(Unit.objects.filter(pk__in=lead))
        candidate.cooperating_units.set(Unit.objects.filter(pk__in=cooperating))
        now = clock.now()
        Proposal.objects.filter(pk__in=proposals).update(
            candidate=candidate, status=ProposalStatus.ACCEPTED, moderated_by=user, moderated_at=now
        )
        audit_record(action=AuditAction.CANDIDATE_SAVE, actor=user, obj=candidate, detail=detail)
        return candidate


def vote_cast(*, user: User, vote_id: int, candidate_ids: Iterable[int]) -> None:
    """A deputy's ballot: exactly ``vote.choose`` different candidates of the vote, once, while it is open."""
    chosen = sorted(set(candidate_ids))
    # The record names the vote and the voter, never the choices (a secret ballot).
    with audit_refusals(action=AuditAction.VOTE_CAST, actor=user, obj=AuditTarget.ref(Vote, vote_id)):
        try:
            with transaction.atomic():
                _vote_cast(user=user, vote_id=vote_id, chosen=chosen)
        except IntegrityError as exc:
            # Another request of the same deputy got through between the lock and the insert
            # (a database without row locks): the constraint refused the second.
            raise AlreadyCast(_("您已经投过票了，每位代表只能投一次")) from exc


def _vote_cast(*, user: User, vote_id: int, chosen: list[int]) -> None:
    deputy = deputy_of(user)
    vote = Vote.objects.select_for_update().get(pk=vote_id, session=deputy.session)
    if rules.window_state(rules.Window(vote.opens_at, vote.closes_at), at=clock.now()) != rules.WindowState.OPEN:
        raise ValidationError(_("不在投票时间内"))
    if VoteCast.objects.filter(vote=vote, deputy=deputy).exists():
        raise AlreadyCast(_("您已经投过票了，每位代表只能投一次"))
    if len(chosen) != vote.choose:
        raise ValidationError(_("请选择 %(n)s 个项目（您选了 %(got)s 个）") % {"n": vote.choose, "got": len(chosen)})
    if vote.candidates.filter(pk__in=chosen).count() != len(chosen):
        raise ValidationError(_("所选项目不属于本次票决"))
    VoteCast.objects.create(vote=vote, deputy=deputy)
    Candidate.objects.filter(vote=vote, pk__in=chosen).update(votes=F("votes") + 1)
    audit_record(action=AuditAction.VOTE_CAST, actor=user, obj=vote)
