"""Reads of the public progress page (政务公开): what it may show, and the snapshot it is served from.

Only what the office has published shows: plans it published, the city's figures computed from
reviewed (审核通过) figures of closed months, photos it approved. No unit's own figure, no alert,
no person's name reaches the snapshot."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Max, Prefetch

from projects import calendar
from projects.models import Assignment, Indicator, MonthClosure, Plan, Submission, SubmissionStatus
from projects.people import rules as people_rules
from projects.people.models import Publication, PublicPhoto, PublicSnapshot
from projects.services.progress import city_progress_compute

# Images only: a PDF of evidence is a document of the office, not a picture for the public.
PUBLIC_PHOTO_TYPES = ("image/jpeg", "image/png")


def published_plans() -> list[Plan]:
    return [p.plan for p in Publication.objects.select_related("plan").order_by("-plan__year", "plan__pk")]


def last_closed_month(plan: Plan) -> date | None:
    return MonthClosure.objects.filter(plan=plan).aggregate(m=Max("month"))["m"]


def _num(value: Decimal | None) -> str | None:
    """Figures as text: JSON keeps them exactly, whatever the database."""
    if value is None:
        return None
    return (
        format(value.normalize(), "f") if value == value.to_integral() else format(value.quantize(Decimal("0.01")), "f")
    )


def snapshot_data(*, plan: Plan, month: date) -> dict[str, Any]:
    """Everything the public page shows of ``plan`` as of ``month``: a fixed number of queries.

    Each indicator's city figure is computed from the reviewed figures alone, as of ``month`` and
    of the month before (for "what changed since last month")."""
    indicators = list(
        Indicator.objects.filter(task__project__plan=plan)
        .select_related("task__project")
        .prefetch_related(Prefetch("assignments", queryset=Assignment.objects.order_by("pk")))
        .order_by("task__project__number", "task__number", "position")
    )
    approved = defaultdict(list)
    rows = Submission.objects.filter(
        indicator__task__project__plan=plan, status=SubmissionStatus.APPROVED, month__lte=month
    ).only("id", "indicator_id", "unit_id", "month", "value", "numerator", "denominator", "stage", "late")
    for sub in rows:
        approved[sub.indicator_id].append(sub)
    previous = calendar.add_months(month, -1)
    as_of = calendar.as_of(month)
    projects: dict[int, dict[str, Any]] = {}
    measured: dict[int, list[tuple[Decimal | None, Decimal]]] = defaultdict(list)
    before: dict[int, list[tuple[Decimal | None, Decimal]]] = defaultdict(list)
    deadlines: dict[int, date] = {}
    for ind in indicators:
        project = ind.task.project
        entry = projects.setdefault(
            project.pk, {"number": project.number, "title": project.title, "indicators": [], "photos": []}
        )
        city = {
            row.month: row
            for row in city_progress_compute(
                indicator=ind, plan=plan, assignments=ind.assignments.all(), submissions=approved.get(ind.pk, [])
            )
        }
        now_row, last_row = city.get(month), city.get(previous)
        if now_row is None:
            continue  # not followed yet in that month
        value = now_row.value if ind.kind != "milestone" else None
        last_value = last_row.value if last_row is not None and ind.kind != "milestone" else None
        entry["indicators"].append(
            {
                "name": ind.name,
                "unit": ind.unit_of_measure,
                "target": _num(ind.target),
                "value": _num(value),
                "completion": _num(now_row.completion),
                "deadline": ind.deadline_text,
                "changed": _num(now_row.completion) != _num(last_row.completion if last_row else None),
                "last_value": _num(last_value),
                "last_completion": _num(last_row.completion if last_row else None),
            }
        )
        if ind.parent_id is None:
            measured[project.pk].append((now_row.completion, now_row.expected))
            if last_row is not None:
                before[project.pk].append((last_row.completion, last_row.expected))
            deadlines[project.pk] = max(deadlines.get(project.pk, ind.deadline), ind.deadline)
    for pk, entry in projects.items():
        standing = people_rules.group_standing(
            indicators=measured[pk], deadline=deadlines.get(pk, plan.default_deadline), as_of=as_of, bands=plan.bands
        )
        last = people_rules.group_standing(
            indicators=before[pk],
            deadline=deadlines.get(pk, plan.default_deadline),
            as_of=calendar.as_of(previous),
            bands=plan.bands,
        )
        entry.update(
            completion=_num(standing.completion),
            expected=_num(standing.expected),
            light=standing.light,
            last_completion=_num(last.completion),
        )
    photos = (
        PublicPhoto.objects.filter(
            evidence__submission__indicator__task__project__plan=plan,
            evidence__submission__status=SubmissionStatus.APPROVED,
            evidence__content_type__in=PUBLIC_PHOTO_TYPES,
        )
        .exclude(file="")
        .values_list("pk", "caption", "evidence__submission__indicator__task__project_id")
    )
    for pk, caption, project_id in photos:
        if project_id in projects:
            projects[project_id]["photos"].append({"id": pk, "caption": caption})
    return {
        "plan": {"year": plan.year, "title": plan.title, "document": plan.document},
        "month": calendar.month_key(month),
        "projects": [projects[pk] for pk in sorted(projects, key=lambda k: projects[k]["number"])],
    }


def public_snapshots() -> list[PublicSnapshot]:
    """The latest snapshot of each published plan (one query), without its content: what the page
    needs to find its copy in the cache. ``with_data`` loads the content on a miss."""
    latest: dict[int, PublicSnapshot] = {}
    rows = (
        PublicSnapshot.objects.filter(plan__publication__isnull=False)
        .select_related("plan")
        .defer("data")
        .order_by("plan_id", "-month")
    )
    for snap in rows:
        latest.setdefault(snap.plan_id, snap)
    return sorted(latest.values(), key=lambda s: (-s.plan.year, s.plan_id))


def public_snapshot(plan_id: int) -> PublicSnapshot | None:
    """A published plan's latest snapshot, without its content (as ``public_snapshots``)."""
    return (
        PublicSnapshot.objects.filter(plan_id=plan_id, plan__publication__isnull=False)
        .select_related("plan")
        .defer("data")
        .order_by("-month")
        .first()
    )


def with_data(snapshots: list[PublicSnapshot]) -> list[PublicSnapshot]:
    """The same snapshots with their content (one query): for rendering a page the cache lacks.
    Decoding the content is most of a page's cost, so a hit never does it."""
    data = dict(PublicSnapshot.objects.filter(pk__in=[s.pk for s in snapshots]).values_list("pk", "data"))
    for snapshot in snapshots:
        snapshot.data = data.get(snapshot.pk, {})
    return snapshots


def cache_key(snapshots: list[PublicSnapshot], *, page: str, language: str) -> str:
    """The page's key in the cache: a refresh (a new build_at) makes a new key, so nothing stale is served."""
    stamp = ",".join(f"{s.pk}:{s.built_at.timestamp()}" for s in snapshots)
    digest = hashlib.sha256(stamp.encode()).hexdigest()[:24]
    return f"people:public:{page}:{language}:{digest}"


def photo_visible(pk: int) -> PublicPhoto | None:
    """A photo the public may fetch: approved, of a published plan's reviewed figure, an image."""
    return (
        PublicPhoto.objects.filter(
            pk=pk,
            evidence__submission__indicator__task__project__plan__publication__isnull=False,
            evidence__submission__status=SubmissionStatus.APPROVED,
            evidence__content_type__in=PUBLIC_PHOTO_TYPES,
        )
        .exclude(file="")
        .select_related("evidence")
        .first()
    )


def standing_words(entry: dict[str, Any]) -> tuple[str, Decimal | None]:
    """(``ahead`` | ``behind`` | ``on_pace`` | ``none``, points) of a project entry of the snapshot."""
    if entry.get("completion") is None or entry.get("expected") is None:
        return "none", None
    gap = Decimal(entry["expected"]) - Decimal(entry["completion"])
    if gap > 0:
        return "behind", gap
    if gap < 0:
        return "ahead", -gap
    return "on_pace", Decimal(0)
