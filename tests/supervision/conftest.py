"""Fixtures of the supervision loop's tests: a real notice (渑池县's 10.1.1 red in June, escalated on
6 August, to be answered by 5 September), the people who act on it, and small helpers to act and
to read what each person was told."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from projects.models import Message, SupervisionNotice, Unit
from projects.services.alerts import PROGRESS_KINDS, alerts_scan
from projects.services.notifications import deliveries_send_due
from projects.supervision import services as svc
from tests.alerts.conftest import ROADS, at, people, report, roads  # noqa: F401 - fixtures
from tests.reporting.conftest import private_media  # noqa: F401 - fixture
from tests.reporting.test_permissions import PNG

ISSUED = date(2022, 8, 6)  # June red, still red once July's figures were due: the notice goes out
DEADLINE = date(2022, 9, 5)  # August's figures' due day: the next reporting cycle


def png(name: str = "现场照片.png", salt: str = "") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG + (salt or name).encode(), content_type="image/png")


def on(day: date, hour: int = 10):
    """The machine's clock (and so the one clock, unpinned) on ``day`` at ``hour``, Beijing time."""
    return time_machine.travel(at(day, hour), tick=False)


def told(user, *, since: int = 0) -> list[Message]:
    """The inbox messages a user has, oldest first (after the ``since``-th)."""
    return list(Message.objects.filter(recipient=user).order_by("created", "id"))[since:]


def mails_to(address: str) -> list:
    return [m for m in mail.outbox if address in m.to]


def send() -> None:
    """What the worker would send once the transaction commits."""
    deliveries_send_due()


@pytest.fixture
def notice(roads, people, private_media) -> SupervisionNotice:  # noqa: F811
    Unit.objects.filter(name="渑池县政府").update(responsible_person="张县长")
    report(ROADS, "渑池县政府", date(2022, 6, 1), value=1)  # 10 % against 50 %: red
    for day in (date(2022, 7, 6), ISSUED):
        with on(day):
            alerts_scan(as_of=day, kinds=PROGRESS_KINDS)
            send()
    mail.outbox.clear()
    return SupervisionNotice.objects.get(indicator__code=ROADS, unit__name="渑池县政府")


def answer(user, notice: SupervisionNotice, text: str = "已召开推进会，新增 3 个行政村开通公交化班线。", **kwargs):
    notice.refresh_from_db()
    return svc.notice_answer(
        user=user, notice_id=notice.pk, version=notice.version, answer=svc.AnswerInput(text=text, **kwargs)
    )


def verify(user, notice: SupervisionNotice, *, accept: bool, reason: str = "", deadline: date | None = None):
    notice.refresh_from_db()
    return svc.notice_verify(
        user=user, notice_id=notice.pk, version=notice.version, accept=accept, reason=reason, deadline=deadline
    )


def value(v: int) -> Decimal:
    return Decimal(v)
