"""Group robots: WeCom's and DingTalk's message formats, DingTalk's signature, and who gets what."""

import base64
import hashlib
import hmac
from datetime import date

import pytest
import time_machine

from projects.models import (
    Audience,
    Delivery,
    Event,
    Indicator,
    NotificationRule,
    Project,
    SupervisionNotice,
    Unit,
    WebhookEndpoint,
    WebhookFlavour,
    WebhookScope,
)
from projects.services.alerts import PROGRESS_KINDS, alerts_scan
from projects.services.notifications import deliveries_send_due, dingtalk_signed_url, webhook_payload

from .conftest import ROADS, at, report

pytestmark = pytest.mark.django_db


def mianchi_notice():
    return SupervisionNotice.objects.get(indicator__code=ROADS, unit__name="渑池县政府")


def mianchi_red(day: date = date(2022, 7, 6)) -> None:
    """渑池县 at 1 of 10 in June, judged once June's figures were due (from 6 July): red."""
    report(ROADS, "渑池县政府", date(2022, 6, 1), value=1)
    with time_machine.travel(at(day), tick=False):
        alerts_scan(as_of=day, kinds=PROGRESS_KINDS)
        deliveries_send_due()


def about_roads(robot) -> list:
    # 渑池县政府 lags on other figures too (rates it has not reported): only 10.1.1 matters here.
    return [r for r in robot.received if ROADS in str(r.payload)]


def test_wecom_gets_its_markdown_message(roads, people, robot):
    WebhookEndpoint.objects.create(
        name="渑池县政府工作群",
        flavour=WebhookFlavour.WECOM,
        url=robot.url("/cgi-bin/webhook/send?key=693a91f6"),
        scope=WebhookScope.UNIT,
        unit=Unit.objects.get(name="渑池县政府"),
    )
    mianchi_red()
    [got] = about_roads(robot)
    assert got.path == "/cgi-bin/webhook/send" and got.query == {"key": ["693a91f6"]}
    assert set(got.payload) == {"msgtype", "markdown"}
    assert got.payload["msgtype"] == "markdown" and set(got.payload["markdown"]) == {"content"}
    content = got.payload["markdown"]["content"]
    assert content.startswith("### 【滞后预警·红色】2022年6月 10.1.1")
    assert "完成率 10%" in content
    # The link leads the county to its form for the month the alert speaks of.
    form = f"/report/2022-06/indicator/{Indicator.objects.get(code=ROADS).pk}/"
    assert f"[查看详情](http://127.0.0.1:8000{form})" in content


def test_dingtalk_gets_its_markdown_message_signed(roads, people, robot):
    secret = "SEC0123456789abcdef"
    WebhookEndpoint.objects.create(
        name="渑池县政府钉钉群",
        flavour=WebhookFlavour.DINGTALK,
        url=robot.url("/robot/send?access_token=abc123"),
        secret=secret,
        scope=WebhookScope.UNIT,
        unit=Unit.objects.get(name="渑池县政府"),
    )
    mianchi_red()
    [got] = about_roads(robot)
    assert got.payload["msgtype"] == "markdown"
    assert set(got.payload["markdown"]) == {"title", "text"}
    assert got.payload["markdown"]["title"].startswith("【滞后预警·红色】2022年6月 10.1.1")
    assert "完成率 10%" in got.payload["markdown"]["text"]
    # 加签: HMAC-SHA256 over "timestamp\nsecret", base64, next to the access token.
    assert got.query["access_token"] == ["abc123"]
    timestamp = got.query["timestamp"][0]
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    assert got.query["sign"] == [base64.b64encode(digest).decode()]
    # The clock was fixed: the timestamp is that moment in milliseconds.
    assert int(timestamp) == int(at(date(2022, 7, 6)).timestamp() * 1000)


def test_the_signature_is_url_encoded():
    url = dingtalk_signed_url(url="https://oapi.dingtalk.com/robot/send?access_token=t", secret="s", timestamp_ms=1)
    assert url.startswith("https://oapi.dingtalk.com/robot/send?access_token=t&timestamp=1&sign=")
    assert "+" not in url.split("sign=")[1] and "/" not in url.split("sign=")[1]


def test_a_robot_that_answers_with_an_error_code_is_a_failure(roads, people, robot):
    robot.script = [{"errcode": 93000, "errmsg": "invalid webhook url"}] * 20
    WebhookEndpoint.objects.create(
        name="群", flavour=WebhookFlavour.WECOM, url=robot.url(), scope=WebhookScope.UNIT,
        unit=Unit.objects.get(name="渑池县政府"),
    )  # fmt: skip
    mianchi_red()
    delivery = Delivery.objects.get(channel="webhook", subject__contains=ROADS)
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert "errcode 93000" in delivery.last_error


def test_long_messages_are_cut_to_what_the_robots_accept():
    payload = webhook_payload(flavour=WebhookFlavour.WECOM, subject="标题", body="很长" * 3000, link="")
    assert len(payload["markdown"]["content"].encode()) <= 4096


def test_notices_reach_the_office_and_project_groups_alerts_only_when_the_office_asks(roads, people, robot):
    WebhookEndpoint.objects.create(
        name="督查室群", flavour=WebhookFlavour.WECOM, url=robot.url("/office"), scope=WebhookScope.OFFICE
    )
    project_group = WebhookEndpoint.objects.create(
        name="交通项目群", flavour=WebhookFlavour.DINGTALK, url=robot.url("/p10"), scope=WebhookScope.PROJECTS
    )
    project_group.projects.add(Project.objects.get(number=10))
    other_group = WebhookEndpoint.objects.create(
        name="技能项目群", flavour=WebhookFlavour.DINGTALK, url=robot.url("/p1"), scope=WebhookScope.PROJECTS
    )
    other_group.projects.add(Project.objects.get(number=1))
    mianchi_red()
    # By default an alert goes to the unit's group only.
    assert not [r for r in robot.received if ROADS in str(r.payload)]
    with time_machine.travel(at(date(2022, 8, 6)), tick=False):
        alerts_scan(as_of=date(2022, 8, 6), kinds=PROGRESS_KINDS)
        deliveries_send_due()
    notices = [
        r.path for r in robot.received if f"督办通知单 督办〔2022〕{mianchi_notice().number}号" in str(r.payload)
    ]
    assert sorted(notices) == ["/office", "/p10"]
    # The office wants lagging alerts in its group too.
    NotificationRule.objects.create(event=Event.ALERT_LAGGING, audience=Audience.OFFICE, in_app=True, webhook=True)
    received = len(robot.received)
    report(ROADS, "陕州区政府", date(2022, 8, 1), value=8)  # green: resolves the red alert
    report(ROADS, "陕州区政府", date(2022, 9, 1), value=8)  # 80 % against 83.33 % on 31 October: green
    report(ROADS, "陕州区政府", date(2022, 10, 1), value=8)
    with time_machine.travel(at(date(2022, 9, 6)), tick=False):  # August judged
        alerts_scan(as_of=date(2022, 9, 6), kinds=PROGRESS_KINDS)
    report(ROADS, "陕州区政府", date(2022, 11, 1), value=7)  # corrected: 70 % against 91.67 %, yellow
    with time_machine.travel(at(date(2022, 12, 6)), tick=False):  # November judged
        alerts_scan(as_of=date(2022, 12, 6), kinds=PROGRESS_KINDS)
        deliveries_send_due()
    new = [r.path for r in robot.received[received:] if "10.1.1" in str(r.payload) and "陕州区政府" in str(r.payload)]
    assert new == ["/office"]


def test_an_inactive_robot_gets_nothing(roads, people, robot):
    WebhookEndpoint.objects.create(
        name="群", flavour=WebhookFlavour.WECOM, url=robot.url(), scope=WebhookScope.UNIT,
        unit=Unit.objects.get(name="渑池县政府"), active=False,
    )  # fmt: skip
    mianchi_red()
    assert robot.received == []
