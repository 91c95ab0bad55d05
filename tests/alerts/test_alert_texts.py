"""What an alert's message says: the month it is about, the unit's own figure against the unit's own
target, and the deadline in the plan's words."""

from __future__ import annotations

from datetime import date

import pytest

from projects.models import Audience, Event, Message, NotificationRule
from projects.services.alerts import PROGRESS_KINDS, alerts_scan

from .conftest import ROADS, report

pytestmark = pytest.mark.django_db

OCT6 = date(2022, 10, 6)  # September judged


def test_a_units_alert_quotes_its_own_target_and_figure_for_the_month(roads, people):
    report(ROADS, "渑池县政府", date(2022, 9, 1), value=5)  # 5 of its 10: 50 % against 75 %
    alerts_scan(as_of=OCT6, kinds=PROGRESS_KINDS)
    message = Message.objects.get(recipient=people.mianchi, alert__indicator__code=ROADS)
    assert message.subject == "【滞后预警·黄色】2022年9月 10.1.1 新增农村客运班线公交化运行行政村 · 渑池县政府"
    assert "（目标 10个，期限：全年（2022年12月31日））截至2022年9月底累计5个，完成率 50%，序时进度 75%" in message.body
    assert "35" not in message.body.split("主要任务")[0]  # the city's target is not the county's


def test_a_city_alert_quotes_the_city_figure_and_a_deadline_without_the_readers_note(plan_2022, people):
    # 2.1.1 城镇老旧小区开工改造, 8,885 户 citywide, not split: judged on the city's sum.
    for unit in ("湖滨区政府", "陕州区政府"):
        report("2.1.1", unit, date(2022, 9, 1), value=2000)
    # The office asks for copies of the letters (no lead department has an account here).
    for event in (Event.ALERT_LAGGING, Event.ALERT_OVERDUE):
        NotificationRule.objects.create(event=event, audience=Audience.OFFICE, in_app=True)
    alerts_scan(as_of=OCT6, kinds=PROGRESS_KINDS)
    (message,) = Message.objects.filter(alert__indicator__code="2.1.1", alert__scope="city")
    assert "全市“2.1.1 城镇老旧小区开工改造”（目标 8,885户，期限：全年（2022年12月31日））截至2022年9月底累计4,000户" in message.body
    # 2.5.1's plan says no deadline; the file's note (未写明期限，按年底计) is ours, not the plan's.
    (bridge,) = Message.objects.filter(alert__indicator__code="2.5.1")
    assert "期限：全年（2022年12月31日）" in bridge.body and "未写明" not in bridge.body
    assert "累计未启动" in bridge.body  # a milestone by its stage
