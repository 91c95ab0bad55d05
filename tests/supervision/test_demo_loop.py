"""The loop's demo (seed_demo_loop, which `make db` runs): every step stamped by the one clock at a
moment of its day, whatever the time of day the machine's clock says, so that the demo reads the
same on every run."""

from __future__ import annotations

from datetime import date, datetime, time
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from projects.clock import DEMO_TODAY
from projects.models import Message, SupervisionEvent, SupervisionNotice
from projects.services.accounts import demo_accounts_create
from projects.supervision.demo import supervision_demo_seed
from tests.reporting.conftest import private_media  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(moment: datetime) -> datetime:
    return timezone.localtime(moment, SHANGHAI)


def test_the_demo_loop_is_stamped_by_the_one_clock(plan_2022, private_media):  # noqa: F811
    demo_accounts_create(plan=plan_2022)
    call_command("seed_demo", "--as-of", DEMO_TODAY.isoformat(), stdout=StringIO())
    # The machine says a quarter to midnight on another day: nothing of it shows in the stamps.
    with time_machine.travel(datetime(2031, 3, 3, 23, 45, tzinfo=SHANGHAI), tick=True):
        result = supervision_demo_seed(plan=plan_2022, as_of=DEMO_TODAY)
    assert result.notices and len(result.steps) >= 3
    # The scans of 6 August and 6 September (the days after July's and August's due days) at 7:30.
    issued = {local(at) for at in SupervisionNotice.objects.values_list("issued_at", flat=True)}
    assert {(m.date(), m.time()) for m in issued} <= {(date(2022, 8, 6), time(7, 30)), (date(2022, 9, 6), time(7, 30))}
    stamps = [local(at) for at in SupervisionEvent.objects.values_list("at", flat=True)]
    assert {m.time() for m in stamps} <= {time(7, 30), time(8, 30), time(10, 0), time(15, 0)}
    assert max(m.date() for m in stamps) == DEMO_TODAY
    # The story's first notice, step by step (answered, sent back, answered again).
    first = SupervisionNotice.objects.get(code=result.steps[0].split("：")[0])
    history = [(e.action, local(e.at).date(), local(e.at).time()) for e in first.events.order_by("at", "id")]
    assert history[0] == ("issue", local(first.issued_at).date(), time(7, 30))
    steps = [(action, (day - date(2022, 9, 6)).days, at) for action, day, at in history[1:]]
    assert steps == [
        ("acknowledge", 1, time(10, 0)),
        ("answer", 14, time(10, 0)),
        ("send_back", 17, time(15, 0)),
        ("answer", 22, time(10, 0)),
    ]
    # The messages of the steps are dated by the same clock.
    assert {local(c).time() for c in Message.objects.values_list("created", flat=True)} <= {
        time(7, 30),
        time(8, 30),
        time(10, 0),
        time(15, 0),
    }
