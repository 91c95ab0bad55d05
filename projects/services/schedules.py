"""Writing the default periodic jobs into django-celery-beat's tables."""

from __future__ import annotations

from django.db import transaction
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from projects.audit.actions import AuditAction
from projects.audit.services import audit_record
from projects.schedules import DEFAULT_SCHEDULES, TIMEZONE, Schedule


@transaction.atomic
def schedules_setup(*, schedules: tuple[Schedule, ...] = DEFAULT_SCHEDULES) -> list[tuple[str, bool]]:
    """Create each default job that does not exist yet, recognised by its name.

    An existing job is left exactly as it is, however the office changed it (time, enabled,
    arguments): the defaults are a starting point, the admin is where the timetable lives.
    Returns ``(name, created)`` per default."""
    outcome = []
    existing = set(PeriodicTask.objects.filter(name__in=[s.name for s in schedules]).values_list("name", flat=True))
    for schedule in schedules:
        if schedule.name in existing:
            outcome.append((schedule.name, False))
            continue
        when: dict[str, object]
        if schedule.every_seconds:
            interval, _ = IntervalSchedule.objects.get_or_create(
                every=schedule.every_seconds, period=IntervalSchedule.SECONDS
            )
            when = {"interval": interval}
        else:
            crontab, _ = CrontabSchedule.objects.get_or_create(
                minute=schedule.minute,
                hour=schedule.hour,
                day_of_month=schedule.day_of_month,
                month_of_year=schedule.month_of_year,
                day_of_week=schedule.day_of_week,
                timezone=TIMEZONE,
            )
            when = {"crontab": crontab}
        PeriodicTask.objects.create(
            name=schedule.name,
            task=schedule.task,
            description=schedule.description,
            kwargs="{}",
            enabled=schedule.enabled,
            **when,
        )
        outcome.append((schedule.name, True))
    created = [name for name, made in outcome if made]
    if created:
        audit_record(action=AuditAction.SCHEDULES_SETUP, detail={"created": created})
    return outcome
