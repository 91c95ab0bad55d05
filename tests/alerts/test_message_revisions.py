"""A condition that changes updates its message instead of adding one: the same inbox message,
rewritten (unread again when its subject changed), an e-mail not sent yet with the new words, one
already sent never sent again; when the condition ends the message says 已解除."""

from datetime import date

import pytest
import time_machine
from django.core import mail

from projects.models import Alert, Channel, Delivery, DeliveryStatus, Message
from projects.services.alerts import PROGRESS_KINDS, alerts_scan
from projects.services.notifications import deliveries_send_due

from .conftest import ROADS, at, report

pytestmark = pytest.mark.django_db


def scan(day: date, *, send: bool = True) -> None:
    with time_machine.travel(at(day), tick=False):
        alerts_scan(as_of=day, kinds=PROGRESS_KINDS)
        if send:
            deliveries_send_due()


def letters(user) -> list[Message]:
    return list(Message.objects.filter(recipient=user, subject__contains=ROADS, alert__unit__name="渑池县政府"))


def roads_mail() -> list:
    return [m for m in mail.outbox if ROADS in m.subject and "渑池县政府" in m.subject]


def test_a_red_alert_that_turns_yellow_rewrites_its_message(roads, people):
    report(ROADS, "渑池县政府", date(2022, 6, 1), value=1)  # 1 of its 10: 10 % against 50 %, red
    scan(date(2022, 7, 6))
    (letter,) = letters(people.mianchi)
    assert letter.subject == "【滞后预警·红色】2022年6月 10.1.1 新增农村客运班线公交化运行行政村 · 渑池县政府"
    Message.objects.filter(pk=letter.pk).update(read_at=at(date(2022, 7, 7)))
    assert len(roads_mail()) == 1

    report(ROADS, "渑池县政府", date(2022, 7, 1), value=4)  # 40 % against 58.33 %: 18 points, yellow
    scan(date(2022, 8, 6))
    alert = Alert.objects.get(indicator__code=ROADS, unit__name="渑池县政府", resolved_at__isnull=True)
    assert (alert.severity, alert.month) == ("yellow", date(2022, 7, 1))
    (rewritten,) = letters(people.mianchi)
    assert rewritten.pk == letter.pk
    assert rewritten.subject == "【滞后预警·黄色】2022年7月 10.1.1 新增农村客运班线公交化运行行政村 · 渑池县政府"
    assert "截至2022年7月底累计4个，完成率 40%，序时进度 58.33%" in rewritten.body
    assert rewritten.read_at is None and rewritten.updated is not None
    # The e-mail went once, when the alert opened; the office has no copy (its summary of the day).
    assert letters(people.office) == []
    assert len(roads_mail()) == 1

    # The same state the next day: nothing changes, nothing is unread again.
    Message.objects.filter(pk=letter.pk).update(read_at=at(date(2022, 8, 7)))
    scan(date(2022, 8, 7))
    (same,) = letters(people.mianchi)
    assert same.read_at is not None and same.updated == rewritten.updated

    # It clears: the message says so, and is no longer an open item.
    report(ROADS, "渑池县政府", date(2022, 8, 1), value=7)  # 70 % against 66.67 %: green
    scan(date(2022, 9, 6))
    (resolved,) = letters(people.mianchi)
    assert resolved.resolved_at is not None


def test_an_e_mail_not_sent_yet_goes_out_with_the_new_words_once(roads, people):
    report(ROADS, "渑池县政府", date(2022, 6, 1), value=1)
    scan(date(2022, 7, 6), send=False)
    report(ROADS, "渑池县政府", date(2022, 7, 1), value=4)
    scan(date(2022, 8, 6), send=False)
    (pending,) = Delivery.objects.filter(
        channel=Channel.EMAIL, recipient="mianchi@example.org", subject__contains=ROADS
    )
    assert pending.status == DeliveryStatus.PENDING and "黄色" in pending.subject
    with time_machine.travel(at(date(2022, 8, 6)), tick=False):
        deliveries_send_due()
        deliveries_send_due()
    (sent,) = roads_mail()
    assert sent.subject.startswith("【滞后预警·黄色】2022年7月") and "完成率 40%" in sent.body
