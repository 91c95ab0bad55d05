"""Reads of proposals, the vote and the draft plan that its chosen candidates become."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from projects.models import UnitKind
from projects.people import rules
from projects.people.models import Candidate, Deputy, Proposal, ProposalStatus, Vote, VoteCast


def moderation_queue() -> QuerySet[Proposal]:
    return Proposal.objects.filter(status=ProposalStatus.NEW).order_by("submitted_at")


def proposals_moderated() -> QuerySet[Proposal]:
    return (
        Proposal.objects.exclude(status=ProposalStatus.NEW).select_related("candidate").order_by("-moderated_at")[:50]
    )


def state(vote: Vote, *, at: datetime) -> rules.WindowState:
    return rules.window_state(rules.Window(vote.opens_at, vote.closes_at), at=at)


@dataclass(frozen=True)
class Count:
    """The count of a vote: each candidate's votes and whether it is chosen (the ``choose`` most
    voted; a tie at the cut is chosen and flagged for the office to settle)."""

    vote: Vote
    candidates: list[Candidate]
    chosen: set[int]
    tie_at_cut: bool
    voted: int
    deputies: int


def vote_count(vote: Vote) -> Count:
    candidates = list(vote.candidates.prefetch_related("lead_units", "cooperating_units").order_by("-votes", "number"))
    chosen: set[int] = set()
    tie = False
    if candidates and any(c.votes for c in candidates):
        cut = candidates[min(vote.choose, len(candidates)) - 1].votes
        chosen = {c.pk for c in candidates if c.votes >= cut and c.votes > 0}
        tie = len(chosen) > vote.choose
    return Count(
        vote=vote,
        candidates=sorted(candidates, key=lambda c: c.number),
        chosen=chosen,
        tie_at_cut=tie,
        voted=VoteCast.objects.filter(vote=vote).count(),
        deputies=Deputy.objects.filter(session=vote.session_id).count(),
    )


def has_voted(*, vote: Vote, deputy: Deputy) -> bool:
    return VoteCast.objects.filter(vote=vote, deputy=deputy).exists()


def draft_plan(count: Count) -> dict[str, Any]:
    """The chosen candidates as a plan file (docs/plan-format.md, format 2): one project each with
    one task and its units; the office adds the document number, the dates and the indicators
    before ``load_plan`` accepts it."""
    vote = count.vote
    chosen = [c for c in sorted(count.candidates, key=lambda c: (-c.votes, c.number)) if c.pk in count.chosen]
    units: dict[str, str] = {}
    projects = []
    for number, candidate in enumerate(chosen, start=1):
        lead = [u.name for u in candidate.lead_units.all()]
        coop = [u.name for u in candidate.cooperating_units.all()]
        for unit in [*candidate.lead_units.all(), *candidate.cooperating_units.all()]:
            units.setdefault(unit.name, unit.kind or UnitKind.OTHER)
        projects.append(
            {
                "number": number,
                "title": candidate.title,
                "tasks": [
                    {
                        "number": 1,
                        "text": candidate.description,
                        "lead_units": lead,
                        "cooperating_units": coop,
                        "lead_units_text": "、".join(lead),
                        "cooperating_units_text": "、".join(coop),
                        "indicators": [],
                    }
                ],
            }
        )
    return {
        "format": 2,
        "plan": {
            "year": vote.plan_year,
            "kind": "livelihood",
            "document": "",
            "title": f"{vote.plan_year} 年重点民生实事工作方案",
            "issuing_body": "",
            "issued_on": "",
            "start": f"{vote.plan_year}-01-01",
            "default_deadline": f"{vote.plan_year}-12-31",
            "source": vote.title,
            "notes": "；".join(f"{c.title}：得票 {c.votes}，估算投资 {c.estimated_cost} 万元" for c in chosen),
        },
        "units": [{"name": name, "kind": kind} for name, kind in units.items()],
        "projects": projects,
    }
