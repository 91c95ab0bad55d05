"""The database itself refuses what must never be stored, whatever code writes it: one submission
per indicator, unit and month; no negative figure; one open alert per indicator, unit and kind;
the same news never recorded twice for one recipient.

Each write goes around the services: the ORM's create, bulk_create and update, and raw SQL. It
runs on SQLite and, in the second pass of `make test`, on PostgreSQL."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from projects.models import Alert, AlertKind, Delivery, Event, Message, Severity, Submission, SubmissionStatus

from .conftest import JUNE, indicator, unit

pytestmark = pytest.mark.django_db

JULY = date(2022, 7, 1)


@pytest.fixture
def submission(plan_2022) -> Submission:
    return Submission.objects.create(
        indicator=indicator("1.1.1"), unit=unit("湖滨区政府"), month=JUNE, status=SubmissionStatus.SUBMITTED,
        value=Decimal(100),
    )  # fmt: skip


@pytest.fixture
def alert(plan_2022) -> Alert:
    return _alert()


def _alert(**changes) -> Alert:
    ind, now = indicator("10.1.1"), timezone.now()
    fields = dict(
        plan=ind.task.project.plan, kind=AlertKind.LAGGING, indicator=ind, unit=unit("渑池县政府"), month=JUNE,
        severity=Severity.RED, expected=Decimal(50), actual=Decimal(10), opened_at=now, updated_at=now,
        checked_on=date(2022, 7, 3),
    )  # fmt: skip
    return Alert(**(fields | changes))


def refused(write) -> None:
    """``write`` fails with IntegrityError and leaves nothing behind."""
    with pytest.raises(IntegrityError), transaction.atomic():
        write()


def table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def columns(model) -> str:
    names = [f.column for f in model._meta.concrete_fields if not f.primary_key]
    return ", ".join(connection.ops.quote_name(n) for n in names)


def copy_row_sql(model, pk: int) -> None:
    """INSERT a copy of a row (new id, every other column the same) in raw SQL."""
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table(model)} ({columns(model)}) SELECT {columns(model)} FROM {table(model)} WHERE id = %s", [pk])  # fmt: skip


def set_sql(model, pk: int, column: str, value) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table(model)} SET {connection.ops.quote_name(column)} = %s WHERE id = %s", [value, pk])


# --- one submission per indicator, unit and month ----------------------------------------------


def test_a_second_submission_of_the_same_month_is_refused_by_create(submission):
    refused(lambda: Submission.objects.create(indicator=submission.indicator, unit=submission.unit, month=JUNE))


def test_a_second_submission_of_the_same_month_is_refused_by_bulk_create(submission):
    copies = [Submission(indicator=submission.indicator, unit=submission.unit, month=JULY) for _ in range(2)]
    refused(lambda: Submission.objects.bulk_create(copies))
    assert not Submission.objects.filter(month=JULY).exists()


def test_a_second_submission_of_the_same_month_is_refused_in_sql(submission):
    refused(lambda: copy_row_sql(Submission, submission.pk))
    assert Submission.objects.count() == 1


def test_moving_a_submission_onto_another_of_the_same_month_is_refused(submission):
    july = Submission.objects.create(indicator=submission.indicator, unit=submission.unit, month=JULY)
    refused(lambda: Submission.objects.filter(pk=july.pk).update(month=JUNE))


# --- no negative figures -------------------------------------------------------------------------


@pytest.mark.parametrize("column", ["value", "numerator", "denominator"])
def test_a_negative_figure_is_refused_by_update_and_sql(submission, column):
    refused(lambda: Submission.objects.filter(pk=submission.pk).update(**{column: Decimal("-0.0001")}))
    refused(lambda: set_sql(Submission, submission.pk, column, -1))
    submission.refresh_from_db()
    assert getattr(submission, column) in (Decimal(100), None)


def test_a_negative_figure_is_refused_by_create_and_bulk_create(plan_2022):
    ind, who = indicator("1.1.1"), unit("湖滨区政府")
    refused(lambda: Submission.objects.create(indicator=ind, unit=who, month=JUNE, value=Decimal(-5)))
    refused(lambda: Submission.objects.bulk_create([Submission(indicator=ind, unit=who, month=JUNE, numerator=-1)]))
    assert not Submission.objects.exists()


def test_a_numerator_above_its_denominator_is_refused(submission):
    refused(lambda: Submission.objects.filter(pk=submission.pk).update(numerator=11, denominator=10))
    Submission.objects.filter(pk=submission.pk).update(numerator=10, denominator=10)  # a rate of 100 %: fine


# --- one open alert per indicator, unit and kind -------------------------------------------------


def test_a_second_open_alert_is_refused_by_create_bulk_create_and_sql(alert):
    alert.save()
    refused(lambda: _alert().save())
    refused(lambda: Alert.objects.bulk_create([_alert(severity=Severity.YELLOW)]))
    refused(lambda: copy_row_sql(Alert, alert.pk))
    assert Alert.objects.count() == 1


def test_resolved_alerts_do_not_count_and_other_kinds_are_separate(alert):
    alert.resolved_at = timezone.now()
    alert.save()
    _alert().save()  # the condition came back: a new open alert
    _alert(kind=AlertKind.MISSING).save()
    refused(lambda: Alert.objects.filter(pk=alert.pk).update(resolved_at=None))  # reopening the old one
    assert Alert.objects.filter(resolved_at__isnull=True).count() == 2


# --- the same news once per recipient ------------------------------------------------------------


def test_the_same_message_and_delivery_are_recorded_once(plan_2022):
    from tests.alerts.factories import UserFactory

    user, now = UserFactory(username="mianchi", unit_name="渑池县政府"), timezone.now()
    message = dict(
        recipient=user, kind=Event.ALERT_LAGGING, subject="滞后", body="…", dedupe_key="alert:1", created=now
    )
    Message.objects.create(**message)
    refused(lambda: Message.objects.bulk_create([Message(**message)]))
    delivery = dict(
        channel="email", recipient="mianchi@example.org", dedupe_key="alert:1", event=Event.ALERT_LAGGING,
        subject="滞后", body="…", next_attempt_at=now, created=now,
    )  # fmt: skip
    first = Delivery.objects.create(**delivery)
    refused(lambda: Delivery.objects.create(**delivery))
    refused(lambda: copy_row_sql(Delivery, first.pk))
