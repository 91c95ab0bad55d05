"""Who may read, report and review what: plain functions and querysets, enforced on the server.

Views never decide access themselves: they fetch objects through these querysets, so that an
object a user may not see does not exist for them (404), whatever URL they type.

- A unit user reports the indicators assigned to their unit, and reviews the figures of the tasks
  their unit leads as a city-level department (counties and management committees lead many
  tasks too, but never review each other).
- A figure is reviewed by a reviewing unit of its task other than the one that reported it; where
  the reporting unit is the task's only reviewing unit (figures a lead department holds itself),
  the supervision office reviews it.
- The office reads everything and administers (reopens approved figures, closes months);
  leaders read everything and write nothing but their instructions.
- The supervision loop: a notice is answered by the unit it names (its lead unit reads it); a
  leader writes instructions on the projects of his portfolio, and each named unit reads the
  instruction and its own reply, nobody else's; a task's lead department applies to close out its
  targets; the office verifies answers and close-outs and alone reopens a closed-out target.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from projects.models import (
    Assignment,
    CloseOut,
    Evidence,
    Indicator,
    Instruction,
    InstructionReply,
    Project,
    Role,
    Submission,
    SubmissionStatus,
    SupervisionFile,
    SupervisionNotice,
    Task,
    TaskUnit,
    TaskUnitRole,
    Unit,
    UnitKind,
    User,
)

# Lead units of these kinds carry out a task in their area; they do not review other units.
NON_REVIEWING_KINDS = (UnitKind.COUNTY, UnitKind.COMMITTEE)


# --- the review rule ------------------------------------------------------------------------


def is_reviewing_kind(unit: Unit) -> bool:
    return unit.kind not in NON_REVIEWING_KINDS


def reviewing_units(*, task: Task) -> QuerySet[Unit]:
    """The city-level lead units (牵头部门) of a task: the ones that review its figures."""
    return Unit.objects.filter(task_roles__task=task, task_roles__role=TaskUnitRole.LEAD).exclude(
        kind__in=NON_REVIEWING_KINDS
    )


def tasks_reviewed_by(*, unit: Unit) -> QuerySet[Task]:
    """The tasks whose figures ``unit`` reviews (as the task's lead department)."""
    if not is_reviewing_kind(unit):
        return Task.objects.none()
    return Task.objects.filter(task_units__unit=unit, task_units__role=TaskUnitRole.LEAD)


def reviewing_unit_ids(*, task_ids: set[int]) -> dict[int, list[int]]:
    """task id -> the ids of its reviewing units (``reviewing_units``), for many tasks in one query."""
    rows = (
        TaskUnit.objects.filter(task_id__in=task_ids, role=TaskUnitRole.LEAD)
        .exclude(unit__kind__in=NON_REVIEWING_KINDS)
        .order_by("task_id", "position", "id")
        .values_list("task_id", "unit_id")
    )
    found: dict[int, list[int]] = {}
    for task_id, unit_id in rows:
        found.setdefault(task_id, []).append(unit_id)
    return found


def submission_reviewers(*, submission: Submission) -> list[Unit]:
    """The units that review ``submission``; an empty list means the supervision office does."""
    return list(reviewing_units(task=submission.indicator.task).exclude(pk=submission.unit_id))


def _other_reviewing_lead(unit_ref: OuterRef | Unit | int) -> Exists:
    return Exists(
        TaskUnit.objects.filter(task=OuterRef("indicator__task"), role=TaskUnitRole.LEAD)
        .exclude(unit__kind__in=NON_REVIEWING_KINDS)
        .exclude(unit=unit_ref)
    )


def reviewed_by_office_q() -> Q:
    """Submissions that no reviewing unit other than the submitter can review."""
    return ~Q(_other_reviewing_lead(OuterRef("unit")))


def reviewed_by_unit_q(*, unit: Unit) -> Q:
    if not is_reviewing_kind(unit):
        return Q(pk__in=[])
    leads = TaskUnit.objects.filter(task=OuterRef("indicator__task"), role=TaskUnitRole.LEAD, unit=unit)
    return Q(Exists(leads)) & ~Q(unit=unit)


# --- users ----------------------------------------------------------------------------------


def acting_unit(user: User) -> Unit | None:
    """The unit a user reports and reviews for, if any."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.role != Role.UNIT or user.is_office:
        return None
    return user.unit


def reads_everything(user: User) -> bool:
    return user.is_authenticated and user.is_active and (user.is_office or user.is_leader)


def administers(user: User) -> bool:
    return user.is_authenticated and user.is_active and user.is_office


def is_reviewer(user: User) -> bool:
    """Whether the user has a review list at all."""
    if administers(user):
        return True
    unit = acting_unit(user)
    return unit is not None and tasks_reviewed_by(unit=unit).exists()


# --- querysets ------------------------------------------------------------------------------


def assignments_reportable_by(user: User) -> QuerySet[Assignment]:
    """The (indicator, unit) pairs this user reports: their own unit's, nobody else's."""
    unit = acting_unit(user)
    if unit is None:
        return Assignment.objects.none()
    return Assignment.objects.filter(unit=unit)


def units_readable_by(user: User) -> QuerySet[Unit]:
    """Units whose month page the user may open."""
    if reads_everything(user):
        return Unit.objects.all()
    unit = acting_unit(user)
    return Unit.objects.filter(pk=unit.pk) if unit else Unit.objects.none()


def submissions_visible_to(user: User) -> QuerySet[Submission]:
    """A unit sees its own figures (drafts included) and the sent figures it reviews; the office
    and leaders see everything."""
    if reads_everything(user):
        return Submission.objects.all()
    unit = acting_unit(user)
    if unit is None:
        return Submission.objects.none()
    reviewed = reviewed_by_unit_q(unit=unit) & ~Q(status=SubmissionStatus.DRAFT)
    return Submission.objects.filter(Q(unit=unit) | reviewed)


def history_visible_q(user: User) -> Q:
    """The recorded states of figures a user may read in a change history (a task's, a figure's):
    a unit its own, drafts included; of the figures it reviews only what was sent (a draft is the
    unit's own business, never a reviewer's); the office and leaders everything."""
    if reads_everything(user):
        return Q()
    unit = acting_unit(user)
    if unit is None:
        return Q(pk__in=[])
    return Q(unit=unit) | ~Q(status=SubmissionStatus.DRAFT)


def submissions_reviewable_by(user: User) -> QuerySet[Submission]:
    """Submissions this user's unit (or, for the office, the office) is the reviewer of; drafts
    are the unit's own business and are never reviewed."""
    if administers(user):
        q = reviewed_by_office_q()
    else:
        unit = acting_unit(user)
        if unit is None:
            return Submission.objects.none()
        q = reviewed_by_unit_q(unit=unit)
    return Submission.objects.filter(q).exclude(status=SubmissionStatus.DRAFT)


def evidence_visible_to(user: User) -> QuerySet[Evidence]:
    return Evidence.objects.filter(submission__in=submissions_visible_to(user))


def can_review(user: User, submission: Submission) -> bool:
    return submissions_reviewable_by(user).filter(pk=submission.pk).exists()


def can_report(user: User, submission: Submission) -> bool:
    unit = acting_unit(user)
    return unit is not None and submission.unit_id == unit.pk


# --- the supervision loop -------------------------------------------------------------------


def notices_visible_to(user: User) -> QuerySet[SupervisionNotice]:
    """The office and leaders read every notice; a unit the notices addressed to it or to it as
    the task's lead unit."""
    if reads_everything(user):
        return SupervisionNotice.objects.all()
    unit = acting_unit(user)
    if unit is None:
        return SupervisionNotice.objects.none()
    return SupervisionNotice.objects.filter(Q(unit=unit) | Q(lead_unit=unit))


def notices_answerable_by(user: User) -> QuerySet[SupervisionNotice]:
    """The notices a user signs for and answers: those addressed to their own unit."""
    unit = acting_unit(user)
    return SupervisionNotice.objects.filter(unit=unit) if unit else SupervisionNotice.objects.none()


def instructions_visible_to(user: User) -> QuerySet[Instruction]:
    """The office and leaders read every instruction; a unit those that name it."""
    if reads_everything(user):
        return Instruction.objects.all()
    unit = acting_unit(user)
    if unit is None:
        return Instruction.objects.none()
    return Instruction.objects.filter(replies__unit=unit).distinct()


def replies_visible_to(user: User) -> QuerySet[InstructionReply]:
    """Every unit's reply for the office and leaders; a unit reads its own reply only."""
    if reads_everything(user):
        return InstructionReply.objects.all()
    unit = acting_unit(user)
    return InstructionReply.objects.filter(unit=unit) if unit else InstructionReply.objects.none()


def replies_answerable_by(user: User) -> QuerySet[InstructionReply]:
    unit = acting_unit(user)
    return InstructionReply.objects.filter(unit=unit) if unit else InstructionReply.objects.none()


def verifies(user: User) -> bool:
    """The office verifies answers and close-outs, closes them and reopens a closed-out target."""
    return administers(user)


def projects_instructable_by(user: User) -> QuerySet[Project]:
    """The projects a leader may write instructions on: those of his portfolio."""
    if not (user.is_authenticated and user.is_active and user.is_leader):
        return Project.objects.none()
    return Project.objects.filter(leaders=user)


def indicators_closable_by(user: User) -> QuerySet[Indicator]:
    """The indicators whose close-out a user may apply for: those of the tasks their unit leads as
    the lead department (the units that review the task's figures)."""
    unit = acting_unit(user)
    if unit is None:
        return Indicator.objects.none()
    return Indicator.objects.filter(task__in=tasks_reviewed_by(unit=unit))


def closeouts_visible_to(user: User) -> QuerySet[CloseOut]:
    """The office and leaders read every close-out; a lead department those of its tasks."""
    if reads_everything(user):
        return CloseOut.objects.all()
    unit = acting_unit(user)
    if unit is None:
        return CloseOut.objects.none()
    return CloseOut.objects.filter(Q(unit=unit) | Q(indicator__in=indicators_closable_by(user)))


def supervision_files_visible_to(user: User) -> QuerySet[SupervisionFile]:
    """A file is read by whoever may read the answer or the close-out it belongs to."""
    return SupervisionFile.objects.filter(
        Q(answer__notice__in=notices_visible_to(user))
        | Q(answer__reply__in=replies_visible_to(user))
        | Q(closeout__in=closeouts_visible_to(user))
    )
