"""The office's admin pages for alerts, notices, messages, deliveries, robots and rules."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from projects.models import (
    Alert,
    Delivery,
    Message,
    NotificationRule,
    SupervisionNotice,
    User,
    WebhookEndpoint,
    WebhookFlavour,
    WebhookScope,
)
from projects.services.alerts import PROGRESS_KINDS, alerts_scan

from .conftest import ROADS, at, report

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, people):
    User.objects.filter(pk=people.office.pk).update(is_staff=True, is_superuser=True)
    client.force_login(people.office)
    return client


@pytest.fixture
def history(roads, people):
    report(ROADS, "渑池县政府", date(2022, 6, 1), value=1)
    for day in (date(2022, 6, 30), date(2022, 8, 6)):
        with time_machine.travel(at(day), tick=False):
            alerts_scan(as_of=day, kinds=PROGRESS_KINDS)


@pytest.mark.parametrize(
    "model", [Alert, SupervisionNotice, Message, Delivery, WebhookEndpoint, NotificationRule], ids=lambda m: m.__name__
)
def test_every_list_and_record_opens_in_chinese(admin_client, history, model):
    opts = model._meta
    listing = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    assert listing.status_code == 200
    assert str(opts.verbose_name_plural) in listing.content.decode()
    first = model.objects.first()
    if first is not None:
        assert (
            admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first.pk])).status_code
            == 200
        )


def test_records_of_the_jobs_cannot_be_edited_by_hand(admin_client, history):
    alert = Alert.objects.first()
    url = reverse("admin:projects_alert_change", args=[alert.pk])
    admin_client.post(url, {"severity": "yellow"})
    alert.refresh_from_db()
    assert alert.severity == "red"
    assert admin_client.get(reverse("admin:projects_alert_add")).status_code == 403


def test_the_office_tests_a_robot_from_the_admin(admin_client, people, robot):
    hook = WebhookEndpoint.objects.create(
        name="督查室群", flavour=WebhookFlavour.WECOM, url=robot.url(), scope=WebhookScope.OFFICE
    )
    response = admin_client.post(
        reverse("admin:projects_webhookendpoint_changelist"),
        {"action": "send_test", "_selected_action": [hook.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert [r.payload["markdown"]["content"].splitlines()[0] for r in robot.received] == ["### 测试消息  "]
    assert Delivery.objects.get(endpoint=hook).status == "sent"


def test_the_office_edits_who_gets_what(admin_client):
    rule = NotificationRule.objects.create(event="alert_lagging", audience="leaders", in_app=True)
    url = reverse("admin:projects_notificationrule_change", args=[rule.pk])
    response = admin_client.post(
        url, {"event": "alert_lagging", "audience": "leaders", "in_app": "on", "email": "on"}, follow=True
    )
    assert response.status_code == 200
    rule.refresh_from_db()
    assert (rule.in_app, rule.email, rule.webhook) == (True, True, False)
