"""Reads for deputies, lead units and the office: the plans' progress, inspections, suggestions,
and the office's lists (photos that may be published)."""

from __future__ import annotations

from django.db.models import QuerySet

from projects import clock, permissions
from projects.models import Evidence, Plan, Project, SubmissionStatus, User
from projects.people.models import Deputy, Inspection, Rating, Suggestion, Vote
from projects.people.selectors.public import PUBLIC_PHOTO_TYPES
from projects.selectors import dashboards


def deputy(user: User) -> Deputy | None:
    if not (user.is_authenticated and user.is_active and user.is_deputy):
        return None
    return Deputy.objects.select_related("session").filter(user=user).first()


def plans_progress() -> list[dashboards.Overview]:
    """Each plan's overview as of its landing month, as the office sees it (figures only, read-only)."""
    today = clock.today()
    return [
        dashboards.overview(plan=plan, month=dashboards.default_month(plan=plan, today=today))
        for plan in dashboards.plans()
    ]


def projects_for_deputies() -> QuerySet[Project]:
    return Project.objects.select_related("plan").order_by("-plan__year", "plan_id", "number")


def inspections_of(deputy: Deputy) -> QuerySet[Inspection]:
    return Inspection.objects.filter(deputy=deputy).select_related("project").prefetch_related("photos")


def suggestions_visible_to(user: User) -> QuerySet[Suggestion]:
    """A deputy's own suggestions, a lead unit's, all of them for the office."""
    base = Suggestion.objects.select_related("deputy", "project", "lead_unit")
    if permissions.administers(user):
        return base
    unit = permissions.acting_unit(user)
    if unit is not None:
        return base.filter(lead_unit=unit)
    own = deputy(user)
    return base.filter(deputy=own) if own is not None else base.none()


def votes_of(deputy: Deputy) -> QuerySet[Vote]:
    return Vote.objects.filter(session=deputy.session)


def ratings_of(deputy: Deputy) -> QuerySet[Rating]:
    return Rating.objects.filter(session=deputy.session).select_related("plan")


def publishable_evidence(plan: Plan) -> QuerySet[Evidence]:
    """Photos of reviewed figures of a plan, for the office to choose from (newest first)."""
    return (
        Evidence.objects.filter(
            submission__indicator__task__project__plan=plan,
            submission__status=SubmissionStatus.APPROVED,
            content_type__in=PUBLIC_PHOTO_TYPES,
        )
        .select_related("submission__indicator__task__project", "submission__unit", "publication")
        .order_by("-uploaded_at")[:40]
    )
