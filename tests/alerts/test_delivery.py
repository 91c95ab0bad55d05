"""Sending: every delivery recorded, claimed before it is sent, retried with back-off, never twice."""

import socket
from datetime import datetime, timedelta

import pytest
import time_machine
from django.contrib.admin.sites import site
from django.core import mail
from django.test import RequestFactory, override_settings

from projects.admin_alerts import DeliveryAdmin
from projects.models import (
    Channel,
    Delivery,
    DeliveryStatus,
    Event,
    Unit,
    WebhookEndpoint,
    WebhookFlavour,
    WebhookScope,
)
from projects.services.notifications import (
    News,
    backoff,
    deliveries_send_due,
    delivery_send,
    notifications_create,
)
from projects.tasks import deliver, deliver_pending

from .conftest import SHANGHAI

pytestmark = pytest.mark.django_db

T0 = datetime(2022, 10, 3, 9, 0, tzinfo=SHANGHAI)


def news(unit: Unit, key: str = "alert:1:opened") -> News:
    return News(event=Event.ALERT_LAGGING, key=key, subject="【滞后预警·红色】测试", body="正文", unit_id=unit.pk)


@pytest.fixture
def mianchi_unit(people) -> Unit:
    return people.mianchi.unit


@pytest.fixture
def hook(robot, mianchi_unit) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(
        name="渑池县政府工作群",
        flavour=WebhookFlavour.WECOM,
        url=robot.url(),
        scope=WebhookScope.UNIT,
        unit=mianchi_unit,
    )


def webhook_delivery(unit: Unit) -> Delivery:
    notifications_create(items=[news(unit)])
    return Delivery.objects.get(channel=Channel.WEBHOOK)


def test_each_news_is_recorded_once_per_recipient_however_often_it_is_created(mianchi_unit, hook):
    Unit.objects.filter(pk=mianchi_unit.pk).update(email="MianChi@example.org")
    first = notifications_create(items=[news(mianchi_unit)])
    again = notifications_create(items=[news(mianchi_unit), news(mianchi_unit)])
    rows = Delivery.objects.order_by("channel", "recipient")
    assert [(d.channel, d.recipient, d.status) for d in rows] == [
        ("email", "mianchi@example.org", "pending"),  # the clerk and the unit's address, the same mailbox
        ("webhook", f"webhook#{hook.pk}", "pending"),
    ]
    assert first == again == sorted(d.pk for d in rows)


def test_a_delivery_is_sent_once_whoever_runs_it(mianchi_unit, hook, robot):
    delivery = webhook_delivery(mianchi_unit)
    assert delivery_send(delivery_id=delivery.pk) == "sent"
    # The same task delivered again by the broker, a sweep, a second worker: nothing more.
    assert delivery_send(delivery_id=delivery.pk) == "skipped"
    deliver.apply(args=[delivery.pk])
    deliver_pending.apply()
    assert len(robot.received) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.sent_at is not None) == ("sent", 1, True)


def test_a_delivery_claimed_by_another_worker_is_left_to_it(mianchi_unit, hook, robot):
    delivery = webhook_delivery(mianchi_unit)
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.SENDING)
    assert delivery_send(delivery_id=delivery.pk) == "skipped"
    deliveries_send_due()
    assert robot.received == []
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sending", 0)


def test_failures_are_retried_with_exponential_back_off(mianchi_unit, hook, robot):
    robot.script = [500, 503, {"errcode": 310000, "errmsg": "keywords not in content"}]
    with time_machine.travel(T0, tick=False) as clock:
        delivery = webhook_delivery(mianchi_unit)
        tries = []
        for wait in [0, 59, 1, 119, 1, 239, 1]:
            clock.shift(timedelta(seconds=wait))
            deliveries_send_due()
            delivery.refresh_from_db()
            tries.append((len(robot.received), delivery.status, delivery.attempts))
    # Tried at once, then 1, 2 and 4 minutes after each failure, not a second earlier.
    assert tries == [
        (1, "pending", 1),
        (1, "pending", 1),
        (2, "pending", 2),
        (2, "pending", 2),
        (3, "pending", 3),
        (3, "pending", 3),
        (4, "sent", 4),
    ]
    assert delivery.last_error == ""
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 480]


@override_settings(ALERTS_DELIVERY_MAX_ATTEMPTS=3)
def test_after_the_last_attempt_it_fails_for_good_until_the_office_requeues_it(mianchi_unit, hook, robot, people):
    robot.script = [500] * 3
    with time_machine.travel(T0, tick=False) as clock:
        delivery = webhook_delivery(mianchi_unit)
        for _ in range(6):
            deliveries_send_due()
            clock.shift(timedelta(hours=1))
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts, len(robot.received)) == ("failed", 3, 3)
        assert "HTTP 500" in delivery.last_error
        # The office looks into it and queues it again from the admin.
        request = RequestFactory().post("/")
        request.user = people.office
        request.user.is_superuser = True
        request._messages = type("Flash", (), {"add": lambda *a, **k: None})()
        DeliveryAdmin(Delivery, site).requeue(request, Delivery.objects.filter(pk=delivery.pk))
        deliveries_send_due()
    delivery.refresh_from_db()
    assert (delivery.status, len(robot.received)) == ("sent", 4)


def test_a_send_interrupted_midway_is_never_repeated(mianchi_unit, hook, robot):
    delivery = webhook_delivery(mianchi_unit)
    with time_machine.travel(T0, tick=False) as clock:
        # A worker claimed it and died: it may or may not have reached the group.
        Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.SENDING, claimed_at=T0, attempts=1)
        clock.shift(timedelta(minutes=5))
        assert deliveries_send_due()["stuck"] == 0
        clock.shift(timedelta(minutes=11))
        assert deliveries_send_due()["stuck"] == 1
        deliveries_send_due()
    delivery.refresh_from_db()
    assert delivery.status == "failed" and "不再自动重试" in delivery.last_error
    assert robot.received == []


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_email_that_cannot_be_sent_is_retried(mianchi_unit):
    notifications_create(items=[news(mianchi_unit)])
    email = Delivery.objects.get(channel=Channel.EMAIL)
    with time_machine.travel(T0, tick=False) as clock:
        Delivery.objects.filter(pk=email.pk).update(next_attempt_at=T0)
        # No mail server answers: the failure is recorded, nothing is lost.
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_PORT=_closed_port(), EMAIL_TIMEOUT=5
        ):
            assert delivery_send(delivery_id=email.pk) == "pending"
        email.refresh_from_db()
        assert email.attempts == 1 and email.last_error and email.next_attempt_at == T0 + timedelta(minutes=1)
        clock.shift(timedelta(minutes=1))
        deliveries_send_due()
    email.refresh_from_db()
    assert email.status == "sent"
    assert [m.to for m in mail.outbox] == [["mianchi@example.org"]]
    assert mail.outbox[0].subject == "【滞后预警·红色】测试"
    assert "http://127.0.0.1:8000/inbox/" in mail.outbox[0].body
