"""The in-app inbox: own messages only, mark read, acknowledge, the unread count on every page."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from projects.models import Message, SupervisionNotice
from projects.services.alerts import PROGRESS_KINDS, alerts_scan

from .conftest import ROADS, at, report
from .factories import MessageFactory

pytestmark = pytest.mark.django_db


def message_for(user, subject: str = "【滞后预警·红色】测试", **extra) -> Message:
    return MessageFactory(recipient=user, subject=subject, **extra)


def test_the_inbox_needs_a_login(client):
    response = client.get("/inbox/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_inbox_lists_ones_own_messages_newest_first(client, people):
    message_for(people.mianchi, "旧消息")
    message_for(people.mianchi, "新消息")
    message_for(people.shanzhou, "陕州区的消息")
    client.force_login(people.mianchi)
    page = client.get("/inbox/").content.decode()
    assert page.index("新消息") < page.index("旧消息")
    assert "陕州区的消息" not in page
    assert "第一行<br>第二行" in page


def test_the_unread_count_is_on_every_page_and_falls_as_messages_are_read(client, people):
    first = message_for(people.mianchi, "甲消息")
    message_for(people.mianchi, "乙消息")
    message_for(people.shanzhou, "别人的")
    client.force_login(people.mianchi)
    home = client.get(reverse("home"), follow=True)  # a unit's home is its month of reporting
    assert home.context["inbox_url"] == "/inbox/"
    assert home.context["inbox_unread_count"] == 2
    response = client.post(reverse("message_read", args=[first.pk]), {"next": "/inbox/?show=unread"})
    assert response.status_code == 302 and response["Location"] == "/inbox/?show=unread"
    first.refresh_from_db()
    assert first.read_at is not None and first.acknowledged_at is None
    page = client.get("/inbox/?show=unread")
    assert page.context["inbox_unread_count"] == 1
    assert "甲消息" not in page.content.decode() and "乙消息" in page.content.decode()
    assert "甲消息" in client.get("/inbox/").content.decode()


def test_acknowledging_marks_read_too(client, people):
    message = message_for(people.mianchi)
    client.force_login(people.mianchi)
    client.post(reverse("message_acknowledge", args=[message.pk]))
    message.refresh_from_db()
    assert message.read_at is not None and message.acknowledged_at is not None
    assert client.get("/inbox/").context["inbox_unread_count"] == 0


def test_mark_all_read(client, people):
    for n in range(3):
        message_for(people.mianchi, f"消息{n}")
    client.force_login(people.mianchi)
    client.post(reverse("inbox_read_all"))
    assert not Message.objects.filter(recipient=people.mianchi, read_at__isnull=True).exists()


def test_another_users_message_is_not_found(client, people):
    theirs = message_for(people.shanzhou)
    client.force_login(people.mianchi)
    assert client.post(reverse("message_read", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("message_acknowledge", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None and theirs.acknowledged_at is None


def test_reading_needs_a_post(client, people):
    message = message_for(people.mianchi)
    client.force_login(people.mianchi)
    assert client.get(reverse("message_read", args=[message.pk])).status_code == 405


def test_a_redirect_never_leaves_the_site(client, people):
    message = message_for(people.mianchi)
    client.force_login(people.mianchi)
    response = client.post(reverse("message_read", args=[message.pk]), {"next": "https://evil.example/"})
    assert response["Location"] == "/inbox/"


@pytest.fixture
def notice(roads, people) -> SupervisionNotice:
    report(ROADS, "渑池县政府", date(2022, 6, 1), value=1)
    for day in (date(2022, 6, 30), date(2022, 8, 6)):
        with time_machine.travel(at(day), tick=False):
            alerts_scan(as_of=day, kinds=PROGRESS_KINDS)
    return SupervisionNotice.objects.get(indicator__code=ROADS, unit__name="渑池县政府")


def test_the_unit_signs_for_a_notice_by_acknowledging_it(client, people, notice):
    # The lead department acknowledging its copy does not sign for the county.
    client.force_login(people.jiaotong)
    copy = Message.objects.get(recipient=people.jiaotong, notice=notice)
    client.post(reverse("message_acknowledge", args=[copy.pk]))
    notice.refresh_from_db()
    assert notice.acknowledged_at is None
    client.force_login(people.mianchi)
    own = Message.objects.get(recipient=people.mianchi, notice=notice)
    assert own.link == f"/supervision/notices/{notice.pk}/"
    client.post(reverse("message_acknowledge", args=[own.pk]))
    notice.refresh_from_db()
    assert notice.acknowledged_by == people.mianchi and notice.acknowledged_at is not None
    # Signing for it is the loop's first step: its state and its history say so.
    assert notice.state == "acknowledged"
    assert [(e.action, e.actor) for e in notice.events.order_by("at", "id")] == [
        ("issue", None),
        ("acknowledge", people.mianchi),
    ]


def test_a_notice_is_shown_to_those_it_concerns_only(client, people, notice):
    url = reverse("supervision:notice", args=[notice.pk])
    # Links in messages sent before the loop existed lead to the same page.
    client.force_login(people.mianchi)
    assert client.get(f"/inbox/notices/{notice.pk}/")["Location"] == url
    for user in (people.mianchi, people.jiaotong, people.leader, people.office):
        client.force_login(user)
        page = client.get(url)
        assert page.status_code == 200, user
        assert notice.code in page.content.decode() and "整改期限" in page.content.decode()
    client.force_login(people.shanzhou)
    assert client.get(url).status_code == 404
